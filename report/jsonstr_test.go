package report

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

// marshalString is what encoding/json gives s.
func marshalString(t testing.TB, s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestAppendJSONString(t *testing.T) {
	// Every byte that is not plain in each position around the eight-byte
	// steps, inside ASCII and inside Chinese text.
	specials := []string{"\"", "\\", "<", ">", "&", "\x00", "\b", "\f", "\n", "\r", "\t", "\x1f", "\x7f", " ",
		"\xff", "\xe4\xbd", "\xc3", "\u2028", "\u2029", "é", "中", "😀", "\xed\xa0\x80"}
	var cases []string
	for _, sp := range specials {
		for pre := range 20 {
			for _, fill := range []string{"a", "中"} {
				cases = append(cases, strings.Repeat(fill, pre)+sp+strings.Repeat("b", 17), strings.Repeat(fill, pre)+sp)
			}
		}
	}
	cases = append(cases, "", "plain ascii text of some length, 0123456789", "我镇*家XX", "</script>", `"\u003c/script>`)
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", "Z", " ", "\"", "\\", "<", ">", "&", "\n", "\x01", "\x7f", "é", "中", "\u2028", "\xff", "\xe4", "😀"}
	for range 5000 {
		var b strings.Builder
		for range rng.IntN(40) {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		cases = append(cases, b.String())
	}
	for _, s := range cases {
		if got, want := string(appendJSONString([]byte("x"), s)), "x"+marshalString(t, s); got != want {
			t.Fatalf("appendJSONString(%q) = %s, encoding/json gives %s", s, got, want)
		}
	}
}

func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "</script>", "\u2028\u2029", "\xff\xfe", "我镇*家XX", "abcdefgh\"ijklmnop"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := string(appendJSONString(nil, s)), marshalString(t, s); got != want {
			t.Fatalf("appendJSONString(%q) = %s, encoding/json gives %s", s, got, want)
		}
	})
}

func TestCutText(t *testing.T) {
	// cutText against the straightforward count, on valid UTF-8.
	ref := func(s string, n int) (string, int) {
		if utf8.RuneCountInString(s) <= n {
			return s, -1
		}
		r := []rune(s)
		return string(r[:n]), len(r)
	}
	for _, s := range []string{"", "abc", "中文文本", "a中b文c", "😀😀😀😀", strings.Repeat("é", 10)} {
		for n := range 12 {
			gs, gn := cutText(s, n)
			ws, wn := ref(s, n)
			if gs != ws || gn != wn {
				t.Errorf("cutText(%q, %d) = %q, %d; want %q, %d", s, n, gs, gn, ws, wn)
			}
		}
	}
}
