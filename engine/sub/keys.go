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

// The unit keys of each document, written by Lines' pass 1 to the work
// directory and read back by pass 2, so that pass 2 only splits the text
// and does not normalise every unit again. Per document: the number of
// units (uvarint), then each unit's key (8 bytes, little-endian) and
// normalised length (uvarint).

// keyFile is the key cache of input i.
func (r *run) keyFile(i int) string {
	return filepath.Join(r.work, fmt.Sprintf("keys-%06d.bin", i))
}

type keyWriter struct {
	f   *os.File
	w   *bufio.Writer
	buf []byte
}

func newKeyWriter(path string) (*keyWriter, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("work directory: %w", err)
	}
	return &keyWriter{f: f, w: bufio.NewWriterSize(f, 256<<10)}, nil
}

// add writes one document's units; a write error shows at close.
func (k *keyWriter) add(units []stage.UnitKey) {
	k.buf = binary.AppendUvarint(k.buf[:0], uint64(len(units)))
	for _, u := range units {
		k.buf = binary.LittleEndian.AppendUint64(k.buf, u.Key)
		k.buf = binary.AppendUvarint(k.buf, uint64(u.Len))
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
	f *os.File
	r *bufio.Reader
}

func openKeyReader(path string) (*keyReader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("work directory: %w", err)
	}
	return &keyReader{f: f, r: bufio.NewReaderSize(f, 256<<10)}, nil
}

// fill sets the keys of the next document's units, which must be as many
// as pass 1 saw.
func (k *keyReader) fill(units []stage.UnitKey) error {
	n, err := binary.ReadUvarint(k.r)
	if err != nil {
		if errors.Is(err, io.EOF) {
			return errors.New("more documents than on the first reading: the input changed during the run")
		}
		return err
	}
	if int(n) != len(units) {
		return fmt.Errorf("%d units, %d on the first reading: the input changed during the run", len(units), n)
	}
	var b [8]byte
	for i := range units {
		if _, err := io.ReadFull(k.r, b[:]); err != nil {
			return err
		}
		units[i].Key = binary.LittleEndian.Uint64(b[:])
		l, err := binary.ReadUvarint(k.r)
		if err != nil {
			return err
		}
		units[i].Len = int(l)
	}
	return nil
}

func (k *keyReader) close() { k.f.Close() }
