package output

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/zeebo/xxh3"

	"github.com/quchong/quchong/corpus"
)

// Spoolable reports whether the input at path cannot be read twice
// (standard input, a named pipe, a socket, a device), so that a run that
// reads its inputs more than once must copy it first (Spool).
func Spoolable(path string) bool {
	if path == corpus.Stdin {
		return true
	}
	fi, err := os.Stat(path)
	return err == nil && fi.Mode()&(os.ModeNamedPipe|os.ModeSocket|os.ModeDevice|os.ModeCharDevice) != 0
}

// Spool copies the input at path (corpus.Stdin: standard input) whole to
// dst, a file in the run's work directory that the run then reads instead,
// as often as it needs, and syncs it. The copy streams through a fixed
// buffer: the disk bounds it, not the memory budget. It returns the size
// copied and the xxh3 hash of the content (a pipe has no modification time
// to compare on resume). A failure to read the input is an *InputError, a
// failure to write the copy an *OutputError.
func Spool(path, dst string) (n int64, sum uint64, err error) {
	var src io.Reader
	if path == corpus.Stdin {
		src = os.Stdin
	} else {
		in, err := os.Open(path)
		if err != nil {
			return 0, 0, &InputError{Err: err}
		}
		defer in.Close()
		src = in
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return 0, 0, &OutputError{Err: fmt.Errorf("work directory: %w", err)}
	}
	out, err := os.Create(dst)
	if err != nil {
		return 0, 0, &OutputError{Err: fmt.Errorf("work directory: %w", err)}
	}
	h := xxh3.New()
	n, err = io.CopyBuffer(io.MultiWriter(out, h), src, make([]byte, 1<<20))
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		name := path
		if path == corpus.Stdin {
			name = "standard input"
		}
		var pe *os.PathError
		if errors.As(err, &pe) && pe.Path == dst {
			return n, 0, &OutputError{Err: fmt.Errorf("copy %s to the work directory: %w", name, err)}
		}
		return n, 0, &InputError{Err: fmt.Errorf("read %s: %w", name, err)}
	}
	return n, h.Sum64(), nil
}
