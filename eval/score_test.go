package eval

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"unicode/utf8"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestScorePairs(t *testing.T) {
	pairs := []Pair{
		{"a", "b", 1, "easy"},   // same cluster: TP
		{"a", "c", 1, "easy"},   // c unclustered: FN
		{"c", "d", 1, "hard"},   // neither clustered: FN
		{"a", "e", 0, "neg"},    // different clusters: TN
		{"b", "f", 0, "neg"},    // same cluster: FP
		{"g", "h", 0, "neg"},    // neither clustered: TN
		{"e", "e2", 1, "hard"},  // same cluster: TP
		{"x", "x", 0, "aaa-id"}, // a document is always with itself: FP
	}
	clusterOf := map[string]int{"a": 1, "b": 1, "f": 1, "e": 2, "e2": 2}
	r, err := Score(pairs, clusterOf, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Scores{
		"aaa-id": {Pairs: 1, Negatives: 1, FP: 1, MergeRate: 1},
		"easy":   {Pairs: 2, Positives: 2, TP: 1, FN: 1, Precision: 1, Recall: 0.5, F1: 2.0 / 3},
		"hard":   {Pairs: 2, Positives: 2, TP: 1, FN: 1, Precision: 1, Recall: 0.5, F1: 2.0 / 3},
		"neg":    {Pairs: 3, Negatives: 3, FP: 1, TN: 2, MergeRate: 1.0 / 3},
		OverallStratum: {Pairs: 8, Positives: 4, Negatives: 4, TP: 2, FP: 2, FN: 2, TN: 2,
			Precision: 0.5, Recall: 0.5, F1: 0.5, MergeRate: 0.5},
	}
	got := append([]Scores{r.Overall}, r.Strata...)
	if len(r.Strata) != 4 {
		t.Fatalf("%d strata, want 4", len(r.Strata))
	}
	for i, name := range []string{"aaa-id", "easy", "hard", "neg"} {
		if r.Strata[i].Stratum != name {
			t.Errorf("stratum %d is %q, want %q (sorted)", i, r.Strata[i].Stratum, name)
		}
	}
	for _, s := range got {
		w := want[s.Stratum]
		w.Stratum = s.Stratum
		if s.Pairs != w.Pairs || s.Positives != w.Positives || s.Negatives != w.Negatives ||
			s.TP != w.TP || s.FP != w.FP || s.FN != w.FN || s.TN != w.TN ||
			!near(s.Precision, w.Precision) || !near(s.Recall, w.Recall) || !near(s.F1, w.F1) || !near(s.MergeRate, w.MergeRate) {
			t.Errorf("%s:\n got %+v\nwant %+v", s.Stratum, s, w)
		}
	}
}

func TestScoreAbsent(t *testing.T) {
	var pairs []Pair
	for _, id := range []string{"m1", "m2", "m3", "m4", "m5", "m6", "m7"} {
		pairs = append(pairs, Pair{"ok", id, 1, "all"}, Pair{id, "ok", 0, "all"})
	}
	present := func(id string) bool { return id == "ok" }
	_, err := Score(pairs, nil, present)
	var ae *AbsentError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v, want *AbsentError", err)
	}
	if ae.Count != 7 || strings.Join(ae.IDs, ",") != "m1,m2,m3,m4,m5" {
		t.Errorf("got %d absent %v, want 7 absent m1..m5", ae.Count, ae.IDs)
	}
	if msg := ae.Error(); !strings.Contains(msg, `"m5"`) || strings.Contains(msg, `"m6"`) || !strings.Contains(msg, "2 more") {
		t.Errorf("message %q", msg)
	}
	if _, err := Score(pairs, nil, func(string) bool { return true }); err != nil {
		t.Errorf("all present: %v", err)
	}
	if _, err := Score([]Pair{{"a", "b", 2, "x"}}, nil, nil); err == nil {
		t.Error("label 2 accepted")
	}
}

// The textbook cases are checked against scikit-learn's adjusted_rand_score,
// whose documentation lists them.
func TestARI(t *testing.T) {
	tests := []struct {
		name       string
		gold, pred []int
		want       float64
	}{
		{"perfect", []int{0, 0, 1, 1}, []int{0, 0, 1, 1}, 1},
		{"renamed", []int{0, 0, 1, 1}, []int{1, 1, 0, 0}, 1},
		{"split one", []int{0, 0, 1, 1}, []int{0, 0, 1, 2}, 4.0 / 7}, // sklearn: 0.5714...
		{"swap", []int{0, 0, 1, 2}, []int{0, 0, 1, 1}, 4.0 / 7},
		{"all split vs one", []int{0, 0, 0, 0}, []int{0, 1, 2, 3}, 0},
		{"crossed", []int{0, 0, 1, 1}, []int{0, 1, 0, 1}, -0.5},
		{"both singletons", []int{0, 1, 2}, []int{5, 6, 7}, 1},
		{"both one", []int{0, 0, 0}, []int{4, 4, 4}, 1},
		{"single item", []int{0}, []int{3}, 1},
		// Hand computed: gold {0,1,2},{3,4},{5}; pred {0,1},{2,3,4},{5}.
		// index = C(2,2)+C(2,2) = 2 (cells {0,1} and {3,4});
		// a = C(3,2)+C(2,2) = 4, b = 1+3 = 4, C(6,2) = 15;
		// expected = 16/15, max = 4: ARI = (2-16/15)/(4-16/15) = 14/44.
		{"hand", []int{0, 0, 0, 1, 1, 2}, []int{0, 0, 1, 1, 1, 2}, 14.0 / 44},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := newContingency(tt.gold, tt.pred).ari(); !near(got, tt.want) {
				t.Errorf("ARI = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestBCubed(t *testing.T) {
	tests := []struct {
		name       string
		gold, pred []int
		p, r       float64
	}{
		{"perfect", []int{0, 0, 1, 2}, []int{7, 7, 8, 9}, 1, 1},
		// All merged: item precision |g|/4 for each item: (2/4·2 + 1/4 + 1/4)/4.
		{"all merged", []int{0, 0, 1, 2}, []int{0, 0, 0, 0}, 6.0 / 16, 1},
		// All split: item recall 1/|g|: (1/2 + 1/2 + 1 + 1)/4.
		{"all split", []int{0, 0, 1, 2}, []int{0, 1, 2, 3}, 1, 0.75},
		// Gold {0,1,2},{3,4},{5}; pred {0,1},{2,3,4},{5}.
		// precision: items 0,1: 2/2; item 2: 1/3; items 3,4: 2/3; item 5: 1 → (1+1+1/3+2/3+2/3+1)/6.
		// recall:    items 0,1: 2/3; item 2: 1/3; items 3,4: 2/2; item 5: 1 → (2/3+2/3+1/3+1+1+1)/6.
		{"hand", []int{0, 0, 0, 1, 1, 2}, []int{0, 0, 1, 1, 1, 2}, (1 + 1 + 1.0/3 + 2.0/3 + 2.0/3 + 1) / 6, (2.0/3 + 2.0/3 + 1.0/3 + 3) / 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, r, f := newContingency(tt.gold, tt.pred).bcubed()
			wf := 2 * tt.p * tt.r / (tt.p + tt.r)
			if !near(p, tt.p) || !near(r, tt.r) || !near(f, wf) {
				t.Errorf("B-cubed = %v, %v, %v; want %v, %v, %v", p, r, f, tt.p, tt.r, wf)
			}
		})
	}
	if p, r, f := newContingency(nil, nil).bcubed(); p != 0 || r != 0 || f != 0 {
		t.Errorf("empty: %v %v %v", p, r, f)
	}
}

func TestScoreClusters(t *testing.T) {
	// Gold: {a,b,c} (a-b, b-c), {d,e}, {f} (only in a negative pair).
	pairs := []Pair{
		{"a", "b", 1, "all"}, {"b", "c", 1, "all"}, {"d", "e", 1, "all"},
		{"a", "f", 0, "all"}, {"c", "d", 0, "all"},
	}
	tests := []struct {
		name      string
		clusterOf map[string]int
		ari       float64
		p, r      float64
		predicted int
	}{
		{"perfect", map[string]int{"a": 3, "b": 3, "c": 3, "d": 9, "e": 9}, 1, 1, 1, 3},
		{"perfect with outsiders", map[string]int{"a": 3, "b": 3, "c": 3, "d": 9, "e": 9, "zz": 3}, 1, 1, 1, 3},
		// Nothing clustered: every document its own cluster.
		{"all split", nil, 0, 1, (3*(1.0/3) + 2*(1.0/2) + 1) / 6, 6},
		// Everything in one cluster: a = C(3,2)+C(2,2) = 4, b = C(6,2) = 15,
		// index = 4, expected = 4, ARI 0; precision (9/6 + 4/6 + 1/6)/6.
		{"all merged", map[string]int{"a": 1, "b": 1, "c": 1, "d": 1, "e": 1, "f": 1}, 0, (9.0/6 + 4.0/6 + 1.0/6) / 6, 1, 1},
		// Gold {a,b,c},{d,e},{f} vs pred {a,b},{c,d,e},{f}: the hand case of TestARI.
		{"hand", map[string]int{"a": 1, "b": 1, "c": 2, "d": 2, "e": 2}, 14.0 / 44, (1 + 1 + 1.0/3 + 2.0/3 + 2.0/3 + 1) / 6, (2.0/3 + 2.0/3 + 1.0/3 + 3) / 6, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Score(pairs, tt.clusterOf, nil)
			if err != nil {
				t.Fatal(err)
			}
			c := r.Clusters
			if c == nil {
				t.Fatal("no cluster scores")
			}
			if c.Documents != 6 || c.GoldClusters != 3 || c.PredictedClusters != tt.predicted || c.Conflicts != 0 {
				t.Errorf("documents %d gold %d predicted %d conflicts %d; want 6, 3, %d, 0", c.Documents, c.GoldClusters, c.PredictedClusters, c.Conflicts, tt.predicted)
			}
			if !near(c.ARI, tt.ari) || !near(c.BCubedPrecision, tt.p) || !near(c.BCubedRecall, tt.r) {
				t.Errorf("ARI %v B-cubed %v %v; want %v, %v %v", c.ARI, c.BCubedPrecision, c.BCubedRecall, tt.ari, tt.p, tt.r)
			}
		})
	}
	conflicting := append(pairs, Pair{"a", "c", 0, "all"})
	if r, _ := Score(conflicting, nil, nil); r.Clusters.Conflicts != 1 {
		t.Errorf("conflicts = %d, want 1", r.Clusters.Conflicts)
	}
	if r, _ := Score(nil, nil, nil); r.Clusters != nil || r.Overall.Pairs != 0 {
		t.Errorf("no pairs: %+v", r)
	}
}

func TestWriteTable(t *testing.T) {
	pairs := []Pair{{"a", "b", 1, "easy"}, {"a", "c", 0, "hard-negative"}}
	r, err := Score(pairs, map[string]int{"a": 0, "b": 0}, nil)
	if err != nil {
		t.Fatal(err)
	}
	r.Excluded = 4
	var b strings.Builder
	if err := r.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"stratum  pairs  pos  neg  TP  FP  FN  TN  precision  recall      F1  merge rate",
		"           easy      1    1    0   1   0   0   0     1.0000  1.0000  1.0000           -",
		"  hard-negative      1    0    1   0   0   0   1          -       -       -      0.0000",
		"        overall      2    1    1   1   0   0   1     1.0000  1.0000  1.0000      0.0000",
		"excluded  4 pair(s)",
		"clusters  3 documents, 2 gold and 2 predicted clusters: ARI 1.0000",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	one, _ := Score([]Pair{{"a", "b", 1, DefaultStratum}}, nil, nil)
	b.Reset()
	one.WriteTable(&b)
	if strings.Count(b.String(), "\n") != 3 || !strings.Contains(b.String(), "overall") || strings.Contains(b.String(), " all ") {
		t.Errorf("single default stratum should print only the overall row:\n%s", b.String())
	}
}

// Issue 19 item 11: an absent id of 50 MB is named in a short message.
func TestAbsentIDClipped(t *testing.T) {
	huge := strings.Repeat("长", 50<<20/3)
	_, err := Score([]Pair{{"ok", huge, 1, "all"}}, nil, func(id string) bool { return id == "ok" })
	if err == nil {
		t.Fatal("absent id accepted")
	}
	msg := err.Error()
	if len(msg) > 400 || !strings.Contains(msg, fmt.Sprintf("(%d bytes)", len(huge))) || !utf8.ValidString(msg) {
		t.Errorf("message of %d bytes: %.300q", len(msg), msg)
	}
}
