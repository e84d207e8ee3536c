package local

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/quchong/quchong/corpus"

	"github.com/zeebo/xxh3"
)

// stampBlock is how much of each end of an input its stamp hashes: a
// change that keeps the size and modification time (a restored mtime, an
// edit in place) is caught when it touches either end, or anywhere in a
// file of up to two blocks.
const stampBlock = 64 << 10

// stampFile identifies the content of the regular file at path cheaply: its
// size, modification time and a hash of its first and last stampBlock
// bytes (of all of it when it is smaller than two blocks).
func stampFile(name, path string) (inputStamp, error) {
	st, err := os.Stat(path)
	if err != nil {
		return inputStamp{}, err
	}
	stamp := inputStamp{Path: name, Size: st.Size(), ModTime: st.ModTime().UnixNano()}
	f, err := os.Open(path)
	if err != nil {
		return stamp, nil // unreadable: the read records the fault
	}
	defer f.Close()
	h := xxh3.New()
	buf := make([]byte, min(st.Size(), 2*stampBlock))
	if st.Size() <= 2*stampBlock {
		_, err = io.ReadFull(f, buf)
	} else if _, err = f.ReadAt(buf[:stampBlock], 0); err == nil {
		_, err = f.ReadAt(buf[stampBlock:], st.Size()-stampBlock)
	}
	if err != nil {
		return stamp, nil // as above
	}
	h.Write(buf)
	stamp.Hash = strconv.FormatUint(h.Sum64(), 16)
	return stamp, nil
}

// spoolable reports whether the input at path cannot be read twice (a
// pipe, standard input, a device), so that the run must copy it first.
func spoolable(path string) bool {
	if path == corpus.Stdin {
		return true
	}
	fi, err := os.Stat(path)
	return err == nil && fi.Mode()&(os.ModeNamedPipe|os.ModeSocket|os.ModeDevice|os.ModeCharDevice) != 0
}

// spoolInput copies the input f (standard input, a pipe, a device) whole to
// dst in the work directory, which the run then reads instead, as often as
// it needs. The copy streams through a fixed buffer; what bounds it is the
// disk, not the memory budget. Its stamp hashes all of its content: a pipe
// has no modification time to compare on resume.
func spoolInput(f *fileInfo, dst string) error {
	var src io.Reader
	if f.arg == corpus.Stdin {
		src = os.Stdin
	} else {
		in, err := os.Open(f.arg)
		if err != nil {
			return &InputError{err}
		}
		defer in.Close()
		src = in
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return &OutputError{fmt.Errorf("work directory: %w", err)}
	}
	out, err := os.Create(dst)
	if err != nil {
		return &OutputError{fmt.Errorf("work directory: %w", err)}
	}
	h := xxh3.New()
	n, err := io.CopyBuffer(io.MultiWriter(out, h), src, make([]byte, 1<<20))
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) && pe.Path == dst {
			return &OutputError{fmt.Errorf("copy %s to the work directory: %w", f.path, err)}
		}
		return &InputError{fmt.Errorf("read %s: %w", f.path, err)}
	}
	f.read = dst
	f.stamp = inputStamp{Path: f.path, Size: n, Hash: "all:" + strconv.FormatUint(h.Sum64(), 16)}
	return nil
}
