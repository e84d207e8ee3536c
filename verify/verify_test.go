package verify

import (
	"math"
	"math/rand/v2"
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
// linear scan finds, in increasing order.
func TestWindowIndex(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 32))
	var s windowIndex
	for range 300 {
		c := 1 + r.IntN(5)
		y := make([]rune, r.IntN(200))
		for i := range y {
			y[i] = rune('a' + r.IntN(3))
		}
		s.build(y, c)
		for range 20 {
			w := make([]rune, c)
			if len(y) >= c && r.IntN(2) == 0 {
				p := r.IntN(len(y) - c + 1)
				copy(w, y[p:p+c])
			} else {
				for i := range w {
					w[i] = rune('a' + r.IntN(3))
				}
			}
			var want, got []int32
			for p := 0; p+c <= len(y); p++ {
				if slices.Equal(y[p:p+c], w) {
					want = append(want, int32(p))
				}
			}
			h := hashRunes(w)
			for p := s.head[s.bucket(h)]; p >= 0; p = s.next[p] {
				if s.whash[p] == h && slices.Equal(y[p:int(p)+c], w) {
					got = append(got, p)
				}
			}
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
