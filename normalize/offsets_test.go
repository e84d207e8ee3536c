package normalize

import (
	"math/rand/v2"
	"testing"
	"unicode/utf8"
)

// TestAppendOffsets checks AppendOffsets against Append and, case by case,
// the original text each normalised rune is placed at.
func TestAppendOffsets(t *testing.T) {
	n := New(Default())
	cases := []struct {
		text string
		want []string // the original text from each rune's offset to the next one's
	}{
		{"你好，世界！", []string{"你", "好，", "世", "界！"}},
		{"其中XXX、XX新材料", []string{"其", "中", "XXX、XX", "新", "材", "料"}},
		{"我镇*家", []string{"我", "镇", "*", "家"}},
		{"20**年", []string{"20**", "年"}},
		{"ＡＢ c", []string{"Ａ", "Ｂ ", "c"}},
		{"XXL码", []string{"X", "X", "L", "码"}},
		{"某某村", []string{"某某", "村"}},
		{"ﬁx", []string{"", "ﬁ", "x"}},
	}
	for _, c := range cases {
		text := []byte(c.text)
		out, offs, _ := n.AppendOffsets(nil, nil, text)
		plain, _ := n.Append(nil, text)
		if string(out) != string(plain) {
			t.Errorf("%q: AppendOffsets gave %q, Append %q", c.text, string(out), string(plain))
		}
		if len(offs) != len(out) {
			t.Fatalf("%q: %d offsets for %d runes", c.text, len(offs), len(out))
		}
		var got []string
		for k := range offs {
			end := len(text)
			if k+1 < len(offs) {
				end = int(offs[k+1])
			}
			if k+1 == len(offs) {
				end = len(text)
			}
			got = append(got, string(text[offs[k]:end]))
		}
		// The last rune's piece runs to the end of the text.
		if len(got) != len(c.want) {
			t.Errorf("%q: pieces %q, want %q", c.text, got, c.want)
			continue
		}
		for k := range got {
			if got[k] != c.want[k] {
				t.Errorf("%q: pieces %q, want %q", c.text, got, c.want)
				break
			}
		}
	}
}

// TestAppendOffsetsRandom checks on random mixed text that offsets never
// decrease, lie on rune boundaries, and that the output equals Append's.
func TestAppendOffsetsRandom(t *testing.T) {
	n := New(Default())
	alphabet := []rune("你好世界XxＸ*＊20某×○□，。 \tabcﬁ가\u0301é")
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 2000; trial++ {
		var b []byte
		for k := rng.IntN(30); k > 0; k-- {
			b = utf8.AppendRune(b, alphabet[rng.IntN(len(alphabet))])
		}
		prefix := []rune("前")
		out, offs, _ := n.AppendOffsets(prefix, []int32{0}, b)
		plain, _ := n.Append(nil, b)
		if string(out[1:]) != string(plain) || len(offs) != len(out) {
			t.Fatalf("%q: %q (%d offsets) against %q", b, string(out[1:]), len(offs)-1, string(plain))
		}
		for k := 1; k < len(offs); k++ {
			if k > 1 && offs[k] < offs[k-1] || int(offs[k]) >= len(b) || !utf8.RuneStart(b[offs[k]]) {
				t.Fatalf("%q: offsets %v", b, offs)
			}
		}
	}
}
