// Package atomicfile writes output files crash-safely: the data goes to a
// temporary file in the destination's directory, and only Commit makes it
// visible under the final name, by an fsync and a rename. A reader of the
// final name sees either nothing (or the previous file) or the complete new
// file, never a partial one.
//
// The temporary file is named ".NAME.tmp-XXXX" so that it is hidden from
// ordinary listings and easy to recognise and clean up after a crash.
package atomicfile

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/quchong/quchong/internal/writeback"
)

// File is an output file under construction. It implements io.Writer.
// Exactly one of Commit or Abort decides its fate; Abort after Commit is a
// no-op, so `defer f.Abort()` is the idiomatic cleanup.
type File struct {
	f    *os.File
	path string
	done bool
	// wb starts the writeback of what is written as it accumulates, so
	// that Commit's fsync does not wait for all of it at once.
	wb *writeback.Writer
}

// Create starts a new file that will appear at path on Commit. The parent
// directory must exist. The file gets mode 0644.
func Create(path string) (*File, error) {
	dir, name := filepath.Split(path)
	if name == "" {
		return nil, fmt.Errorf("atomicfile: create %q: not a file name", path)
	}
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+name+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("atomicfile: create %s: %w", path, err)
	}
	// CreateTemp uses 0600; outputs are ordinary files for people to read.
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, fmt.Errorf("atomicfile: create %s: %w", path, err)
	}
	return &File{f: f, path: path, wb: writeback.New(f, 0)}, nil
}

// Write writes to the temporary file.
func (f *File) Write(p []byte) (int, error) {
	if f.done {
		return 0, fmt.Errorf("atomicfile: write %s: file already committed or aborted", f.path)
	}
	n, err := f.f.Write(p)
	f.wb.Wrote(n)
	return n, err
}

// Name returns the final path the file will have after Commit.
func (f *File) Name() string { return f.path }

// TempName returns the path of the temporary file.
func (f *File) TempName() string { return f.f.Name() }

// Commit flushes the data to stable storage, closes the file and renames it
// over the final path. On failure the temporary file is removed and the final
// path is left untouched.
func (f *File) Commit() error {
	if f.done {
		return fmt.Errorf("atomicfile: commit %s: file already committed or aborted", f.path)
	}
	f.done = true
	tmp := f.f.Name()
	err := f.f.Sync()
	if cerr := f.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, f.path)
	}
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("atomicfile: commit %s: %w", f.path, err)
	}
	// Make the rename itself durable. Some file systems do not support
	// syncing a directory; the data is already safe, so that is not an error.
	if d, derr := os.Open(filepath.Dir(f.path)); derr == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// Abort discards the temporary file. It is safe to call more than once and
// after Commit, where it does nothing.
func (f *File) Abort() {
	if f.done {
		return
	}
	f.done = true
	f.f.Close()
	os.Remove(f.f.Name())
}

// WriteFile creates path atomically with what fill writes: the file appears
// complete on success, and nothing appears on failure. The parent directory
// is created if needed.
func WriteFile(path string, fill func(w io.Writer) error) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("atomicfile: create %s: %w", path, err)
	}
	f, err := Create(path)
	if err != nil {
		return err
	}
	if err := fill(f); err != nil {
		f.Abort()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Commit()
}
