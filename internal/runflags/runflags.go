// Package runflags holds the command-line flags shared by the commands that
// judge documents: `quchong dedup`, `quchong explain`, `quchong-beam` and
// `quchong-spark dedup`. Registering them from one place keeps their names,
// defaults and meanings identical, so every command judges a pair the same
// way.
//
// The flags are registered on a pflag.FlagSet, the flag package of cobra,
// which quchong's command line is built on. quchong-beam bridges the Beam
// SDK's flags (registered on the standard library's flag package) into the
// same set with pflag's AddGoFlagSet; Parse, NormalizeArgs and Problem give
// the commands that do not use cobra the same parsing and the same messages.
// The package is internal to the github.com/quchong/quchong tree, which the
// beam and engine/spark modules belong to.
package runflags

import (
	"fmt"

	"github.com/spf13/pflag"

	"github.com/quchong/quchong/corpus"
	"github.com/quchong/quchong/keep"
	"github.com/quchong/quchong/output"
	"github.com/quchong/quchong/shingle"
	"github.com/quchong/quchong/stage"
)

// Input are the flags that say how to read the inputs.
type Input struct {
	Format, TextField, IDField string
	MaxDocBytes                int
	Level                      string // output compression level; registered by Run
	Output                     string // output compression; registered by Run
}

// Register adds --format, --text-field, --id-field and --max-doc-bytes.
func (in *Input) Register(fs *pflag.FlagSet) {
	fs.StringVar(&in.Format, "format", "auto", "input `format`: auto (by extension), txt, jsonl or parquet")
	fs.StringVar(&in.TextField, "text-field", "text", "JSONL key or Parquet column holding the text")
	fs.StringVar(&in.IDField, "id-field", "id", "JSONL key or Parquet column holding the document id; without it the id is PATH:LINE")
	fs.IntVar(&in.MaxDocBytes, "max-doc-bytes", corpus.DefaultMaxDocBytes, "reject documents larger than this many `bytes` (for JSONL, of text); quchong dedup's default is the lesser of 64 MiB and an eighth of --memory, and it refuses more than that")
}

// Options returns the validated reader options.
func (in *Input) Options() (corpus.Options, error) {
	format, err := corpus.ParseFormat(in.Format)
	if err != nil {
		return corpus.Options{}, err
	}
	if in.MaxDocBytes < 1 {
		return corpus.Options{}, fmt.Errorf("--max-doc-bytes %d: want ≥ 1", in.MaxDocBytes)
	}
	level := corpus.LevelFast
	if in.Level != "" { // only commands that write register it
		if level, err = corpus.ParseLevel(in.Level); err != nil {
			return corpus.Options{}, fmt.Errorf("--compression-level: %w", err)
		}
	}
	out := corpus.SameCompression
	if in.Output != "" {
		if out, err = corpus.ParseOutputCompression(in.Output); err != nil {
			return corpus.Options{}, fmt.Errorf("--output-compression: %w", err)
		}
	}
	return corpus.Options{Format: format, TextField: in.TextField, IDField: in.IDField, MaxDocBytes: in.MaxDocBytes, Level: level, Output: out}, nil
}

// Detection are the flags that set how documents are compared.
type Detection struct {
	p      stage.Params
	tokens string
}

// Register adds the detection flags, with stage.DefaultParams as defaults.
func (d *Detection) Register(fs *pflag.FlagSet) {
	def := stage.DefaultParams()
	d.p = def
	fs.Float64Var(&d.p.Threshold, "threshold", def.Threshold, "similarity at or above which two documents are near duplicates")
	fs.IntVar(&d.p.MinLength, "min-length", def.MinLength, "shortest normalised text, in characters, that can be a near duplicate; shorter ones match only exactly")
	fs.Float64Var(&d.p.LSHThreshold, "lsh-threshold", 0, "similarity LSH banding is tuned for (0: threshold − 0.15, so candidate recall at the threshold is near 1)")
	fs.IntVar(&d.p.Bands, "bands", 0, "LSH bands (0: derived from --lsh-threshold and -k)")
	fs.IntVar(&d.p.Rows, "rows", 0, "LSH rows per band (0: derived)")
	fs.IntVarP(&d.p.K, "k", "k", def.K, "MinHash values per signature")
	fs.IntVar(&d.p.Shingle.N, "ngram", def.Shingle.N, "shingle size: characters, or words with --tokens words")
	fs.StringVar(&d.tokens, "tokens", "chars", "shingle unit: chars (any script, the default for Chinese) or words (space-delimited text)")
	fs.Uint64Var(&d.p.Seed, "seed", def.Seed, "seed of the signature hash functions")
	fs.BoolVar(&d.p.Normalize.NFKC, "nfkc", def.Normalize.NFKC, "Unicode NFKC before fingerprinting (full-width → half-width)")
	fs.BoolVar(&d.p.Normalize.Fold, "case-fold", def.Normalize.Fold, "fold case before fingerprinting")
	fs.BoolVar(&d.p.Normalize.StripSpace, "strip-space", def.Normalize.StripSpace, "ignore whitespace and control characters")
	fs.BoolVar(&d.p.Normalize.StripPunct, "strip-punct", def.Normalize.StripPunct, "ignore punctuation, CJK punctuation included")
	fs.BoolVar(&d.p.Normalize.Masks, "masks", def.Normalize.Masks, "treat placeholder runs (XX, xx, ×××, *, ＊, 某某, ○○, □□, 20**) as masks that may stand for any short span")
	fs.BoolVar(&d.p.Normalize.T2S, "t2s", def.Normalize.T2S, "fold traditional Chinese characters to simplified")
	fs.IntVar(&d.p.Verify.MaxFill, "mask-max-fill", def.Verify.MaxFill, "longest span, in characters, a mask may stand for")
}

// Params returns the validated detection parameters (not yet resolved:
// stage.New resolves them).
func (d *Detection) Params() (stage.Params, error) {
	p := d.p
	switch d.tokens {
	case "chars", "char":
		p.Shingle.Mode = shingle.Chars
	case "words", "word":
		p.Shingle.Mode = shingle.Words
	default:
		return p, fmt.Errorf("--tokens %q: want chars or words", d.tokens)
	}
	// Every numeric flag's range, here rather than scattered: a value out of
	// range is refused, never clamped or recorded as given.
	for _, c := range []struct {
		ok   bool
		flag string
		val  any
		want string
	}{
		{p.Threshold > 0 && p.Threshold <= 1, "threshold", p.Threshold, "in (0, 1]"},
		{p.LSHThreshold >= 0 && p.LSHThreshold < 1, "lsh-threshold", p.LSHThreshold, "in (0, 1), or 0 for the default"},
		{p.MinLength >= 0, "min-length", p.MinLength, "≥ 0"},
		{p.Bands >= 0, "bands", p.Bands, "≥ 1, or 0 to derive it"},
		{p.Rows >= 0, "rows", p.Rows, "≥ 1, or 0 to derive it"},
		{p.K >= 1 && p.K <= 1024, "k", p.K, "in [1, 1024]"},
		{p.Shingle.N >= 1, "ngram", p.Shingle.N, "≥ 1"},
		{p.Verify.MaxFill >= 0, "mask-max-fill", p.Verify.MaxFill, "≥ 0"},
	} {
		if !c.ok {
			return p, fmt.Errorf("--%s %v: want %s", c.flag, c.val, c.want)
		}
	}
	if _, err := p.Resolve(); err != nil {
		return p, err
	}
	return p, nil
}

// Run are the flags of a whole deduplication run, shared by `quchong dedup`
// and `quchong-beam`: input, detection, keep rule, outputs.
type Run struct {
	Input
	Detection
	Out            string
	Keep           string
	Cluster        string
	Force, Removed bool
	Strict, Quiet  bool
}

// Register adds every flag of a run.
func (r *Run) Register(fs *pflag.FlagSet) {
	fs.StringVarP(&r.Out, "output", "o", "", "output `DIR` (required; must be empty or absent unless --force)")
	fs.BoolVar(&r.Force, "force", false, "write into a non-empty DIR, replacing quchong's previous outputs there")
	fs.BoolVar(&r.Removed, "removed", false, "also write the removed documents to DIR/removed/")
	fs.StringVar(&r.Input.Level, "compression-level", "fast", "`level` of gzip and zstd outputs: fast, default, better or best (fast: about 8% larger zstd, a third less compression time)")
	fs.StringVar(&r.Input.Output, "output-compression", "same", "`compression` of the text and JSONL outputs: same (as each input), none, gzip or zstd; the file names follow")
	r.Input.Register(fs)
	fs.BoolVar(&r.Strict, "strict", false, "stop at the first rejected document or unreadable file (exit code 3) instead of recording it")
	fs.StringVar(&r.Keep, "keep", "first", "which document of a cluster to keep: first, longest, fewest-masks, max:FIELD or min:FIELD")
	fs.StringVar(&r.Cluster, "cluster", "verified", "cluster `mode`: verified removes a document only if it is verified at or above --threshold against the one kept in its place (or an exact copy); connected removes whole connected components, chains included, as other tools do")
	r.Detection.Register(fs)
	fs.BoolVar(&r.Quiet, "quiet", false, "print nothing on stderr but errors")
}

// Request validates the run's flags and returns the request they make:
// reader options, detection parameters (keep rule and cluster mode
// included) and outputs. Its Inputs are left to the caller, who expands
// them (corpus.ExpandInputs) by the reader options' format.
func (r *Run) Request() (output.Request, error) {
	if r.Out == "" {
		return output.Request{}, fmt.Errorf("no output directory: give -o DIR")
	}
	copt, err := r.Input.Options()
	if err != nil {
		return output.Request{}, err
	}
	p, err := r.Detection.Params()
	if err != nil {
		return output.Request{}, err
	}
	if p.Keep, err = keep.Parse(r.Keep); err != nil {
		return output.Request{}, err
	}
	if p.Cluster, err = stage.ParseClusterMode(r.Cluster); err != nil {
		return output.Request{}, err
	}
	return output.Request{Corpus: copt, Params: p, OutDir: r.Out, Force: r.Force, WriteRemoved: r.Removed, Strict: r.Strict}, nil
}
