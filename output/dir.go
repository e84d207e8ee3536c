package output

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/quchong/quchong/corpus"
)

// The output directory's rules, for every engine: a run locks it, refuses
// inputs inside it, and removes (with --force) only what an earlier run of
// quchong wrote there, never a file that is an input.

// LockName is the lock file a run holds in its output directory.
const LockName = ".quchong.lock"

// ErrLocked means another quchong run holds the output directory.
var ErrLocked = errors.New("output directory in use")

// ErrInput means a removal was refused because it would remove an input.
var ErrInput = errors.New("an input of the run")

// DirLock is a held lock on an output directory: the file DIR/.quchong.lock
// holding the pid of its holder, locked with flock(2). The kernel releases
// the flock when its holder dies, however it dies, so a lock file left by a
// dead run is taken over by the next run without a race.
type DirLock struct {
	f    *os.File
	path string
}

// LockDir creates dir if needed and locks it. created says whether dir was
// created here. A directory another run holds gives an error wrapping
// ErrLocked that names the holder's pid.
func LockDir(dir string) (l *DirLock, created bool, err error) {
	if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		created = true
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, false, fmt.Errorf("output directory: %w", err)
	}
	path := filepath.Join(dir, LockName)
	for range 100 {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
		if err != nil {
			return nil, created, fmt.Errorf("lock the output directory: %w", err)
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			holder := readHolder(f)
			f.Close()
			if errors.Is(err, syscall.EWOULDBLOCK) {
				return nil, created, fmt.Errorf("%w: %s is being written by another quchong run (pid %s, lock file %s); wait for it to end, or choose another -o", ErrLocked, dir, holder, path)
			}
			return nil, created, fmt.Errorf("lock the output directory: %w", err)
		}
		// The holder before us removes the file as it unlocks: a lock taken
		// on a removed file locks nothing, so take it again on the new one.
		fi, ferr := f.Stat()
		pi, perr := os.Stat(path)
		if ferr == nil && perr == nil && os.SameFile(fi, pi) {
			if err := f.Truncate(0); err == nil {
				_, err = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
			}
			return &DirLock{f: f, path: path}, created, nil
		}
		f.Close()
	}
	return nil, created, fmt.Errorf("lock the output directory %s: the lock file keeps changing", dir)
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

// Release removes the lock file, then unlocks it. A nil lock is a no-op.
func (l *DirLock) Release() {
	if l == nil || l.f == nil {
		return
	}
	os.Remove(l.path)
	l.f.Close()
	l.f = nil
}

// InsideDir reports whether path lies inside the directory dir, comparing
// directories by device and inode rather than by name, so that symbolic
// links, "." and "..", and bind mounts are seen through: both the path as
// written (made absolute) and the path with every link resolved are
// checked.
func InsideDir(path string, dir os.FileInfo) bool {
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

// InputIDs returns the files at paths by device and inode, for
// RemoveChecked.
func InputIDs(paths []string) map[corpus.FileID]string {
	ids := make(map[corpus.FileID]string)
	for _, p := range paths {
		if fi, err := os.Stat(p); err == nil {
			if id, ok := corpus.IDOf(fi); ok {
				ids[id] = p
			}
		}
	}
	return ids
}

// RemoveChecked removes path (a file or a tree, links not followed), after
// making sure that no input of the run is among what it would remove; a
// refusal wraps ErrInput.
func RemoveChecked(path string, inputs map[corpus.FileID]string) error {
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
				return fmt.Errorf("will not remove %s: it is %w %s (move the input out of the output directory)", p, ErrInput, in)
			}
		}
		return nil
	})
	if err != nil {
		if errors.Is(err, ErrInput) {
			return err
		}
		return fmt.Errorf("output directory: %w", err)
	}
	if err := os.RemoveAll(path); err != nil {
		return fmt.Errorf("output directory: %w", err)
	}
	return nil
}

// FixedOutputs are the names quchong writes directly in the output
// directory, besides kept/ and removed/.
var FixedOutputs = []string{"clusters.jsonl", "rejected.jsonl", "report.html", "stats.json"}

// PreviousOutputs lists what earlier runs of quchong wrote in dir, as their
// records say: the fixed names, the files stats.json names under kept/ and
// removed/ (a completed run), and more (what an engine's own records name,
// such as a run killed while committing). Names that would leave dir are
// ignored: the records are not trusted to point elsewhere.
func PreviousOutputs(dir string, more []string) []string {
	var names []string
	add := func(rel string) {
		if rel != "" && filepath.IsLocal(rel) && !slices.Contains(names, rel) {
			names = append(names, rel)
		}
	}
	for _, n := range FixedOutputs {
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
	for _, o := range more {
		add(o)
	}
	return names
}

// ClearOutputs removes, for --force, the files names (relative to dir, from
// PreviousOutputs) and nothing else: files of other origin in kept/ and
// removed/ stay, and so do those directories when they still hold
// something. It never removes an input.
func ClearOutputs(dir string, names []string, inputs map[corpus.FileID]string) error {
	for _, rel := range names {
		p := filepath.Join(dir, rel)
		fi, err := os.Lstat(p)
		if err != nil || fi.IsDir() {
			continue // never a directory: only the files quchong wrote
		}
		if err := RemoveChecked(p, inputs); err != nil {
			return err
		}
		// Directories left empty under kept/ or removed/ go too.
		for d := filepath.Dir(p); d != dir && corpus.Within(d, dir); d = filepath.Dir(d) {
			if os.Remove(d) != nil {
				break
			}
		}
	}
	// Temporary files a killed run left behind (atomicfile names).
	for _, name := range append([]string{"kept", "removed"}, FixedOutputs...) {
		stale, _ := filepath.Glob(filepath.Join(dir, "."+name+".tmp-*"))
		for _, t := range stale {
			if err := RemoveChecked(t, inputs); err != nil {
				return err
			}
		}
	}
	return nil
}

// PrepareDir applies the rules to an output directory an engine writes
// directly (the local engine stages and commits its outputs instead): it
// creates dir, refuses an input inside it, refuses a non-empty dir without
// force and, with force, removes what earlier runs of quchong wrote there
// (PreviousOutputs, and the engine's own work names in more) and nothing
// else, never an input. Inputs that are not local files (URLs) are skipped
// by the caller.
func PrepareDir(dir string, force bool, inputs, more []string) error {
	if dir == "" {
		return fmt.Errorf("no output directory (-o DIR)")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("output directory: %w", err)
	}
	di, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("output directory: %w", err)
	}
	for _, in := range inputs {
		if InsideDir(in, di) {
			return fmt.Errorf("%w %s lies inside the output directory %s: choose another -o", ErrInput, in, dir)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("output directory: %w", err)
	}
	entries = slices.DeleteFunc(entries, func(e os.DirEntry) bool { return e.Name() == LockName })
	switch {
	case len(entries) > 0 && !force:
		return fmt.Errorf("output directory %s is not empty (use --force to replace quchong's outputs in it)", dir)
	case len(entries) > 0:
		ids := InputIDs(inputs)
		if err := ClearOutputs(dir, PreviousOutputs(dir, nil), ids); err != nil {
			return err
		}
		for _, m := range more {
			if filepath.IsLocal(m) {
				if err := RemoveChecked(filepath.Join(dir, m), ids); err != nil {
					return err
				}
			}
		}
	}
	return nil
}
