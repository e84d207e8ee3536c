package eval

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Scores are the pairwise scores of one stratum, or of all pairs.
//
// A pair is predicted positive when both documents are in the same cluster
// of the run. Ratios whose denominator is zero (precision with no predicted
// positive, recall with no positive, merge rate with no negative) are 0;
// the counts beside them say when that happened.
type Scores struct {
	// Stratum is the stratum's name; "overall" for all pairs.
	Stratum string `json:"stratum"`
	// Pairs = Positives + Negatives = TP + FP + FN + TN.
	Pairs     int `json:"pairs"`
	Positives int `json:"positives"`
	Negatives int `json:"negatives"`
	// TP: label 1, same cluster. FP: label 0, same cluster. FN: label 1,
	// different clusters. TN: label 0, different clusters.
	TP int `json:"tp"`
	FP int `json:"fp"`
	FN int `json:"fn"`
	TN int `json:"tn"`
	// Precision is TP / (TP + FP), Recall TP / (TP + FN), F1 their harmonic
	// mean.
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
	// MergeRate is FP / Negatives: the fraction of pairs that must not be
	// merged that the run merged.
	MergeRate float64 `json:"merge_rate"`
}

// ClusterScores compare the clustering that the labels imply with the run's.
//
// The gold clustering is the connected components of the positive pairs over
// every document the labelled pairs mention (a document only in negative
// pairs is a singleton). The predicted clustering is the run's clusters
// restricted to those documents (a document absent from clusters.jsonl is a
// singleton).
//
// In pair files with inline texts, a text that recurs on several lines is
// several gold documents ("3-a", "8-a", ...) that no positive pair joins, so
// a run that rightly merges the exact copies loses B-cubed precision and ARI
// there; the pairwise scores are not affected.
type ClusterScores struct {
	// Documents is the number of distinct documents the pairs mention.
	Documents int `json:"documents"`
	// GoldClusters and PredictedClusters count clusters, singletons included,
	// over those documents.
	GoldClusters      int `json:"gold_clusters"`
	PredictedClusters int `json:"predicted_clusters"`
	// Conflicts counts negative pairs whose documents the positive pairs
	// join: labels that contradict their own clustering. Cluster scores are
	// less meaningful when it is not zero.
	Conflicts int `json:"conflicts"`
	// ARI is the adjusted Rand index (Hubert and Arabie 1985): 1 for
	// identical clusterings, about 0 for chance agreement, negative below
	// chance. It is 1 when both clusterings are the same trivial one.
	ARI float64 `json:"ari"`
	// B-cubed precision and recall (Bagga and Baldwin 1998) average over
	// documents the fraction of a document's predicted cluster that shares its
	// gold cluster, and the fraction of its gold cluster that shares its
	// predicted cluster.
	BCubedPrecision float64 `json:"bcubed_precision"`
	BCubedRecall    float64 `json:"bcubed_recall"`
	BCubedF1        float64 `json:"bcubed_f1"`
}

// Report is the outcome of scoring a run against labelled pairs.
type Report struct {
	// Strata holds the scores per stratum, sorted by name.
	Strata []Scores `json:"strata"`
	// Overall holds the scores of all pairs.
	Overall Scores `json:"overall"`
	// Excluded is the number of pairs left out of the scores (label null).
	// Score leaves it 0; callers set it from ReadLabels.
	Excluded int `json:"excluded"`
	// Clusters holds the clustering scores; nil when there are no pairs.
	Clusters *ClusterScores `json:"clusters,omitempty"`
}

// OverallStratum is the Stratum of Report.Overall.
const OverallStratum = "overall"

// AbsentError reports labelled documents that were not in the run.
type AbsentError struct {
	// IDs are the first absent ids (at most five), in the order the pairs
	// mention them.
	IDs []string
	// Count is the number of distinct absent ids.
	Count int
}

// maxAbsentShown is how many absent ids an AbsentError names.
const maxAbsentShown = 5

// maxEchoed is how much of a value from the input an error message quotes.
const maxEchoed = 80

// quoteClipped quotes a value from the input for a message, cut to
// maxEchoed bytes (at a character boundary) and saying how long it was:
// an id of 50 MB must not flood the terminal.
func quoteClipped(s string) string {
	if len(s) <= maxEchoed {
		return strconv.Quote(s)
	}
	cut := maxEchoed
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s… (%d bytes)", strconv.Quote(s[:cut]), len(s))
}

// Error names the absent ids.
func (e *AbsentError) Error() string {
	quoted := make([]string, len(e.IDs))
	for i, id := range e.IDs {
		quoted[i] = quoteClipped(id)
	}
	more := ""
	if e.Count > len(e.IDs) {
		more = fmt.Sprintf(" and %d more", e.Count-len(e.IDs))
	}
	return fmt.Sprintf("%d labelled document(s) are not among the run's documents: %s%s", e.Count, strings.Join(quoted, ", "), more)
}

// Score compares a run's clusters with labelled pairs. clusterOf maps the
// ids of clustered documents to their cluster (see ReadClusters); other
// documents are singletons. When present is not nil, every document the
// pairs mention must satisfy it, else Score returns an *AbsentError: a pair
// whose documents were not deduplicated says nothing about the run.
func Score(pairs []Pair, clusterOf map[string]int, present func(id string) bool) (*Report, error) {
	if present != nil {
		var e AbsentError
		for _, id := range LabelIDs(pairs) {
			if !present(id) {
				if len(e.IDs) < maxAbsentShown {
					e.IDs = append(e.IDs, id)
				}
				e.Count++
			}
		}
		if e.Count > 0 {
			return nil, &e
		}
	}
	same := func(a, b string) bool {
		if a == b {
			return true
		}
		ca, ok := clusterOf[a]
		if !ok {
			return false
		}
		cb, ok := clusterOf[b]
		return ok && ca == cb
	}
	strata := make(map[string]*Scores)
	r := &Report{Overall: Scores{Stratum: OverallStratum}}
	for _, p := range pairs {
		if p.Label != 0 && p.Label != 1 {
			return nil, fmt.Errorf("pair %s, %s: label %d: want 1 or 0", quoteClipped(p.A), quoteClipped(p.B), p.Label)
		}
		s := strata[p.Stratum]
		if s == nil {
			s = &Scores{Stratum: p.Stratum}
			strata[p.Stratum] = s
		}
		pred := same(p.A, p.B)
		s.add(p.Label == 1, pred)
		r.Overall.add(p.Label == 1, pred)
	}
	for _, s := range strata {
		s.finish()
		r.Strata = append(r.Strata, *s)
	}
	slices.SortFunc(r.Strata, func(a, b Scores) int { return strings.Compare(a.Stratum, b.Stratum) })
	r.Overall.finish()
	if len(pairs) > 0 {
		r.Clusters = clusterScores(pairs, clusterOf)
	}
	return r, nil
}

func (s *Scores) add(positive, predicted bool) {
	s.Pairs++
	switch {
	case positive && predicted:
		s.Positives++
		s.TP++
	case positive:
		s.Positives++
		s.FN++
	case predicted:
		s.Negatives++
		s.FP++
	default:
		s.Negatives++
		s.TN++
	}
}

// finish computes the ratios from the counts.
func (s *Scores) finish() {
	s.Precision = ratio(s.TP, s.TP+s.FP)
	s.Recall = ratio(s.TP, s.TP+s.FN)
	if s.Precision+s.Recall > 0 {
		s.F1 = 2 * s.Precision * s.Recall / (s.Precision + s.Recall)
	}
	s.MergeRate = ratio(s.FP, s.Negatives)
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// LabelIDs returns the distinct document ids the pairs mention, in the order
// they first appear.
func LabelIDs(pairs []Pair) []string {
	seen := make(map[string]struct{}, len(pairs))
	var ids []string
	for _, p := range pairs {
		for _, id := range [2]string{p.A, p.B} {
			if _, ok := seen[id]; !ok {
				seen[id] = struct{}{}
				ids = append(ids, id)
			}
		}
	}
	return ids
}

// clusterScores builds the gold clustering from the positive pairs and
// compares the run's with it.
func clusterScores(pairs []Pair, clusterOf map[string]int) *ClusterScores {
	ids := LabelIDs(pairs)
	index := make(map[string]int, len(ids))
	for i, id := range ids {
		index[id] = i
	}
	uf := newUnionFind(len(ids))
	for _, p := range pairs {
		if p.Label == 1 {
			uf.union(index[p.A], index[p.B])
		}
	}
	cs := &ClusterScores{Documents: len(ids)}
	for _, p := range pairs {
		if p.Label == 0 && uf.find(index[p.A]) == uf.find(index[p.B]) {
			cs.Conflicts++
		}
	}
	gold := make([]int, len(ids))
	pred := make([]int, len(ids))
	predLabel := make(map[int]int)
	for i, id := range ids {
		gold[i] = uf.find(i)
		if c, ok := clusterOf[id]; ok {
			l, seen := predLabel[c]
			if !seen {
				l = len(ids) + len(predLabel) // apart from the singletons' labels
				predLabel[c] = l
			}
			pred[i] = l
		} else {
			pred[i] = i
		}
	}
	t := newContingency(gold, pred)
	cs.GoldClusters = len(t.goldSize)
	cs.PredictedClusters = len(t.predSize)
	cs.ARI = t.ari()
	cs.BCubedPrecision, cs.BCubedRecall, cs.BCubedF1 = t.bcubed()
	return cs
}

// contingency is the contingency table of two clusterings of the same n
// items, kept sparse.
type contingency struct {
	n        int
	cells    map[[2]int]int // (gold, pred) → items in both
	goldSize map[int]int
	predSize map[int]int
}

// newContingency tabulates two labelings of the same items; gold[i] and
// pred[i] are item i's cluster labels (any integers).
func newContingency(gold, pred []int) *contingency {
	t := &contingency{n: len(gold), cells: make(map[[2]int]int), goldSize: make(map[int]int), predSize: make(map[int]int)}
	for i := range gold {
		t.cells[[2]int{gold[i], pred[i]}]++
		t.goldSize[gold[i]]++
		t.predSize[pred[i]]++
	}
	return t
}

func choose2(k int) float64 { return float64(k) * float64(k-1) / 2 }

// ari is the adjusted Rand index of Hubert and Arabie:
// (index − expected) / (max − expected), with index = Σ C(n_ij, 2),
// expected = Σ C(a_i, 2) Σ C(b_j, 2) / C(n, 2), max = (Σ C(a_i, 2) + Σ C(b_j, 2)) / 2.
// The denominator is zero only when both clusterings are all singletons or
// both one cluster, that is, identical: then it is 1.
func (t *contingency) ari() float64 {
	var index, a, b float64
	for _, k := range t.cells {
		index += choose2(k)
	}
	for _, k := range t.goldSize {
		a += choose2(k)
	}
	for _, k := range t.predSize {
		b += choose2(k)
	}
	total := choose2(t.n)
	if total == 0 {
		return 1
	}
	expected := a * b / total
	maxIndex := (a + b) / 2
	if maxIndex == expected {
		return 1
	}
	return (index - expected) / (maxIndex - expected)
}

// bcubed returns B-cubed precision, recall and F1: per item, the share of
// its predicted cluster in its gold cluster, and the share of its gold
// cluster in its predicted cluster, averaged over items. A cell of k items
// contributes k·k/|pred| to the precision sum and k·k/|gold| to the recall
// sum.
func (t *contingency) bcubed() (p, r, f1 float64) {
	if t.n == 0 {
		return 0, 0, 0
	}
	for key, k := range t.cells {
		kk := float64(k) * float64(k)
		p += kk / float64(t.predSize[key[1]])
		r += kk / float64(t.goldSize[key[0]])
	}
	p /= float64(t.n)
	r /= float64(t.n)
	if p+r > 0 {
		f1 = 2 * p * r / (p + r)
	}
	return p, r, f1
}

// unionFind is a disjoint-set forest with path halving and union by size.
type unionFind struct{ parent, size []int }

func newUnionFind(n int) *unionFind {
	u := &unionFind{parent: make([]int, n), size: make([]int, n)}
	for i := range u.parent {
		u.parent[i] = i
		u.size[i] = 1
	}
	return u
}

func (u *unionFind) find(x int) int {
	for u.parent[x] != x {
		u.parent[x] = u.parent[u.parent[x]]
		x = u.parent[x]
	}
	return x
}

func (u *unionFind) union(x, y int) {
	x, y = u.find(x), u.find(y)
	if x == y {
		return
	}
	if u.size[x] < u.size[y] {
		x, y = y, x
	}
	u.parent[y] = x
	u.size[x] += u.size[y]
}
