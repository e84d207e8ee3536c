package local

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"

	"github.com/quchong/quchong/record"
)

// sideEvery is how many side records share one entry of the side file's
// in-memory index.
const sideEvery = 64

// sideFile keeps each document's id and keep-rule value out of memory: an
// append-only file in the work directory, in index order, with one offset in
// memory per sideEvery documents (an eighth of a byte per document). Only the
// documents that end up in clusters need theirs back, and load reads them in
// one forward pass.
//
// A record is uvarint(len(id)), the id, then, when the run has a keep-rule
// field, the value: a kind byte, then 8 bytes of float64 bits for a number
// or uvarint(len) and the bytes for a string.
type sideFile struct {
	f         *os.File
	w         *bufio.Writer
	withValue bool
	n         int     // records written
	end       int64   // bytes written
	index     []int64 // offset of record j × sideEvery
	buf       []byte
}

func createSideFile(dir string, withValue bool) (*sideFile, error) {
	f, err := os.Create(filepath.Join(dir, "side.bin"))
	if err != nil {
		return nil, fmt.Errorf("work directory: %w", err)
	}
	return &sideFile{f: f, w: bufio.NewWriterSize(f, 256<<10), withValue: withValue}, nil
}

// add appends the next document's record.
func (s *sideFile) add(id []byte, v record.Value) error {
	if s.n%sideEvery == 0 {
		s.index = append(s.index, s.end)
	}
	b := binary.AppendUvarint(s.buf[:0], uint64(len(id)))
	b = append(b, id...)
	if s.withValue {
		b = append(b, byte(v.Kind))
		switch v.Kind {
		case record.Number:
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v.Num))
		case record.String:
			b = binary.AppendUvarint(b, uint64(len(v.Str)))
			b = append(b, v.Str...)
		}
	}
	s.buf = b
	if _, err := s.w.Write(b); err != nil {
		return fmt.Errorf("work directory: side file: %w", err)
	}
	s.n++
	s.end += int64(len(b))
	return nil
}

// flush writes what add buffered.
func (s *sideFile) flush() error {
	if s.w == nil {
		return nil
	}
	if err := s.w.Flush(); err != nil {
		return fmt.Errorf("work directory: side file: %w", err)
	}
	return nil
}

func (s *sideFile) close() error {
	if s == nil || s.f == nil {
		return nil
	}
	err := s.f.Close()
	s.f = nil
	return err
}

// sideTable holds the side records of some documents.
type sideTable struct {
	docs   []uint32 // increasing
	ids    []string
	values []record.Value // nil without a keep-rule field
}

// load reads back the side records of docs (any order, repeats allowed),
// reading each stretch of sideEvery records that holds one of them once, in
// file order.
func (s *sideFile) load(docs []uint32) (*sideTable, error) {
	want := slices.Clone(docs)
	slices.Sort(want)
	want = slices.Compact(want)
	t := &sideTable{docs: want, ids: make([]string, len(want))}
	if s.withValue {
		t.values = make([]record.Value, len(want))
	}
	var chunk []byte
	for j := 0; j < len(want); {
		g := int(want[j]) / sideEvery
		if g >= len(s.index) || int(want[len(want)-1]) >= s.n {
			return nil, fmt.Errorf("work directory: side file: document %d beyond its %d records", want[len(want)-1], s.n)
		}
		from, to := s.index[g], s.end
		if g+1 < len(s.index) {
			to = s.index[g+1]
		}
		if int64(cap(chunk)) < to-from {
			chunk = make([]byte, to-from)
		}
		chunk = chunk[:to-from]
		if _, err := s.f.ReadAt(chunk, from); err != nil {
			return nil, fmt.Errorf("work directory: side file: %w", err)
		}
		rest := chunk
		for d := g * sideEvery; j < len(want) && int(want[j])/sideEvery == g; d++ {
			id, v, n, err := s.decode(rest)
			if err != nil {
				return nil, fmt.Errorf("work directory: side file, document %d: %w", d, err)
			}
			rest = rest[n:]
			if uint32(d) == want[j] {
				t.ids[j] = id
				if t.values != nil {
					t.values[j] = v
				}
				j++
			}
		}
	}
	return t, nil
}

// decode reads one record from b and returns its length.
func (s *sideFile) decode(b []byte) (string, record.Value, int, error) {
	var v record.Value
	l, n := binary.Uvarint(b)
	if n <= 0 || uint64(len(b)-n) < l {
		return "", v, 0, fmt.Errorf("corrupt record")
	}
	id := string(b[n : n+int(l)])
	p := n + int(l)
	if !s.withValue {
		return id, v, p, nil
	}
	if p >= len(b) {
		return "", v, 0, fmt.Errorf("corrupt record")
	}
	v.Kind = record.ValueKind(b[p])
	p++
	switch v.Kind {
	case record.Missing:
	case record.Number:
		if len(b)-p < 8 {
			return "", v, 0, fmt.Errorf("corrupt record")
		}
		v.Num = math.Float64frombits(binary.LittleEndian.Uint64(b[p:]))
		p += 8
	case record.String:
		l, n := binary.Uvarint(b[p:])
		if n <= 0 || uint64(len(b)-p-n) < l {
			return "", v, 0, fmt.Errorf("corrupt record")
		}
		v.Str = string(b[p+n : p+n+int(l)])
		p += n + int(l)
	default:
		return "", v, 0, fmt.Errorf("corrupt record")
	}
	return id, v, p, nil
}

// find returns the position of document d in the table.
func (t *sideTable) find(d uint32) int {
	i, ok := slices.BinarySearch(t.docs, d)
	if !ok {
		panic(fmt.Sprintf("local: document %d not loaded from the side file", d))
	}
	return i
}

// id returns document d's id; d must have been loaded.
func (t *sideTable) id(d uint32) string { return t.ids[t.find(d)] }

// value returns document d's keep-rule value (Missing without a field).
func (t *sideTable) value(d uint32) record.Value {
	if t.values == nil {
		return record.Value{}
	}
	return t.values[t.find(d)]
}
