package local

import (
	"fmt"
	"os"
	"path/filepath"
)

// textSpill is an append-only file of document texts in the work directory,
// for the inputs whose texts cannot be read back by offset (compressed and
// Parquet files; see corpus.Rereadable): pass 1 writes each such document's
// text once, as the reader gave it (writing the batch's buffer as it is
// costs less than encoding the normalised runes back to UTF-8); later stages
// that must compare two texts read just those documents back by offset and
// normalise them again, instead of decompressing the whole input again.
// The sequencer lays texts out in index order, so one end offset per
// document locates each; workers write their batch's texts at the batch's
// offset.
type textSpill struct {
	f   *os.File
	end int64
}

func createTextSpill(dir string) (*textSpill, error) {
	f, err := os.Create(filepath.Join(dir, "texts.bin"))
	if err != nil {
		return nil, fmt.Errorf("work directory: %w", err)
	}
	return &textSpill{f: f}, nil
}

// write writes buf at off.
func (t *textSpill) write(buf []byte, off int64) error {
	if _, err := t.f.WriteAt(buf, off); err != nil {
		return fmt.Errorf("work directory: %w", err)
	}
	return nil
}

// read returns the text stored at [off, off+n), in buf if it is large
// enough.
func (t *textSpill) read(off int64, n uint32, buf []byte) ([]byte, error) {
	if cap(buf) < int(n) {
		buf = make([]byte, n)
	}
	buf = buf[:n]
	if _, err := t.f.ReadAt(buf, off); err != nil {
		return buf, fmt.Errorf("work directory: read back a text: %w", err)
	}
	return buf, nil
}

func (t *textSpill) close() error {
	if t == nil || t.f == nil {
		return nil
	}
	err := t.f.Close()
	t.f = nil
	return err
}
