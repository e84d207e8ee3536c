package sub

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"

	"github.com/quchong/quchong/stage"
)

// partFiles spills the normalised corpus of Substr to the work directory in
// parts of whole documents, for a corpus too large to sort at once.
type partFiles struct {
	dir   string
	paths []string
	// maxChars is the longest part's length in characters.
	maxChars int
	// hold is the share of each part's text that view holds in memory
	// (its first characters); 1 or more: all of it.
	hold float64
}

// write stores one part: the number of documents, the bounds, the text
// (little-endian 32-bit integers).
func (pf *partFiles) write(text []rune, bounds []int32) error {
	path := filepath.Join(pf.dir, fmt.Sprintf("part-%06d.bin", len(pf.paths)))
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("spill: %w", err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	err = binary.Write(w, binary.LittleEndian, uint32(len(bounds)-1))
	if err == nil {
		err = binary.Write(w, binary.LittleEndian, bounds)
	}
	if err == nil {
		err = writeChunked(w, text)
	}
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("spill %s: %w", path, err)
	}
	pf.paths = append(pf.paths, path)
	pf.maxChars = max(pf.maxChars, len(text))
	return nil
}

// load appends part k's text to dst and returns its bounds.
func (pf *partFiles) load(k int, dst []rune) ([]rune, []int32, error) {
	f, err := os.Open(pf.paths[k])
	if err != nil {
		return dst, nil, err
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 1<<20)
	var docs uint32
	if err := binary.Read(r, binary.LittleEndian, &docs); err != nil {
		return dst, nil, fmt.Errorf("read %s: %w", pf.paths[k], err)
	}
	bounds := make([]int32, docs+1)
	if err := binary.Read(r, binary.LittleEndian, bounds); err != nil {
		return dst, nil, fmt.Errorf("read %s: %w", pf.paths[k], err)
	}
	n := int(bounds[docs])
	start := len(dst)
	dst = append(dst, make([]rune, n)...)
	if err := readChunked(r, dst[start:]); err != nil {
		return dst, nil, fmt.Errorf("read %s: %w", pf.paths[k], err)
	}
	return dst, bounds, nil
}

// spillParts writes the documents text[bounds[d]:bounds[d+1]] as parts of
// at most partChars characters each (a longer document is a part of its
// own), and returns the number of documents written: all of them when
// final, else all but those that would start a part not yet full.
func (pf *partFiles) spillParts(text []rune, bounds []int32, partChars int, final bool) (int, error) {
	from := 0 // first document of the part being gathered
	for d := 1; d < len(bounds); d++ {
		last := d == len(bounds)-1
		if last && !final {
			break // the part begun here is not full yet: keep gathering
		}
		if last || int(bounds[d+1]-bounds[from]) > partChars {
			lo := bounds[from]
			part := make([]int32, d-from+1)
			for k := range part {
				part[k] = bounds[from+k] - lo
			}
			if err := pf.write(text[lo:bounds[d]], part); err != nil {
				return 0, err
			}
			from = d
		}
	}
	return from, nil
}

// chunk is how many characters writeChunked and readChunked convert at a
// time: binary.Write and binary.Read hold a copy of all they convert, which
// for a part would be 4 bytes a character beyond the budget.
const chunk = 64 << 10

// writeChunked writes text as little-endian 32-bit integers.
func writeChunked(w io.Writer, text []rune) error {
	for len(text) > 0 {
		n := min(len(text), chunk)
		if err := binary.Write(w, binary.LittleEndian, text[:n]); err != nil {
			return err
		}
		text = text[n:]
	}
	return nil
}

// readChunked fills dst with little-endian 32-bit integers.
func readChunked(r io.Reader, dst []rune) error {
	for len(dst) > 0 {
		n := min(len(dst), chunk)
		if err := binary.Read(r, binary.LittleEndian, dst[:n]); err != nil {
			return err
		}
		dst = dst[n:]
	}
	return nil
}

// view returns a view of part k's text for the merge of the parts' suffix
// arrays: read into memory, or its first hold share read into memory and
// the rest from the file, a window at a time (mapping the file would make
// the windows' pages, and the kernel's read-around, count in the process's
// resident memory).
func (pf *partFiles) view(k int) (stage.SpanView, error) {
	if k == 0 {
		// The sorting is done and its arrays dropped: return them to
		// the system before the texts are read in.
		debug.FreeOSMemory()
	}
	if pf.hold >= 1 {
		text, _, err := pf.load(k, nil)
		if err != nil {
			return nil, err
		}
		return memView(text), nil
	}
	f, err := os.Open(pf.paths[k])
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	var head [4]byte
	if err == nil {
		_, err = f.ReadAt(head[:], 0)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("read %s: %w", pf.paths[k], err)
	}
	off := 4 * (int64(binary.LittleEndian.Uint32(head[:])) + 2)
	if off > fi.Size() || (fi.Size()-off)%4 != 0 {
		f.Close()
		return nil, fmt.Errorf("read %s: %d bytes, not a part", pf.paths[k], fi.Size())
	}
	v := &fileView{f: f, off: off, n: int((fi.Size() - off) / 4)}
	if held := int(pf.hold * float64(v.n)); held > 0 {
		prefix := make([]int32, held)
		if err := v.ReadAt(prefix, 0); err != nil {
			f.Close()
			return nil, err
		}
		v.held = prefix
	}
	return v, nil
}

// memView is a view of a text in memory.
type memView []rune

func (v memView) Chars() []int32 { return v }
func (v memView) Len() int       { return len(v) }
func (v memView) Close() error   { return nil }

func (v memView) ReadAt(dst []int32, p int) error {
	if copy(dst, v[p:]) < len(dst) {
		return io.ErrUnexpectedEOF
	}
	return nil
}

// fileView reads a part's text from its file, but its first characters,
// held in memory.
type fileView struct {
	f    *os.File
	off  int64 // where the text starts
	n    int   // characters
	held []int32
	raw  []byte
}

func (v *fileView) Chars() []int32 { return v.held }
func (v *fileView) Len() int       { return v.n }
func (v *fileView) Close() error   { return v.f.Close() }

func (v *fileView) ReadAt(dst []int32, p int) error {
	if p+len(dst) <= len(v.held) {
		copy(dst, v.held[p:])
		return nil
	}
	if len(dst) > 4096 { // the held prefix: no buffer of its size
		for k := 0; k < len(dst); k += 4096 {
			if err := v.ReadAt(dst[k:min(k+4096, len(dst))], p+k); err != nil {
				return err
			}
		}
		return nil
	}
	if cap(v.raw) < 4*len(dst) {
		v.raw = make([]byte, 4*len(dst))
	}
	raw := v.raw[:4*len(dst)]
	if _, err := v.f.ReadAt(raw, v.off+4*int64(p)); err != nil {
		return fmt.Errorf("read %s: %w", v.f.Name(), err)
	}
	for k := range dst {
		dst[k] = int32(binary.LittleEndian.Uint32(raw[4*k:]))
	}
	return nil
}
