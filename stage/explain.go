package stage

// Reason says why the grouping stages linked a pair of documents, or did
// not: the first rule of the decision path that settled it.
type Reason uint8

// Reasons, in the order the decision path meets them.
const (
	// ReasonExact: the normalised texts are equal (equal exact hashes).
	ReasonExact Reason = iota
	// ReasonTooShort: a document is unsigned (shorter than MinLength, or
	// nothing but masks), so the pair can only be exact duplicates.
	ReasonTooShort
	// ReasonNotCandidate: no LSH band key is shared, so the pair is never
	// screened.
	ReasonNotCandidate
	// ReasonNearBySignature: Screen accepted the pair.
	ReasonNearBySignature
	// ReasonNearByText: Screen found the pair borderline and Confirm
	// accepted its texts.
	ReasonNearByText
	// ReasonBelowThreshold: Screen rejected the pair, or Confirm did.
	ReasonBelowThreshold
)

// String names the reason as explain prints it.
func (r Reason) String() string {
	switch r {
	case ReasonExact:
		return "exact"
	case ReasonTooShort:
		return "too-short"
	case ReasonNotCandidate:
		return "not-a-candidate"
	case ReasonNearBySignature:
		return "near-by-signature"
	case ReasonNearByText:
		return "near-by-text"
	}
	return "below-threshold"
}

// Linked reports whether the reason links the pair.
func (r Reason) Linked() bool {
	return r == ReasonExact || r == ReasonNearBySignature || r == ReasonNearByText
}

// TrailDoc is one document of an explained pair, as the fingerprint stage
// saw it.
type TrailDoc struct {
	// Normalized is the normalised text Fingerprint hashed and signed.
	Normalized []rune
	// Fingerprint is what Fingerprint returned.
	Fingerprint Fingerprint
	// Signature is its MinHash signature; nil when it is unsigned.
	Signature []uint32
}

// Confirmation is the text verification of a borderline pair, as Confirm
// decides it.
type Confirmation struct {
	// Similarity is the true, mask-aware similarity of the normalised texts;
	// Accepted says it reached Threshold.
	Similarity float64
	Threshold  float64
	Accepted   bool
}

// Trail is the decision path a run takes for a pair of documents judged on
// their own, step by step, with the values each step used. Every value is
// recorded by the stage functions engines call (Fingerprint, BandKeys,
// Link's screens, ConfirmPrepared, Decide's checks), so the trail cannot
// say other than the run decides.
type Trail struct {
	// Params are the resolved parameters.
	Params Params
	// Docs are the pair in input order: Docs[0] has the smaller dense
	// index, which Link makes the centre of their bucket and the keep rule
	// first prefers.
	Docs [2]TrailDoc
	// Exact says the exact hashes are equal: the pair is linked and nothing
	// else is computed before the cluster decision.
	Exact bool
	// SharedBands lists the LSH bands whose keys the two signatures share
	// (both signed, not exact): one puts them in a bucket together.
	SharedBands []int
	// Screen is the signature screen Link made, when the pair shared a
	// bucket.
	Screen *Screening
	// Confirm is the text verification of a pair Screen found borderline.
	Confirm *Confirmation
	// Reason is why the pair is linked or not (Reason.Linked).
	Reason Reason
	// Decision is the cluster decision (Decide) on the linked pair as a
	// component of its own; Checks are the checks it made, in order: the
	// first check's Kept is the document the keep rule kept first. Both
	// are empty when the pair is not linked.
	Decision *Decision
	Checks   []Check
}

// Linked reports whether the grouping stages link the pair.
func (t *Trail) Linked() bool { return t.Reason.Linked() }

// Removed returns which document of Docs (0 or 1) the cluster decision
// removes, whether as an exact copy of the kept one, and its similarity to
// it, as clusters.jsonl gives them; ok is false when it removes neither.
func (t *Trail) Removed() (doc int, exact bool, sim float64, ok bool) {
	if t.Decision == nil || len(t.Decision.Clusters) == 0 {
		return 0, false, 0, false
	}
	c := t.Decision.Clusters[0]
	for i, m := range c.Members {
		if m != c.Kept {
			return int(m), c.Exact[i], c.Similarity[i], true
		}
	}
	return 0, false, 0, false
}

// Explain judges a pair of documents on their own, as a run whose input is
// these two texts, first then second, decides them, and returns the trail
// of that decision: fingerprints, exact hashes, shared LSH bands, the
// signature screen, the text verification and the cluster decision. A run
// of more documents can also link the pair through others, or screen it
// against another centre of a crowded bucket; the trail is the pair's own
// path. Keep rules that read a field see no value.
func (s *Stages) Explain(first, second []byte) (*Trail, error) {
	t := &Trail{Params: s.p}
	var sc Scratch
	for i, text := range [2][]byte{first, second} {
		d := &t.Docs[i]
		sig := make([]uint32, s.p.K)
		d.Fingerprint = s.Fingerprint(sig, text, &sc)
		// The runes the engines' judges compare (Fingerprint's own are
		// dropped after a very large text).
		d.Normalized, _ = s.Normalize(nil, text)
		if d.Fingerprint.Signed {
			d.Signature = sig
		}
	}
	a, b := &t.Docs[0], &t.Docs[1]
	t.Exact = a.Fingerprint.Exact == b.Fingerprint.Exact
	t.Reason = s.linkPair(t, &sc)
	if !t.Linked() {
		return t, nil
	}

	// The cluster decision on the component {0, 1}, as an engine makes it
	// over the same representatives, signatures and texts.
	j := &MemJudge{Stages: s, Sigs: map[uint32][]uint32{}, Masks: map[uint32]bool{}, Texts: map[uint32][]rune{}}
	members := make([]Member, 2)
	for i := range t.Docs {
		d := &t.Docs[i]
		rep := uint32(i)
		if t.Exact {
			rep = 0
		}
		members[i] = Member{Index: uint32(i), Rep: rep, Length: d.Fingerprint.Length, Masks: d.Fingerprint.Masks}
		if d.Signature != nil {
			j.Sigs[uint32(i)] = d.Signature
		}
		j.Masks[uint32(i)] = d.Fingerprint.Masks > 0
		j.Texts[uint32(i)] = d.Normalized
	}
	d, err := s.decide(members, j, func(c Check) { t.Checks = append(t.Checks, c) })
	if err != nil {
		return nil, err
	}
	t.Decision = &d
	return t, nil
}

// linkPair takes the pair through grouping (exact hashes, then band keys and
// Link's screen) and confirmation, recording each step in t, and returns
// why the pair is linked or not.
func (s *Stages) linkPair(t *Trail, sc *Scratch) Reason {
	a, b := &t.Docs[0], &t.Docs[1]
	if t.Exact {
		return ReasonExact
	}
	if a.Signature == nil || b.Signature == nil {
		return ReasonTooShort // engines band only signed representatives
	}
	ka := s.BandKeys(nil, a.Signature)
	kb := s.BandKeys(nil, b.Signature)
	for band := range ka {
		if ka[band] == kb[band] {
			t.SharedBands = append(t.SharedBands, band)
		}
	}
	if len(t.SharedBands) == 0 {
		return ReasonNotCandidate
	}
	// Their bucket in each shared band: Link screens the pair the same way
	// in every one (DistinctPairs keeps it once).
	sig := func(i uint32) []uint32 { return t.Docs[i].Signature }
	masked := func(i uint32) bool { return t.Docs[i].Fingerprint.Masks > 0 }
	var pair *Pair
	s.link([]uint32{0, 1}, sig, masked, func(p Pair) { pair = &p }, func(_, _ uint32, sg Screening) { t.Screen = &sg })
	switch {
	case pair == nil:
		return ReasonBelowThreshold
	case pair.Verdict == Accept:
		return ReasonNearBySignature
	}
	// Borderline: the confirm stage reads the texts, prepared as the local
	// engine prepares them.
	sim, ok := s.ConfirmPrepared(s.Prepare(a.Normalized), s.Prepare(b.Normalized), sc)
	t.Confirm = &Confirmation{Similarity: sim, Threshold: s.p.Threshold, Accepted: ok}
	if ok {
		return ReasonNearByText
	}
	return ReasonBelowThreshold
}
