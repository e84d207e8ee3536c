// Package local is quchong's default engine: one process, all cores,
// streaming reads, the stage functions of package stage run by a pool of
// workers, and the outputs written atomically to one directory.
//
// A run makes up to three streaming passes over its inputs: the first
// fingerprints every document; a second, only when some candidate pairs are
// borderline, reads back just the texts those pairs need; the last copies
// every record to kept/ or removed/. Between passes only dense indices,
// signatures and a few bytes per document stay in memory.
package local

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/quchong/quchong/atomicfile"
	"github.com/quchong/quchong/cluster"
	"github.com/quchong/quchong/corpus"
	"github.com/quchong/quchong/index"
	"github.com/quchong/quchong/internal/units"
	"github.com/quchong/quchong/output"
	"github.com/quchong/quchong/progress"
	"github.com/quchong/quchong/stage"
)

// Options configures a run: the request every executor takes, and what is
// this engine's own. Of the request, Corpus.Fields is set by Run from the
// keep rule, and Corpus.MaxDocBytes 0 means NewBudget(Memory).MaxDocBytes()
// (a larger one than that is refused).
type Options struct {
	output.Request
	// DryRun finds and reports the duplicates (clusters.jsonl,
	// rejected.jsonl, stats.json, report.html) without writing the corpus:
	// no kept/ and no removed/. The counts are those a full run would give.
	DryRun bool
	// Workers is the number of goroutines doing CPU work; 0 means all cores.
	Workers int
	// Progress receives the run's progress events (progress.Event); nil means
	// silent. It is called from one goroutine at a time.
	Progress func(progress.Event)
	// Memory is the budget, in bytes, for the in-memory stages; 0 means
	// DefaultMemory. Budget says how the stages share it; those that can
	// work in parts (grouping bands, confirmation) size their parts to it.
	Memory int64
	// NoReport skips DIR/report.html.
	NoReport bool
	// Resume continues an interrupted run from the last checkpoint recorded
	// in its work directory, after checking that the inputs and parameters
	// are the same; without a checkpoint it starts from the beginning.
	Resume bool
	// stopAfter, for tests, ends the run with errStopped after the named
	// stage, as a crash would.
	stopAfter string
	// bandRecords, for tests, caps the records of a band sorted in memory
	// (otherwise set by the budget), to exercise the merge of sorted runs.
	bandRecords int
	// partBytes, for tests, sets the size of the parts a large uncompressed
	// file is read in (otherwise defaultPartBytes).
	partBytes int64
	// WorkDir holds the run's intermediate files (normalised texts); it is
	// removed when the run succeeds. "" means OutDir/.work.
	WorkDir string
	// Index, when not nil, is a saved index the inputs are deduplicated
	// against as well (see index.go); the kept documents are added to it
	// as a new version once the outputs are committed, unless
	// IndexReadOnly or DryRun. Its detection parameters must be Params'.
	Index         *index.Index
	IndexReadOnly bool
}

// classify tells a failed copy's output errors from its input errors, and
// both from a system limit (too many open files), which is neither.
func (r *run) classify(err error) error {
	if limitErr := fdError(err); limitErr != nil {
		return limitErr
	}
	var pe *os.PathError
	if errors.As(err, &pe) {
		if a, aerr := filepath.Abs(pe.Path); aerr == nil && corpus.Within(a, r.outAbs) {
			return &output.OutputError{Err: err}
		}
	}
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EROFS) {
		return &output.OutputError{Err: err}
	}
	return &output.InputError{Err: err}
}

// fileInfo is what the engine keeps about one input file.
type fileInfo struct {
	// path names the file in ids, messages and stats.json: the argument
	// as given, or "stdin" for "-".
	path string
	// arg is the command-line argument ("-" for standard input).
	arg string
	// read is the file the passes read: path itself, or the copy of a
	// pipe or standard input in the work directory.
	read string
	// readSize and readMod are read's size and modification time when the
	// run began: the output pass refuses a file that changed since.
	readSize, readMod int64
	output            string
	format            corpus.Format
	compress          corpus.Compression
	first             uint32  // dense index of its first document
	count             uint32  // documents that got an index
	rejected          []int64 // record numbers rejected, increasing
	counts            output.Counts
	// fault says why the file could not be read to its end ("" when it
	// was); its documents after the fault are lost. faultAfter is the last
	// record read before the fault.
	fault      string
	faultAfter int64
	// decoded holds the file's decoded content when pass 1 read it whole
	// and it fitted the cache; nil otherwise.
	decoded *corpus.DecodedFile
	// reread says the file's texts are read back from it by offset, not
	// from the text spill, whose texts of this file begin at spillStart.
	reread     bool
	spillStart int64
	// stamp identifies the file's content when the run began (size,
	// modification time, a hash of its ends; of all of it for a copied
	// pipe): the manifest records it, and a resumed run compares it.
	stamp inputStamp
}

// run holds the state of one run.
type run struct {
	opt     Options
	st      *stage.Stages
	p       stage.Params
	budget  Budget // --memory, divided among the stages
	workers int
	files   []*fileInfo
	docs    *store
	rejects []output.Rejection
	field   string // keep-rule field, if any
	outAbs  string // absolute output directory
	stats   output.Stats
	timings []output.StageTiming
	prog    *reporter

	workDir  string
	stageDir string          // outputs are written here, then committed
	lock     *output.DirLock // held on the output directory
	// createdOut says the run created the output directory: a run that
	// fails before writing anything there removes it again.
	createdOut bool
	texts      *textSpill
	spillEnd   int64 // bytes laid out in the text spill
	rereaders  rereaders
	decoded    corpus.DecodedCache
	// bandRuns is the number of sorted runs each band was grouped in (0
	// when the bands were sorted in memory).
	bandRuns int
	// decodedOnce counts the files the output pass copied from decoded.
	decodedOnce atomic.Int64

	groups *groupState
	// prepared holds, from the confirm stage to the cluster stage, the
	// prepared texts of the last chunk of pairs confirmed (within
	// confirmation's share of the budget), so that the checks against each
	// cluster's kept document do not read, normalise and hash them again.
	// Read-only once set; nil after a resume past the confirm stage.
	prepared map[uint32]stage.Prepared

	// scratches are the buffers of the goroutines that prepare and
	// compare texts, from the confirm stage to the end of the cluster
	// stage.
	scratches scratches

	clusters cluster.Clusters
	keptOf   []uint32   // kept document of each cluster
	side     *sideTable // ids and keep-rule values of the documents in components
	// simToKept and exactToKept give each clustered document's similarity
	// to its kept one and whether its reason is "exact", in side.docs order.
	simToKept   []float64
	exactToKept []bool
	report      *reportPlan // nil with NoReport
	prior       *priorState // what the index said; nil without one
	// bg, when not nil, is the result of the durability step (fsyncs and
	// the checkpoint record) running while the next stage works; see
	// inBackground.
	bg chan error
}

// Run deduplicates the inputs and writes the outputs. It returns the stats
// also written to OutDir/stats.json.
func Run(ctx context.Context, opt Options) (_ *output.Stats, err error) {
	defer func() {
		if limitErr := fdError(err); limitErr != nil {
			err = limitErr
		}
	}()
	start := time.Now()
	cpuStart := cpuTime()
	st, err := stage.New(opt.Params)
	if err != nil {
		return nil, &output.ConfigError{Err: fmt.Errorf("parameters: %w", err)}
	}
	r := &run{opt: opt, st: st, p: st.Params(), budget: NewBudget(opt.Memory), workers: opt.Workers, prog: newReporter(opt.Progress)}
	r.decoded.Limit = r.budget.Decoded()
	if r.workers <= 0 {
		r.workers = runtime.GOMAXPROCS(0)
	}
	if f, ok := r.p.Keep.NeedsField(); ok {
		r.field = f
		r.opt.Corpus.Fields = append(slices.Clone(r.opt.Corpus.Fields), f)
	}
	if err := r.checkIndexOptions(); err != nil {
		return nil, err
	}
	defer r.release()
	defer r.abortIndex()
	done, err := r.prepare()
	if err != nil {
		return nil, err
	}
	if done != nil {
		r.prog.noteStage("resume", "%s already holds the complete outputs of this run: nothing to do", r.opt.OutDir)
		return done, nil
	}
	defer r.texts.close()
	defer r.rereaders.close()
	defer func() {
		if r.docs != nil {
			r.docs.side.close()
		}
	}()
	defer r.await() // a failed run lets its background fsyncs end before the files close
	steps := []struct {
		name string
		fn   func(context.Context) error
		save func() error // records a checkpoint
	}{
		{"fingerprint", r.fingerprint, r.saveFingerprint},
		{"group", r.groupAndIndex, nil},
		{"confirm", r.confirm, r.saveConfirm},
		{"cluster", r.clusterAndIndex, nil},
		{"write", r.write, nil},
	}
	first := 0
	if opt.Resume {
		if first, err = r.resume(); err != nil {
			return nil, err
		}
	}
	if err := r.keepSpools(); err != nil {
		return nil, err
	}
	if first == resumeCommit {
		return r.resumeCommit()
	}
	if first == 0 {
		// Record the run's identity before any work, so that a run killed
		// before its first checkpoint can still be resumed (from the start).
		if err := r.markDone(""); err != nil {
			return nil, &output.OutputError{Err: fmt.Errorf("work directory: %w", err)}
		}
	}
	for _, s := range steps[first:] {
		t := time.Now()
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		r.prog.begin(s.name, r.stageBytes(s.name))
		if err := s.fn(ctx); err != nil {
			return nil, err
		}
		if s.save != nil {
			if err := r.await(); err != nil {
				return nil, err
			}
			if err := s.save(); err != nil {
				return nil, &output.OutputError{Err: fmt.Errorf("checkpoint %s: %w", s.name, err)}
			}
		}
		r.prog.finish()
		r.timings = append(r.timings, output.StageTiming{Stage: s.name, Seconds: time.Since(t).Seconds()})
		if r.opt.stopAfter == s.name {
			if err := r.await(); err != nil {
				return nil, err
			}
			return nil, errStopped
		}
	}
	r.stats.WallSeconds = time.Since(start).Seconds()
	r.stats.CPUSeconds = cpuTime() - cpuStart
	if !r.opt.NoReport {
		// The report shows the stats of the run so far: everything but its
		// own time, which stats.json adds as the stage "report".
		t := time.Now()
		r.prog.begin("report", 0)
		r.fillStats()
		js, err := statsJSON(&r.stats)
		if err != nil {
			return nil, err
		}
		if err := r.writeReport(ctx, r.report, js); err != nil {
			return nil, err
		}
		r.prog.finish()
		r.timings = append(r.timings, output.StageTiming{Stage: "report", Seconds: time.Since(t).Seconds()})
		r.stats.WallSeconds = time.Since(start).Seconds()
		r.stats.CPUSeconds = cpuTime() - cpuStart
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// The outputs are durable before stats.json says the run completed.
	if err := r.await(); err != nil {
		return nil, err
	}
	// stats.json is committed last: its presence says the run completed.
	if err := r.writeStats(); err != nil {
		return nil, &output.OutputError{Err: err}
	}
	if r.opt.stopAfter == "stage" {
		return nil, errStopped
	}
	// From here on the run is complete whatever happens: nothing checks ctx.
	if err := r.commit(r.stagedOutputs()); err != nil {
		return nil, err
	}
	if r.opt.stopAfter == "commit" {
		return nil, errStopped
	}
	if err := r.commitIndex(); err != nil {
		return nil, err
	}
	r.texts.close()
	r.rereaders.close()
	r.docs.side.close()
	if err := r.removeWork(); err != nil {
		return nil, err
	}
	return &r.stats, nil
}

// resumeCommit finishes the commit of a run killed while committing its
// outputs, and returns the stats it had staged.
func (r *run) resumeCommit() (*output.Stats, error) {
	var s output.Stats
	b, err := os.ReadFile(r.stagePath("stats.json"))
	if err == nil {
		err = json.Unmarshal(b, &s)
	}
	if err != nil {
		return nil, &output.ConfigError{Err: fmt.Errorf("%w: the staged stats.json cannot be read (%v); rerun without --resume (with --force) to start over", ErrResumeMismatch, err)}
	}
	m, err := r.readManifest()
	if err != nil {
		return nil, err
	}
	r.prog.noteStage("resume", "finishing the commit of the outputs")
	if err := r.finishCommit(m.Outputs); err != nil {
		return nil, err
	}
	if err := r.removeWork(); err != nil {
		return nil, err
	}
	return &s, nil
}

// removeWork removes the work directory (and the staging directory, when
// the work directory lies elsewhere) of a completed run.
func (r *run) removeWork() error {
	for _, d := range []string{r.workDir, filepath.Join(r.opt.OutDir, ".work")} {
		if err := os.RemoveAll(d); err != nil {
			return &output.OutputError{Err: fmt.Errorf("remove the work directory: %w", err)}
		}
	}
	return nil
}

// release gives the output directory back: unlocks it, and removes it when
// the run created it and left nothing in it.
func (r *run) release() {
	r.lock.Release()
	if r.createdOut {
		os.Remove(r.opt.OutDir) // fails, as it should, unless empty
	}
}

// resumeCommit is resume's answer for a run killed while committing its
// outputs.
const resumeCommit = -1

// errStopped ends a run on purpose in tests (Options.stopAfter).
var errStopped = errors.New("stopped after a stage, as asked")

// resume loads the last checkpoint and returns the index of the first stage
// to run.
func (r *run) resume() (int, error) {
	done, err := r.resumePoint()
	if err != nil {
		return 0, err
	}
	switch done {
	case "":
		return 0, nil
	case "fingerprint", "confirm":
		if err := r.loadFingerprint(); errors.Is(err, errTornSignatures) {
			// Checked before anything is loaded: a fresh start.
			r.prog.noteStage("resume", "starting over: %v", err)
			return 0, nil
		} else if err != nil {
			return 0, &output.ConfigError{Err: fmt.Errorf("%w: the fingerprint checkpoint cannot be read (%v); rerun without --resume (with --force) to start over", ErrResumeMismatch, err)}
		}
		if done == "fingerprint" {
			r.prog.noteStage("resume", "after the fingerprint checkpoint (%d documents)", r.docs.n)
			return 1, nil
		}
		if err := r.loadConfirm(); err != nil {
			return 0, &output.ConfigError{Err: fmt.Errorf("%w: the confirm checkpoint cannot be read (%v); rerun without --resume (with --force) to start over", ErrResumeMismatch, err)}
		}
		r.prog.noteStage("resume", "after the confirm checkpoint (%d documents, %d pairs)", r.docs.n, len(r.groups.pairs))
		return 3, nil
	case "commit":
		return resumeCommit, nil
	}
	return 0, &output.ConfigError{Err: fmt.Errorf("%w: unknown checkpoint %q in %s", ErrResumeMismatch, done, r.manifestPath())}
}

// prepare checks the inputs and the output directory, locks the output
// directory and makes the work directory. It returns the stats of the
// completed run that a resumed run finds in place (nil otherwise). Nothing
// is removed from the output directory before every check has passed.
func (r *run) prepare() (*output.Stats, error) {
	if len(r.opt.Inputs) == 0 {
		return nil, &output.ConfigError{Err: fmt.Errorf("no input files")}
	}
	if r.opt.OutDir == "" {
		return nil, &output.ConfigError{Err: fmt.Errorf("no output directory (-o DIR)")}
	}
	outAbs, err := filepath.Abs(r.opt.OutDir)
	if err != nil {
		return nil, &output.ConfigError{Err: fmt.Errorf("output directory %s: %w", r.opt.OutDir, err)}
	}
	r.outAbs = outAbs
	if err := r.checkBudget(); err != nil {
		return nil, err
	}
	files, err := output.Files(r.opt.Inputs, r.opt.Corpus)
	switch {
	case errors.Is(err, output.ErrNames):
		return nil, &output.ConfigError{Err: err}
	case err != nil:
		return nil, &output.InputError{Err: err}
	}
	for _, f := range files {
		path := f.Path
		if path == corpus.Stdin {
			path = "stdin"
		}
		r.files = append(r.files, &fileInfo{path: path, arg: f.Path, read: f.Path, output: f.Output, format: f.Format, compress: f.Compression})
	}
	if err := r.checkMeaning(); err != nil {
		return nil, err
	}
	r.workDir = r.opt.WorkDir
	if r.workDir == "" {
		r.workDir = filepath.Join(r.opt.OutDir, ".work")
	}
	// Staged outputs are renamed into place: they stay on the output
	// directory's file system, whatever the work directory's.
	r.stageDir = filepath.Join(r.opt.OutDir, ".work", "out")
	if r.lock, r.createdOut, err = lockOutDir(r.opt.OutDir); err != nil {
		return nil, err
	}
	outInfo, err := os.Stat(r.opt.OutDir)
	if err != nil {
		return nil, &output.OutputError{Err: fmt.Errorf("output directory: %w", err)}
	}
	for _, f := range r.files {
		if f.arg != corpus.Stdin && output.InsideDir(f.arg, outInfo) {
			return nil, &output.ConfigError{Err: fmt.Errorf("input %s lies inside the output directory %s (links and bind mounts followed)", f.path, r.opt.OutDir)}
		}
	}
	if r.opt.Resume {
		if s, err := r.completed(); err != nil || s != nil {
			return s, err
		}
	}
	entries, err := outEntries(r.opt.OutDir)
	if err != nil {
		return nil, &output.OutputError{Err: fmt.Errorf("output directory: %w", err)}
	}
	// A work directory says quchong's own run was here, even one killed
	// before it wrote its manifest (that one resumes from the start).
	_, werr := os.Stat(r.workDir)
	resumable := r.opt.Resume && werr == nil
	switch {
	case len(entries) > 0 && !r.opt.Force && !resumable:
		return nil, &output.ConfigError{Err: fmt.Errorf("output directory %s is not empty (use --force to replace quchong's outputs in it, or --resume to continue the run that made it)", r.opt.OutDir)}
	case len(entries) > 0 && !resumable:
		if err := r.clearOutputs(r.opt.OutDir); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(r.workDir, 0o755); err != nil {
		return nil, &output.OutputError{Err: fmt.Errorf("work directory: %w", err)}
	}
	for i, f := range r.files {
		if output.Spoolable(f.arg) {
			// A resumed run copies the pipe again beside the first copy,
			// which it replaces only once the checkpoint is accepted.
			dst := r.spoolPath(i)
			if resumable {
				dst += ".new"
			}
			if err := spoolInput(f, dst); err != nil {
				return nil, err
			}
		} else if f.stamp, err = stampFile(f.path, f.read); err != nil {
			return nil, &output.InputError{Err: err}
		}
		fi, err := os.Stat(f.read)
		if err != nil {
			return nil, &output.InputError{Err: err}
		}
		f.readSize, f.readMod = fi.Size(), fi.ModTime().UnixNano()
	}
	return nil, nil
}

func (r *run) spoolPath(i int) string {
	return filepath.Join(r.workDir, "spool", strconv.Itoa(i))
}

// keepSpools puts the copies of pipes a resumed run made in place of the
// first run's, once the checkpoint is accepted.
func (r *run) keepSpools() error {
	for i, f := range r.files {
		if strings.HasSuffix(f.read, ".new") {
			if err := os.Rename(f.read, r.spoolPath(i)); err != nil {
				return &output.OutputError{Err: fmt.Errorf("work directory: %w", err)}
			}
			f.read = r.spoolPath(i)
		}
	}
	return nil
}

// checkMeaning refuses options that cannot mean anything for these inputs,
// and notes those that mean something for some inputs only.
func (r *run) checkMeaning() error {
	if r.opt.DryRun && r.opt.WriteRemoved {
		return &output.ConfigError{Err: errors.New("--removed and --dry-run contradict each other: a dry run writes neither kept/ nor removed/ (drop one)")}
	}
	if r.field == "" {
		return nil
	}
	var text []string
	for _, f := range r.files {
		if f.format == corpus.Text {
			text = append(text, f.path)
		}
	}
	switch {
	case len(text) == len(r.files):
		return &output.ConfigError{Err: fmt.Errorf("--keep %s reads the field %q, which text inputs (one document per line) do not have: use JSONL or Parquet inputs, or another keep rule", r.p.Keep, r.field)}
	case len(text) > 0:
		which := text[0]
		if len(text) > 1 {
			which += ", ..."
		}
		r.prog.note("WARNING: --keep %s: the documents of %s (%s) have no field %q and rank last", r.p.Keep, units.Plural(len(text), "text input", ""), which, r.field)
	}
	return nil
}

// completed returns the stats of the run whose complete outputs are in
// the output directory, when they are this run's (same inputs, unchanged
// since, and same parameters); nil when there is none. It removes the work
// directory such a run may have left (killed after its last step).
func (r *run) completed() (*output.Stats, error) {
	path := filepath.Join(r.opt.OutDir, "stats.json")
	st, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	var s output.Stats
	b, err := os.ReadFile(path)
	if err == nil {
		err = json.Unmarshal(b, &s)
	}
	if err != nil {
		return nil, &output.ConfigError{Err: fmt.Errorf("%w: %s cannot be read (%v); rerun without --resume (with --force) to start over", ErrResumeMismatch, path, err)}
	}
	differ := func(what string) error {
		return &output.ConfigError{Err: fmt.Errorf("%w: %s holds the complete outputs of a run with %s; rerun without --resume (with --force) to replace them", ErrResumeMismatch, r.opt.OutDir, what)}
	}
	if s.Tool != "quchong" || s.Version != output.Version {
		return nil, differ("quchong " + s.Version)
	}
	if len(s.Inputs) != len(r.files) {
		return nil, differ(fmt.Sprintf("%d inputs, not %d", len(s.Inputs), len(r.files)))
	}
	for i, f := range r.files {
		if s.Inputs[i].Path != f.path {
			return nil, differ("the input " + s.Inputs[i].Path + " where this run has " + f.path)
		}
		if f.arg == corpus.Stdin {
			return nil, differ("standard input, which cannot be compared with this one")
		}
		if fi, err := os.Stat(f.arg); err != nil || fi.ModTime().After(st.ModTime()) || !fi.Mode().IsRegular() {
			return nil, differ("another version of " + f.path + " (it changed after the run completed)")
		}
	}
	want := r.paramsReport().Stable() // as stats.json holds it (rounded)
	got := s.Params
	want.MemoryBudget, got.MemoryBudget = 0, 0
	wj, _ := json.Marshal(want)
	gj, _ := json.Marshal(got)
	if !bytes.Equal(wj, gj) || s.DryRun != r.opt.DryRun {
		return nil, differ("other parameters")
	}
	if _, err := os.Stat(filepath.Join(r.opt.OutDir, "removed")); r.opt.WriteRemoved && !r.opt.DryRun && s.Total.Removed > 0 && err != nil {
		return nil, differ("no removed/ (this one has --removed)")
	}
	if err := removeChecked(r.workDir, r.inputIDs()); err != nil {
		return nil, err
	}
	if err := removeChecked(filepath.Join(r.opt.OutDir, ".work"), r.inputIDs()); err != nil {
		return nil, err
	}
	return &s, nil
}

// stageBytes is the input size a stage streams through, for progress bars:
// the files' sizes on disk for the passes that read every input.
func (r *run) stageBytes(stage string) int64 {
	if stage != "fingerprint" && stage != "write" {
		return 0
	}
	var n int64
	for _, f := range r.files {
		if fi, err := os.Stat(f.read); err == nil {
			n += fi.Size()
		}
	}
	return n
}

// residentBlocks is how many blocks of signatures may stay in memory: a
// third of the budget. The rest are read back from the signature file.
func (r *run) residentBlocks() int {
	perBlock := int64(blockSize) * int64(r.p.K) * 4
	return int(max(1, r.budget.Signatures()/perBlock))
}

// memoryLeft estimates how much of the memory budget the per-document
// tables leave for a stage's working set.
func (r *run) memoryLeft() int64 {
	perDoc := perDocBytes + 4 + 1 // the store's tables, the representative, the removal flag
	used := int64(r.docs.n)*perDoc + r.docs.resident.Load()*int64(blockSize)*int64(r.p.K)*4 + r.decoded.Used()
	return r.budget.Working(used)
}

// cpuTime returns the process's user+system CPU seconds.
func cpuTime() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	tv := func(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
	return tv(ru.Utime) + tv(ru.Stime)
}

// writeJSONFile writes v as indented JSON, atomically.
func writeJSONFile(path string, v any) error {
	f, err := atomicfile.Create(path)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(f)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		f.Abort()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Commit()
}

func fmtSim(x float64) string { return strconv.FormatFloat(x, 'f', 4, 64) }
