package sub

import (
	"context"
	"fmt"
	"math"
	"os"
	"runtime/debug"

	"github.com/quchong/quchong/output"
	"github.com/quchong/quchong/stage"
)

// Substr removes repeated spans of at least opt.Params.MinSpan normalised
// characters: every occurrence but the first in input order or, with
// RemoveAll, every occurrence.
//
// Pass 1 normalises every document into one array of characters, which a
// suffix array sorts (stage.Sub.FindSpans) while it fits opt.Memory (its length
// times stage.SpanBytesPerChar, plus its unused capacity). A larger corpus
// is spilled to the work directory in parts of Memory /
// stage.SpanPartBytesPerChar characters, each sorted on its own, and the
// sorted arrays merged on disk (stage.Sub.FindSpanParts): memory stays bounded by
// the budget, plus one bit per character of the corpus, and the time grows
// as k log k parts' worth for k parts.
// Pass 2 maps each span back to the original text and rewrites the inputs.
func Substr(ctx context.Context, opt Options) (*output.SubStats, error) {
	if opt.Memory == 0 {
		opt.Memory = DefaultMemory
	}
	r, lock, err := prepare(opt, false)
	if err != nil {
		return nil, err
	}
	defer lock.Release()
	defer os.RemoveAll(r.work) // a failed run leaves no work files either

	t0 := r.begin("normalise", r.readTotal())
	// One suffix array over the whole corpus while it fits the budget;
	// beyond, parts of partChars characters spilled to the work directory,
	// sorted one at a time and merged.
	reserve := memoryReserve(opt.Memory)
	arrays := float64(opt.Memory - reserve)
	single := int(min(arrays/stage.SpanBytesPerChar, math.MaxInt32))
	partChars := int(arrays / stage.SpanPartBytesPerChar)
	var (
		text    []rune
		bounds  = []int32{0}
		records = make([][]int64, len(r.files)) // each document's record number
		first   = make([]int, len(r.files)+1)   // each file's first document
		parts   = &partFiles{dir: r.work}
		docs    = 0
		chars   int64
		spilled = false
	)
	// The array at its largest from the start: grown by appending, its
	// old copies would be garbage beyond the budget until collected. The
	// pages untouched stay out of resident memory.
	text = make([]rune, 0, min(single+1, math.MaxInt32))
	for i := range r.files { // in order: document numbers are corpus order
		first[i] = docs
		err := r.read(ctx, i, func(record int64, t []byte) error {
			before := len(text)
			text = r.sub.Normalize(text, t)
			chars += int64(len(text) - before)
			if len(text) > math.MaxInt32 {
				return fmt.Errorf("substr: %s: a part of the corpus holds more than 2³¹ characters; lower --memory", r.files[i].Path)
			}
			bounds = append(bounds, int32(len(text)))
			records[i] = append(records[i], record)
			docs++
			// The array's capacity counts: appending grows it by up to a
			// quarter beyond what it holds.
			over := len(text) > single || float64(cap(text)-len(text))*4 > arrays-float64(len(text))*stage.SpanBytesPerChar
			if over && !spilled || spilled && len(text) > partChars {
				done, err := parts.spillParts(text, bounds, partChars, false)
				if err != nil {
					return err
				}
				spilled = true
				// Move the documents not written yet to the front.
				lo := bounds[done]
				text = text[:copy(text, text[lo:])]
				bounds = bounds[:copy(bounds, bounds[done:])]
				for k := range bounds {
					bounds[k] -= lo
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	first[len(r.files)] = docs
	if spilled && len(bounds) > 1 {
		if _, err := parts.spillParts(text, bounds, partChars, true); err != nil {
			return nil, err
		}
	}
	r.timed("normalise", t0)

	t0 = r.begin("suffix array", 0)
	var spans []stage.Span
	if spilled {
		// Let pass 1's array go, and return it to the system, before
		// the sorting makes its own: made while it waits for a
		// collection, they would come on top of it.
		text, bounds = nil, nil
		debug.FreeOSMemory()
		// The merge reads the parts' texts at random: in memory as far as
		// they fit the arrays' budget (4 bytes a character, and a bit of
		// marks, within seven tenths of it: the rest is garbage the
		// collector may leave), the rest from the files.
		parts.hold = 0.7 * arrays / (4.2 * float64(max(chars, 1)))
		// The parts are loaded to be sorted, one by one.
		n := len(parts.paths)
		load := func(k int, dst []rune) ([]rune, []int32, error) {
			r.log("sorting part %d of %d", k+1, n)
			return parts.load(k, dst)
		}
		spans, err = r.sub.FindSpanParts(stage.SpanParts{N: n, Load: load, View: parts.view, Dir: r.work, MaxLen: parts.maxChars})
	} else {
		spans, err = r.sub.FindSpans(text, bounds)
	}
	if err != nil {
		return nil, err
	}
	text = nil // rewritten by FindSpans; let it go before pass 2
	r.timed("suffix array", t0)

	t0 = r.begin("rewrite", r.inputBytes)
	results := make([]fileResult, len(r.files))
	err = r.eachFile(ctx, func(i int) error {
		// This file's spans, in document order.
		lo, hi := spanRange(spans, first[i], first[i+1])
		mine := spans[lo:hi]
		k := 0 // the file's next document
		// A document pass 1 read and no span touches is copied as it is.
		same := func(record int64) bool {
			for k < len(records[i]) && records[i][k] < record {
				k++
			}
			if k == len(records[i]) || records[i][k] != record {
				return false // rejected in pass 1 (and again now)
			}
			doc := first[i] + k
			for len(mine) > 0 && mine[0].Doc < doc {
				mine = mine[1:]
			}
			return len(mine) == 0 || mine[0].Doc != doc
		}
		return r.rewrite(ctx, i, &results[i], same, func(record int64, t []byte, sc *stage.SubScratch, cuts []stage.Cut) ([]stage.Cut, string) {
			for k < len(records[i]) && records[i][k] < record {
				k++
			}
			doc := first[i] + k
			for len(mine) > 0 && mine[0].Doc < doc {
				mine = mine[1:]
			}
			n := 0
			for n < len(mine) && mine[n].Doc == doc {
				n++
			}
			return r.sub.SpanCuts(cuts, t, mine[:n], sc), "span"
		})
	})
	if err != nil {
		return nil, err
	}
	r.timed("rewrite", t0)
	return r.finish(results, func(st *output.SubStats) {
		st.CorpusChars = chars
		st.Parts = max(1, len(parts.paths))
	})
}

// memoryReserve is the part of a budget of memory bytes that Substr leaves
// to the rest of the process (the Go runtime, readers, buffers, the lists
// of documents and spans, the program's own pages, garbage between two
// collections): a third, at most 192 MiB. The arrays get the rest.
func memoryReserve(memory int64) int64 { return min(memory/3, 192<<20) }

// MemoryLimit is the Go memory limit (runtime/debug.SetMemoryLimit) for
// Substr under a budget of memory bytes: the budget less 48 MiB (a quarter
// of a smaller budget) for what the process holds outside the Go runtime's
// count, mostly its program's pages, and what the collector lets the heap
// overshoot its limit by, so that its resident memory stays within the
// budget.
func MemoryLimit(memory int64) int64 {
	if memory == 0 {
		memory = DefaultMemory
	}
	return memory - min(48<<20, memory/4)
}

// spanRange returns the indices of the spans of documents [lo, hi).
func spanRange(spans []stage.Span, lo, hi int) (int, int) {
	a := 0
	for a < len(spans) && spans[a].Doc < lo {
		a++
	}
	b := a
	for b < len(spans) && spans[b].Doc < hi {
		b++
	}
	return a, b
}
