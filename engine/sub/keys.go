package sub

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/quchong/quchong/stage"
)

// The units of each document, written by Lines' pass 1 to the work
// directory and read back by pass 2, so that pass 2 neither splits the text
// nor normalises a unit again, and can copy the documents it leaves
// unchanged without parsing them. Per document: its record number (as the
// distance from the one before), the text's length in bytes and the number
// of units (uvarints), then per unit its key (8 bytes,
// little-endian), normalised length, and its Start, End and Next offsets,
// each as the distance from the one before (uvarints).

// keyFile is the key cache of input i.
func (r *run) keyFile(i int) string {
	return filepath.Join(r.work, fmt.Sprintf("keys-%06d.bin", i))
}

type keyWriter struct {
	f    *os.File
	w    *bufio.Writer
	buf  []byte
	last int64 // the record before
}

func newKeyWriter(path string) (*keyWriter, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("work directory: %w", err)
	}
	return &keyWriter{f: f, w: bufio.NewWriterSize(f, 256<<10)}, nil
}

// add writes one document's units; a write error shows at close.
func (k *keyWriter) add(record int64, textLen int, units []stage.UnitKey) {
	k.buf = binary.AppendUvarint(k.buf[:0], uint64(record-k.last))
	k.last = record
	k.buf = binary.AppendUvarint(k.buf, uint64(textLen))
	k.buf = binary.AppendUvarint(k.buf, uint64(len(units)))
	at := 0
	for _, u := range units {
		k.buf = binary.LittleEndian.AppendUint64(k.buf, u.Key)
		k.buf = binary.AppendUvarint(k.buf, uint64(u.Len))
		k.buf = binary.AppendUvarint(k.buf, uint64(u.Start-at))
		k.buf = binary.AppendUvarint(k.buf, uint64(u.End-u.Start))
		k.buf = binary.AppendUvarint(k.buf, uint64(u.Next-u.End))
		at = u.Next
	}
	k.w.Write(k.buf)
}

func (k *keyWriter) close() error {
	err := k.w.Flush()
	if cerr := k.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", k.f.Name(), err)
	}
	return nil
}

type keyReader struct {
	f    *os.File
	r    *bufio.Reader
	last int64 // the record before
}

func openKeyReader(path string) (*keyReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("work directory: %w", err)
	}
	return &keyReader{f: f, r: bufio.NewReaderSize(f, 256<<10)}, nil
}

// keyDoc is one document's entry in the key cache.
type keyDoc struct {
	record  int64
	textLen int
	units   []stage.UnitKey
}

// next reads the next document's entry into d (its units appended to
// d.units[:0]), and reports false at the end of the file.
func (k *keyReader) next(d *keyDoc) (bool, error) {
	delta, err := binary.ReadUvarint(k.r)
	if err != nil {
		if errors.Is(err, io.EOF) {
			return false, nil
		}
		return false, err
	}
	k.last += int64(delta)
	d.record = k.last
	size, err := binary.ReadUvarint(k.r)
	if err != nil {
		return false, noEOF(err)
	}
	d.textLen = int(size)
	n, err := binary.ReadUvarint(k.r)
	if err != nil {
		return false, noEOF(err)
	}
	d.units = d.units[:0]
	var b [8]byte
	at := 0
	for range n {
		var u stage.UnitKey
		if _, err := io.ReadFull(k.r, b[:]); err != nil {
			return false, noEOF(err)
		}
		u.Key = binary.LittleEndian.Uint64(b[:])
		var v [4]uint64
		for i := range v {
			if v[i], err = binary.ReadUvarint(k.r); err != nil {
				return false, noEOF(err)
			}
		}
		u.Len = int(v[0])
		u.Start = at + int(v[1])
		u.End = u.Start + int(v[2])
		u.Next = u.End + int(v[3])
		if u.Next > d.textLen {
			return false, errors.New("a unit past the end of the text: the work directory is damaged")
		}
		at = u.Next
		d.units = append(d.units, u)
	}
	return true, nil
}

// noEOF turns the end of the key file inside a document into an error.
func noEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

func (k *keyReader) close() { k.f.Close() }
