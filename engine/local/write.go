package local

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/quchong/quchong/atomicfile"
	"github.com/quchong/quchong/corpus"
	"github.com/quchong/quchong/internal/units"
	"github.com/quchong/quchong/output"
	"github.com/quchong/quchong/stage"
)

// loadTexts fills needed (keyed by dense index) with the prepared texts of
// those documents: read back from their inputs or the text spill,
// normalised again, and hashed into shingle sets on the worker pool.
func (r *run) loadTexts(ctx context.Context, needed map[uint32]stage.Prepared) error {
	docs := slices.Sorted(maps.Keys(needed)) // file order, for the reads
	raw := make([][]byte, len(docs))
	for j, d := range docs {
		if err := ctx.Err(); err != nil {
			return err
		}
		text, err := r.readText(d, nil)
		if err != nil {
			return err
		}
		raw[j] = text
	}
	prepared := make([]stage.Prepared, len(docs))
	parallelChunks(len(docs), r.workers, func(a, b int) {
		sc := r.scratches.get()
		defer r.scratches.put(sc)
		for j := a; j < b; j++ {
			runes, _ := r.st.Normalize(nil, raw[j])
			prepared[j] = r.st.PrepareWith(runes, sc)
			raw[j] = nil
		}
	})
	for j, d := range docs {
		needed[d] = prepared[j]
	}
	return nil
}

// write is the last pass: every record goes to kept/ or removed/, then
// clusters.jsonl and rejected.jsonl are written.
func (r *run) write(ctx context.Context) error {
	// The fingerprint checkpoint's fsyncs may still run on the signature
	// file that the next line lets go of.
	if err := r.await(); err != nil {
		return err
	}
	r.docs.dropSignatures() // give their memory to the output pass
	r.rereaders.close()     // and the files held open to read texts back, their descriptors
	// A rerun of this stage (resumed) starts from an empty staging
	// directory, so that the commit moves only what this run wrote.
	if err := os.RemoveAll(r.stageDir); err != nil {
		return &output.OutputError{Err: fmt.Errorf("work directory: %w", err)}
	}
	if err := os.MkdirAll(r.stageDir, 0o755); err != nil {
		return &output.OutputError{Err: fmt.Errorf("work directory: %w", err)}
	}
	if !r.opt.NoReport {
		r.report = r.planReport()
	}
	removed := make([]bool, r.docs.n)
	for c, members := range r.clusters.Members {
		for _, m := range members {
			if m != r.keptOf[c] {
				removed[m] = true
			}
		}
	}
	r.markPrior(removed)
	errs := make([]error, len(r.files))
	var wg sync.WaitGroup
	var docs, bytes atomic.Int64
	total := r.stageBytes("write")
	advance := func(d, b int64) {
		r.prog.update(docs.Add(d), bytes.Add(b), total)
	}
	// The outputs' fsyncs wait together, in the background, rather than
	// each in turn on its worker: they are in the staging directory,
	// published by the commit only after batch.Sync (the run awaits it
	// before staging stats.json).
	batch := atomicfile.NewBatch(r.batchOpen())
	sem := make(chan struct{}, r.writers())
	for si, f := range r.files {
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			errs[si] = r.writeFile(ctx, si, f, removed, batch, advance)
		}()
	}
	wg.Wait()
	r.inBackground(func() error {
		if err := batch.Sync(); err != nil {
			return &output.OutputError{Err: err}
		}
		return nil
	})
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	if err := r.writeClusters(); err != nil {
		return &output.OutputError{Err: err}
	}
	r.prog.done(docs.Load(), 0, "%s written to %s", units.Plural(len(r.files), "file", ""), filepath.Join(r.opt.OutDir, "kept"))
	if err := r.writeRejects(); err != nil {
		return &output.OutputError{Err: err}
	}
	return nil
}

func (r *run) writeFile(ctx context.Context, si int, f *fileInfo, removed []bool, batch *atomicfile.Batch, advance func(docs, bytes int64)) error {
	// Progress: the file's records as they are routed, its on-disk bytes
	// prorated by record; what is left is reported when the file is done.
	var doneDocs, doneBytes int64
	defer func() {
		f.decoded.Release() // used or not, the held content is done with
		f.decoded = nil
		advance(max(0, f.counts.Read-doneDocs), max(0, f.readSize-doneBytes))
	}()
	keptPath := r.stagePath(filepath.Join("kept", f.output))
	removedPath := ""
	if r.opt.WriteRemoved {
		removedPath = r.stagePath(filepath.Join("removed", f.output))
	}
	if r.opt.DryRun {
		keptPath, removedPath = "", "" // route and count, write nothing
	}
	if f.fault != "" && f.count == 0 && len(f.rejected) == 0 {
		return nil // nothing could be read: there is nothing to write
	}
	// The records are routed by their numbers in pass 1, and a held file is
	// copied from what pass 1 read: a file changed since is refused.
	if fi, err := os.Stat(f.read); err == nil && (fi.Size() != f.readSize || fi.ModTime().UnixNano() != f.readMod) {
		return &output.InputError{Err: fmt.Errorf("%s changed during the run (its size or modification time differs from when the run began): run again", f.path)}
	}
	sameCompression := r.opt.Corpus.Output.For(f.format, f.compress) == f.compress
	if f.fault == "" && !r.opt.WriteRemoved && len(f.rejected) == 0 && sameCompression && !slices.Contains(removed[f.first:f.first+f.count], true) {
		// Every record is kept: the input file is its own output. Copying it
		// skips a decompression and a recompression.
		if keptPath != "" {
			if err := copyFile(f.read, keptPath, f.readSize, batch); err != nil {
				return r.classify(err)
			}
		}
		f.counts.Kept = int64(f.count)
		return ctx.Err()
	}
	rt := &stage.Router{
		First: f.first, Count: f.count, Rejected: f.rejected,
		Faulted: f.fault != "", FaultAfter: f.faultAfter,
		Fate: func(i uint32) (bool, bool) { return removed[i], removed[i] && r.exactOf(i) },
	}
	copt := r.opt.Corpus
	copt.Name = f.path
	copt.Salvage = f.fault != ""
	// With at least as many files as workers, the workers are busy with
	// files, and an encoder's second goroutine would only cost CPU.
	copt.Concurrency = 2
	if len(r.files) >= r.workers {
		copt.Concurrency = 1
	}
	// The report's texts from this file come along with the copy.
	var capture *corpus.TextCapture
	if r.report != nil && f.format != corpus.Parquet {
		capture = &corpus.TextCapture{
			Want: func(int64) bool { return rt.Current >= 0 && len(r.report.want[uint32(rt.Current)]) > 0 },
			Got: func(_ int64, text []byte) {
				for _, m := range r.report.want[uint32(rt.Current)] {
					m.Text = string(text)
				}
			},
		}
	}
	records := int64(f.count) + int64(len(f.rejected))
	var routed int64
	route := func(rec int64) corpus.Route {
		if routed++; routed%progressRecords == 0 && records > 0 {
			b := f.readSize * min(routed, records) / records
			advance(progressRecords, b-doneBytes)
			doneDocs, doneBytes = doneDocs+progressRecords, b
		}
		return rt.Route(rec)
	}
	var err error
	if dec := f.decoded.Reader(); dec != nil {
		r.decodedOnce.Add(1)
		err = corpus.PartitionBatched(batch, f.path, ctxReader{ctx, dec}, copt, keptPath, removedPath, route, capture)
	} else {
		err = corpus.PartitionBatched(batch, f.read, nil, copt, keptPath, removedPath, route, capture)
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if err != nil {
		var fault *corpus.ReadFault
		if f.fault == "" || !errors.As(err, &fault) {
			return r.classify(err)
		}
		// The fault seen in the first pass, at the same place (checked below).
	}
	if err := rt.Check(f.path); err != nil {
		return &output.InputError{Err: err}
	}
	if capture != nil {
		r.report.captured[si] = true
	}
	f.counts.Kept, f.counts.RemovedExact, f.counts.RemovedNear = rt.Kept, rt.RemovedExact, rt.RemovedNear
	f.counts.Removed = rt.RemovedExact + rt.RemovedNear
	return ctx.Err()
}

func (r *run) writeClusters() error {
	var lines []output.ClusterLine
	for _, members := range r.clusters.Members {
		for _, m := range members {
			lines = append(lines, output.ClusterLine{Key: members[0], Idx: m, ID: r.side.id(m), Kept: r.keptOf[r.clusters.Of[m]] == m, Exact: r.exactOf(m), Sim: r.simOf(m)})
		}
	}
	lines = append(lines, r.priorClusterLines()...)
	return atomicfile.WriteFile(r.stagePath("clusters.jsonl"), func(w io.Writer) error {
		return output.EncodeClusters(w, lines)
	})
}

func (r *run) writeRejects() error {
	return atomicfile.WriteFile(r.stagePath("rejected.jsonl"), func(w io.Writer) error {
		return output.EncodeRejections(w, r.rejects)
	})
}

func (r *run) writeStats() error {
	r.fillStats()
	return atomicfile.WriteFile(r.stagePath("stats.json"), func(w io.Writer) error { return output.EncodeStats(w, &r.stats) })
}

// fillStats completes r.stats from the files and timings.
func (r *run) fillStats() {
	s := &r.stats
	s.Tool, s.Version, s.Workers = "quchong", output.Version, r.workers
	s.Inputs = s.Inputs[:0]
	s.Total = output.Counts{}
	for _, f := range r.files {
		fs := output.FileStats{Path: f.path, Output: f.output, Format: f.format.String(), Compression: f.compress.String(), Fault: f.fault, Counts: f.counts}
		s.Inputs = append(s.Inputs, fs)
		s.Total.Add(f.counts)
	}
	s.Params = r.paramsReport()
	s.Stages = r.timings
	if r.docs != nil {
		s.SignatureBlocks = len(r.docs.blocks)
		s.SpilledBlocks = r.docs.spilledBlocks()
	}
	s.DecodedOnce = int(r.decodedOnce.Load())
	s.DryRun = r.opt.DryRun
	s.BandRuns = r.bandRuns
}

func (r *run) paramsReport() output.ParamsReport {
	rep := output.NewParamsReport(r.p, r.opt.Corpus, r.opt.Strict)
	rep.MemoryBudget = r.budget.Total()
	return rep
}

// copyFile copies src, of size bytes, to dst atomically, creating dst's
// directory. A copy of another size is an error: the run counted what it
// read of src, and must write all of it.
func copyFile(src, dst string, size int64, batch *atomicfile.Batch) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	out, err := atomicfile.CreateIn(dst, batch)
	if err != nil {
		return err
	}
	n, err := io.Copy(out, in)
	if err == nil && n != size {
		err = fmt.Errorf("%d bytes copied where the run read %d", n, size)
	}
	if err != nil {
		out.Abort()
		return fmt.Errorf("copy %s to %s: %w", src, dst, err)
	}
	return out.Commit()
}

// progressRecords is how many records the output pass routes between two
// progress reports.
const progressRecords = 4096

// ctxReader is a Reader that fails once its context is done, so that an
// interrupted run stops in the middle of a long copy.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
