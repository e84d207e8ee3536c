package index

import (
	"slices"

	"github.com/cockroachdb/pebble/v2"
)

// lookup is what a check reads besides Pebble: the posting lists of the
// large versions, held in memory, and the bucket widths of the other
// versions' lists, which it seeks in Pebble. Each write replaces it.
type lookup struct {
	// band and exact are the widths (sorted, distinct) of the lists read
	// from Pebble.
	band, exact []uint8
	// mem are the lists held in memory.
	mem []*memLists
}

// memLists are one version's lists of one kind, held in memory: a large
// version's lists are a few bytes a document (see postings.go), and a
// check then finds each in an array rather than by a Pebble seek. Versions
// never change, so neither do these.
type memLists struct {
	kind    byte
	b       uint8
	version uint64
	// The list of bucket i is data[offs[i]:offs[i+1]].
	offs []uint64
	data []byte
}

// inMemory says whether lists of width b are held in memory: those of
// large versions.
func inMemory(b uint8) bool { return b > 0 && b < smallBucketBits }

func newMemLists(kind byte, b uint8, version uint64) *memLists {
	return &memLists{kind: kind, b: b, version: version, offs: make([]uint64, 1, (1<<b)+1)}
}

// add appends the list of key k (in key order).
func (m *memLists) add(k, v []byte) {
	_, _, hi, _, ok := parseListKey(k)
	if !ok {
		return
	}
	bucket := int(hi >> (32 - m.b))
	for len(m.offs) <= bucket {
		m.offs = append(m.offs, uint64(len(m.data)))
	}
	m.data = append(m.data, v...)
	m.offs = append(m.offs, uint64(len(m.data)))
}

// finish closes the buckets after the last list.
func (m *memLists) finish() {
	for len(m.offs) < (1<<m.b)+1 {
		m.offs = append(m.offs, uint64(len(m.data)))
	}
	if cap(m.data) > len(m.data)+len(m.data)/8 {
		m.data = slices.Clone(m.data) // not the room grown for it
	}
}

// list returns the list of key32's bucket, empty when there is none.
func (m *memLists) list(key32 uint32) []byte {
	i := key32 >> (32 - m.b)
	return m.data[m.offs[i]:m.offs[i+1]]
}

// bytes is the memory the lists take.
func (m *memLists) bytes() int { return len(m.data) + 8*len(m.offs) }

// loadLookup builds the lookup from the versions: the large ones' lists
// read into memory.
func (ix *Index) loadLookup() error {
	vs, err := ix.Versions()
	if err != nil {
		return err
	}
	l := &lookup{}
	for _, v := range vs {
		for _, kw := range []struct {
			kind byte
			b    uint8
		}{{prefixBand, v.BucketBits}, {prefixExact, v.ExactBits}} {
			if kw.b == 0 {
				continue
			}
			if !inMemory(kw.b) {
				if kw.kind == prefixBand {
					l.band = addWidth(l.band, kw.b)
				} else {
					l.exact = addWidth(l.exact, kw.b)
				}
				continue
			}
			m, err := ix.readMemLists(kw.kind, kw.b, v.Number)
			if err != nil {
				return err
			}
			l.mem = append(l.mem, m)
		}
	}
	ix.look.Store(l)
	return nil
}

// readMemLists reads a version's lists of one kind and width.
func (ix *Index) readMemLists(kind byte, b uint8, version uint64) (*memLists, error) {
	m := newMemLists(kind, b, version)
	// Room for the lists at once (their size on disk, about theirs in
	// memory: they do not compress), rather than growing by copies.
	if n, err := ix.db.EstimateDiskUsage([]byte{kind, b}, []byte{kind, b + 1}); err == nil && n < 1<<36 {
		m.data = make([]byte, 0, n+n/16)
	}
	it, err := ix.db.NewIter(&pebble.IterOptions{LowerBound: []byte{kind, b}, UpperBound: []byte{kind, b + 1}})
	if err != nil {
		return nil, err
	}
	for it.First(); it.Valid(); it.Next() {
		if _, _, _, ver, ok := parseListKey(it.Key()); ok && ver == version {
			m.add(it.Key(), it.Value())
		}
	}
	if err := it.Close(); err != nil {
		return nil, err
	}
	m.finish()
	return m, nil
}

// publish adds a committed version to the lookup: its lists built in
// memory by the commit (mem), or its widths.
func (ix *Index) publish(v Version, mem []*memLists) {
	old := ix.look.Load()
	l := &lookup{band: old.band, exact: old.exact, mem: slices.Clone(old.mem)}
	if !inMemory(v.BucketBits) {
		l.band = addWidth(l.band, v.BucketBits)
	}
	if !inMemory(v.ExactBits) {
		l.exact = addWidth(l.exact, v.ExactBits)
	}
	l.mem = append(l.mem, mem...)
	ix.look.Store(l)
}

func addWidth(ws []uint8, b uint8) []uint8 {
	if b == 0 || slices.Contains(ws, b) {
		return ws
	}
	ws = append(slices.Clone(ws), b)
	slices.Sort(ws)
	return ws
}

// MemoryListBytes is the memory that the posting lists held in memory
// take (those of large versions).
func (ix *Index) MemoryListBytes() int {
	n := 0
	for _, m := range ix.look.Load().mem {
		n += m.bytes()
	}
	return n
}

// scan appends to dst the number of every document in the list of
// key32's bucket whose entry has key32's check bits.
func (m *memLists) scan(key32 uint32, dst []uint64) ([]uint64, error) {
	v := m.list(key32)
	if len(v) == 0 {
		return dst, nil
	}
	return decodeList(v, m.b, checkBits(key32, m.b), dst)
}
