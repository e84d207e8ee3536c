package output

import (
	"bufio"
	"encoding/json"
	"io"

	"github.com/quchong/quchong/corpus"
	"github.com/quchong/quchong/stage"
)

// The outputs of the methods below the document (quchong lines and quchong
// substr): stats.json with SubStats, and removed.jsonl with one Removal per
// removed unit or span.

// RemovedName is the file of removed units and spans in the output
// directory of quchong lines and quchong substr.
const RemovedName = "removed.jsonl"

// SubCounts are the document and character counts of a lines or substr
// run. Read = Kept + Dropped + Rejected, and Kept = Changed + Unchanged,
// per file and in total.
type SubCounts struct {
	Read      int64 `json:"read"`
	Kept      int64 `json:"kept"`
	Changed   int64 `json:"changed"`
	Unchanged int64 `json:"unchanged"`
	// Dropped are the documents left too short (under min-length, or
	// empty) once their units or spans were cut.
	Dropped    int64            `json:"dropped"`
	Rejected   int64            `json:"rejected"`
	RejectedBy map[string]int64 `json:"rejected_by_reason"`
	// Removals counts the units or spans cut.
	Removals int64 `json:"removals"`
	// CharsRead are the characters (runes) of the documents read;
	// CharsRemoved those cut from them, and CharsDropped what was left of
	// the dropped documents. The kept texts hold CharsRead − CharsRemoved
	// − CharsDropped characters.
	CharsRead    int64 `json:"chars_read"`
	CharsRemoved int64 `json:"chars_removed"`
	CharsDropped int64 `json:"chars_dropped"`
	InputBytes   int64 `json:"input_bytes"`
}

// Add adds o to c.
func (c *SubCounts) Add(o SubCounts) {
	c.Read += o.Read
	c.Kept += o.Kept
	c.Changed += o.Changed
	c.Unchanged += o.Unchanged
	c.Dropped += o.Dropped
	c.Rejected += o.Rejected
	for r, n := range o.RejectedBy {
		c.rejectN(r, n)
	}
	c.Removals += o.Removals
	c.CharsRead += o.CharsRead
	c.CharsRemoved += o.CharsRemoved
	c.CharsDropped += o.CharsDropped
	c.InputBytes += o.InputBytes
}

func (c *SubCounts) rejectN(reason string, n int64) {
	if c.RejectedBy == nil {
		c.RejectedBy = map[string]int64{}
	}
	c.RejectedBy[reason] += n
}

// SubFileStats are the counts of one input file.
type SubFileStats struct {
	Path        string `json:"path"`
	Output      string `json:"output"`
	Format      string `json:"format"`
	Compression string `json:"compression"`
	SubCounts
}

// SubParamsReport are the parameters of a lines or substr run, as run.
type SubParamsReport struct {
	Unit      string          `json:"unit,omitempty"`
	MinDocs   int             `json:"min_docs,omitempty"`
	KeepFirst bool            `json:"keep_first"`
	MinUnit   int             `json:"min_unit,omitempty"`
	MinSpan   int             `json:"min_span,omitempty"`
	MinLength int             `json:"min_length"`
	Normalize NormalizeReport `json:"normalize"`
	TextField string          `json:"text_field"`
	IDField   string          `json:"id_field"`
	Memory    int64           `json:"memory_bytes,omitempty"`
}

// SubStats is DIR/stats.json of quchong lines and quchong substr.
type SubStats struct {
	Tool    string `json:"tool"`
	Version string `json:"version"`
	// Method is "lines" or "substr".
	Method string          `json:"method"`
	Inputs []SubFileStats  `json:"inputs"`
	Total  SubCounts       `json:"total"`
	Params SubParamsReport `json:"params"`
	// DistinctUnits (lines) is how many distinct eligible units were
	// counted; CorpusChars (substr) how many normalised characters the
	// suffix array sorted.
	DistinctUnits int64 `json:"distinct_units,omitempty"`
	CorpusChars   int64 `json:"corpus_chars,omitempty"`
	// Parts (substr) is how many parts the corpus was sorted in: 1 when it
	// fit the memory budget at once.
	Parts int `json:"suffix_array_parts,omitempty"`
	// DecodedOnce (lines) counts the compressed input files whose second
	// pass read the decoded content held since the first (within a quarter
	// of the memory budget) instead of decompressing them again.
	DecodedOnce int           `json:"decoded_once,omitempty"`
	Stages      []StageTiming `json:"stages"`
	WallSeconds float64       `json:"wall_seconds"`
	Workers     int           `json:"workers"`
}

// Removal is one line of removed.jsonl: a unit or span cut from a
// document, or what was left of a dropped document. Start and End are
// character (rune) offsets into the document's original text.
type Removal struct {
	ID    string `json:"id"`
	File  string `json:"file"`
	Start int    `json:"start"`
	End   int    `json:"end"`
	Text  string `json:"text"`
	// Count is how many documents hold the unit (lines) or how many times
	// the span's first min-span characters occur (substr); 0 for a
	// dropped remainder.
	Count int `json:"count"`
	// Reason is "unit", "span", or "too-short" for the remainder of a
	// dropped document.
	Reason string `json:"reason"`
}

// EncodeRemovals writes removals as JSON lines, HTML characters unescaped.
func EncodeRemovals(w io.Writer, removals []Removal) error {
	bw := bufio.NewWriter(w)
	e := json.NewEncoder(bw)
	e.SetEscapeHTML(false)
	for i := range removals {
		if err := e.Encode(&removals[i]); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// NewSubParamsReport is the params section of a lines or substr run's
// stats.json. lines says which method ran.
func NewSubParamsReport(p stage.SubParams, c corpus.Options, lines bool, memory int64) SubParamsReport {
	r := SubParamsReport{
		MinLength: p.MinLength, TextField: c.TextField, IDField: c.IDField,
		Normalize: NormalizeReport{
			NFKC: p.Normalize.NFKC, Fold: p.Normalize.Fold, StripSpace: p.Normalize.StripSpace,
			StripPunct: p.Normalize.StripPunct, Masks: p.Normalize.Masks, T2S: p.Normalize.T2S,
		},
	}
	if lines {
		r.Unit, r.MinDocs, r.KeepFirst, r.MinUnit = p.Unit.String(), p.MinDocs, p.KeepFirst, p.MinUnit
	} else {
		r.MinSpan, r.KeepFirst, r.Memory = p.MinSpan, !p.RemoveAll, memory
	}
	return r
}
