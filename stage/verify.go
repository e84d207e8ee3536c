package stage

import (
	"github.com/quchong/quchong/minhash"
	"github.com/quchong/quchong/verify"
)

// Verdict is the outcome of screening a candidate pair by its signatures.
type Verdict uint8

// Screening outcomes.
const (
	// Reject: the signatures show the pair is not a near duplicate.
	Reject Verdict = iota
	// Accept: the signatures show the pair is a near duplicate.
	Accept
	// NeedText: the estimate is borderline (or masks hide shared text); the
	// texts decide, through Confirm.
	NeedText
)

// String names the verdict.
func (v Verdict) String() string {
	switch v {
	case Accept:
		return "accept"
	case NeedText:
		return "need-text"
	}
	return "reject"
}

// Screen decides a candidate pair from its signatures: the Jaccard estimate
// and a verdict. masked says whether either document has a placeholder mask.
func (s *Stages) Screen(a, b []uint32, masked bool) (float64, Verdict) {
	est := minhash.Similarity(a, b)
	t := s.p.Threshold
	margin := s.p.RejectMargin
	if masked {
		margin = s.p.MaskRejectMargin
	}
	switch {
	case est >= t+s.p.AcceptMargin:
		// Masks only hide shared text, so they can only raise the true
		// similarity above this estimate.
		return est, Accept
	case est >= t-margin:
		return est, NeedText
	}
	return est, Reject
}

// Confirm computes the true, mask-aware similarity of two normalised texts
// and whether it reaches the threshold.
func (s *Stages) Confirm(a, b []rune, sc *Scratch) (float64, bool) {
	sim := verify.Similarity(a, b, s.p.Verify, &sc.verify)
	return sim, sim >= s.p.Threshold
}

// Prepared is a normalised text readied by Prepare for ConfirmPrepared: its
// runes and, without masks, its sorted shingle set.
type Prepared = verify.Prepared

// Prepare readies a normalised text for ConfirmPrepared, which compares it
// with many others without hashing it again each time.
func (s *Stages) Prepare(a []rune) Prepared { return verify.Prepare(a, s.p.Verify) }

// ConfirmPrepared is Confirm of two prepared texts, with the same result.
func (s *Stages) ConfirmPrepared(a, b Prepared, sc *Scratch) (float64, bool) {
	sim := verify.SimilarityPrepared(a, b, s.p.Verify, &sc.verify)
	return sim, sim >= s.p.Threshold
}
