// Package stage is the contract between quchong's engines and its
// algorithms: one pure function per stage of the deduplication flow,
//
//	read → normalise → fingerprint → band keys → group → screen → confirm → cluster → keep → write
//
// Engines (the local engine in engine/local, the Apache Beam pipeline) decide
// where records live and how work is spread over cores or machines; they call
// only this package for what a stage computes, so every engine gives the same
// answer. Explain takes one pair of documents through the same functions and
// returns the trail of their decision, for quchong explain. Nothing here
// starts goroutines or touches files.
package stage

import (
	"errors"
	"fmt"
	"math"

	"github.com/quchong/quchong/keep"
	"github.com/quchong/quchong/lsh"
	"github.com/quchong/quchong/minhash"
	"github.com/quchong/quchong/normalize"
	"github.com/quchong/quchong/shingle"
	"github.com/quchong/quchong/verify"
)

// Params are the detection parameters of a run. The zero value is not
// valid; start from DefaultParams.
type Params struct {
	// Normalize selects the normalisation rules applied before fingerprinting.
	Normalize normalize.Options
	// Shingle selects character or word n-grams and n.
	Shingle shingle.Options
	// K is the number of MinHash values per signature.
	K int
	// Seed seeds the signature hash functions. Runs compare only with runs
	// of the same seed.
	Seed uint64
	// Threshold is the similarity at or above which two documents are near
	// duplicates.
	Threshold float64
	// MinLength is the shortest normalised text, in characters, that can be
	// a near duplicate; shorter documents match only exactly. A one-word
	// change in a ten-character sentence changes its meaning (a question
	// and its paraphrase, two product names), so near-matching short texts
	// merges distinct documents.
	MinLength int
	// LSHThreshold is the similarity at which LSH banding is tuned. It sits
	// below Threshold so that candidate recall at Threshold is near 1: the
	// verifier, not the banding, decides. 0 means Threshold − 0.15.
	LSHThreshold float64
	// Bands and Rows fix the LSH banding; both 0 derives them from
	// LSHThreshold and K by minimising 0.2 × false-positive area + 0.8 ×
	// false-negative area, and one alone takes the other as large as K
	// allows.
	Bands, Rows int
	// AcceptMargin: a pair whose signature estimate is at least
	// Threshold + AcceptMargin is accepted without reading its texts.
	AcceptMargin float64
	// RejectMargin: a pair whose estimate is below Threshold − RejectMargin
	// is rejected without reading its texts, unless one side has masks.
	RejectMargin float64
	// MaskRejectMargin replaces RejectMargin when either document contains
	// a placeholder mask, whose shingles the signature cannot match.
	MaskRejectMargin float64
	// Verify configures the true (mask-aware) similarity.
	Verify verify.Options
	// Keep chooses the document kept in each cluster.
	Keep keep.Rule
	// Cluster says how a component of linked documents becomes clusters:
	// Verified (the default) removes only documents verified against the
	// one kept in their place; Connected removes whole components.
	Cluster ClusterMode
}

// DefaultParams returns the defaults documented in README.md.
func DefaultParams() Params {
	return Params{
		Normalize:        normalize.Default(),
		Shingle:          shingle.Options{N: 5, Mode: shingle.Chars},
		K:                128,
		Seed:             1,
		Threshold:        0.6,
		MinLength:        20,
		AcceptMargin:     0.05,
		RejectMargin:     0.1,
		MaskRejectMargin: 0.35,
		Verify:           verify.Options{MaxFill: 24, Context: 4},
	}
}

// LSH weights: missing a duplicate costs more than verifying a false candidate.
const (
	weightFP = 0.2
	weightFN = 0.8
)

// Resolve validates p and fills in the derived fields (LSHThreshold, Bands,
// Rows, Verify.Shingle). It is the one place options are checked.
func (p Params) Resolve() (Params, error) {
	var errs []error
	if p.K < 1 || p.K > 1024 {
		errs = append(errs, fmt.Errorf("k = %d: want 1..1024", p.K))
	}
	if !(p.Threshold > 0 && p.Threshold <= 1) {
		errs = append(errs, fmt.Errorf("threshold = %v: want (0, 1]", p.Threshold))
	}
	if p.MinLength < 0 {
		errs = append(errs, fmt.Errorf("min length = %d: want ≥ 0", p.MinLength))
	}
	if p.Shingle.N < 1 {
		errs = append(errs, fmt.Errorf("shingle size = %d: want ≥ 1", p.Shingle.N))
	}
	if p.Shingle.Mode == shingle.Words && !p.Normalize.WordBreaks {
		p.Normalize.WordBreaks = true
	}
	if len(errs) > 0 {
		return p, errors.Join(errs...)
	}
	if p.LSHThreshold == 0 {
		p.LSHThreshold = math.Max(0.3, p.Threshold-0.15)
	}
	if !(p.LSHThreshold > 0 && p.LSHThreshold < 1) {
		return p, fmt.Errorf("lsh threshold = %v: want (0, 1)", p.LSHThreshold)
	}
	switch {
	case p.Bands > 0 && p.Rows == 0:
		p.Rows = p.K / p.Bands // the most rows that fit
	case p.Rows > 0 && p.Bands == 0:
		p.Bands = p.K / p.Rows
	}
	switch {
	case p.Bands == 0 && p.Rows == 0:
		lp, err := lsh.Optimal(p.LSHThreshold, p.K, weightFP, weightFN)
		if err != nil {
			return p, fmt.Errorf("derive LSH bands: %w", err)
		}
		p.Bands, p.Rows = lp.Bands, lp.Rows
	case p.Bands < 1 || p.Rows < 1 || p.Bands*p.Rows > p.K:
		return p, fmt.Errorf("bands %d × rows %d: both must be ≥ 1 and the product ≤ k = %d", p.Bands, p.Rows, p.K)
	}
	p.Verify.Shingle = p.Shingle
	return p, nil
}

// LSH returns the banding parameters of resolved Params.
func (p Params) LSH() lsh.Params { return lsh.Params{Bands: p.Bands, Rows: p.Rows} }

// Stages holds the immutable machinery built from resolved Params: tables,
// hash functions. It is safe for concurrent use; per-goroutine buffers live
// in a Scratch.
type Stages struct {
	p      Params
	norm   *normalize.Normalizer
	signer *minhash.Signer
}

// New resolves p and builds the stages.
func New(p Params) (*Stages, error) {
	p, err := p.Resolve()
	if err != nil {
		return nil, err
	}
	signer, err := minhash.NewSigner(p.K, p.Seed)
	if err != nil {
		return nil, err
	}
	return &Stages{p: p, norm: normalize.New(p.Normalize), signer: signer}, nil
}

// Params returns the resolved parameters.
func (s *Stages) Params() Params { return s.p }

// Scratch holds one goroutine's reusable buffers.
type Scratch struct {
	runes    []rune
	shingles []uint64
	verify   verify.Scratch
}

// Normalized returns the normalised text of the document last passed to
// Fingerprint with this Scratch. It is valid until the next call.
func (sc *Scratch) Normalized() []rune { return sc.runes }
