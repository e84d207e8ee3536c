package local

import (
	"bufio"
	"container/heap"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"slices"

	"github.com/quchong/quchong/radix"
)

// bandRecordBytes is the memory one representative takes while its band is
// grouped: in a sorted run, its key and index, the sort's scratch and its
// count table (radix.SortPairsTop: at most a byte a record); in memory
// less (radix.Repeats: the key, its packed word, at most two bytes of count
// table and, in a bucket, its index).
const bandRecordBytes = 25

// bandScratch holds what bandBuckets reuses from one band to the next: a
// band's keys and Repeats' scratch.
type bandScratch struct{ keys, tmp []uint64 }

// bandBuckets calls fn with every bucket of one LSH band that has two or
// more members, in increasing key order, each bucket's members in
// increasing index order. reps are the representatives, increasing;
// readKeys fills dst with their band keys from position lo on. sc, when
// not nil, is scratch kept from an earlier band (one at a time).
//
// When the band's records fit in maxRecords, their repeated keys are found
// in memory (radix.Repeats). Otherwise they are sorted in runs of
// maxRecords, each run written to a file in dir, and the runs merged:
// memory stays at maxRecords records plus a read buffer per run, whatever
// the number of documents.
func bandBuckets(reps []uint32, readKeys func(dst []uint64, lo int) error, maxRecords int, dir string, sc *bandScratch, fn func(bucket []uint32) error) error {
	n := len(reps)
	maxRecords = max(maxRecords, 2)
	if n <= maxRecords {
		if sc == nil {
			sc = new(bandScratch)
		}
		sc.keys, sc.tmp = slices.Grow(sc.keys[:0], n)[:n], slices.Grow(sc.tmp[:0], n)[:n]
		if err := readKeys(sc.keys, 0); err != nil {
			return err
		}
		return radix.Repeats(sc.keys, sc.tmp, func(pos []uint32) error {
			for i, p := range pos { // in place: Repeats allows it
				pos[i] = reps[p]
			}
			return fn(pos)
		})
	}
	return mergeBandRuns(reps, readKeys, maxRecords, dir, fn)
}

// runRecordBytes is a sorted run's record on disk: key, then index.
const runRecordBytes = 12

// mergeBandRuns is bandBuckets for a band larger than maxRecords.
func mergeBandRuns(reps []uint32, readKeys func(dst []uint64, lo int) error, maxRecords int, dir string, fn func(bucket []uint32) error) error {
	f, err := os.CreateTemp(dir, "band-*.runs")
	if err != nil {
		return fmt.Errorf("work directory: %w", err)
	}
	defer func() {
		f.Close()
		os.Remove(f.Name())
	}()
	fail := func(err error) error { return fmt.Errorf("work directory: band runs: %w", err) }

	// Sorted runs, one after the other in the file.
	n := len(reps)
	keys, vals := make([]uint64, maxRecords), make([]uint32, maxRecords)
	tmpK, tmpV := make([]uint64, maxRecords), make([]uint32, maxRecords)
	w := bufio.NewWriterSize(f, 1<<20)
	var runs []*runCursor
	var rec [runRecordBytes]byte
	for lo := 0; lo < n; lo += maxRecords {
		m := min(maxRecords, n-lo)
		if err := readKeys(keys[:m], lo); err != nil {
			return err
		}
		copy(vals[:m], reps[lo:lo+m])
		radix.SortPairsTop(keys[:m], vals[:m], tmpK, tmpV)
		for i := range m {
			binary.LittleEndian.PutUint64(rec[:], keys[i])
			binary.LittleEndian.PutUint32(rec[8:], vals[i])
			if _, err := w.Write(rec[:]); err != nil {
				return fail(err)
			}
		}
		runs = append(runs, &runCursor{order: len(runs), left: m, r: io.NewSectionReader(f, int64(lo)*runRecordBytes, int64(m)*runRecordBytes)})
	}
	if err := w.Flush(); err != nil {
		return fail(err)
	}
	keys, vals, tmpK, tmpV = nil, nil, nil, nil

	// Merge: runs hold increasing index ranges, so taking equal keys from
	// the earlier run first keeps each bucket in index order.
	h := make(runHeap, 0, len(runs))
	for _, c := range runs {
		c.br = bufio.NewReaderSize(c.r, 64<<10)
		ok, err := c.next()
		if err != nil {
			return fail(err)
		}
		if ok {
			h = append(h, c)
		}
	}
	heap.Init(&h)
	var bucket []uint32
	for h.Len() > 0 {
		key := h[0].key
		bucket = bucket[:0]
		for h.Len() > 0 && h[0].key == key {
			c := h[0]
			bucket = append(bucket, c.val)
			ok, err := c.next()
			if err != nil {
				return fail(err)
			}
			if ok {
				heap.Fix(&h, 0)
			} else {
				heap.Pop(&h)
			}
		}
		if len(bucket) > 1 {
			if err := fn(bucket); err != nil {
				return err
			}
		}
	}
	return nil
}

// runCursor reads one sorted run.
type runCursor struct {
	order int // the run's position: earlier runs hold smaller indices
	left  int
	r     io.Reader
	br    *bufio.Reader
	key   uint64
	val   uint32
	rec   [runRecordBytes]byte
}

// next loads the run's next record; false at its end.
func (c *runCursor) next() (bool, error) {
	if c.left == 0 {
		return false, nil
	}
	if _, err := io.ReadFull(c.br, c.rec[:]); err != nil {
		return false, err
	}
	c.left--
	c.key, c.val = binary.LittleEndian.Uint64(c.rec[:]), binary.LittleEndian.Uint32(c.rec[8:])
	return true, nil
}

// runHeap orders cursors by (key, run).
type runHeap []*runCursor

func (h runHeap) Len() int { return len(h) }
func (h runHeap) Less(i, j int) bool {
	if h[i].key != h[j].key {
		return h[i].key < h[j].key
	}
	return h[i].order < h[j].order
}
func (h runHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *runHeap) Push(x any)   { *h = append(*h, x.(*runCursor)) }
func (h *runHeap) Pop() any {
	old := *h
	c := old[len(old)-1]
	*h = old[:len(old)-1]
	return c
}
