package stage

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/quchong/quchong/keep"
)

// component fingerprints texts (document i is texts[i]) and returns them as
// one component with a judge over them.
func component(t *testing.T, st *Stages, texts []string) ([]Member, *MemJudge) {
	t.Helper()
	j := &MemJudge{Stages: st, Sigs: map[uint32][]uint32{}, Masks: map[uint32]bool{}, Texts: map[uint32][]rune{}}
	var sc Scratch
	reps := map[Exact]uint32{}
	var members []Member
	for i, text := range texts {
		sig := make([]uint32, st.Params().K)
		fp := st.Fingerprint(sig, []byte(text), &sc)
		rep, ok := reps[fp.Exact]
		if !ok {
			rep = uint32(i)
			reps[fp.Exact] = rep
			if fp.Signed {
				j.Sigs[rep] = sig
			}
			j.Masks[rep] = fp.Masks > 0
			j.Texts[rep], _ = st.Normalize(nil, []byte(text))
		}
		members = append(members, Member{Index: uint32(i), Rep: rep, Length: fp.Length, Masks: fp.Masks})
	}
	return members, j
}

// segments returns n distinct runs of CJK characters, each m long.
func segments(seed uint64, n, m int) []string {
	r := rand.New(rand.NewPCG(seed, 1))
	out := make([]string, n)
	for i := range out {
		var b strings.Builder
		for range m {
			b.WriteRune(rune(0x4e00 + r.IntN(0x5000)))
		}
		out[i] = b.String()
	}
	return out
}

// chain returns three texts A, B, C of twenty segments: B differs from A in
// two segments and C from B in four others, so A~B (about 0.82), B~C (about
// 0.67) but A≁C (about 0.54).
func chain() (a, b, c string) {
	x := segments(1, 26, 40)
	a = strings.Join(x[:20], "")
	bs := slices.Clone(x[:20])
	bs[18], bs[19] = x[20], x[21]
	b = strings.Join(bs, "")
	cs := slices.Clone(bs)
	copy(cs, x[22:26])
	c = strings.Join(cs, "")
	return a, b, c
}

type wantCluster struct {
	kept    uint32
	members []uint32
	exact   []bool
}

// closest returns a source S and two variants: V1 differs from S in four
// segments, V2 in two others, so both are near duplicates of S, V2 the
// closer, and V1≁V2.
func closest() (s, v1, v2 string) {
	x := segments(2, 26, 40)
	s = strings.Join(x[:20], "")
	a := slices.Clone(x[:20])
	copy(a, x[20:24])
	b := slices.Clone(x[:20])
	copy(b[18:], x[24:26])
	return s, strings.Join(a, ""), strings.Join(b, "")
}

func TestDecideChain(t *testing.T) {
	a, b, c := chain()
	longB := b + "。" // B longest: kept by --keep longest
	s, v1, v2 := closest()
	tests := []struct {
		name    string
		texts   []string
		keep    string
		mode    ClusterMode
		want    []wantCluster
		saved   int
		belowOK bool // Connected reports members under the threshold
	}{
		{"first keeps A, C is not removed for it", []string{a, b, c}, "first", Verified,
			[]wantCluster{{0, []uint32{0, 1}, []bool{false, false}}}, 1, false},
		{"connected removes C for A", []string{a, b, c}, "first", Connected,
			[]wantCluster{{0, []uint32{0, 1, 2}, []bool{false, false, false}}}, 0, true},
		{"longest keeps B, both neighbours removed", []string{a, longB, c}, "longest", Verified,
			[]wantCluster{{1, []uint32{0, 1, 2}, []bool{false, false, false}}}, 0, false},
		{"an exact copy of C forms the next cluster", []string{a, b, c, c}, "first", Verified,
			[]wantCluster{{0, []uint32{0, 1}, []bool{false, false}}, {2, []uint32{2, 3}, []bool{true, true}}}, 1, false},
		{"exact copies of the kept one are exact, the kept one near", []string{a, a, b, c}, "first", Verified,
			[]wantCluster{{0, []uint32{0, 1, 2}, []bool{false, true, false}}}, 1, false},
		{"a removed document joins the closest kept one", []string{v1, v2, s}, "first", Verified,
			[]wantCluster{{1, []uint32{1, 2}, []bool{false, false}}}, 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := DefaultParams()
			var err error
			if p.Keep, err = keep.Parse(tt.keep); err != nil {
				t.Fatal(err)
			}
			p.Cluster = tt.mode
			st, err := New(p)
			if err != nil {
				t.Fatal(err)
			}
			members, j := component(t, st, tt.texts)
			ab, _ := j.TextSimilarity(0, 1)
			if tt.texts[0] == a && tt.texts[1] == b {
				ac, _ := j.TextSimilarity(0, 2)
				if ab < p.Threshold || ac >= p.Threshold {
					t.Fatalf("test texts: sim(A,B) = %.3f, sim(A,C) = %.3f; want a chain", ab, ac)
				}
			}
			d, err := st.Decide(members, j)
			if err != nil {
				t.Fatal(err)
			}
			if len(d.Clusters) != len(tt.want) {
				t.Fatalf("%d clusters %+v, want %d", len(d.Clusters), d.Clusters, len(tt.want))
			}
			for i, w := range tt.want {
				c := d.Clusters[i]
				if c.Kept != w.kept || !slices.Equal(c.Members, w.members) || !slices.Equal(c.Exact, w.exact) {
					t.Errorf("cluster %d: kept %d, members %v, exact %v; want %d, %v, %v", i, c.Kept, c.Members, c.Exact, w.kept, w.members, w.exact)
				}
				for k, m := range c.Members {
					s := c.Similarity[k]
					switch {
					case m == c.Kept && s != 1:
						t.Errorf("kept %d has similarity %v", m, s)
					case s < p.Threshold && !tt.belowOK:
						t.Errorf("document %d removed at %.3f for %d, under the threshold", m, s, c.Kept)
					}
				}
			}
			if d.Saved != tt.saved {
				t.Errorf("saved %d, want %d", d.Saved, tt.saved)
			}
		})
	}
}

// countingJudge answers every pair as dissimilar on its texts and counts
// the checks.
type countingJudge struct{ texts int }

func (j *countingJudge) Signature(uint32) ([]uint32, error) { return make([]uint32, 128), nil }
func (j *countingJudge) Masked(uint32) bool                 { return true } // estimates never accept
func (j *countingJudge) TextSimilarity(a, b uint32) (float64, error) {
	j.texts++
	return 0.1, nil
}

func TestDecideBudget(t *testing.T) {
	st, err := New(DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{3, 50, 400} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			members := make([]Member, n)
			for i := range members {
				members[i] = Member{Index: uint32(i), Rep: uint32(i), Length: 100}
			}
			j := &countingJudge{}
			d, err := st.Decide(members, j)
			if err != nil {
				t.Fatal(err)
			}
			budget := ChecksPerMember*n + 256
			unbounded := n * (n - 1) / 2
			if len(d.Clusters) != 0 {
				t.Errorf("%d clusters of dissimilar documents", len(d.Clusters))
			}
			if d.Checks > budget || j.texts != d.Checks || d.TextChecks != d.Checks {
				t.Errorf("%d checks (%d on texts, judge saw %d), budget %d", d.Checks, d.TextChecks, j.texts, budget)
			}
			if want := min(unbounded, budget); d.Checks != want {
				t.Errorf("%d checks, want %d", d.Checks, want)
			}
			if d.Saved+d.Unverified != n-1 || (unbounded > budget) != (d.Unverified > 0) {
				t.Errorf("saved %d, unverified %d of %d members", d.Saved, d.Unverified, n)
			}
		})
	}
}

func TestParseClusterMode(t *testing.T) {
	for _, s := range []string{"verified", "connected"} {
		m, err := ParseClusterMode(s)
		if err != nil || m.String() != s {
			t.Errorf("ParseClusterMode(%q) = %v, %v", s, m, err)
		}
	}
	if _, err := ParseClusterMode("transitive"); err == nil {
		t.Error("ParseClusterMode accepted transitive")
	}
}
