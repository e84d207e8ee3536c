package stage

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/quchong/quchong/keep"
	"github.com/quchong/quchong/shingle"
)

func TestResolve(t *testing.T) {
	d := DefaultParams()
	p, err := d.Resolve()
	if err != nil {
		t.Fatal(err)
	}
	if p.LSHThreshold != d.Threshold-0.15 || p.Bands*p.Rows == 0 || p.Bands*p.Rows > p.K {
		t.Errorf("resolved defaults: lsh threshold %v, %d bands × %d rows", p.LSHThreshold, p.Bands, p.Rows)
	}
	if p.LSH().Probability(p.Threshold) < 0.95 {
		t.Errorf("candidate probability at the threshold is %.3f: the verifier, not LSH, must decide", p.LSH().Probability(p.Threshold))
	}
	bad := []struct {
		name string
		mod  func(*Params)
		want string
	}{
		{"k", func(p *Params) { p.K = 0 }, "k = 0"},
		{"threshold", func(p *Params) { p.Threshold = 1.5 }, "threshold"},
		{"min length", func(p *Params) { p.MinLength = -1 }, "min length"},
		{"ngram", func(p *Params) { p.Shingle.N = 0 }, "shingle size"},
		{"bands", func(p *Params) { p.Bands, p.Rows = 100, 2 }, "bands 100"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			p := DefaultParams()
			tt.mod(&p)
			if _, err := p.Resolve(); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Resolve: %v, want an error mentioning %q", err, tt.want)
			}
		})
	}
	w := DefaultParams()
	w.Shingle.Mode = shingle.Words
	if p, _ := w.Resolve(); !p.Normalize.WordBreaks {
		t.Errorf("word shingles without word breaks")
	}
}

func TestScreen(t *testing.T) {
	st, err := New(DefaultParams()) // threshold 0.6, accept ≥ 0.65, reject < 0.5 (0.25 with masks)
	if err != nil {
		t.Fatal(err)
	}
	sig := func(equal int) ([]uint32, []uint32) {
		a, b := make([]uint32, 128), make([]uint32, 128)
		for i := range a {
			a[i], b[i] = uint32(i), uint32(i)
			if i >= equal {
				b[i] = uint32(i + 1000)
			}
		}
		return a, b
	}
	tests := []struct {
		equal  int
		masked bool
		want   Verdict
	}{
		{128, false, Accept},
		{84, false, Accept},   // 0.656
		{82, false, NeedText}, // 0.641
		{64, false, NeedText}, // 0.5
		{63, false, Reject},   // 0.492
		{63, true, NeedText},  // masks hide shared text
		{31, true, Reject},    // 0.242
		{0, false, Reject},
	}
	for _, tt := range tests {
		a, b := sig(tt.equal)
		if _, got := st.Screen(a, b, tt.masked); got != tt.want {
			t.Errorf("Screen(%d/128 equal, masked %v) = %v, want %v", tt.equal, tt.masked, got, tt.want)
		}
	}
}

func TestFingerprint(t *testing.T) {
	st, err := New(DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	sc := new(Scratch)
	sig := make([]uint32, 128)
	long := "二是服务为基生产为实我镇十九家帮扶企业分别位于星火工业园区和城南工业园区"
	a := st.Fingerprint(sig, []byte(long), sc)
	if !a.Signed || a.Length != 0 {
		t.Errorf("long text: %+v", a)
	}
	b := st.Fingerprint(make([]uint32, 128), []byte("二是服务为基，生产为实。我镇十九家帮扶企业分别位于星火工业园区和城南工业园区！"), sc)
	if a.Exact != b.Exact {
		t.Errorf("re-punctuated copy has another exact hash")
	}
	lp := DefaultParams()
	lp.Keep.Kind = keep.Longest
	stl, _ := New(lp)
	if got := stl.Fingerprint(sig, []byte(long), sc).Length; got != len([]rune(long)) {
		t.Errorf("Length with keep longest = %d, want %d", got, len([]rune(long)))
	}
	short := st.Fingerprint(sig, []byte("怎么开通花呗？"), sc)
	if short.Signed {
		t.Errorf("a text shorter than MinLength got a signature")
	}
	// Texts that normalise to nothing are compared as written.
	q1 := st.Fingerprint(sig, []byte("？？？"), sc)
	q2 := st.Fingerprint(sig, []byte("……"), sc)
	q3 := st.Fingerprint(sig, []byte("？？？"), sc)
	x1 := st.Fingerprint(sig, []byte("XX"), sc)
	x2 := st.Fingerprint(sig, []byte("***"), sc)
	if q1.Exact == q2.Exact || q1.Exact != q3.Exact || x1.Exact == x2.Exact {
		t.Errorf("punctuation-only or mask-only texts: equal hashes for different texts, or different for equal ones")
	}
	masked := st.Fingerprint(sig, []byte("其中XXX、XX新材料将在今年陆续投入试生产，并启动二期项目立项设计及建设"), sc)
	if masked.Masks != 1 {
		t.Errorf("masks = %d, want 1 (XXX、XX is one run after punctuation removal)", masked.Masks)
	}
}

func TestLink(t *testing.T) {
	st, err := New(DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	// sigOf builds signatures with a chosen number of slots shared with a
	// base: docs 10 and 20 share nothing with 0 but everything with each
	// other; 30 shares 90 of 128 slots with 0 (accepted); 40 shares 70 (borderline).
	base := func(off uint32) []uint32 {
		s := make([]uint32, 128)
		for i := range s {
			s[i] = uint32(i) + off
		}
		return s
	}
	mix := func(a, b []uint32, fromA int) []uint32 {
		s := slices.Clone(b)
		copy(s, a[:fromA])
		return s
	}
	s0, s10 := base(0), base(10000)
	sigs := map[uint32][]uint32{0: s0, 10: s10, 20: slices.Clone(s10), 30: mix(s0, base(20000), 90), 40: mix(s0, base(30000), 70)}
	var got []string
	st.Link([]uint32{0, 10, 20, 30, 40}, func(i uint32) []uint32 { return sigs[i] }, func(uint32) bool { return false },
		func(p Pair) { got = append(got, fmt.Sprintf("%d-%d:%v", p.A, p.B, p.Verdict)) })
	want := []string{
		"10-20:accept", // 0 rejects 20, the next centre (10) accepts it
		"0-30:accept",
		"0-40:need-text", // borderline with 0: emitted, and the other centres tried
	}
	if !slices.Equal(got, want) {
		t.Errorf("Link pairs = %v, want %v", got, want)
	}
}

func TestDistinctPairs(t *testing.T) {
	got := DistinctPairs([][]Pair{
		{{A: 3, B: 9, Verdict: Accept}, {A: 1, B: 2, Verdict: Reject}},
		nil,
		{{A: 1, B: 2, Verdict: Reject}, {A: 1, B: 5, Verdict: NeedText}, {A: 3, B: 9, Verdict: Accept}},
	})
	want := []Pair{{A: 1, B: 2, Verdict: Reject}, {A: 1, B: 5, Verdict: NeedText}, {A: 3, B: 9, Verdict: Accept}}
	if !slices.Equal(got, want) {
		t.Errorf("DistinctPairs = %v, want %v", got, want)
	}
}
