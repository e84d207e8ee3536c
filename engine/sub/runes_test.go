package sub

import (
	"math/rand/v2"
	"testing"
	"unicode/utf8"
)

// TestRuneCount compares runeCount with utf8.RuneCount on valid UTF-8 of
// every length of encoded rune, at every alignment.
func TestRuneCount(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	pool := []rune{'a', '\n', 'é', 'ß', '中', '文', '。', '\uE000', '😀', '𠀋', 0x7F, 0x80, 0x7FF, 0x800, 0xFFFF, 0x10000, 0x10FFFF}
	for n := range 200 {
		var b []byte
		for range n {
			b = utf8.AppendRune(b, pool[rng.IntN(len(pool))])
		}
		for off := range min(len(b), 9) {
			// Cut only at rune starts, so the text stays valid.
			if !utf8.RuneStart(b[off]) {
				continue
			}
			if got, want := runeCount(b[off:]), utf8.RuneCount(b[off:]); got != want {
				t.Fatalf("runeCount(%q) = %d, want %d", b[off:], got, want)
			}
		}
	}
}
