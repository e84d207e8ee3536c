package local

import (
	"fmt"

	"github.com/quchong/quchong/corpus"
)

// DefaultMemory is the default memory budget: 1 GiB.
const DefaultMemory = 1 << 30

// DocCost bounds what one document costs in memory, in multiples of its
// size, beyond the per-document tables: the line as read, the batch that
// carries it to a worker, its normalised runes (4 bytes a character) and,
// for JSONL, a line up to twice its text. Measured at about 5 for a single
// 60 MB line of text; 8 leaves a margin.
const DocCost = 8

// workingFloor is the least working set a stage is given, whatever the
// tables already hold: below it, stages would make no progress.
const workingFloor = 64 << 20

// Budget is a run's memory budget (--memory), in bytes, and the one place it
// is divided: each stage sizes its work to its share.
//
//	a quarter   the decoded (decompressed) inputs held for the output pass
//	a quarter   the readers of pass 1, reading files or parts at once
//	a third     the signature blocks kept in memory (the rest are read back)
//	the rest    what the per-document tables leave: grouping's band
//	            records, and a quarter of it confirmation's texts
//
// One document may be up to an eighth (1/DocCost) of the budget.
type Budget int64

// NewBudget returns the budget of total bytes; 0 or less means
// DefaultMemory.
func NewBudget(total int64) Budget {
	if total <= 0 {
		return DefaultMemory
	}
	return Budget(total)
}

// Total returns the whole budget in bytes.
func (b Budget) Total() int64 { return int64(b) }

// Decoded is the share for the decoded inputs the output pass copies from.
func (b Budget) Decoded() int64 { return int64(b) / 4 }

// Readers is the share for the readers of pass 1.
func (b Budget) Readers() int64 { return int64(b) / 4 }

// Signatures is the share for the signature blocks kept in memory.
func (b Budget) Signatures() int64 { return int64(b) / 3 }

// Working returns what is left for a stage's working set once used bytes
// (the per-document tables, resident signatures, decoded inputs) are held,
// and never less than 64 MiB.
func (b Budget) Working(used int64) int64 { return max(int64(b)-used, workingFloor) }

// Texts is confirmation's share of a working set: the texts of the pairs it
// checks at once.
func Texts(working int64) int64 { return working / 4 }

// MaxDocBytes returns the largest document the budget holds: an eighth
// (1/DocCost) of it, of 64 MiB for a smaller budget, and never above
// corpus.DefaultMaxDocBytes.
func (b Budget) MaxDocBytes() int {
	return int(min(int64(corpus.DefaultMaxDocBytes), max(int64(b), workingFloor)/DocCost))
}

// checkBudget sets the document size limit from the budget when none is
// given, and refuses one the budget cannot hold.
func (r *run) checkBudget() error {
	limit := r.budget.MaxDocBytes()
	switch {
	case r.opt.Corpus.MaxDocBytes <= 0 && limit < corpus.DefaultMaxDocBytes:
		r.opt.Corpus.MaxDocBytes = limit
	case r.opt.Corpus.MaxDocBytes <= 0:
		// The reader's default, which the budget holds: left as 0, as the
		// caller gave it (and as stats.json and the Beam engine report it).
	case r.opt.Corpus.MaxDocBytes > limit:
		return &ConfigError{fmt.Errorf("--max-doc-bytes %d: one document costs up to %d times its size in memory, more than the budget of %d bytes holds; the largest this budget holds is %d (raise --memory, or lower --max-doc-bytes)", r.opt.Corpus.MaxDocBytes, DocCost, r.budget.Total(), limit)}
	}
	return nil
}
