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

// Screening is one signature screen as Screen decides it: the estimate,
// the bounds it was compared with and the verdict.
type Screening struct {
	// Estimate is the MinHash estimate of the pair's shingle Jaccard
	// similarity.
	Estimate float64
	// AcceptAt is Threshold + AcceptMargin: an estimate at or above it is
	// accepted. RejectBelow is Threshold − RejectMargin, or Threshold −
	// MaskRejectMargin when Masked: an estimate under it is rejected.
	AcceptAt, RejectBelow float64
	// Masked says whether either document has a placeholder mask.
	Masked  bool
	Verdict Verdict
}

// Screen decides a candidate pair from its signatures: the Jaccard estimate
// and a verdict. masked says whether either document has a placeholder mask.
func (s *Stages) Screen(a, b []uint32, masked bool) (float64, Verdict) {
	sg := s.screen(a, b, masked)
	return sg.Estimate, sg.Verdict
}

// screen is Screen with the bounds it compared the estimate with: the one
// rule of the signature screen, for Screen and for Explain.
func (s *Stages) screen(a, b []uint32, masked bool) Screening {
	t := s.p.Threshold
	margin := s.p.RejectMargin
	if masked {
		margin = s.p.MaskRejectMargin
	}
	sg := Screening{Estimate: minhash.Similarity(a, b), AcceptAt: t + s.p.AcceptMargin, RejectBelow: t - margin, Masked: masked}
	switch {
	case sg.Estimate >= sg.AcceptAt:
		// Masks only hide shared text, so they can only raise the true
		// similarity above this estimate.
		sg.Verdict = Accept
	case sg.Estimate >= sg.RejectBelow:
		sg.Verdict = NeedText
	default:
		sg.Verdict = Reject
	}
	return sg
}

// Confirm computes the true, mask-aware similarity of two normalised texts
// and whether it reaches the threshold.
func (s *Stages) Confirm(a, b []rune, sc *Scratch) (float64, bool) {
	sim := verify.Similarity(a, b, s.p.Verify, &sc.verify)
	return sim, sim >= s.p.Threshold
}

// Prepared is a normalised text readied by Prepare for ConfirmPrepared: its
// runes and its set of distinct shingle hashes.
type Prepared = verify.Prepared

// Prepare readies a normalised text for ConfirmPrepared, which compares it
// with many others without hashing it again each time.
func (s *Stages) Prepare(a []rune) Prepared { return verify.Prepare(a, s.p.Verify) }

// PrepareWith is Prepare with sc's buffers for its scratch, for a goroutine
// that prepares many texts.
func (s *Stages) PrepareWith(a []rune, sc *Scratch) Prepared {
	return verify.PrepareWith(a, s.p.Verify, &sc.verify)
}

// ConfirmPrepared is Confirm of two prepared texts, with the same result.
func (s *Stages) ConfirmPrepared(a, b Prepared, sc *Scratch) (float64, bool) {
	sim := verify.SimilarityPrepared(a, b, s.p.Verify, &sc.verify)
	return sim, sim >= s.p.Threshold
}
