package verify

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/quchong/quchong/shingle"
)

// m writes a text with "■" standing for the mask rune.
func m(s string) []rune {
	return []rune(strings.ReplaceAll(s, "■", string(Mask)))
}

var opt = Options{Shingle: shingle.Options{N: 5}}

func TestSimilarity(t *testing.T) {
	const base = "二是服务为基生产为实我镇十九家帮扶企业分别位于星火工业园区和城南工业园区其中星泽美申麦新材料将在今年陆续投入试生产"
	tests := []struct {
		name     string
		a, b     string
		min, max float64
	}{
		{"identical", base, base, 1, 1},
		{"names masked", base, strings.Replace(base, "星泽美申麦", "■", 1), 1, 1},
		{"count masked", base, strings.Replace(base, "十九", "■", 1), 1, 1},
		{"masks on both sides", strings.Replace(base, "十九", "■", 1), strings.Replace(base, "星泽美申麦", "■", 1), 1, 1},
		{"mask opens the text", base, "■" + base[len("二是"):], 1, 1},
		{"mask closes the text", base, strings.TrimSuffix(base, "试生产") + "■", 1, 1},
		{"mask for an empty span", base, strings.Replace(base, "其中", "其中■", 1), 1, 1},
		{"span longer than MaxFill stays a mask", base, strings.Replace(base, "我镇十九家帮扶企业分别位于星火工业园区和城南工业园区", "■", 1), 0, 0.8},
		{"unrelated texts with masks", base, "■今天天气很好我们一起去公园散步然后吃饭■", 0, 0.05},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Similarity(m(tt.a), m(tt.b), opt, nil)
			if got < tt.min || got > tt.max {
				t.Errorf("Similarity = %.4f, want in [%.2f, %.2f]", got, tt.min, tt.max)
			}
			if rev := Similarity(m(tt.b), m(tt.a), opt, nil); math.Abs(rev-got) > 1e-12 {
				t.Errorf("not symmetric: %.4f vs %.4f", got, rev)
			}
		})
	}
}

// Without masks the similarity is exactly the shingle Jaccard similarity.
func TestSimilarityWithoutMasksIsJaccard(t *testing.T) {
	a := m("甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥")
	b := m("甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉")
	// 5-grams: a has 18, b has 16, all of b's in a.
	want := 16.0 / 18.0
	if got := Similarity(a, b, opt, nil); math.Abs(got-want) > 1e-12 {
		t.Errorf("Similarity = %v, want %v", got, want)
	}
	if got := Jaccard(a, b, opt); math.Abs(got-want) > 1e-12 {
		t.Errorf("Jaccard = %v, want %v", got, want)
	}
}

func TestFill(t *testing.T) {
	tests := []struct {
		name, x, other, want string
	}{
		{"middle", "我镇■家帮扶企业", "我镇十九家帮扶企业", "我镇十九家帮扶企业"},
		{"nearest occurrence wins", "甲乙丙丁■戊己庚辛 子丑寅卯辰巳午未申酉戌亥 甲乙丙丁", "甲乙丙丁一戊己庚辛 子丑寅卯辰巳午未申酉戌亥 甲乙丙丁二戊己庚辛", "甲乙丙丁一戊己庚辛 子丑寅卯辰巳午未申酉戌亥 甲乙丙丁"},
		{"no context match keeps the mask", "我镇■家", "完全不同的文字", "我镇■家"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(Fill(nil, m(tt.x), m(tt.other), opt, nil))
			if want := string(m(tt.want)); got != want {
				t.Errorf("Fill = %q, want %q", got, want)
			}
		})
	}
}

func FuzzSimilarity(f *testing.F) {
	f.Add("我镇■家帮扶企业", "我镇十九家帮扶企业")
	f.Add("■", "■■")
	f.Add("", "abc")
	f.Fuzz(func(t *testing.T, a, b string) {
		s := Similarity(m(a), m(b), opt, nil)
		if s < 0 || s > 1 || math.IsNaN(s) {
			t.Fatalf("Similarity(%q, %q) = %v", a, b, s)
		}
		if a == b && s != 1 && len(shingle.Hashes(nil, m(a), opt.Shingle)) > 0 {
			t.Fatalf("Similarity of equal texts = %v", s)
		}
	})
}

func BenchmarkSimilarity(b *testing.B) {
	base := strings.Repeat("二是服务为基生产为实我镇十九家帮扶企业分别位于星火工业园区和城南工业园区其中星泽美申麦新材料将在今年陆续投入试生产", 10)
	x := m(base)
	y := m(strings.ReplaceAll(base, "星泽美申麦", "■"))
	var s Scratch
	b.SetBytes(int64(len(base)))
	for i := 0; i < b.N; i++ {
		Similarity(x, y, opt, &s)
	}
}

// SimilarityPrepared gives exactly what Similarity gives, masked or not.
func TestSimilarityPrepared(t *testing.T) {
	texts := []string{
		"", "短", "国务院关于印发通知的决定", "国务院关于印发通知的决定。", "国务院XX关于印发通知的决定",
		"the quick brown fox jumps over the lazy dog", "the quick brown fox jumped over a lazy dog",
		"某某公司2021年度报告，营业收入增长百分之十", "张三公司2021年度报告，营业收入增长百分之十",
	}
	var runes [][]rune
	for _, x := range texts {
		r := []rune(x)
		for i := range r {
			if r[i] == 'X' || r[i] == '某' {
				r[i] = Mask
			}
		}
		runes = append(runes, r)
	}
	var s Scratch
	between := 0 // pairs strictly between 0 and 1: the test compares real values
	for _, a := range runes {
		for _, b := range runes {
			want := Similarity(a, b, opt, nil)
			if want > 0 && want < 1 {
				between++
			}
			if got := SimilarityPrepared(Prepare(a, opt), Prepare(b, opt), opt, &s); got != want {
				t.Errorf("%q vs %q: prepared %v, Similarity %v", string(a), string(b), got, want)
			}
		}
	}
	if between < 6 {
		t.Errorf("only %d pairs with a similarity strictly between 0 and 1", between)
	}
}

// SimilarityPrepared equals Similarity on random texts over a small
// alphabet, masks included (filled, unfilled, empty fills, fills at the
// ends, texts shorter than a shingle), for character and word shingles.
func TestSimilarityPreparedRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	alphabet := []rune("甲乙丙丁戊 ab")
	text := func() []rune {
		n := r.IntN(40)
		out := make([]rune, n)
		for i := range out {
			if r.IntN(9) == 0 {
				out[i] = Mask
			} else {
				out[i] = alphabet[r.IntN(len(alphabet))]
			}
		}
		return out
	}
	for _, o := range []Options{
		{Shingle: shingle.Options{N: 5}},
		{Shingle: shingle.Options{N: 3}},
		{Shingle: shingle.Options{N: 2, Mode: shingle.Words}},
		{Shingle: shingle.Options{N: 5}, Context: 2, MaxFill: 6},
	} {
		var s, ps Scratch
		between := 0
		for range 3000 {
			a := text()
			b := slices.Clone(a)
			// b: a with edits, so that contexts match and masks get filled.
			for range r.IntN(4) {
				if len(b) == 0 {
					break
				}
				i := r.IntN(len(b))
				switch r.IntN(3) {
				case 0:
					b[i] = alphabet[r.IntN(len(alphabet))]
				case 1:
					b = slices.Delete(b, i, i+1)
				default:
					b = slices.Insert(b, i, Mask)
				}
			}
			want := Similarity(a, b, o, nil)
			if want > 0 && want < 1 {
				between++
			}
			// b prepared with a Scratch reused across texts of every size.
			if got := SimilarityPrepared(Prepare(a, o), PrepareWith(b, o, &ps), o, &s); got != want {
				t.Fatalf("%+v: %q vs %q: prepared %v, Similarity %v", o, string(a), string(b), got, want)
			}
		}
		if between < 100 {
			t.Errorf("%+v: only %d of 3000 pairs strictly between 0 and 1", o, between)
		}
	}
}

// The window index lists, for any c-rune window, exactly the positions a
// linear scan finds, in increasing order: also for windows longer than the
// four runes a key holds, and for runes outside the Basic Multilingual
// Plane that share their low 16 bits with others ('a' and U+10061).
func TestWindowIndex(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 32))
	var s windowIndex
	letter := func() rune { return rune('a'+r.IntN(3)) + rune(r.IntN(2))*0x10000 }
	for range 600 {
		c := 1 + r.IntN(6)
		y := make([]rune, r.IntN(200))
		for i := range y {
			y[i] = letter()
		}
		s.build(y, c)
		for range 20 {
			w := make([]rune, c)
			if len(y) >= c && r.IntN(2) == 0 {
				p := r.IntN(len(y) - c + 1)
				copy(w, y[p:p+c])
			} else {
				for i := range w {
					w[i] = letter()
				}
			}
			var want []int
			for p := 0; p+c <= len(y); p++ {
				if slices.Equal(y[p:p+c], w) {
					want = append(want, p+c)
				}
			}
			got := s.occurrences(nil, y, w, c)
			if !slices.Equal(got, want) {
				t.Fatalf("window %q in %q: index %v, scan %v", string(w), string(y), got, want)
			}
			// fill's two ways to find a left context (the index, or a scan
			// for a text with few mask runs) find the same ends, for a whole
			// window and for a shorter context.
			for _, left := range [][]rune{w, w[:r.IntN(c+1)]} {
				if a, b := s.occurrences(nil, y, left, c), occurrences(nil, y, left); !slices.Equal(a, b) {
					t.Fatalf("context %q in %q: index %v, scan %v", string(left), string(y), a, b)
				}
			}
		}
	}
}

// One Scratch that compares prepared texts in any order, each text in many
// pairs on either side (so that window indexes are reused, and rebuilt when
// another text of the same length comes), gives what Similarity gives.
func TestSimilarityPreparedReuse(t *testing.T) {
	r := rand.New(rand.NewPCG(41, 42))
	alphabet := []rune("甲乙丙丁戊 ab")
	base := make([]rune, 60)
	for i := range base {
		base[i] = alphabet[r.IntN(len(alphabet))]
	}
	var pool [][]rune
	for range 6 {
		x := slices.Clone(base) // same length: only substitutions and masks
		for range 1 + r.IntN(6) {
			i := r.IntN(len(x))
			if r.IntN(2) == 0 {
				x[i] = Mask
			} else {
				x[i] = alphabet[r.IntN(len(alphabet))]
			}
		}
		pool = append(pool, x)
	}
	prepared := make([]Prepared, len(pool))
	for i, x := range pool {
		prepared[i] = Prepare(x, opt)
	}
	var s Scratch
	differ := 0
	for range 2000 {
		i, j := r.IntN(len(pool)), r.IntN(len(pool))
		want := Similarity(pool[i], pool[j], opt, nil)
		got := SimilarityPrepared(prepared[i], prepared[j], opt, &s)
		if got != want {
			t.Fatalf("%q vs %q: prepared %v, Similarity %v", string(pool[i]), string(pool[j]), got, want)
		}
		if want != 1 {
			differ++
		}
	}
	if differ < 100 {
		t.Errorf("only %d of 2000 pairs below 1", differ)
	}
}

// Prepared sets in either form (deduplicated in a hash table, or sorted,
// as texts of hashFrom windows or more are) give what Similarity gives, in
// any combination, masked or not.
func TestSimilarityPreparedSetForms(t *testing.T) {
	r := rand.New(rand.NewPCG(51, 52))
	alphabet := []rune("甲乙丙丁戊 ab")
	text := func() []rune {
		out := make([]rune, r.IntN(60))
		for i := range out {
			if r.IntN(12) == 0 {
				out[i] = Mask
			} else {
				out[i] = alphabet[r.IntN(len(alphabet))]
			}
		}
		return out
	}
	var s, ps Scratch
	between := 0
	for range 3000 {
		a := text()
		b := slices.Clone(a)
		for range r.IntN(5) {
			if len(b) == 0 {
				break
			}
			i := r.IntN(len(b))
			if r.IntN(2) == 0 {
				b[i] = alphabet[r.IntN(len(alphabet))]
			} else {
				b = slices.Insert(b, i, Mask)
			}
		}
		want := Similarity(a, b, opt, nil)
		if want > 0 && want < 1 {
			between++
		}
		for _, from := range [][2]int{{0, 0}, {0, hashFrom}, {hashFrom, 0}, {hashFrom, hashFrom}} {
			pa, pb := prepare(a, opt, &ps, from[0]), prepare(b, opt, &ps, from[1])
			if got := SimilarityPrepared(pa, pb, opt, &s); got != want {
				t.Fatalf("sorted from %v: %q vs %q: prepared %v, Similarity %v", from, string(a), string(b), got, want)
			}
		}
	}
	if between < 100 {
		t.Errorf("only %d of 3000 pairs strictly between 0 and 1", between)
	}
}

// A table deduplicates as sorting does, and the intersections of sets in
// tables, sorted, or extended by extra hashes equal those a merge of the
// sorted sets counts, the hash 0 (which a slot cannot hold) included.
func TestTables(t *testing.T) {
	r := rand.New(rand.NewPCG(61, 62))
	keys := func() []uint64 {
		n := r.IntN(300)
		if r.IntN(8) == 0 {
			n = 0 // a set, or extra hashes, empty
		}
		out := make([]uint64, n)
		for i := range out {
			switch r.IntN(10) {
			case 0:
				out[i] = 0
			case 1, 2:
				out[i] = uint64(r.IntN(20)) << 58 // clustered in a few slots
			default:
				out[i] = uint64(r.IntN(400)) * 0x9e3779b97f4a7c15
			}
		}
		return out
	}
	sorted := func(x []uint64) []uint64 { return sortUnique(slices.Clone(x), nil) }
	var ts tables
	var dd table
	var e extScratch
	for range 2000 {
		x, y, ex, ey := keys(), keys(), keys(), keys()
		var hx, hy shingleSet
		if hx.keys = dd.dedupe(slices.Clone(x)); !slices.Equal(sorted(hx.keys), sorted(x)) || len(hx.keys) != len(sorted(x)) {
			t.Fatalf("dedupe %v = %v", x, hx.keys)
		}
		hy.keys = slices.Clone(dd.dedupe(slices.Clone(y)))
		hx.keys = slices.Clone(hx.keys)
		sx, sy := shingleSet{keys: sorted(x), sorted: true}, shingleSet{keys: sorted(y), sorted: true}
		want := mergeCount(sx.keys, sy.keys)
		for _, p := range [][2]*shingleSet{{&hx, &hy}, {&hy, &hx}, {&sx, &hy}, {&hx, &sy}, {&sx, &sy}, {&hx, &hy}} {
			if got := ts.intersection(p[0], p[1]); got != want {
				t.Fatalf("intersection of %v and %v = %d, want %d", p[0].keys, p[1].keys, got, want)
			}
		}
		// (x ∪ ex) ∩ (y ∪ ey), with x and y in either form, either first,
		// one scratch for every pair (tables, flags and lists of any size
		// before), the extra hashes maybe none.
		ux, uy := sorted(append(slices.Clone(x), ex...)), sorted(append(slices.Clone(y), ey...))
		wantExt := mergeCount(ux, uy)
		for _, p := range [][2]*shingleSet{{&hx, &hy}, {&sx, &hy}, {&hx, &sy}, {&sx, &sy}, {&hx, &hy}} {
			for _, none := range [][2]bool{{false, false}, {true, false}, {false, true}} {
				ex, ey, ux, uy := ex, ey, ux, uy
				if none[0] {
					ex, ux = nil, sorted(x)
				}
				if none[1] {
					ey, uy = nil, sorted(y)
				}
				want := mergeCount(ux, uy)
				if !none[0] && !none[1] && want != wantExt {
					t.Fatal("test bug")
				}
				inter, nx, ny := ts.extendedCounts(p[0], slices.Clone(ex), p[1], slices.Clone(ey), &e)
				if inter != want || nx != len(ux) || ny != len(uy) {
					t.Fatalf("extended counts %d, %d, %d, want %d, %d, %d", inter, nx, ny, want, len(ux), len(uy))
				}
				inter, ny, nx = ts.extendedCounts(p[1], slices.Clone(ey), p[0], slices.Clone(ex), &e)
				if inter != want || nx != len(ux) || ny != len(uy) {
					t.Fatalf("extended counts, y first: %d, %d, %d, want %d, %d, %d", inter, nx, ny, want, len(ux), len(uy))
				}
			}
		}
	}
}

// BenchmarkSetBuild compares the two ways a prepared text's windows become
// a set, at sizes of an e-mail to the largest hashed (hashFrom): a hash
// table that deduplicates them, and sorting (sortUnique).
func BenchmarkSetBuild(b *testing.B) {
	for _, n := range []int{2000, 16000, 1<<16 - 1, hashFrom - 1, 1 << 20} {
		r := rand.New(rand.NewPCG(uint64(n), 1))
		w := make([]uint64, n)
		for i := range w {
			w[i] = r.Uint64() >> r.IntN(2) // some repeats below
		}
		for i := 0; i < n/8; i++ {
			w[r.IntN(n)] = w[r.IntN(n)]
		}
		x := make([]uint64, n)
		b.Run(fmt.Sprintf("table/%d", n), func(b *testing.B) {
			var t table
			for b.Loop() {
				copy(x, w)
				t.dedupe(x)
			}
		})
		b.Run(fmt.Sprintf("sort/%d", n), func(b *testing.B) {
			var tmp []uint64
			for b.Loop() {
				copy(x, w)
				sortUnique(x, &tmp)
			}
		})
	}
}

// nearestSpanAll is nearestSpan as it was written first: every candidate
// end tried, the nearest followed by right kept (the first of equals).
func nearestSpanAll(ends []int, y, right []rune, maxFill int, relPos float64) ([]rune, bool) {
	best, bestDist := -1, 2.0
	var bestSpan []rune
	for _, e := range ends {
		span, found := spanTo(e, y, right, maxFill)
		if !found {
			continue
		}
		dist := float64(e)/float64(max(len(y), 1)) - relPos
		if dist < 0 {
			dist = -dist
		}
		if dist < bestDist {
			best, bestDist, bestSpan = e, dist, span
		}
	}
	return bestSpan, best >= 0
}

// nearestSpan, which tries the candidate ends from the nearest outwards,
// chooses the span trying them all chooses: the nearest to the mask's
// relative position, the earliest of those as near (on short texts, where
// distances tie often), none when no end is followed by the right context.
func TestNearestSpan(t *testing.T) {
	r := rand.New(rand.NewPCG(71, 72))
	found, ties := 0, 0
	for range 20000 {
		// Lengths that are powers of two make relative positions exact, so
		// that ends on either side of a grid position tie exactly.
		y := make([]rune, 1+r.IntN(40))
		if r.IntN(2) == 0 {
			y = make([]rune, 1<<(1+r.IntN(5)))
		}
		for i := range y {
			y[i] = rune('a' + r.IntN(3))
		}
		var ends []int
		for e := 0; e <= len(y); e++ {
			if r.IntN(3) == 0 {
				ends = append(ends, e)
			}
		}
		right := make([]rune, r.IntN(3))
		for i := range right {
			right[i] = rune('a' + r.IntN(3))
		}
		maxFill := r.IntN(6)
		// Relative positions on the grid of the ends (ties) or anywhere.
		relPos := float64(r.IntN(len(y)+1)) / float64(len(y))
		if r.IntN(2) == 0 {
			relPos = r.Float64()
		}
		want, wantOK := nearestSpanAll(ends, y, right, maxFill, relPos)
		got, gotOK := nearestSpan(ends, y, right, maxFill, relPos)
		// The same runes from the same end (a span's capacity runs to y's).
		if gotOK != wantOK || !slices.Equal(got, want) || cap(got) != cap(want) {
			t.Fatalf("ends %v in %q, right %q, maxFill %d, relPos %v: %q %v, want %q %v", ends, string(y), string(right), maxFill, relPos, string(got), gotOK, string(want), wantOK)
		}
		if wantOK {
			found++
		}
		for i := 1; i < len(ends); i++ {
			a := float64(ends[i-1])/float64(len(y)) - relPos
			b := float64(ends[i])/float64(len(y)) - relPos
			if a == -b {
				ties++
				break
			}
		}
	}
	if found < 5000 || ties < 500 {
		t.Errorf("%d spans found, %d cases with tied ends: too few to compare", found, ties)
	}
}

// appendMaskRuns finds every run of masks, at either end, adjacent runs of
// one mask, a text of masks only, among runes that share a byte with the
// mask.
func TestAppendMaskRuns(t *testing.T) {
	for _, c := range []struct {
		text string
		want []int32
	}{
		{"", nil},
		{"abc", nil},
		{"■", []int32{0, 1}},
		{"■■a", []int32{0, 2}},
		{"a■", []int32{1, 2}},
		{"a■b■■c■■■", []int32{1, 2, 3, 5, 6, 9}},
		{"■■■■", []int32{0, 4}},
		// Runes that hold the byte 0xE0 too.
		{"àム\ue0e0\U0001e000■à■\U000ee000", []int32{4, 5, 6, 7}},
	} {
		if got := appendMaskRuns([]int32{7}, m(c.text)); !slices.Equal(got, append([]int32{7}, c.want...)) {
			t.Errorf("appendMaskRuns(%q) = %v, want %v after 7", c.text, got[1:], c.want)
		}
	}
	// Random texts against a rune-by-rune scan.
	r := rand.New(rand.NewPCG(91, 92))
	runes := []rune{Mask, Mask, 'a', 'à', 'ム', '\ue0e0', '\U0001e000', 0}
	for range 2000 {
		x := make([]rune, r.IntN(50))
		for i := range x {
			x[i] = runes[r.IntN(len(runes))]
		}
		var want []int32
		for i := 0; i < len(x); i++ {
			if x[i] == Mask && (i == 0 || x[i-1] != Mask) {
				want = append(want, int32(i))
			}
			if x[i] == Mask && (i == len(x)-1 || x[i+1] != Mask) {
				want = append(want, int32(i+1))
			}
		}
		if got := appendMaskRuns(nil, x); !slices.Equal(got, want) {
			t.Fatalf("appendMaskRuns(%q) = %v, want %v", string(x), got, want)
		}
	}
}

// One Scratch that prepares texts and compares them, interleaved as the
// cluster stage does, over texts of very different sizes (empty, shorter
// than a shingle, a few runes, thousands), without masks, with one or two
// runs of masks (contexts found by scanning) or many (window indexes),
// gives what Similarity with a fresh Scratch gives: no table, index, flag
// or buffer carries anything from one pair to the next.
func TestScratchAcrossSizes(t *testing.T) {
	r := rand.New(rand.NewPCG(81, 82))
	alphabet := []rune("甲乙丙丁戊己 abc")
	base := make([]rune, 4000)
	for i := range base {
		base[i] = alphabet[r.IntN(len(alphabet))]
	}
	text := func() []rune {
		var n int
		switch r.IntN(4) {
		case 0:
			n = r.IntN(6) // empty, or shorter than a shingle
		case 1:
			n = 6 + r.IntN(60)
		default:
			n = 200 + r.IntN(3000)
		}
		lo := r.IntN(len(base) - n + 1)
		x := slices.Clone(base[lo : lo+n])
		for range r.IntN(1 + n/50) { // edits
			x[r.IntN(n)] = alphabet[r.IntN(len(alphabet))]
		}
		runs := []int{0, 0, 1, 2, 3 + r.IntN(40)}[r.IntN(5)]
		for range runs {
			if n > 0 {
				i := r.IntN(n)
				for k := i; k < min(n, i+1+r.IntN(3)); k++ {
					x[k] = Mask
				}
			}
		}
		return x
	}
	var s Scratch
	pool := make([][]rune, 12)
	prepared := make([]Prepared, len(pool))
	for i := range pool {
		pool[i] = text()
		prepared[i] = PrepareWith(pool[i], opt, &s)
	}
	between, masked := 0, 0
	for range 2500 {
		if r.IntN(3) == 0 { // a new text, prepared between comparisons
			i := r.IntN(len(pool))
			pool[i] = text()
			prepared[i] = PrepareWith(pool[i], opt, &s)
		}
		i, j := r.IntN(len(pool)), r.IntN(len(pool))
		want := Similarity(pool[i], pool[j], opt, nil)
		if want > 0 && want < 1 {
			between++
			if !prepared[i].plain || !prepared[j].plain {
				masked++
			}
		}
		if got := SimilarityPrepared(prepared[i], prepared[j], opt, &s); got != want {
			t.Fatalf("%d runes vs %d runes: prepared %v, Similarity %v", len(pool[i]), len(pool[j]), got, want)
		}
	}
	if between < 500 || masked < 200 {
		t.Errorf("only %d pairs strictly between 0 and 1 (%d masked): too few to compare", between, masked)
	}
}

// One scratch, its buffers let go past a small bound (keep), prepares and
// compares texts whose sizes jump up and down (a huge one, then small ones,
// the sets hashed or sorted): every result is what a fresh scratch gives,
// so nothing a use leaves behind (a table's slots, an index, a cached
// table or index of a text whose buffers were dropped) leaks into the
// next; and after every call no buffer holds more than the bound.
func TestScratchNoLeak(t *testing.T) {
	r := rand.New(rand.NewPCG(91, 92))
	alphabet := []rune("甲乙丙丁戊己 abc")
	base := make([]rune, 20000)
	for i := range base {
		base[i] = alphabet[r.IntN(len(alphabet))]
	}
	const keep = 512
	text := func() []rune {
		n := []int{r.IntN(8), 20 + r.IntN(100), 400 + r.IntN(400), 5000 + r.IntN(15000)}[r.IntN(4)]
		lo := r.IntN(len(base) - n + 1)
		x := slices.Clone(base[lo : lo+n])
		for range r.IntN(1 + n/40) {
			x[r.IntN(n)] = alphabet[r.IntN(len(alphabet))]
		}
		if n > 0 && r.IntN(2) == 0 {
			for range 1 + r.IntN(4+n/200) { // mask runs: some texts need a window index
				i := r.IntN(n)
				for k := i; k < min(n, i+1+r.IntN(3)); k++ {
					x[k] = Mask
				}
			}
		}
		return x
	}
	s := Scratch{keep: keep}
	pool := make([][]rune, 6)
	prepared := make([]Prepared, len(pool))
	renew := func(i int) {
		pool[i] = text()
		from := hashFrom
		if r.IntN(3) == 0 {
			from = 300 // sorted from 300 windows: both forms, large and small
		}
		prepared[i] = prepare(pool[i], opt, &s, from)
		checkBound(t, &s, keep)
	}
	for i := range pool {
		renew(i)
	}
	between := 0
	for range 600 {
		if r.IntN(2) == 0 {
			renew(r.IntN(len(pool)))
		}
		i, j := r.IntN(len(pool)), r.IntN(len(pool))
		want := SimilarityPrepared(Prepare(pool[i], opt), Prepare(pool[j], opt), opt, nil)
		if w := Similarity(pool[i], pool[j], opt, nil); w != want {
			t.Fatalf("fresh scratches: prepared %v, Similarity %v", want, w)
		}
		if want > 0 && want < 1 {
			between++
		}
		if got := SimilarityPrepared(prepared[i], prepared[j], opt, &s); got != want {
			t.Fatalf("%d runes vs %d runes: reused scratch %v, fresh %v", len(pool[i]), len(pool[j]), got, want)
		}
		checkBound(t, &s, keep)
		if got := Similarity(pool[i], pool[j], opt, &s); got != want {
			t.Fatalf("%d runes vs %d runes: Similarity with a reused scratch %v, fresh %v", len(pool[i]), len(pool[j]), got, want)
		}
		checkBound(t, &s, keep)
	}
	if between < 100 {
		t.Errorf("only %d pairs strictly between 0 and 1", between)
	}
}

// checkBound fails t when a buffer of s (any slice it owns, found by
// reflection, so that a buffer added later is checked too) holds more than
// keep elements. The sets and texts that tables and indexes refer to (of,
// prev) are not s's.
func checkBound(t *testing.T, s *Scratch, keep int) {
	t.Helper()
	var walk func(v reflect.Value, path string)
	walk = func(v reflect.Value, path string) {
		switch v.Kind() {
		case reflect.Struct:
			for i := range v.NumField() {
				if f := v.Type().Field(i).Name; f != "of" && f != "prev" {
					walk(v.Field(i), path+"."+f)
				}
			}
		case reflect.Array:
			for i := range v.Len() {
				walk(v.Index(i), fmt.Sprintf("%s[%d]", path, i))
			}
		case reflect.Slice:
			if v.Cap() > keep {
				t.Fatalf("scratch%s keeps %d elements, more than %d", path, v.Cap(), keep)
			}
		}
	}
	walk(reflect.ValueOf(s).Elem(), "")
}
