package main

import (
	"flag"
	"fmt"

	"github.com/quchong/quchong/shingle"
	"github.com/quchong/quchong/stage"
)

// paramFlags are the detection flags shared by the commands that fingerprint
// documents (dedup, explain), so both always judge a pair the same way.
type paramFlags struct {
	p      stage.Params
	tokens string
}

// register adds the detection flags, with stage.DefaultParams as defaults.
func (pf *paramFlags) register(fs *flag.FlagSet) {
	d := stage.DefaultParams()
	pf.p = d
	fs.Float64Var(&pf.p.Threshold, "threshold", d.Threshold, "similarity at or above which two documents are near duplicates")
	fs.IntVar(&pf.p.MinLength, "min-length", d.MinLength, "shortest normalised text, in characters, that can be a near duplicate; shorter ones match only exactly")
	fs.Float64Var(&pf.p.LSHThreshold, "lsh-threshold", 0, "similarity LSH banding is tuned for (0: threshold − 0.15, so candidate recall at the threshold is near 1)")
	fs.IntVar(&pf.p.Bands, "bands", 0, "LSH bands (0: derived from --lsh-threshold and -k)")
	fs.IntVar(&pf.p.Rows, "rows", 0, "LSH rows per band (0: derived)")
	fs.IntVar(&pf.p.K, "k", d.K, "MinHash values per signature")
	fs.IntVar(&pf.p.Shingle.N, "ngram", d.Shingle.N, "shingle size: characters, or words with --tokens words")
	fs.StringVar(&pf.tokens, "tokens", "chars", "shingle unit: chars (any script, the default for Chinese) or words (space-delimited text)")
	fs.Uint64Var(&pf.p.Seed, "seed", d.Seed, "seed of the signature hash functions")
	fs.BoolVar(&pf.p.Normalize.NFKC, "nfkc", d.Normalize.NFKC, "Unicode NFKC before fingerprinting (full-width → half-width)")
	fs.BoolVar(&pf.p.Normalize.Fold, "case-fold", d.Normalize.Fold, "fold case before fingerprinting")
	fs.BoolVar(&pf.p.Normalize.StripSpace, "strip-space", d.Normalize.StripSpace, "ignore whitespace and control characters")
	fs.BoolVar(&pf.p.Normalize.StripPunct, "strip-punct", d.Normalize.StripPunct, "ignore punctuation, CJK punctuation included")
	fs.BoolVar(&pf.p.Normalize.Masks, "masks", d.Normalize.Masks, "treat placeholder runs (XX, xx, ×××, *, ＊, 某某, ○○, □□, 20**) as masks that may stand for any short span")
	fs.BoolVar(&pf.p.Normalize.T2S, "t2s", d.Normalize.T2S, "fold traditional Chinese characters to simplified")
	fs.IntVar(&pf.p.Verify.MaxFill, "mask-max-fill", d.Verify.MaxFill, "longest span, in characters, a mask may stand for")
}

// resolve returns the validated parameters the flags describe.
func (pf *paramFlags) resolve() (stage.Params, error) {
	p := pf.p
	switch pf.tokens {
	case "chars", "char":
		p.Shingle.Mode = shingle.Chars
	case "words", "word":
		p.Shingle.Mode = shingle.Words
	default:
		return p, fmt.Errorf("--tokens %q: want chars or words", pf.tokens)
	}
	if _, err := p.Resolve(); err != nil {
		return p, err
	}
	return p, nil
}
