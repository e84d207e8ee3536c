package stage

import (
	"fmt"

	"github.com/quchong/quchong/doc"
	"github.com/quchong/quchong/keep"
)

// ClusterMode says how a connected component of duplicate links becomes
// clusters.
type ClusterMode uint8

// Cluster modes.
const (
	// Verified (the default) removes a document only when it is verified at
	// or above the threshold against the document kept in its place, or is
	// an exact copy of it; the rest of the component forms further clusters.
	// Links chain (A~B and B~C with A≁C), so a component is only where the
	// decision starts.
	Verified ClusterMode = iota
	// Connected keeps one document per connected component and removes all
	// the others, as the peers (text-dedup, datatrove, NeeMo Curator,
	// data-juicer) do: transitive, and blind to chains.
	Connected
)

// String names the mode as the --cluster flag spells it.
func (m ClusterMode) String() string {
	if m == Connected {
		return "connected"
	}
	return "verified"
}

// ParseClusterMode parses "verified" or "connected".
func ParseClusterMode(s string) (ClusterMode, error) {
	switch s {
	case "verified", "":
		return Verified, nil
	case "connected":
		return Connected, nil
	}
	return Verified, fmt.Errorf("cluster mode %q: want verified or connected", s)
}

// Member is one document of a connected component, as the cluster decision
// sees it.
type Member struct {
	// Index is the document's dense index.
	Index uint32
	// Rep is its exact-duplicate representative: the smallest index among
	// the documents with the same normalised text.
	Rep uint32
	// Length and Masks come from its fingerprint; Value is its keep-rule
	// field value. They feed the keep rule.
	Length, Masks int
	Value         doc.Value
}

// Cluster is one cluster decided from a component: a kept document and the
// documents removed in its place.
type Cluster struct {
	// Kept is the index of the document kept.
	Kept uint32
	// Members lists the cluster's documents, Kept included, in increasing
	// index order.
	Members []uint32
	// Similarity gives each member's similarity to Kept (1 for Kept and its
	// exact copies): the one on which its removal was decided.
	Similarity []float64
	// Exact gives each member's reason: true for "exact", false for "near".
	// A removed member is exact when it is an exact copy of Kept; Kept is
	// exact when every member is.
	Exact []bool
}

// Decision is the outcome of deciding one component.
type Decision struct {
	// Clusters are the clusters of two or more documents the component
	// became, in the order they were decided. Members of the component in
	// none of them are kept on their own.
	Clusters []Cluster
	// Saved counts the members that Connected would have removed and this
	// decision keeps (0 in Connected mode).
	Saved int
	// Unverified counts the members kept because the component's
	// verification budget ran out before they were checked.
	Unverified int
	// Checks and TextChecks count the pairs verified against a kept
	// document, and those of them decided on their texts.
	Checks, TextChecks int
}

// Judge gives the cluster decision what it needs to know about the
// representatives of a component's documents. Engines implement it over
// their own storage; every method must be safe to call from the goroutine
// deciding the component.
type Judge interface {
	// Signature returns rep's MinHash signature, or nil when it has none
	// (texts shorter than the minimum length).
	Signature(rep uint32) ([]uint32, error)
	// Masked reports whether rep's text holds a placeholder mask.
	Masked(rep uint32) bool
	// TextSimilarity returns the true, mask-aware similarity of two
	// representatives' normalised texts: the first value of Confirm.
	TextSimilarity(a, b uint32) (float64, error)
}

// ChecksPerMember bounds the work of deciding one component: at most
// ChecksPerMember × members + 256 pairs are verified against a kept
// document (signature screens and, for the borderline ones, texts). A
// component of near-identical documents needs about one check per member;
// only long chains of distinct documents need more rounds, and a member
// still unchecked when the budget runs out is kept (the safe side). The
// bound keeps a component of 10,000 documents under 160,256 checks instead
// of the 5 × 10⁷ an unbounded chain could take.
const ChecksPerMember = 16

// AgainstKept decides whether a document may be removed in place of the
// kept one, given their signatures (nil when a text has none), whether
// either holds a placeholder mask, and a way to compute their texts'
// similarity. It returns the similarity the decision rests on, whether the
// document is a near duplicate of the kept one (similarity at or above the
// threshold), and whether the texts were read. The rule is Screen's: an
// estimate conclusive by the accept or reject margin decides without the
// texts; otherwise the texts do. With masks, only a reject is conclusive:
// the estimate cannot see what a mask hides, so an accepted pair is still
// measured on its texts, and the reported similarity is the true one.
func (s *Stages) AgainstKept(sigK, sigM []uint32, masked bool, text func() (float64, error)) (sim float64, dup, byText bool, err error) {
	if sigK == nil || sigM == nil {
		return 0, false, false, nil
	}
	est, v := s.Screen(sigK, sigM, masked)
	switch {
	case v == Reject:
		return est, false, false, nil
	case v == Accept && !masked:
		return est, true, false, nil
	}
	sim, err = text()
	if err != nil {
		return 0, false, true, err
	}
	return sim, sim >= s.p.Threshold, true, nil
}

// trueSimilarity is AgainstKept's similarity without the reject shortcut:
// what Connected mode reports for a member whatever its similarity.
func (s *Stages) trueSimilarity(sigK, sigM []uint32, masked bool, text func() (float64, error)) (float64, bool, error) {
	if sigK != nil && sigM != nil {
		if est, v := s.Screen(sigK, sigM, masked); v == Accept && !masked {
			return est, false, nil
		}
	}
	sim, err := text()
	return sim, true, err
}

// Decide turns one connected component (two or more members, in increasing
// index order) into clusters by the run's keep rule and cluster mode.
//
// In Verified mode it repeats, until fewer than two members remain: choose
// the kept document among the remaining members by the keep rule; remove
// with it every remaining member that is an exact copy of it or verified
// (AgainstKept) at or above the threshold against it; the others remain.
// The result depends only on the component, never on the engine, the
// workers or the order in which components are decided. Members with the
// same representative share one check.
//
// In Connected mode the component is one cluster: the kept document and
// every other member, with its true similarity to the kept one.
func (s *Stages) Decide(members []Member, j Judge) (Decision, error) {
	var d Decision
	if len(members) < 2 {
		return d, nil
	}
	budget := ChecksPerMember*len(members) + 256
	remaining := members
	cands := make([]keep.Candidate, 0, len(members))
	var skipped map[uint32]bool // members passed over once the budget ran out
	for len(remaining) >= 2 {
		cands = cands[:0]
		for _, m := range remaining {
			cands = append(cands, keep.Candidate{Index: uint64(m.Index), Length: m.Length, Masks: m.Masks, Value: m.Value})
		}
		k := remaining[s.p.Keep.Choose(cands)]
		sigK, err := j.Signature(k.Rep)
		if err != nil {
			return d, err
		}
		c := Cluster{Kept: k.Index}
		var rest []Member
		type verdict struct {
			sim float64
			dup bool
		}
		byRep := make(map[uint32]verdict)
		for _, m := range remaining {
			if m.Rep == k.Rep {
				c.Members = append(c.Members, m.Index)
				c.Similarity = append(c.Similarity, 1)
				c.Exact = append(c.Exact, true)
				continue
			}
			v, seen := byRep[m.Rep]
			if !seen {
				if d.Checks >= budget {
					if skipped == nil {
						skipped = make(map[uint32]bool)
					}
					skipped[m.Index] = true
					rest = append(rest, m)
					continue
				}
				sigM, err := j.Signature(m.Rep)
				if err != nil {
					return d, err
				}
				masked := j.Masked(k.Rep) || j.Masked(m.Rep)
				text := func() (float64, error) { return j.TextSimilarity(min(k.Rep, m.Rep), max(k.Rep, m.Rep)) }
				var byText bool
				if s.p.Cluster == Connected {
					v.dup = true
					v.sim, byText, err = s.trueSimilarity(sigK, sigM, masked, text)
				} else {
					v.sim, v.dup, byText, err = s.AgainstKept(sigK, sigM, masked, text)
				}
				if err != nil {
					return d, err
				}
				d.Checks++
				if byText {
					d.TextChecks++
				}
				byRep[m.Rep] = v
			}
			if !v.dup {
				rest = append(rest, m)
				continue
			}
			c.Members = append(c.Members, m.Index)
			c.Similarity = append(c.Similarity, v.sim)
			c.Exact = append(c.Exact, false)
		}
		if len(c.Members) >= 2 {
			allExact := true
			for i, m := range c.Members {
				allExact = allExact && (m == k.Index || c.Exact[i])
			}
			for i, m := range c.Members {
				if m == k.Index {
					c.Exact[i] = allExact
				}
			}
			d.Clusters = append(d.Clusters, c)
		}
		remaining = rest
	}
	removed := 0
	for _, c := range d.Clusters {
		removed += len(c.Members) - 1
		for _, m := range c.Members {
			if m != c.Kept {
				delete(skipped, m)
			}
		}
	}
	d.Unverified = len(skipped)
	d.Saved = len(members) - 1 - removed - d.Unverified
	return d, nil
}

// MemJudge is a Judge over documents held in memory, by representative:
// for an engine that gathers a component's documents in one place, for
// explanations and for tests.
type MemJudge struct {
	// Stages computes the text similarities.
	Stages *Stages
	// Sigs, Masked and Texts hold each representative's signature (absent
	// when it has none), whether its text has a placeholder mask, and its
	// normalised text.
	Sigs  map[uint32][]uint32
	Masks map[uint32]bool
	Texts map[uint32][]rune
	sc    Scratch
}

// Signature returns rep's signature from Sigs.
func (j *MemJudge) Signature(rep uint32) ([]uint32, error) { return j.Sigs[rep], nil }

// Masked returns Masks[rep].
func (j *MemJudge) Masked(rep uint32) bool { return j.Masks[rep] }

// TextSimilarity compares Texts[a] and Texts[b] with Confirm.
func (j *MemJudge) TextSimilarity(a, b uint32) (float64, error) {
	ta, okA := j.Texts[a]
	tb, okB := j.Texts[b]
	if !okA || !okB {
		return 0, fmt.Errorf("cluster decision: no text for document %d or %d", a, b)
	}
	sim, _ := j.Stages.Confirm(ta, tb, &j.sc)
	return sim, nil
}
