// Package output holds what a deduplication run produces, for every engine
// alike: the schema of stats.json (Stats and the records in it), the lines
// of clusters.jsonl and rejected.jsonl, and the version that stamps them.
// Engines fill these in; nothing else defines them.
package output

import (
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"slices"
	"strconv"

	"github.com/quchong/quchong/corpus"
	"github.com/quchong/quchong/stage"
)

// Version is quchong's version, written in stats.json.
const Version = "0.1.0"

// Stats is the content of DIR/stats.json: what a run read, kept, removed and
// rejected, per input file and in total, with every parameter it used and
// the time each stage took. Read = Kept + Removed + Rejected always holds,
// per file and in total.
type Stats struct {
	Tool         string        `json:"tool"`
	Version      string        `json:"version"`
	Inputs       []FileStats   `json:"inputs"`
	Total        Counts        `json:"total"`
	Clusters     int           `json:"clusters"`
	Params       ParamsReport  `json:"params"`
	Verification Verification  `json:"verification"`
	Clustering   Clustering    `json:"clustering"`
	Stages       []StageTiming `json:"stages"`
	WallSeconds  float64       `json:"wall_seconds"`
	CPUSeconds   float64       `json:"cpu_seconds"`
	Workers      int           `json:"workers"`
	// SignatureBlocks counts the blocks of 4,096 signatures; SpilledBlocks
	// those the memory budget left in the work directory's signature file
	// only, read back when needed.
	SignatureBlocks int `json:"signature_blocks"`
	SpilledBlocks   int `json:"spilled_signature_blocks"`
	// DecodedOnce counts the input files whose output pass copied their
	// records from the decoded content held since pass 1 (within a quarter
	// of the memory budget) instead of reading and decompressing them again.
	DecodedOnce int `json:"decoded_once"`
	// BandRuns is how many sorted runs each LSH band was grouped in when the
	// memory budget could not hold a band's records (absent when it could).
	BandRuns int `json:"band_runs,omitempty"`
	// DryRun says the run wrote no kept/ and no removed/ (Options.DryRun).
	DryRun bool `json:"dry_run,omitempty"`
	// Faults lists the input files that could not be read to their end (a
	// truncated or corrupt file, an unreadable one): their documents after
	// the fault were never read, so they are in no count. Empty when every
	// file was read whole.
	Faults []string `json:"faults,omitempty"`
}

// Counts are document counts.
type Counts struct {
	Read         int64            `json:"read"`
	Kept         int64            `json:"kept"`
	Removed      int64            `json:"removed"`
	RemovedExact int64            `json:"removed_exact"`
	RemovedNear  int64            `json:"removed_near"`
	Rejected     int64            `json:"rejected"`
	RejectedBy   map[string]int64 `json:"rejected_by_reason"`
	InputBytes   int64            `json:"input_bytes"`
}

// Add adds o's counts to c.
func (c *Counts) Add(o Counts) {
	c.Read += o.Read
	c.Kept += o.Kept
	c.Removed += o.Removed
	c.RemovedExact += o.RemovedExact
	c.RemovedNear += o.RemovedNear
	c.Rejected += o.Rejected
	c.InputBytes += o.InputBytes
	for k, v := range o.RejectedBy {
		if c.RejectedBy == nil {
			c.RejectedBy = make(map[string]int64)
		}
		c.RejectedBy[k] += v
	}
}

// FileStats are the counts of one input file.
type FileStats struct {
	Path        string `json:"path"`
	Output      string `json:"output"`
	Format      string `json:"format"`
	Compression string `json:"compression"`
	// Fault says why the file could not be read to its end, if it could not.
	Fault string `json:"fault,omitempty"`
	Counts
}

// ParamsReport lists every detection parameter a run used.
type ParamsReport struct {
	Tokens       string  `json:"tokens"`
	NGram        int     `json:"ngram"`
	K            int     `json:"k"`
	Seed         uint64  `json:"seed"`
	Threshold    float64 `json:"threshold"`
	MinLength    int     `json:"min_length"`
	LSHThreshold float64 `json:"lsh_threshold"`
	Bands        int     `json:"bands"`
	Rows         int     `json:"rows"`
	// CandidateProbability is the chance that LSH makes a pair of the given
	// Jaccard similarity a candidate, for a few similarities.
	CandidateProbability map[string]float64 `json:"candidate_probability"`
	AcceptMargin         float64            `json:"accept_margin"`
	RejectMargin         float64            `json:"reject_margin"`
	MaskRejectMargin     float64            `json:"mask_reject_margin"`
	MaxFill              int                `json:"mask_max_fill"`
	Normalize            NormalizeReport    `json:"normalize"`
	Keep                 string             `json:"keep"`
	Cluster              string             `json:"cluster"`
	Format               string             `json:"format"`
	TextField            string             `json:"text_field"`
	IDField              string             `json:"id_field"`
	MaxDocBytes          int                `json:"max_doc_bytes"`
	CompressionLevel     string             `json:"compression_level"`
	OutputCompression    string             `json:"output_compression"`
	Strict               bool               `json:"strict"`
	MemoryBudget         int64              `json:"memory_budget"`
}

// NormalizeReport lists the normalisation rules in force.
type NormalizeReport struct {
	NFKC       bool `json:"nfkc"`
	Fold       bool `json:"case_fold"`
	StripSpace bool `json:"strip_space"`
	StripPunct bool `json:"strip_punct"`
	Masks      bool `json:"masks"`
	T2S        bool `json:"t2s"`
}

// Verification counts what happened to candidate pairs.
type Verification struct {
	// ExactGroups is the number of groups of two or more documents with the
	// same normalised text.
	ExactGroups int64 `json:"exact_groups"`
	// CandidatePairs is the number of distinct pairs that LSH proposed and
	// signature screening did not reject.
	CandidatePairs int64 `json:"candidate_pairs"`
	// AcceptedBySignature pairs had an estimate clearly above the threshold.
	AcceptedBySignature int64 `json:"accepted_by_signature"`
	// TextChecked pairs were borderline and decided on their texts;
	// AcceptedByText of them reached the threshold.
	TextChecked    int64 `json:"text_checked"`
	AcceptedByText int64 `json:"accepted_by_text"`
}

// Clustering counts what the cluster decision did with the connected
// components of linked documents (stage.Decide).
type Clustering struct {
	// Mode is the --cluster mode: verified or connected.
	Mode string `json:"mode"`
	// Components is the number of connected components of two or more
	// documents; ComponentsSplit those that did not become exactly one
	// cluster removing all but one member.
	Components      int `json:"components"`
	ComponentsSplit int `json:"components_split"`
	// DocumentsSaved counts the documents kept because they were under the
	// threshold against the document that would have been kept in their
	// place: --cluster connected would have removed them.
	DocumentsSaved int64 `json:"documents_saved"`
	// Unverified counts the documents kept because their component's
	// verification budget (stage.ChecksPerMember) ran out.
	Unverified int64 `json:"unverified"`
	// KeptChecks counts the pairs verified against a kept document;
	// KeptTextChecks those of them decided on their texts.
	KeptChecks     int64 `json:"kept_checks"`
	KeptTextChecks int64 `json:"kept_text_checks"`
}

// Add counts one component's decision.
func (c *Clustering) Add(d stage.Decision) {
	c.Components++
	if d.Split() {
		c.ComponentsSplit++
	}
	c.DocumentsSaved += int64(d.Saved)
	c.Unverified += int64(d.Unverified)
	c.KeptChecks += int64(d.Checks)
	c.KeptTextChecks += int64(d.TextChecks)
}

// Merge adds the counts of o, the decisions of other components (another
// shard's), to c; the mode stays c's.
func (c *Clustering) Merge(o Clustering) {
	c.Components += o.Components
	c.ComponentsSplit += o.ComponentsSplit
	c.DocumentsSaved += o.DocumentsSaved
	c.Unverified += o.Unverified
	c.KeptChecks += o.KeptChecks
	c.KeptTextChecks += o.KeptTextChecks
}

// Reject counts a rejected record (read already counted), by reason.
func (c *Counts) Reject(reason string) {
	c.Rejected++
	if c.RejectedBy == nil {
		c.RejectedBy = make(map[string]int64)
	}
	c.RejectedBy[reason]++
}

// StageTiming is the time one stage took.
type StageTiming struct {
	Stage   string  `json:"stage"`
	Seconds float64 `json:"seconds"`
}

// ParamDigits and TimeDigits are the digits kept in stats.json: parameters are meant to four decimals (a
// threshold of 0.45, not 0.44999999999999996), times to the millisecond.
const (
	ParamDigits = 4
	TimeDigits  = 3
)

// MarshalJSON writes the stats with stable types, so that a program reading
// stats.json never meets a null: an empty map is {} and an empty list [],
// and a field that may be absent (band_runs, dry_run, faults, an input's
// fault) is left out rather than null. Floats are rounded to what they mean.
func (s Stats) MarshalJSON() ([]byte, error) {
	type plain Stats // without this method
	p := plain(s)
	p.Inputs = slices.Clone(p.Inputs)
	if p.Inputs == nil {
		p.Inputs = []FileStats{}
	}
	for i := range p.Inputs {
		p.Inputs[i].Counts = p.Inputs[i].Counts.stable()
	}
	p.Total = p.Total.stable()
	p.Params = p.Params.stable()
	p.Stages = slices.Clone(p.Stages)
	if p.Stages == nil {
		p.Stages = []StageTiming{}
	}
	for i := range p.Stages {
		p.Stages[i].Seconds = Round(p.Stages[i].Seconds, TimeDigits)
	}
	p.WallSeconds = Round(p.WallSeconds, TimeDigits)
	p.CPUSeconds = Round(p.CPUSeconds, TimeDigits)
	if len(p.Faults) == 0 {
		p.Faults = nil // omitted
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // the caller's encoder escapes, or not, as it was told
	if err := enc.Encode(p); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// stable returns c with an empty map, not nil, for no rejections.
func (c Counts) stable() Counts {
	if c.RejectedBy == nil {
		c.RejectedBy = map[string]int64{}
	} else {
		c.RejectedBy = maps.Clone(c.RejectedBy)
	}
	return c
}

// stable returns p with its fractions rounded and no nil map.
func (p ParamsReport) stable() ParamsReport {
	for _, f := range []*float64{&p.Threshold, &p.LSHThreshold, &p.AcceptMargin, &p.RejectMargin, &p.MaskRejectMargin} {
		*f = Round(*f, ParamDigits)
	}
	cp := make(map[string]float64, len(p.CandidateProbability))
	for k, v := range p.CandidateProbability {
		cp[k] = Round(v, ParamDigits)
	}
	p.CandidateProbability = cp
	return p
}

// Round rounds x to digits decimals, as stats.json and clusters.jsonl give
// fractions.
func Round(x float64, digits int) float64 {
	v, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'f', digits, 64), 64)
	return v
}

// NewParamsReport describes resolved detection parameters and reader
// options as stats.json reports them, for any engine (MemoryBudget aside,
// which only the local engine has).
func NewParamsReport(p stage.Params, c corpus.Options, strict bool) ParamsReport {
	tokens := "chars"
	if p.Shingle.Mode != 0 {
		tokens = "words"
	}
	probs := make(map[string]float64)
	for _, x := range []float64{0.5, 0.6, 0.7, p.LSHThreshold, p.Threshold, 0.9} {
		probs[strconv.FormatFloat(x, 'f', 2, 64)] = Round(p.LSH().Probability(x), 4)
	}
	return ParamsReport{
		Tokens: tokens, NGram: p.Shingle.N, K: p.K, Seed: p.Seed,
		Threshold: p.Threshold, MinLength: p.MinLength, LSHThreshold: p.LSHThreshold, Bands: p.Bands, Rows: p.Rows,
		CandidateProbability: probs,
		AcceptMargin:         p.AcceptMargin, RejectMargin: p.RejectMargin, MaskRejectMargin: p.MaskRejectMargin,
		MaxFill: p.Verify.MaxFill,
		Normalize: NormalizeReport{
			NFKC: p.Normalize.NFKC, Fold: p.Normalize.Fold, StripSpace: p.Normalize.StripSpace,
			StripPunct: p.Normalize.StripPunct, Masks: p.Normalize.Masks, T2S: p.Normalize.T2S,
		},
		Keep: p.Keep.String(), Cluster: p.Cluster.String(), Format: c.Format.String(), TextField: c.TextField, IDField: c.IDField,
		MaxDocBytes: c.MaxDocBytes, CompressionLevel: c.Level.String(), OutputCompression: c.Output.String(), Strict: strict,
	}
}

// Stable returns p as stats.json holds it: fractions rounded, no nil map.
// A resumed run compares its parameters with a completed run's this way.
func (p ParamsReport) Stable() ParamsReport { return p.stable() }

// EncodeStats writes s as stats.json: indented JSON, HTML characters left
// as they are, one trailing newline. Every engine writes it through here.
func EncodeStats(w io.Writer, s *Stats) error {
	e := json.NewEncoder(w)
	e.SetIndent("", "  ")
	e.SetEscapeHTML(false)
	return e.Encode(s)
}
