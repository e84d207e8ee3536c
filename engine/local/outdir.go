package local

import (
	"encoding/json"
	"errors"
	"fmt"
	"github.com/quchong/quchong/corpus"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
)

// The output directory's life: a run locks it, checks that no input lies
// inside it, removes (with Force) only what an earlier run of quchong wrote
// there, writes its outputs to a staging directory inside the work directory,
// and commits them under their final names at the end, stats.json last. Until
// stats.json appears, no output of the run looks final, except during the
// commit itself (a few renames), which a resumed run completes.

// lockName is the lock file a run holds in its output directory.
const lockName = ".quchong.lock"

// ErrLocked means another quchong run holds the output directory.
var ErrLocked = errors.New("output directory in use")

// dirLock is a held lock on an output directory: the file DIR/.quchong.lock
// holding the pid of its holder, locked with flock(2). The kernel releases
// the flock when its holder dies, however it dies, so a lock file left by a
// dead run is taken over by the next run without a race.
type dirLock struct {
	f    *os.File
	path string
}

// lockOutDir creates dir if needed and locks it. created says whether dir
// was created here.
func lockOutDir(dir string) (l *dirLock, created bool, err error) {
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		created = true
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, false, &OutputError{fmt.Errorf("output directory: %w", err)}
	}
	path := filepath.Join(dir, lockName)
	for range 100 {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			return nil, created, &OutputError{fmt.Errorf("lock the output directory: %w", err)}
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			holder := readHolder(f)
			f.Close()
			if errors.Is(err, syscall.EWOULDBLOCK) {
				return nil, created, &ConfigError{fmt.Errorf("%w: %s is being written by another quchong run (pid %s, lock file %s); wait for it to end, or choose another -o", ErrLocked, dir, holder, path)}
			}
			return nil, created, &OutputError{fmt.Errorf("lock the output directory: %w", err)}
		}
		// The holder before us removes the file as it unlocks: a lock taken
		// on a removed file locks nothing, so take it again on the new one.
		fi, ferr := f.Stat()
		pi, perr := os.Stat(path)
		if ferr == nil && perr == nil && os.SameFile(fi, pi) {
			if err := f.Truncate(0); err == nil {
				_, err = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
			}
			return &dirLock{f: f, path: path}, created, nil
		}
		f.Close()
	}
	return nil, created, &OutputError{fmt.Errorf("lock the output directory %s: the lock file keeps changing", dir)}
}

// readHolder returns the pid written in a lock file, or "unknown".
func readHolder(f *os.File) string {
	b := make([]byte, 32)
	n, _ := f.ReadAt(b, 0)
	if s := strings.TrimSpace(string(b[:n])); s != "" {
		return s
	}
	return "unknown"
}

// release removes the lock file, then unlocks it.
func (l *dirLock) release() {
	if l == nil || l.f == nil {
		return
	}
	os.Remove(l.path)
	l.f.Close()
	l.f = nil
}

// insideDir reports whether path lies inside the directory dir, comparing
// directories by device and inode rather than by name, so that symbolic
// links, "." and "..", and bind mounts are seen through: both the path as
// written (made absolute) and the path with every link resolved are
// checked.
func insideDir(path string, dir os.FileInfo) bool {
	var cands []string
	if a, err := filepath.Abs(path); err == nil {
		cands = append(cands, a)
	}
	if rp, err := filepath.EvalSymlinks(path); err == nil {
		if a, err := filepath.Abs(rp); err == nil {
			cands = append(cands, a)
		}
	}
	for _, p := range cands {
		for q := filepath.Dir(p); ; q = filepath.Dir(q) {
			if st, err := os.Stat(q); err == nil && os.SameFile(st, dir) {
				return true
			}
			if q == filepath.Dir(q) {
				break
			}
		}
	}
	return false
}

// inputIDs returns the files the run reads, by device and inode.
func (r *run) inputIDs() map[corpus.FileID]string {
	ids := make(map[corpus.FileID]string)
	for _, f := range r.files {
		if fi, err := os.Stat(f.read); err == nil {
			if id, ok := corpus.IDOf(fi); ok {
				ids[id] = f.path
			}
		}
	}
	return ids
}

// removeChecked removes path (a file or a tree, links not followed), after
// making sure that no input of the run is among what it would remove.
func removeChecked(path string, inputs map[corpus.FileID]string) error {
	err := filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil
			}
			return err
		}
		if !d.Type().IsRegular() {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return nil
		}
		if id, ok := corpus.IDOf(fi); ok {
			if in, ok := inputs[id]; ok {
				return &ConfigError{fmt.Errorf("will not remove %s: it is the input %s (move the input out of the output directory)", p, in)}
			}
		}
		return nil
	})
	if err != nil {
		var ce *ConfigError
		if errors.As(err, &ce) {
			return err
		}
		return &OutputError{fmt.Errorf("output directory: %w", err)}
	}
	if err := os.RemoveAll(path); err != nil {
		return &OutputError{fmt.Errorf("output directory: %w", err)}
	}
	return nil
}

// fixedOutputs are the names quchong writes directly in the output
// directory, besides kept/ and removed/.
var fixedOutputs = []string{"clusters.jsonl", "rejected.jsonl", "report.html", "stats.json"}

// previousOutputs lists what earlier runs of quchong wrote in dir, as their
// records say: the files stats.json names under kept/ and removed/ (a
// completed run), those the work directory's manifest names (a run killed
// while committing), and the fixed names. Names that would leave dir are
// ignored: the records are not trusted to point elsewhere.
func previousOutputs(dir, workDir string) []string {
	var names []string
	add := func(rel string) {
		if rel != "" && filepath.IsLocal(rel) && !slices.Contains(names, rel) {
			names = append(names, rel)
		}
	}
	for _, n := range fixedOutputs {
		add(n)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "stats.json")); err == nil {
		var s struct {
			Inputs []struct {
				Output string `json:"output"`
			} `json:"inputs"`
		}
		if json.Unmarshal(b, &s) == nil {
			for _, in := range s.Inputs {
				if filepath.IsLocal(in.Output) {
					add(filepath.Join("kept", in.Output))
					add(filepath.Join("removed", in.Output))
				}
			}
		}
	}
	if b, err := os.ReadFile(filepath.Join(workDir, "manifest.json")); err == nil {
		var m manifest
		if json.Unmarshal(b, &m) == nil {
			for _, o := range m.Outputs {
				add(o)
			}
		}
	}
	return names
}

// clearOutputs removes, for Force, what earlier runs of quchong wrote in
// dir and nothing else: files of other origin in kept/ and removed/ stay,
// and so do those directories when they still hold something.
func (r *run) clearOutputs(dir string) error {
	inputs := r.inputIDs()
	for _, rel := range previousOutputs(dir, r.workDir) {
		p := filepath.Join(dir, rel)
		fi, err := os.Lstat(p)
		if err != nil || fi.IsDir() {
			continue // never a directory: only the files quchong wrote
		}
		if err := removeChecked(p, inputs); err != nil {
			return err
		}
		// Directories left empty under kept/ or removed/ go too.
		for d := filepath.Dir(p); d != dir && corpus.Within(d, dir); d = filepath.Dir(d) {
			if os.Remove(d) != nil {
				break
			}
		}
	}
	for _, w := range []string{r.workDir, filepath.Join(dir, ".work")} {
		if err := removeChecked(w, inputs); err != nil {
			return err
		}
	}
	// Temporary files a killed run of an older layout left behind
	// (atomicfile names).
	for _, name := range append([]string{"kept", "removed"}, fixedOutputs...) {
		stale, _ := filepath.Glob(filepath.Join(dir, "."+name+".tmp-*"))
		for _, t := range stale {
			if err := removeChecked(t, inputs); err != nil {
				return err
			}
		}
	}
	return nil
}

// outEntries lists dir's entries, the lock file aside.
func outEntries(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if e.Name() != lockName {
			names = append(names, e.Name())
		}
	}
	return names, nil
}

// stagePath is where the output named rel (relative to the output
// directory) is written before the commit.
func (r *run) stagePath(rel string) string { return filepath.Join(r.stageDir, rel) }

// commit moves the staged outputs to their final names, stats.json last,
// recording first in the manifest what it moves, so that a run killed
// during the commit finishes it when resumed (and Force removes exactly
// those files). It is idempotent.
func (r *run) commit(outputs []string) error {
	if err := r.markCommit(outputs); err != nil {
		return &OutputError{fmt.Errorf("checkpoint write: %w", err)}
	}
	if r.opt.stopAfter == "commit-begin" {
		return errStopped
	}
	return r.finishCommit(outputs)
}

func (r *run) finishCommit(outputs []string) error {
	for _, rel := range append(slices.Clone(outputs), "stats.json") {
		src, dst := r.stagePath(rel), filepath.Join(r.opt.OutDir, rel)
		if _, err := os.Lstat(src); errors.Is(err, os.ErrNotExist) {
			if _, err := os.Stat(dst); err == nil {
				continue // moved by the commit that was interrupted
			}
			return &OutputError{fmt.Errorf("commit the outputs: %s is neither staged nor in place", rel)}
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return &OutputError{fmt.Errorf("commit the outputs: %w", err)}
		}
		if err := os.Rename(src, dst); err != nil {
			return &OutputError{fmt.Errorf("commit the outputs: %w", err)}
		}
	}
	if d, err := os.Open(r.opt.OutDir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// stagedOutputs lists the outputs the run staged, stats.json aside, in a
// fixed order.
func (r *run) stagedOutputs() []string {
	var out []string
	for _, sub := range []string{"kept", "removed"} {
		for _, f := range r.files {
			rel := filepath.Join(sub, f.output)
			if _, err := os.Lstat(r.stagePath(rel)); err == nil {
				out = append(out, rel)
			}
		}
	}
	for _, n := range fixedOutputs {
		if _, err := os.Lstat(r.stagePath(n)); err == nil && n != "stats.json" {
			out = append(out, n)
		}
	}
	return out
}
