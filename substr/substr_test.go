package substr

import (
	"io"
	"math/rand/v2"
	"slices"
	"testing"
)

// brute finds the removed spans by comparing every window with every other.
func brute(docs [][]int32, opt Options) []Span {
	L := opt.MinSpan
	type win struct{ d, p int }
	var wins []win
	for d, doc := range docs {
		for p := 0; p+L <= len(doc); p++ {
			wins = append(wins, win{d, p})
		}
	}
	eq := func(a, b win) bool { return slices.Equal(docs[a.d][a.p:a.p+L], docs[b.d][b.p:b.p+L]) }
	var spans []Span
	for d, doc := range docs {
		cur, end, count := -1, 0, 0
		for p := 0; p+L <= len(doc); p++ {
			w := win{d, p}
			n, earlier := 0, false
			for _, o := range wins {
				if eq(o, w) {
					n++
					if o.d < d || o.d == d && o.p < p {
						earlier = true
					}
				}
			}
			if n < 2 || opt.KeepFirst && !earlier {
				continue
			}
			if cur >= 0 && p <= end {
				end = p + L
				continue
			}
			if cur >= 0 {
				spans = append(spans, Span{d, cur, end, count})
			}
			cur, end, count = p, p+L, n
		}
		if cur >= 0 {
			spans = append(spans, Span{d, cur, end, count})
		}
	}
	return spans
}

func flatten(docs [][]int32) ([]int32, []int32) {
	text, bounds := []int32{}, []int32{0}
	for _, d := range docs {
		text = append(text, d...)
		bounds = append(bounds, int32(len(text)))
	}
	return text, bounds
}

// TestFindBrute checks Find against brute force on small random corpora:
// every repeated span of at least MinSpan found, nothing else.
func TestFindBrute(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for trial := 0; trial < 600; trial++ {
		docs := make([][]int32, 1+rng.IntN(6))
		alpha := 2 + rng.IntN(3)
		for d := range docs {
			docs[d] = make([]int32, rng.IntN(25))
			for k := range docs[d] {
				docs[d][k] = 0x4e00 + int32(rng.IntN(alpha))
			}
		}
		for _, opt := range []Options{{MinSpan: 1 + rng.IntN(6), KeepFirst: true}, {MinSpan: 1 + rng.IntN(6)}} {
			want := brute(docs, opt)
			text, bounds := flatten(docs)
			got, err := Find(text, bounds, opt)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("docs %v %+v:\n got %v\nwant %v", docs, opt, got, want)
			}
		}
	}
}

// TestFindCases: table of small corpora with known answers.
func TestFindCases(t *testing.T) {
	r := func(s string) []int32 {
		var out []int32
		for _, c := range s {
			out = append(out, c)
		}
		return out
	}
	cases := []struct {
		name string
		docs []string
		opt  Options
		want []Span
	}{
		{"keep first", []string{"甲乙丙丁戊", "子甲乙丙丁丑"}, Options{MinSpan: 3, KeepFirst: true}, []Span{{1, 1, 5, 2}}},
		{"remove all", []string{"甲乙丙丁戊", "子甲乙丙丁丑"}, Options{MinSpan: 3}, []Span{{0, 0, 4, 2}, {1, 1, 5, 2}}},
		{"too short", []string{"甲乙丙丁戊", "子甲乙丙丁丑"}, Options{MinSpan: 5, KeepFirst: true}, nil},
		{"not across documents", []string{"甲乙", "丙丁", "乙丙"}, Options{MinSpan: 2}, nil},
		{"within one document", []string{"甲乙丙子甲乙丙"}, Options{MinSpan: 3, KeepFirst: true}, []Span{{0, 4, 7, 2}}},
		{"three copies", []string{"甲乙丙", "甲乙丙", "甲乙丙"}, Options{MinSpan: 3, KeepFirst: true}, []Span{{1, 0, 3, 3}, {2, 0, 3, 3}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var docs [][]int32
			for _, d := range c.docs {
				docs = append(docs, r(d))
			}
			text, bounds := flatten(docs)
			got, err := Find(text, bounds, c.opt)
			if err != nil || !slices.Equal(got, c.want) {
				t.Errorf("got %v, %v; want %v", got, err, c.want)
			}
		})
	}
}

func TestFindErrors(t *testing.T) {
	if _, err := Find([]int32{1, 2}, []int32{0, 2}, Options{}); err == nil {
		t.Error("MinSpan 0 accepted")
	}
	if _, err := Find([]int32{1, 2}, []int32{0, 1}, Options{MinSpan: 1}); err == nil {
		t.Error("bounds short of the text accepted")
	}
}

// memView is a View of a text in memory; Chars shows only its first held
// characters, as a file's view does that holds a prefix or nothing.
type memView struct {
	text []int32
	held int
}

func (v memView) Chars() []int32 { return v.text[:v.held] }

func (v memView) ReadAt(dst []int32, p int) error {
	if copy(dst, v.text[p:]) < len(dst) {
		return io.ErrUnexpectedEOF
	}
	return nil
}

func (v memView) Len() int     { return len(v.text) }
func (v memView) Close() error { return nil }

// TestFindPartsBrute checks FindParts against brute force, the corpus split
// into random parts of whole documents (one to three each, so that most
// corpora have several parts and go through the merge).
func TestFindPartsBrute(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for trial := 0; trial < 400; trial++ {
		docs := make([][]int32, 1+rng.IntN(8))
		alpha := 2 + rng.IntN(3)
		for d := range docs {
			docs[d] = make([]int32, rng.IntN(20))
			for k := range docs[d] {
				docs[d][k] = 0x4e00 + int32(rng.IntN(alpha))
			}
		}
		// Random cut points between documents.
		var parts [][][]int32
		for d := 0; d < len(docs); {
			n := 1 + rng.IntN(3)
			parts = append(parts, docs[d:min(d+n, len(docs))])
			d += n
		}
		load := func(k int, dst []int32) ([]int32, []int32, error) {
			bounds := []int32{0}
			start := len(dst)
			for _, d := range parts[k] {
				dst = append(dst, d...)
				bounds = append(bounds, int32(len(dst)-start))
			}
			return dst, bounds, nil
		}
		for _, opt := range []Options{{MinSpan: 1 + rng.IntN(5), KeepFirst: true}, {MinSpan: 1 + rng.IntN(5)}} {
			want := brute(docs, opt)
			file := rng.IntN(2) == 0
			view := func(k int) (View, error) {
				text, _, err := load(k, nil)
				held := len(text)
				if file || k%2 == 0 && rng.IntN(2) == 0 {
					held = rng.IntN(len(text) + 1)
				}
				return memView{text, held}, err
			}
			ps := Parts{N: len(parts), Load: load, View: view, Dir: t.TempDir()}
			if rng.IntN(2) == 0 { // buffers made once, at the longest part's size
				for k := range parts {
					text, _, _ := load(k, nil)
					ps.MaxLen = max(ps.MaxLen, len(text))
				}
			}
			got, err := FindParts(ps, opt)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("docs %v in %d parts %+v:\n got %v\nwant %v", docs, len(parts), opt, got, want)
			}
		}
	}
}

// TestCounterChunks checks the span counter's scan, which reads a part's
// text in chunks of window starts (each with the L-1 characters after it),
// against a plain count, with chunks of 1 to 7 starts and texts held in
// memory, read from the "file", or mixed.
func TestCounterChunks(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	for trial := 0; trial < 300; trial++ {
		L := 1 + rng.IntN(4)
		var text []int32
		bounds := []int32{0}
		for range 1 + rng.IntN(5) {
			for range rng.IntN(25) {
				text = append(text, int32(rng.IntN(2)))
			}
			bounds = append(bounds, int32(len(text)))
		}
		views := []View{memView{text, rng.IntN(len(text) + 1)}}
		// Spans at random windows inside the documents.
		var spans []Span
		var at []int32
		for d := 0; d+1 < len(bounds); d++ {
			for p := bounds[d]; p+int32(L) <= bounds[d+1]; p++ {
				if rng.IntN(3) == 0 {
					spans = append(spans, Span{Doc: d, Start: int(p - bounds[d])})
					at = append(at, p)
				}
			}
		}
		if len(spans) == 0 {
			continue
		}
		c := newCounter(L, len(spans), views)
		c.chunk = 1 + rng.IntN(7)
		for _, p := range at {
			c.want(text[p:p+int32(L)], loc{0, p})
		}
		if err := c.scan(views[0], bounds, spans); err != nil {
			t.Fatal(err)
		}
		for s, p := range at {
			want := 0
			for d := 0; d+1 < len(bounds); d++ {
				for q := bounds[d]; q+int32(L) <= bounds[d+1]; q++ {
					if slices.Equal(text[q:q+int32(L)], text[p:p+int32(L)]) {
						want++
					}
				}
			}
			if spans[s].Count != want {
				t.Fatalf("text %v bounds %v L %d chunk %d: window at %d counted %d times, want %d", text, bounds, L, c.chunk, p, spans[s].Count, want)
			}
		}
	}
}
