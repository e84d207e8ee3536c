package segment

import (
	"math/rand/v2"
	"strings"
	"testing"
)

func contents(text string, spans []Span) []string {
	var out []string
	for _, s := range spans {
		out = append(out, text[s.Start:s.End])
	}
	return out
}

func TestSplit(t *testing.T) {
	cases := []struct {
		name string
		unit Unit
		text string
		want []string
	}{
		{"lines", Line, "第一行\r\n第二行\n\n  第三行  \n", []string{"第一行", "第二行", "第三行"}},
		{"lines no final newline", Line, "a\nb", []string{"a", "b"}},
		{"blank only", Line, " \n\t\n", nil},
		{"paragraphs", Paragraph, "甲一\n甲二\n\n \n乙一\n\n丙", []string{"甲一\n甲二", "乙一", "丙"}},
		{"paragraph single", Paragraph, "只有一段。\n还是这段。", []string{"只有一段。\n还是这段。"}},
		{"chinese sentences", Sentence, "今天下雨。明天呢？后天！好；完", []string{"今天下雨。", "明天呢？", "后天！", "好；", "完"}},
		{"closing quotes", Sentence, "他说：“走吧。”然后走了。", []string{"他说：“走吧。”", "然后走了。"}},
		{"english", Sentence, "Pi is 3.14. Really?! Yes... ok", []string{"Pi is 3.14.", "Really?!", "Yes...", "ok"}},
		{"newline ends a sentence", Sentence, "标题\n正文第一句。第二句", []string{"标题", "正文第一句。", "第二句"}},
		{"footer", Sentence, "正文。 责任编辑：XX", []string{"正文。", "责任编辑：XX"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			spans := Split(nil, []byte(c.text), c.unit)
			got := contents(c.text, spans)
			if strings.Join(got, "|") != strings.Join(c.want, "|") || len(got) != len(c.want) {
				t.Errorf("got %q, want %q", got, c.want)
			}
			checkSpans(t, c.text, spans)
		})
	}
}

// checkSpans checks the invariants every split keeps: units in order,
// without overlap, each separator only white space (lines and paragraphs)
// and the last Next the end of the text.
func checkSpans(t *testing.T, text string, spans []Span) {
	t.Helper()
	prev := 0
	for k, s := range spans {
		if s.Start < prev || s.End <= s.Start || s.Next < s.End || s.Next > len(text) {
			t.Fatalf("%q: span %d %+v out of order", text, k, s)
		}
		if strings.TrimSpace(text[prev:s.Start]) != "" {
			t.Fatalf("%q: text %q between units", text, text[prev:s.Start])
		}
		prev = s.Next
		if k+1 < len(spans) && s.Next != spans[k+1].Start {
			t.Fatalf("%q: span %d ends at %d, next starts at %d", text, k, s.Next, spans[k+1].Start)
		}
	}
	if n := len(spans); n > 0 && spans[n-1].Next != len(text) {
		t.Fatalf("%q: last Next %d, want %d", text, spans[n-1].Next, len(text))
	}
}

// TestSplitCovers checks on random text that units cover every non-space
// character exactly once.
func TestSplitCovers(t *testing.T) {
	alphabet := []rune("你好。！？；.!? \n\r\t”a3")
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := 0; trial < 3000; trial++ {
		var sb strings.Builder
		for k := rng.IntN(40); k > 0; k-- {
			sb.WriteRune(alphabet[rng.IntN(len(alphabet))])
		}
		text := sb.String()
		for _, u := range []Unit{Line, Paragraph, Sentence} {
			spans := Split(nil, []byte(text), u)
			checkSpans(t, text, spans)
			var all strings.Builder
			for _, s := range spans {
				all.WriteString(text[s.Start:s.End])
			}
			strip := func(s string) string { return strings.Join(strings.Fields(s), "") }
			if strip(all.String()) != strip(text) {
				t.Fatalf("%s %q: units %q lose text", u, text, contents(text, spans))
			}
		}
	}
}

func TestParseUnit(t *testing.T) {
	for _, u := range []Unit{Line, Paragraph, Sentence} {
		got, err := ParseUnit(u.String())
		if err != nil || got != u {
			t.Errorf("ParseUnit(%q) = %v, %v", u, got, err)
		}
	}
	if _, err := ParseUnit("word"); err == nil {
		t.Error("ParseUnit(word) did not fail")
	}
}

// FuzzSplit checks the split invariants on any input.
func FuzzSplit(f *testing.F) {
	for _, s := range []string{"", "a", "今天下雨。明天呢？", "a\r\n\r\nb", "他说：“走吧！”\n", "3.14. x", "\xff\xfe。"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		for _, u := range []Unit{Line, Paragraph, Sentence} {
			checkSpans(t, text, Split(nil, []byte(text), u))
		}
	})
}
