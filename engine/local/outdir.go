package local

import (
	"github.com/quchong/quchong/corpus"
	"github.com/quchong/quchong/output"

	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
)

// The output directory's life: a run locks it, checks that no input lies
// inside it, removes (with Force) only what an earlier run of quchong wrote
// there, writes its outputs to a staging directory inside the work directory,
// and commits them under their final names at the end, stats.json last. Until
// stats.json appears, no output of the run looks final, except during the
// commit itself (a few renames), which a resumed run completes.

// ErrLocked means another quchong run holds the output directory.
var ErrLocked = output.ErrLocked

// lockOutDir creates dir if needed and locks it (output.LockDir). created
// says whether dir was created here.
func lockOutDir(dir string) (*output.DirLock, bool, error) {
	l, created, err := output.LockDir(dir)
	switch {
	case errors.Is(err, output.ErrLocked):
		return nil, created, &output.ConfigError{Err: err}
	case err != nil:
		return nil, created, &output.OutputError{Err: err}
	}
	return l, created, nil
}

// inputIDs returns the files the run reads, by device and inode.
func (r *run) inputIDs() map[corpus.FileID]string {
	paths := make([]string, len(r.files))
	for i, f := range r.files {
		paths[i] = f.read
	}
	return output.InputIDs(paths)
}

// removeChecked is output.RemoveChecked with the engine's error kinds: a
// refusal to remove an input is a configuration error.
func removeChecked(path string, inputs map[corpus.FileID]string) error {
	return typed(output.RemoveChecked(path, inputs))
}

func typed(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, output.ErrInput):
		return &output.ConfigError{Err: err}
	}
	return &output.OutputError{Err: err}
}

// clearOutputs removes, for Force, what earlier runs of quchong wrote in
// dir (output.PreviousOutputs, with what the work directory's manifest
// names: a run killed while committing) and the work directories, and
// nothing else.
func (r *run) clearOutputs(dir string) error {
	inputs := r.inputIDs()
	var more []string
	if b, err := os.ReadFile(filepath.Join(r.workDir, "manifest.json")); err == nil {
		var m manifest
		if json.Unmarshal(b, &m) == nil {
			more = m.Outputs
		}
	}
	if err := typed(output.ClearOutputs(dir, output.PreviousOutputs(dir, more), inputs)); err != nil {
		return err
	}
	for _, w := range []string{r.workDir, filepath.Join(dir, ".work")} {
		if err := removeChecked(w, inputs); err != nil {
			return err
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
		if e.Name() != output.LockName {
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
		return &output.OutputError{Err: fmt.Errorf("checkpoint write: %w", err)}
	}
	if r.opt.stopAfter == "commit-begin" {
		return errStopped
	}
	return r.finishCommit(outputs)
}

func (r *run) finishCommit(outputs []string) error {
	dirs := map[string]bool{}
	for _, rel := range append(slices.Clone(outputs), "stats.json") {
		src, dst := r.stagePath(rel), filepath.Join(r.opt.OutDir, rel)
		if rel == "stats.json" {
			// The renames into kept/ and removed/ are durable before
			// stats.json says the run completed.
			for dir := range dirs {
				syncDir(dir)
			}
		}
		if _, err := os.Lstat(src); errors.Is(err, os.ErrNotExist) {
			if _, err := os.Stat(dst); err == nil {
				continue // moved by the commit that was interrupted
			}
			return &output.OutputError{Err: fmt.Errorf("commit the outputs: %s is neither staged nor in place", rel)}
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return &output.OutputError{Err: fmt.Errorf("commit the outputs: %w", err)}
		}
		if err := os.Rename(src, dst); err != nil {
			return &output.OutputError{Err: fmt.Errorf("commit the outputs: %w", err)}
		}
		dirs[filepath.Dir(dst)] = true
	}
	syncDir(r.opt.OutDir)
	return nil
}

// syncDir makes the entries of dir durable. Some file systems cannot sync
// a directory; the data is already safe, so that is not an error.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
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
	for _, n := range output.FixedOutputs {
		if _, err := os.Lstat(r.stagePath(n)); err == nil && n != "stats.json" {
			out = append(out, n)
		}
	}
	return out
}
