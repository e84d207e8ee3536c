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
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

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
	// batch, when not nil, takes the fsync that Commit would wait for.
	batch *Batch
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

// CreateIn is Create for a file whose Commit renames it at once, without
// waiting for the disk, and leaves the fsync to b.Sync, which makes every
// file committed into b durable together. Until Sync returns, a crash of
// the machine (not of the program) may leave the final name with partial
// content: a Batch is for files written in a staging place that is
// published only after Sync. A program that writes several files one after
// another thus does not stall on each one's fsync in turn.
func CreateIn(path string, b *Batch) (*File, error) {
	f, err := Create(path)
	if err == nil {
		f.batch = b
	}
	return f, err
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
	if f.batch != nil && f.batch.take() {
		// Renamed now; fsynced and closed by the batch's Sync (the file is
		// kept open until then, so that a writeback error reaches it).
		if err := os.Rename(tmp, f.path); err != nil {
			f.batch.give()
			f.f.Close()
			os.Remove(tmp)
			return fmt.Errorf("atomicfile: commit %s: %w", f.path, err)
		}
		f.batch.add(f.f, f.path)
		return nil
	}
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
	return writeFile(path, nil, fill)
}

func writeFile(path string, b *Batch, fill func(w io.Writer) error) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("atomicfile: create %s: %w", path, err)
	}
	f, err := CreateIn(path, b)
	if err != nil {
		return err
	}
	if err := fill(f); err != nil {
		f.Abort()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Commit()
}

// BatchOpen is how many committed files a Batch holds open, waiting for
// Sync, unless NewBatch says otherwise; the Commit of a file beyond them
// syncs it at once, as Create's files are.
const BatchOpen = 256

// Batch gathers the fsyncs of the files committed into it (CreateIn) for
// one Sync. The files stay open until then (a descriptor opened again for
// the fsync could miss a writeback error), so a program near its limit of
// open files gives a smaller bound (NewBatch). It is safe for concurrent
// use; the zero value holds up to BatchOpen files.
type Batch struct {
	max     int // files held open at most; 0 means BatchOpen, < 0 none
	mu      sync.Mutex
	files   []*os.File // renamed, open, not yet synced
	names   []string
	dirs    map[string]bool
	pending int // files that took a place and are being renamed
}

// NewBatch returns a Batch that holds at most maxOpen committed files open
// (none when maxOpen ≤ 0: every Commit then syncs at once).
func NewBatch(maxOpen int) *Batch {
	if maxOpen <= 0 {
		maxOpen = -1
	}
	return &Batch{max: maxOpen}
}

// take reserves a place for one file, false when the batch is full.
func (b *Batch) take() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	limit := b.max
	if limit == 0 {
		limit = BatchOpen
	}
	if len(b.files)+b.pending >= limit {
		return false
	}
	b.pending++
	return true
}

// give returns a place taken and not used.
func (b *Batch) give() {
	b.mu.Lock()
	b.pending--
	b.mu.Unlock()
}

// add records a file renamed to name, open, for Sync.
func (b *Batch) add(f *os.File, name string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.pending--
	b.files = append(b.files, f)
	b.names = append(b.names, name)
	if b.dirs == nil {
		b.dirs = map[string]bool{}
	}
	b.dirs[filepath.Dir(name)] = true
}

// Sync makes every file committed into b so far durable: it fsyncs them,
// several at once, closes them, and fsyncs their directories. The batch is
// empty afterwards. The error names each file that could not be synced.
func (b *Batch) Sync() error {
	b.mu.Lock()
	files, names, dirs := b.files, b.names, b.dirs
	b.files, b.names, b.dirs = nil, nil, nil
	b.mu.Unlock()
	errs := make([]error, len(files))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 16)
	for i, f := range files {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			err := f.Sync()
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				errs[i] = fmt.Errorf("atomicfile: sync %s: %w", names[i], err)
			}
		}()
	}
	wg.Wait()
	for dir := range dirs { // as Commit: a directory that cannot be synced is no error
		if d, err := os.Open(dir); err == nil {
			d.Sync()
			d.Close()
		}
	}
	return errors.Join(errs...)
}

// WriteFileIn is WriteFile for a file committed into b (CreateIn).
func WriteFileIn(path string, b *Batch, fill func(w io.Writer) error) error {
	return writeFile(path, b, fill)
}
