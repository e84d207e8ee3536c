package stage

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/quchong/quchong/keep"
	"github.com/quchong/quchong/record"
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
	Value         record.Value
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

// Split reports whether the component did not become one cluster that
// removes all its members but one: the decision broke a chain, or left
// members unchecked.
func (d Decision) Split() bool { return len(d.Clusters) != 1 || d.Saved+d.Unverified > 0 }

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
// threshold), and whether the texts were read. An estimate that Screen
// rejects decides without the texts (a missed removal is the safe side);
// every removal is decided on the texts' true, mask-aware similarity, so
// that no document is removed under the threshold however the estimate
// strays (at k = 128 its standard error near 0.6 is about 0.04, and Screen's
// accept margin is 0.05), and the similarity reported is the true one.
func (s *Stages) AgainstKept(sigK, sigM []uint32, masked bool, text func() (float64, error)) (sim float64, dup, byText bool, err error) {
	var c Check
	err = s.againstKept(&c, sigK, sigM, masked, text)
	if err != nil {
		return 0, false, true, err
	}
	return c.Similarity, c.Dup, c.ByText, nil
}

// Check is one verification of a member of a component against a kept
// document, as the cluster decision made it; Explain's trail lists them.
type Check struct {
	// Kept and Member are the two documents' indices.
	Kept, Member uint32
	// Exact says the two are exact copies (one representative): the member
	// is removed with nothing else computed.
	Exact bool
	// Screened says both texts are signed and Screen ran; Screen is its
	// result.
	Screened bool
	Screen   Screening
	// ByText says the texts were compared: Similarity is then their true,
	// mask-aware similarity, else the signature estimate (0 without
	// signatures).
	ByText     bool
	Similarity float64
	// Dup says the member may be removed in place of the kept document.
	Dup bool
}

// againstKept is AgainstKept, recording its steps in c.
func (s *Stages) againstKept(c *Check, sigK, sigM []uint32, masked bool, text func() (float64, error)) error {
	if sigK == nil || sigM == nil {
		return nil
	}
	c.Screened, c.Screen = true, s.screen(sigK, sigM, masked)
	if c.Screen.Verdict == Reject {
		c.Similarity = c.Screen.Estimate
		return nil
	}
	c.ByText = true
	sim, err := text()
	if err != nil {
		return err
	}
	c.Similarity, c.Dup = sim, sim >= s.p.Threshold
	return nil
}

// trueSimilarity is againstKept without the reject shortcut: what
// Connected mode reports for a member whatever its similarity (c.Dup is
// always set).
func (s *Stages) trueSimilarity(c *Check, sigK, sigM []uint32, masked bool, text func() (float64, error)) error {
	c.Dup = true
	if sigK != nil && sigM != nil {
		c.Screened, c.Screen = true, s.screen(sigK, sigM, masked)
		if c.Screen.Verdict == Accept && !masked {
			c.Similarity = c.Screen.Estimate
			return nil
		}
	}
	c.ByText = true
	sim, err := text()
	c.Similarity = sim
	return err
}

// Decide turns one connected component (two or more members, in increasing
// index order) into clusters by the run's keep rule and cluster mode.
//
// In Verified mode, first the kept documents: repeat, until no member
// remains, choosing the kept document among the remaining members by the
// keep rule and setting aside every remaining member that is an exact copy
// of it or verified (AgainstKept) at or above the threshold against it: those
// are removed. Then each removed document joins the kept document it is most
// similar to among those it was verified against (ties: the one kept
// first), checked also against the documents kept after it was set aside;
// this keeps a document with the copy it is closest to when several were
// kept. So every removal is verified against the document kept in its place.
// The result depends only on the component, never on the engine, the
// workers or the order in which components are decided. Members with the
// same representative share their checks.
//
// In Connected mode the component is one cluster: the kept document and
// every other member, with its true similarity to the kept one.
func (s *Stages) Decide(members []Member, j Judge) (Decision, error) {
	return s.decide(members, j, nil)
}

// decide is Decide; trace, when not nil, receives every check the decision
// computes (not those it reuses), in order (Explain's trail).
func (s *Stages) decide(members []Member, j Judge, trace func(Check)) (Decision, error) {
	dc := decider{s: s, j: j, trace: trace, budget: ChecksPerMember*len(members) + 256}
	if len(members) < 2 {
		return dc.d, nil
	}
	if s.p.Cluster == Connected {
		return dc.connected(members)
	}
	return dc.verified(members)
}

// decider holds the state of one Decide call.
type decider struct {
	s      *Stages
	j      Judge
	d      Decision
	trace  func(Check)
	budget int
	// checked caches the verdicts by (kept representative, member
	// representative).
	checked map[[2]uint32]verdict
	// skipped holds the members passed over once the budget ran out.
	skipped map[uint32]bool
}

type verdict struct {
	sim float64
	dup bool
}

// check verifies member m against kept document k, once per pair of
// representatives. ok is false when the budget had run out.
func (dc *decider) check(k, m Member) (v verdict, ok bool, err error) {
	if k.Rep == m.Rep {
		if dc.trace != nil && k.Index != m.Index {
			dc.trace(Check{Kept: k.Index, Member: m.Index, Exact: true, Similarity: 1, Dup: true})
		}
		return verdict{1, true}, true, nil
	}
	key := [2]uint32{k.Rep, m.Rep}
	if v, seen := dc.checked[key]; seen {
		return v, true, nil
	}
	if dc.d.Checks >= dc.budget {
		if dc.skipped == nil {
			dc.skipped = make(map[uint32]bool)
		}
		dc.skipped[m.Index] = true
		return v, false, nil
	}
	sigK, err := dc.j.Signature(k.Rep)
	if err != nil {
		return v, false, err
	}
	sigM, err := dc.j.Signature(m.Rep)
	if err != nil {
		return v, false, err
	}
	masked := dc.j.Masked(k.Rep) || dc.j.Masked(m.Rep)
	text := func() (float64, error) { return dc.j.TextSimilarity(min(k.Rep, m.Rep), max(k.Rep, m.Rep)) }
	c := Check{Kept: k.Index, Member: m.Index}
	if dc.s.p.Cluster == Connected {
		err = dc.s.trueSimilarity(&c, sigK, sigM, masked, text)
	} else {
		err = dc.s.againstKept(&c, sigK, sigM, masked, text)
	}
	if err != nil {
		return v, false, err
	}
	v = verdict{c.Similarity, c.Dup}
	if dc.trace != nil {
		dc.trace(c)
	}
	dc.d.Checks++
	if c.ByText {
		dc.d.TextChecks++
	}
	if dc.checked == nil {
		dc.checked = make(map[[2]uint32]verdict)
	}
	dc.checked[key] = v
	return v, true, nil
}

// choose returns the member the keep rule keeps among ms.
func (dc *decider) choose(ms []Member) Member {
	cands := make([]keep.Candidate, len(ms))
	for i, m := range ms {
		cands[i] = keep.Candidate{Index: uint64(m.Index), Length: m.Length, Masks: m.Masks, Value: m.Value}
	}
	return ms[dc.s.p.Keep.Choose(cands)]
}

func (dc *decider) connected(members []Member) (Decision, error) {
	k := dc.choose(members)
	c := Cluster{Kept: k.Index}
	for _, m := range members {
		v, _, err := dc.check(k, m)
		if err != nil {
			return dc.d, err
		}
		if m.Index == k.Index {
			v.sim = 1
		}
		c.Members = append(c.Members, m.Index)
		c.Similarity = append(c.Similarity, v.sim)
		c.Exact = append(c.Exact, m.Rep == k.Rep)
	}
	dc.finish(&c)
	dc.d.Clusters = []Cluster{c}
	return dc.d, nil
}

func (dc *decider) verified(members []Member) (Decision, error) {
	// The kept documents, round by round, and each removed document's
	// best kept document so far.
	type removal struct {
		m     Member
		kept  int // position in kept
		round int // the round that set it aside
		v     verdict
	}
	var kept []Member
	var removed []removal
	remaining := members
	for len(remaining) > 0 {
		if dc.d.Checks >= dc.budget {
			// Out of budget: only exact copies can still be removed.
			for _, g := range byRep(remaining) {
				k := dc.choose(g)
				kept = append(kept, k)
				for _, m := range g {
					if m.Index != k.Index {
						removed = append(removed, removal{m: m, kept: len(kept) - 1, round: len(kept) - 1, v: verdict{1, true}})
					}
				}
			}
			for _, m := range remaining {
				if dc.skipped == nil {
					dc.skipped = make(map[uint32]bool)
				}
				dc.skipped[m.Index] = true
			}
			break
		}
		k := dc.choose(remaining)
		kept = append(kept, k)
		var rest []Member
		for _, m := range remaining {
			if m.Index == k.Index {
				continue
			}
			v, ok, err := dc.check(k, m)
			if err != nil {
				return dc.d, err
			}
			if !ok || !v.dup {
				rest = append(rest, m)
				continue
			}
			removed = append(removed, removal{m: m, kept: len(kept) - 1, round: len(kept) - 1, v: v})
		}
		remaining = rest
	}
	// A removed document may be closer to a document kept after it was set
	// aside: it joins the closest.
	for i := range removed {
		r := &removed[i]
		for p := r.round + 1; p < len(kept); p++ {
			v, ok, err := dc.check(kept[p], r.m)
			if err != nil {
				return dc.d, err
			}
			if ok && v.dup && v.sim > r.v.sim {
				r.kept, r.v = p, v
			}
		}
	}
	for _, r := range removed {
		delete(dc.skipped, r.m.Index) // removed after all
	}
	byKept := make([][]removal, len(kept))
	for _, r := range removed {
		byKept[r.kept] = append(byKept[r.kept], r)
	}
	for p, k := range kept {
		rs := byKept[p]
		if len(rs) == 0 {
			continue
		}
		// Members in index order, the kept one among them.
		slices.SortFunc(rs, func(a, b removal) int { return cmp.Compare(a.m.Index, b.m.Index) })
		c := Cluster{Kept: k.Index}
		add := func(i uint32, sim float64, exact bool) {
			c.Members = append(c.Members, i)
			c.Similarity = append(c.Similarity, sim)
			c.Exact = append(c.Exact, exact)
		}
		done := false
		for _, r := range rs {
			if !done && k.Index < r.m.Index {
				add(k.Index, 1, false)
				done = true
			}
			add(r.m.Index, r.v.sim, r.m.Rep == k.Rep)
		}
		if !done {
			add(k.Index, 1, false)
		}
		dc.finish(&c)
		dc.d.Clusters = append(dc.d.Clusters, c)
	}
	dc.d.Unverified = len(dc.skipped)
	dc.d.Saved = len(members) - 1 - len(removed) - dc.d.Unverified
	return dc.d, nil
}

// byRep groups members by representative, in order of first appearance.
func byRep(ms []Member) [][]Member {
	pos := make(map[uint32]int)
	var groups [][]Member
	for _, m := range ms {
		p, ok := pos[m.Rep]
		if !ok {
			p = len(groups)
			pos[m.Rep] = p
			groups = append(groups, nil)
		}
		groups[p] = append(groups[p], m)
	}
	return groups
}

// finish sets the kept document's reason: exact when every member is an
// exact copy of it.
func (dc *decider) finish(c *Cluster) {
	allExact := true
	for i, m := range c.Members {
		allExact = allExact && (m == c.Kept || c.Exact[i])
	}
	for i, m := range c.Members {
		if m == c.Kept {
			c.Exact[i] = allExact
			c.Similarity[i] = 1
		}
	}
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
