// Package sub is the executor of quchong's methods below the document:
// unit deduplication (Lines: repeated lines, paragraphs or sentences, CCNet
// style) and exact-substring deduplication (Substr: repeated spans found
// with a suffix array, as in Lee et al. 2022). Both read the inputs with
// the corpus readers and their reject accounting, match on the normalised,
// mask-folded text through stage.Sub, and write, in the output directory:
//
//	kept/          every kept document in its input's format and compression,
//	               the text field rewritten, every other field as it was
//	removed.jsonl  each removed unit or span, character offsets into the original
//	rejected.jsonl the records that could not be used
//	stats.json     read = kept (changed + unchanged) + dropped + rejected, per file
//	report.html    the most removed units and a few documents before and after
//
// A run reads its inputs twice (counting, then rewriting). Files are read
// by Workers goroutines; every decision depends on input order only, and
// the outputs are merged in input order, so they do not depend on Workers.
package sub

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/quchong/quchong/atomicfile"
	"github.com/quchong/quchong/corpus"
	"github.com/quchong/quchong/output"
	"github.com/quchong/quchong/progress"
	"github.com/quchong/quchong/record"
	"github.com/quchong/quchong/report"
	"github.com/quchong/quchong/stage"
	"github.com/zeebo/xxh3"
)

// workName is the work directory inside the output directory, removed at
// the end of a run.
const workName = ".quchong-sub-work"

// DefaultMemory is the memory budget when Options.Memory is 0.
const DefaultMemory = 2 << 30

// Options configure a run.
type Options struct {
	// Inputs are files, directories or globs (corpus.ExpandInputs).
	// Standard input ("-") and named pipes are copied to the work
	// directory first (output.Spool): a run reads its inputs twice.
	Inputs []string
	// OutDir is the output directory.
	OutDir string
	// Force lets a run write into a non-empty OutDir, removing what an
	// earlier run of quchong wrote there.
	Force bool
	// Corpus says how inputs are read and outputs compressed.
	Corpus corpus.Options
	// Params are the method's parameters (stage.DefaultSubParams).
	Params stage.SubParams
	// Workers is how many files are read at once; 0 means one per core.
	Workers int
	// Memory bounds Substr's resident memory (with the Go memory limit
	// at MemoryLimit): its suffix arrays and normalised corpus get all but
	// a reserve (memoryReserve); one array over the corpus while it fits
	// (stage.SpanBytesPerChar bytes a character), else parts spilled to
	// the work directory, sorted one at a time and merged. Lines holds the
	// decoded content of compressed inputs between its two passes in a
	// quarter of it, up to half while they are read (corpus.DecodedCache),
	// so that pass 2 does not decompress them again; a file that does not
	// fit is decompressed again. 0 means DefaultMemory.
	Memory int64
	// NoReport skips report.html.
	NoReport bool
	// Strict stops the run at the first rejected record (an *InputError)
	// instead of recording it in rejected.jsonl and going on.
	Strict bool
	// Progress receives the run's progress events: each stage's start,
	// progress (documents and bytes) and end, and a note as each spilled
	// part is sorted; nil means silent. It is called from one goroutine
	// at a time.
	Progress func(progress.Event)
}

// run is one run's state shared by its passes.
type run struct {
	opt     Options
	lines   bool
	sub     *stage.Sub
	files   []output.File
	paths   []string // the path each file is read from: its own, or its copy in work (output.Spool)
	work    string
	start   time.Time
	stages  []output.StageTiming
	counts  []output.SubCounts   // per file
	rejects [][]output.Rejection // per file
	docs    []int64              // per file: documents pass 1 read

	// Lines: the decoded content of compressed inputs, held between the
	// passes (nil where a file is not held). Pass 1 seals the files in
	// input order, reading at most maxAhead files beyond the first not yet
	// sealed (window), so that which files are held depends on the inputs
	// and the budget only.
	decoded  corpus.DecodedCache
	held     []*corpus.DecodedFile
	window   bool                  // pass 1 of Lines: eachFile keeps to the window
	readDone []bool                // files pass 1 is done with
	waiting  []*corpus.DecodedFile // read, held, not yet sealed
	sealNext int                   // the first file not yet sealed
	sealMu   sync.Mutex            // guards the above, inputBytes and inputDocs
	sealed   *sync.Cond            // on sealMu: sealNext moved
	once     atomic.Int64          // files pass 2 read from their held content

	prog                  *progress.Reporter
	total                 int64        // the running stage's bytes, 0 when not known
	doneDocs, doneBytes   atomic.Int64 // the running stage's progress
	inputBytes, inputDocs int64        // what pass 1 read (decoded bytes), for pass 2's progress
}

// prepare checks the options, locks and prepares the output directory.
// The caller must call finish or release the lock.
func prepare(opt Options, lines bool) (*run, *output.DirLock, error) {
	sub, err := stage.NewSub(opt.Params, lines)
	if err != nil {
		return nil, nil, &output.ConfigError{Err: err}
	}
	if len(opt.Inputs) == 0 {
		return nil, nil, &output.ConfigError{Err: errors.New("no input")}
	}
	if opt.OutDir == "" {
		return nil, nil, &output.ConfigError{Err: errors.New("no output directory")}
	}
	paths, err := corpus.ExpandInputs(opt.Inputs, opt.Corpus.Format)
	if errors.Is(err, corpus.ErrDuplicateInput) {
		return nil, nil, &output.ConfigError{Err: err}
	}
	if err != nil {
		return nil, nil, err // an input that is not there
	}
	files, err := output.Files(paths, opt.Corpus)
	if err != nil {
		return nil, nil, &output.ConfigError{Err: err}
	}
	lock, _, err := output.LockDir(opt.OutDir)
	if errors.Is(err, output.ErrLocked) {
		return nil, nil, &output.ConfigError{Err: err}
	}
	if err != nil {
		return nil, nil, err
	}
	if err := output.PrepareDir(opt.OutDir, opt.Force, paths, []string{output.RemovedName, workName}); err != nil {
		lock.Release()
		if errors.Is(err, fs.ErrPermission) {
			return nil, nil, err
		}
		return nil, nil, &output.ConfigError{Err: err} // not empty, or holding an input
	}
	work := filepath.Join(opt.OutDir, workName)
	if err := os.MkdirAll(work, 0o755); err != nil {
		lock.Release()
		return nil, nil, fmt.Errorf("work directory: %w", err)
	}
	read := make([]string, len(files))
	for i, f := range files {
		read[i] = f.Path
		if output.Spoolable(f.Path) {
			read[i] = filepath.Join(work, "spool", strconv.Itoa(i))
			if _, _, err := output.Spool(f.Path, read[i]); err != nil {
				lock.Release()
				return nil, nil, err
			}
		}
	}
	if opt.Workers <= 0 {
		opt.Workers = runtime.GOMAXPROCS(0)
	}
	if opt.Memory <= 0 {
		opt.Memory = DefaultMemory
	}
	r := &run{opt: opt, lines: lines, sub: sub, files: files, paths: read, work: work, start: time.Now(),
		counts: make([]output.SubCounts, len(files)), rejects: make([][]output.Rejection, len(files)),
		docs: make([]int64, len(files)), held: make([]*corpus.DecodedFile, len(files)),
		prog: progress.New(opt.Progress)}
	r.sealed = sync.NewCond(&r.sealMu)
	r.readDone = make([]bool, len(files))
	r.waiting = make([]*corpus.DecodedFile, len(files))
	if lines {
		compressed := 0
		for _, f := range files {
			if holdable(f) {
				compressed++
			}
		}
		// What the files sealed keep takes at most Limit, and so do the
		// maxAhead files read and not yet sealed: half of Memory in all.
		r.decoded.Limit = opt.Memory / 4
		r.decoded.PerFile = r.decoded.Limit / int64(max(1, min(compressed, maxAhead)))
	}
	return r, lock, nil
}

// maxAhead is how many files Lines' pass 1 reads beyond the first whose
// held content is not yet sealed.
const maxAhead = 8

// doneReading records that pass 1 is done with file i (ok: read whole),
// with its held content if any, and seals, in input order, every file
// whose predecessors are done. It may be called again for a file: the
// first call counts.
func (r *run) doneReading(i int, held *corpus.DecodedFile, ok bool) {
	r.sealMu.Lock()
	defer r.sealMu.Unlock()
	if r.readDone[i] {
		return
	}
	if held != nil && !ok {
		held.Release()
		held = nil
	}
	r.readDone[i], r.waiting[i] = true, held
	for ; r.sealNext < len(r.files) && r.readDone[r.sealNext]; r.sealNext++ {
		if h := r.waiting[r.sealNext]; h != nil {
			h.Seal() // kept if it fits what the files sealed before left
			if h.Reader() != nil {
				r.held[r.sealNext] = h
			}
			r.waiting[r.sealNext] = nil
		}
	}
	r.sealed.Broadcast()
}

// holdable reports whether Lines holds a file's decoded content between
// its passes: a compressed text or JSONL file (an uncompressed one is read
// again from the page cache for less).
func holdable(f output.File) bool {
	return f.Format != corpus.Parquet && !corpus.Rereadable(f.Format, f.Compression)
}

// readOptions are the reader options for file i: messages, ids and the
// format follow the input's name, also when it is read from its copy.
func (r *run) readOptions(i int) corpus.Options {
	copt := r.opt.Corpus
	copt.Name = r.files[i].Path
	// With at least as many files as workers, the workers are busy with
	// files, and a zstd encoder's second goroutine would only cost CPU.
	if copt.Concurrency == 0 && len(r.files) >= r.opt.Workers {
		copt.Concurrency = 1
	}
	return copt
}

// begin starts a stage whose work is total bytes (0: not known): its
// progress is reported from here, and its time counts from the time it
// returns.
func (r *run) begin(name string, total int64) time.Time {
	r.doneDocs.Store(0)
	r.doneBytes.Store(0)
	r.total = total
	r.prog.Begin(name, total)
	return time.Now()
}

// readTotal is the size of the inputs as pass 1 reads them, when it is
// known: all are regular text or JSONL files, none compressed (pass 1
// reports decoded bytes, an estimate for Parquet).
func (r *run) readTotal() int64 {
	var total int64
	for _, f := range r.files {
		fi, err := os.Stat(f.Path)
		if err != nil || f.Compression != corpus.None || f.Format == corpus.Parquet || !fi.Mode().IsRegular() {
			return 0
		}
		total += fi.Size()
	}
	return total
}

// advance adds to the running stage's progress and reports it.
func (r *run) advance(docs, bytes int64) {
	r.prog.Update(r.doneDocs.Add(docs), r.doneBytes.Add(bytes), r.total)
}

// advanceDocs is advance for pass 2, whose bytes are pass 1's prorated.
func (r *run) advanceDocs(docs int64) {
	d := r.doneDocs.Add(docs)
	var b int64
	if r.inputDocs > 0 {
		b = int64(float64(r.inputBytes) * float64(min(d, r.inputDocs)) / float64(r.inputDocs))
	}
	r.doneBytes.Store(b) // for the stage's end
	r.prog.Update(d, b, r.total)
}

// timed records how long a stage took, and ends it.
func (r *run) timed(name string, t0 time.Time) {
	st := output.StageTiming{Stage: name, Seconds: output.Round(time.Since(t0).Seconds(), 3)}
	r.stages = append(r.stages, st)
	r.prog.Done(r.doneDocs.Load(), r.doneBytes.Load(), "")
}

// log sends a note inside the running stage.
func (r *run) log(format string, args ...any) { r.prog.Note(format, args...) }

// eachFile runs f on every input file, Workers at a time, and returns the
// first error in file order.
func (r *run) eachFile(ctx context.Context, f func(i int) error) error {
	errs := make([]error, len(r.files))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(r.opt.Workers, len(r.files)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := ctx.Err(); err != nil {
					errs[i] = err
				} else {
					errs[i] = f(i)
				}
				if r.window {
					r.doneReading(i, nil, false) // a file f did not read (an error)
				}
			}
		}()
	}
	for i := range r.files {
		if r.window {
			r.sealMu.Lock()
			for i >= r.sealNext+maxAhead {
				r.sealed.Wait()
			}
			r.sealMu.Unlock()
		}
		next <- i
	}
	close(next)
	wg.Wait()
	return errors.Join(errs...)
}

// read streams the documents of file i to doc, counting reads and rejects
// (pass 1) through corpus.ReadAccounted, as every engine does. A fault (a
// truncated or corrupt file) stops the run: the rewriting pass could not
// keep the documents after it.
func (r *run) read(ctx context.Context, i int, doc func(record int64, text []byte) error) error {
	f := r.files[i]
	rd, err := corpus.Open(r.paths[i], i, r.readOptions(i))
	if err != nil {
		return err
	}
	format := rd.Format()
	c := &r.counts[i]
	n := 0
	defer rd.Close()
	var held *corpus.DecodedFile
	if r.window && holdable(f) {
		if h := r.decoded.File(); rd.Tee(h) {
			held = h
		}
	}
	whole := false
	if r.window {
		defer func() { r.doneReading(i, held, whole) }()
	}
	var reported int64 // bytes of this file reported so far
	a, err := corpus.ReadAccounted(rd, r.opt.Strict, func(d record.Document) error {
		if n++; n&1023 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
			b := rd.InputBytes()
			r.advance(1024, b-reported)
			reported = b
		}
		c.CharsRead += int64(runeCount(d.Text))
		return doc(d.Record, d.Text)
	})
	if corpus.IsReject(err) {
		return &output.InputError{Err: err} // under Strict
	}
	if err != nil {
		return err
	}
	if a.Fault != nil {
		return a.Fault
	}
	reading := output.NewReading(f.Path, format, a)
	c.Read = a.Read
	c.Rejected = reading.Counts.Rejected
	c.RejectedBy = reading.Counts.RejectedBy
	c.InputBytes = a.InputBytes
	r.docs[i] = a.Docs
	r.rejects[i] = reading.Rejects
	r.advance(int64(n&1023), a.InputBytes-reported)
	r.sealMu.Lock()
	r.inputBytes += a.InputBytes
	r.inputDocs += a.Docs
	r.sealMu.Unlock()
	whole = true
	return nil
}

// fileResult is what pass 2 gives for one file besides its counts.
type fileResult struct {
	removed string // the work file of its removals
	samples []report.SubSample
	tally   map[tallyKey]*report.SubUnit
	bytes   int // what the tally holds, about
}

// tallyKey is a removed text in the report's tally: the first
// report.SubTextCap+1 characters of it (all the page shows of it), and the
// hash of all of it, so that a tally entry holds at most that many
// characters however long the span.
type tallyKey struct {
	text string
	hash uint64
}

// newTallyKey returns t's key.
func newTallyKey(t []byte) tallyKey {
	return tallyKey{text: capRunes(t, report.SubTextCap+1), hash: xxh3.Hash(t)}
}

// capRunes returns the first n characters of t, as a string.
func capRunes(t []byte, n int) string {
	at := 0
	for k := 0; k < n && at < len(t); k++ {
		_, size := utf8.DecodeRune(t[at:])
		at += size
	}
	return string(t[:at])
}

// The tally of removed texts for the report is bounded, a file at a time,
// by maxTally distinct texts and maxTallyBytes bytes (texts and entries,
// about tallyEntryBytes each besides the text): texts first met beyond are
// not tallied. When a file is done, its tally keeps its keepTally most
// removed texts only (the page shows 50), so that a run over many files
// does not hold every file's.
const (
	maxTally        = 100_000
	maxTallyBytes   = 16 << 20
	tallyEntryBytes = 112
	keepTally       = 1000
)

// pruneTally keeps the n entries of tally that the page would rank first.
func pruneTally(tally map[tallyKey]*report.SubUnit, n int) {
	if len(tally) <= n {
		return
	}
	keys := make([]tallyKey, 0, len(tally))
	for k := range tally {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b tallyKey) int { return compareUnits(tally[a], tally[b], a, b) })
	for _, k := range keys[n:] {
		delete(tally, k)
	}
}

// compareUnits is the page's order of removed texts: most removed first,
// then by text.
func compareUnits(a, b *report.SubUnit, ka, kb tallyKey) int {
	return cmp.Or(cmp.Compare(b.Removed, a.Removed), cmp.Compare(ka.text, kb.text), cmp.Compare(ka.hash, kb.hash))
}

// samplesPerRun is how many changed documents the report shows.
const samplesPerRun = 5

// rewrite is pass 2: it writes kept/ for file i, cutting what decide
// returns for each document, and the file's removals to the work directory.
//
// same, if not nil, tells the documents that pass 1 read and that keep
// every character (see corpus.RewriteCopying): they are copied without
// being parsed, and decide is not called for them.
func (r *run) rewrite(ctx context.Context, i int, res *fileResult, same func(record int64) bool, decide func(record int64, text []byte, sc *stage.SubScratch, cuts []stage.Cut) ([]stage.Cut, string)) error {
	f := r.files[i]
	res.removed = filepath.Join(r.work, fmt.Sprintf("removed-%06d.jsonl", i))
	wf, err := os.Create(res.removed)
	if err != nil {
		return err
	}
	defer wf.Close()
	bw := bufio.NewWriterSize(wf, 256<<10)
	res.tally = map[tallyKey]*report.SubUnit{}
	c := &r.counts[i]
	var (
		sc       stage.SubScratch
		cuts     []stage.Cut
		newText  []byte
		removals []output.Removal
		seen     int64
		werr     error
	)
	tick := func() { // one more document: every 1,024, progress and a look at ctx
		if seen++; seen&1023 == 0 {
			r.advanceDocs(1024)
			if ctx.Err() != nil && werr == nil {
				werr = ctx.Err()
			}
		}
	}
	var copying func(record int64) bool
	if same != nil {
		copying = func(record int64) bool {
			if !same(record) {
				return false
			}
			tick()
			c.Kept++
			c.Unchanged++
			return true
		}
	}
	edit := func(record int64, id, text []byte) corpus.Edit {
		tick()
		var reason string
		cuts, reason = decide(record, text, &sc, cuts[:0])
		if len(cuts) == 0 {
			c.Kept++
			c.Unchanged++
			return corpus.Edit{}
		}
		newText = stage.Apply(newText[:0], text, cuts)
		removals = removals[:0]
		at, atChar := 0, 0 // rune offsets, counted incrementally
		for _, cut := range cuts {
			atChar += runeCount(text[at:cut.From])
			from := atChar
			atChar += runeCount(text[cut.From:cut.To])
			at = cut.To
			t := string(text[cut.From:cut.To])
			removals = append(removals, output.Removal{ID: string(id), File: f.Path, Start: from, End: atChar, Text: t, Count: cut.Count, Reason: reason})
			key := newTallyKey(text[cut.From:cut.To])
			if u := res.tally[key]; u != nil {
				u.Removed++
			} else if len(res.tally) < maxTally && res.bytes < maxTallyBytes {
				res.tally[key] = &report.SubUnit{Text: key.text, Count: cut.Count, Removed: 1}
				res.bytes += len(key.text) + tallyEntryBytes
			}
		}
		c.Removals += int64(len(cuts))
		left := int64(runeCount(newText))
		c.CharsRemoved += int64(runeCount(text)) - left
		edit := corpus.Edit{Text: newText}
		if !r.sub.KeepDoc(newText, &sc) {
			c.Dropped++
			c.CharsDropped += left
			removals = append(removals, output.Removal{ID: string(id), File: f.Path, Start: 0, End: runeCount(text), Text: string(newText), Reason: "too-short"})
			edit = corpus.Edit{Drop: true}
		} else {
			c.Kept++
			c.Changed++
			if len(res.samples) < samplesPerRun {
				// As much as the page shows: a document can be long.
				res.samples = append(res.samples, report.SubSample{ID: string(id), File: f.Path,
					Before: capRunes(text, report.SubTextCap+1), After: capRunes(newText, report.SubTextCap+1)})
			}
		}
		if werr == nil {
			werr = output.EncodeRemovals(bw, removals)
		}
		return edit
	}
	kept := filepath.Join(r.opt.OutDir, "kept", f.Output)
	if held := r.held[i]; held != nil {
		r.once.Add(1)
		err = corpus.RewriteDecoded(r.paths[i], held.Reader(), r.readOptions(i), kept, copying, edit)
		held.Release()
		r.held[i] = nil
	} else {
		err = corpus.RewriteCopying(r.paths[i], r.readOptions(i), kept, copying, edit)
	}
	if err == nil {
		err = werr
	}
	if err == nil {
		err = bw.Flush()
	}
	r.advanceDocs(seen & 1023)
	pruneTally(res.tally, keepTally)
	if err == nil && seen != r.docs[i] {
		err = fmt.Errorf("%s: %d documents on the second reading, %d on the first: the file changed during the run", f.Path, seen, r.docs[i])
	}
	return err
}

// finish merges the files' results in input order and writes
// removed.jsonl, rejected.jsonl, report.html and stats.json (last).
func (r *run) finish(results []fileResult, extra func(*output.SubStats)) (*output.SubStats, error) {
	t0 := r.begin("write", 0)
	out := r.opt.OutDir
	err := atomicfile.WriteFile(filepath.Join(out, output.RemovedName), func(w io.Writer) error {
		for _, res := range results {
			f, err := os.Open(res.removed)
			if err != nil {
				return err
			}
			_, err = io.Copy(w, f)
			f.Close()
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var rejects []output.Rejection
	for _, rj := range r.rejects {
		rejects = append(rejects, rj...)
	}
	if err := atomicfile.WriteFile(filepath.Join(out, "rejected.jsonl"), func(w io.Writer) error { return output.EncodeRejections(w, rejects) }); err != nil {
		return nil, err
	}
	method := "substr"
	if r.lines {
		method = "lines"
	}
	st := &output.SubStats{Tool: "quchong", Version: output.Version, Method: method, Workers: r.opt.Workers,
		Params: output.NewSubParamsReport(r.sub.Params(), r.opt.Corpus, r.lines, r.opt.Memory)}
	for i, f := range r.files {
		c := r.counts[i]
		if c.RejectedBy == nil {
			c.RejectedBy = map[string]int64{}
		}
		st.Inputs = append(st.Inputs, output.SubFileStats{Path: f.Path, Output: f.Output, Format: f.Format.String(), Compression: f.Compression.String(), SubCounts: c})
		st.Total.Add(c)
	}
	if st.Total.RejectedBy == nil {
		st.Total.RejectedBy = map[string]int64{}
	}
	if extra != nil {
		extra(st)
	}
	if !r.opt.NoReport {
		page := r.page(st, results)
		if err := atomicfile.WriteFile(filepath.Join(out, "report.html"), func(w io.Writer) error { return report.WriteSub(w, page) }); err != nil {
			return nil, err
		}
	}
	r.timed("write", t0)
	st.Stages = r.stages
	st.WallSeconds = output.Round(time.Since(r.start).Seconds(), 3)
	if err := atomicfile.WriteFile(filepath.Join(out, "stats.json"), func(w io.Writer) error {
		return writeJSON(w, st)
	}); err != nil {
		return nil, err
	}
	return st, os.RemoveAll(r.work)
}

// page builds the report from the stats and the files' results.
func (r *run) page(st *output.SubStats, results []fileResult) report.SubPage {
	t := st.Total
	p := report.SubPage{Method: st.Method,
		Summary: [][2]string{
			{"documents read", num(t.Read)},
			{"kept", fmt.Sprintf("%s (%s changed, %s unchanged)", num(t.Kept), num(t.Changed), num(t.Unchanged))},
			{"dropped (too short after the cut)", num(t.Dropped)},
			{"rejected", num(t.Rejected)},
			{"units or spans removed", num(t.Removals)},
			{"characters removed", fmt.Sprintf("%s of %s", num(t.CharsRemoved), num(t.CharsRead))},
		},
		Header: []string{"file", "read", "kept", "changed", "dropped", "rejected", "removals", "chars removed"},
	}
	for _, in := range st.Inputs {
		p.Files = append(p.Files, []string{in.Path, num(in.Read), num(in.Kept), num(in.Changed),
			num(in.Dropped), num(in.Rejected), num(in.Removals), num(in.CharsRemoved)})
	}
	all := map[tallyKey]*report.SubUnit{}
	for _, res := range results {
		for k, u := range res.tally {
			if a := all[k]; a != nil {
				a.Removed += u.Removed
				a.Count = max(a.Count, u.Count)
			} else {
				cp := *u
				all[k] = &cp
			}
		}
		for _, s := range res.samples {
			if len(p.Samples) < samplesPerRun {
				p.Samples = append(p.Samples, s)
			}
		}
	}
	pruneTally(all, 50)
	keys := slices.Collect(maps.Keys(all))
	slices.SortFunc(keys, func(a, b tallyKey) int { return compareUnits(all[a], all[b], a, b) })
	for _, k := range keys {
		p.Top = append(p.Top, *all[k])
	}
	return p
}
