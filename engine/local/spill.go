package local

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"unicode/utf8"
)

// textSpill is an append-only file of normalised texts in the work
// directory. Pass 1 writes every document's normalised text once; later
// stages that must compare two texts read just those documents back by
// offset, instead of decompressing and re-normalising the whole input again.
// The order of texts in the file depends on scheduling; the offsets, kept per
// document, make that invisible.
type textSpill struct {
	f   *os.File
	mu  sync.Mutex
	end int64
}

func createTextSpill(dir string) (*textSpill, error) {
	f, err := os.Create(filepath.Join(dir, "texts.bin"))
	if err != nil {
		return nil, fmt.Errorf("work directory: %w", err)
	}
	return &textSpill{f: f}, nil
}

// reserve returns the offset at which n bytes may be written.
func (t *textSpill) reserve(n int) int64 {
	t.mu.Lock()
	off := t.end
	t.end += int64(n)
	t.mu.Unlock()
	return off
}

// write appends buf, returning its offset.
func (t *textSpill) write(buf []byte) (int64, error) {
	off := t.reserve(len(buf))
	if _, err := t.f.WriteAt(buf, off); err != nil {
		return 0, fmt.Errorf("work directory: %w", err)
	}
	return off, nil
}

// read returns the runes stored at [off, off+n).
func (t *textSpill) read(off int64, n uint32, buf []byte) ([]rune, []byte, error) {
	if cap(buf) < int(n) {
		buf = make([]byte, n)
	}
	buf = buf[:n]
	if _, err := t.f.ReadAt(buf, off); err != nil {
		return nil, buf, fmt.Errorf("work directory: read back a text: %w", err)
	}
	out := make([]rune, 0, utf8.RuneCount(buf))
	for rest := buf; len(rest) > 0; {
		r, size := utf8.DecodeRune(rest)
		out = append(out, r)
		rest = rest[size:]
	}
	return out, buf, nil
}

func (t *textSpill) close() error {
	if t == nil || t.f == nil {
		return nil
	}
	err := t.f.Close()
	t.f = nil
	return err
}

// appendUTF8 appends the UTF-8 encoding of runes to dst.
func appendUTF8(dst []byte, runes []rune) []byte {
	for _, r := range runes {
		dst = utf8.AppendRune(dst, r)
	}
	return dst
}
