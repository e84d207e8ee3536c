package stage

import (
	"slices"
	"strings"
	"testing"

	"github.com/quchong/quchong/segment"
	"github.com/quchong/quchong/substr"
)

func TestNewSubChecks(t *testing.T) {
	ok := DefaultSubParams()
	ok.KeepFirst = true
	cases := []struct {
		name  string
		edit  func(*SubParams)
		lines bool
		fails bool
	}{
		{"keep-first", func(p *SubParams) {}, true, false},
		{"min-docs", func(p *SubParams) { p.KeepFirst, p.MinDocs = false, 3 }, true, false},
		{"both policies", func(p *SubParams) { p.MinDocs = 3 }, true, true},
		{"no policy", func(p *SubParams) { p.KeepFirst = false }, true, true},
		{"min-docs 1", func(p *SubParams) { p.KeepFirst, p.MinDocs = false, 1 }, true, true},
		{"negative min-unit", func(p *SubParams) { p.MinUnit = -1 }, true, true},
		{"substr", func(p *SubParams) {}, false, false},
		{"substr min-span 0", func(p *SubParams) { p.MinSpan = 0 }, false, true},
	}
	for _, c := range cases {
		p := ok
		c.edit(&p)
		if _, err := NewSub(p, c.lines); (err != nil) != c.fails {
			t.Errorf("%s: error %v, want failure %v", c.name, err, c.fails)
		}
	}
}

// TestUnitsMaskFolded: masked variants of one footer are one unit; short
// units are not eligible.
func TestUnitsMaskFolded(t *testing.T) {
	p := DefaultSubParams()
	p.KeepFirst, p.MinUnit = true, 4
	s, err := NewSub(p, true)
	if err != nil {
		t.Fatal(err)
	}
	var sc SubScratch
	key := func(text string) (uint64, bool) {
		u := s.Units(nil, []byte(text), &sc)
		if len(u) != 1 {
			t.Fatalf("%q: %d units", text, len(u))
		}
		return u[0].Key, s.Eligible(u[0])
	}
	a, okA := key("责任编辑：XX")
	b, _ := key("责任编辑：×××")
	c, _ := key("责任编辑: ＸＸＸ")
	d, _ := key("责任编辑：张三")
	if a != b || a != c || a == d || !okA {
		t.Errorf("keys %x %x %x %x (eligible %v): masked variants should match, a name should not", a, b, c, d, okA)
	}
	if _, ok := key("谢谢。"); ok {
		t.Error("a 2-character unit is eligible with MinUnit 4")
	}
}

// TestUnitCutsApply removes units from a text and checks what is left.
func TestUnitCutsApply(t *testing.T) {
	p := DefaultSubParams()
	p.KeepFirst, p.MinUnit = true, 1
	s, _ := NewSub(p, true)
	var sc SubScratch
	cases := []struct {
		text   string
		remove []int
		want   string
	}{
		{"正文第一行\n责任编辑：XX", []int{1}, "正文第一行"},
		{"导航 首页\n正文\n版权所有", []int{0, 2}, "正文"},
		{"a\nb\nc", []int{1}, "a\nc"},
		{"a\nb\nc", []int{1, 2}, "a"},
		{"a\r\nb\r\n", []int{0}, "b\r\n"},
		{"a\n\nb\n\nc", []int{0, 2}, "b"},
		{"a\nb", []int{0, 1}, ""},
	}
	for _, c := range cases {
		units := s.Units(nil, []byte(c.text), &sc)
		cuts := UnitCuts(nil, units, len(c.text), func(k int) (bool, int) { return slices.Contains(c.remove, k), 2 })
		if got := string(Apply(nil, []byte(c.text), cuts)); got != c.want {
			t.Errorf("%q minus units %v: %q, want %q", c.text, c.remove, got, c.want)
		}
	}
}

// TestSpanCuts maps spans found on normalised text back to the original.
func TestSpanCuts(t *testing.T) {
	p := DefaultSubParams()
	s, _ := NewSub(p, false)
	var sc SubScratch
	cases := []struct {
		text       string
		start, end int // in normalised characters
		want       string
	}{
		{"你好，世界！再见。", 0, 4, "你好，世界"},
		{"前言。XX公司，成立于20**年。后记", 2, 10, "XX公司，成立于20**年"},
		{"ＡＢＣ　ｄｅｆ", 1, 5, "ＢＣ　ｄｅ"},
		{"abc", 0, 3, "abc"},
	}
	for _, c := range cases {
		norm := string(s.Normalize(nil, []byte(c.text)))
		cuts := s.SpanCuts(nil, []byte(c.text), []substr.Span{{Start: c.start, End: c.end}}, &sc)
		if got := c.text[cuts[0].Start:cuts[0].End]; got != c.want {
			t.Errorf("%q (normalised %q) [%d,%d): %q, want %q", c.text, norm, c.start, c.end, got, c.want)
		}
	}
}

func TestRemoveUnitPolicies(t *testing.T) {
	p := DefaultSubParams()
	p.MinDocs = 3
	minDocs, _ := NewSub(p, true)
	p.MinDocs, p.KeepFirst = 0, true
	first, _ := NewSub(p, true)
	if minDocs.RemoveUnit(2, 0, 5) || !minDocs.RemoveUnit(3, 5, 5) {
		t.Error("min-docs 3 decides wrongly")
	}
	if first.RemoveUnit(9, 5, 5) || !first.RemoveUnit(2, 4, 5) {
		t.Error("keep-first decides wrongly")
	}
	if segment.Line != p.Unit || !strings.Contains(segment.Sentence.String(), "sentence") {
		t.Error("default unit")
	}
}
