package verify

import (
	"math/bits"
	"slices"
)

// hashFrom is the number of windows from which a prepared text's shingle
// set is sorted (six radix passes) instead of deduplicated in a hash
// table. A table costs less than sorting at every size measured, even out
// of the cache (BenchmarkSetBuild, one core, loaded: 0.9 ms against 1.9 ms
// for 65,535 windows, 1.7 against 9.5 ms for 131,071, 48 against 99 ms for
// a million); the bound keeps the tables
// of a huge text (16 to 32 bytes a window, where sorting needs 8) off a
// goroutine's scratch: 2 MiB at most each, of the three it keeps.
const hashFrom = 1 << 17

// shingleSet is a text's set of distinct shingle hashes: sorted, or in
// order of first appearance (a set of fewer than hashFrom windows), whose
// membership a table answers when needed.
type shingleSet struct {
	keys   []uint64
	sorted bool
}

// table is an open-addressing hash table of 64-bit hashes (linear probing,
// 0 marks an empty slot, at most half full). It compares whole hashes, so
// any intersection is counted exactly as a merge of sorted sets counts it.
type table struct {
	// of is the set the table holds, when it may be reused for it: its
	// keys are kept alive here, so that no other set can take their
	// memory, and their address says whose table this is.
	of    []uint64
	slots []uint64
	shift uint // slot of h: (h * golden) >> shift
	zero  bool // 0 is in the set (a slot cannot hold it)
}

const golden = 0x9e3779b97f4a7c15

// reset empties t and sizes it for at most n keys: a power of two of slots
// at least 4n (at most a quarter full: fewer collisions, each a branch
// mispredicted, than half full, BenchmarkPreparedPair), 2n for a table
// that would not stay in the cache anyway (spareFrom), in the array it had
// when that is large enough.
func (t *table) reset(n int) {
	size := 1 << bits.Len(uint(max(4*n-1, 1)))
	if size > spareFrom {
		size /= 2
	}
	if cap(t.slots) >= size {
		t.slots = t.slots[:size]
		clear(t.slots)
	} else {
		t.slots = make([]uint64, size)
	}
	t.shift = uint(64 - bits.TrailingZeros(uint(size)))
	t.zero = false
	t.of = nil
}

// spareFrom is the number of slots (512 KiB) from which a table is half
// full at most, not a quarter.
const spareFrom = 1 << 16

// dedupe makes t the set of w's hashes and moves them, each once, in order
// of first appearance, to the front of w; it returns that prefix.
func (t *table) dedupe(w []uint64) []uint64 {
	t.reset(len(w))
	slots, shift, mask := t.slots, t.shift, uint64(len(t.slots)-1)
	u := 0
	for _, h := range w {
		if h == 0 {
			if !t.zero {
				t.zero = true
				w[u] = h
				u++
			}
			continue
		}
		for i := (h * golden) >> shift; ; i = (i + 1) & mask {
			s := slots[i]
			if s == h {
				break
			}
			if s == 0 {
				slots[i] = h
				w[u] = h
				u++
				break
			}
		}
	}
	return w[:u]
}

// has reports whether h is in t.
func (t *table) has(h uint64) bool {
	if h == 0 {
		return t.zero
	}
	mask := uint64(len(t.slots) - 1)
	for i := (h * golden) >> t.shift; ; i = (i + 1) & mask {
		switch t.slots[i] {
		case h:
			return true
		case 0:
			return false
		}
	}
}

// count returns how many of keys are in t.
func (t *table) count(keys []uint64) int {
	n := 0
	slots, shift, mask := t.slots, t.shift, uint64(len(t.slots)-1)
	for _, h := range keys {
		if h == 0 {
			if t.zero {
				n++
			}
			continue
		}
		for i := (h * golden) >> shift; ; i = (i + 1) & mask {
			s := slots[i]
			if s == h {
				n++
				break
			}
			if s == 0 {
				break
			}
		}
	}
	return n
}

// tables holds the tables of the last two sets whose membership was asked,
// tab[last] the newer, and the sets of the last comparison: a set in two
// consecutive comparisons (a text compared with many) gets a table kept
// for the next ones.
type tables struct {
	tab  [2]table
	last int
	prev [2][]uint64
}

// cached returns the table of set x when it is one of the last two built,
// else nil.
func (ts *tables) cached(x []uint64) *table {
	if len(x) == 0 {
		return nil
	}
	for k := range ts.tab {
		t := &ts.tab[k]
		if len(t.of) == len(x) && &t.of[0] == &x[0] {
			ts.last = k
			return t
		}
	}
	return nil
}

// of returns the table of set x: cached, or built in the older one's
// arrays.
func (ts *tables) of(x []uint64) *table {
	if t := ts.cached(x); t != nil {
		return t
	}
	ts.last = 1 - ts.last
	t := &ts.tab[ts.last]
	t.reset(len(x))
	slots, shift, mask := t.slots, t.shift, uint64(len(t.slots)-1)
	for _, h := range x {
		if h == 0 {
			t.zero = true
			continue
		}
		i := (h * golden) >> shift
		for slots[i] != 0 {
			i = (i + 1) & mask
		}
		slots[i] = h // x's keys are distinct
	}
	t.of = x
	return t
}

// adopt makes t, which holds set x (dedupe), the newer of the tables kept,
// and gives t the older one's arrays.
func (ts *tables) adopt(t *table, x []uint64) {
	ts.last = 1 - ts.last
	old := &ts.tab[ts.last]
	*old, *t = *t, *old
	old.of, t.of = x, nil
}

// seen reports whether set x was in the previous comparison.
func (ts *tables) seen(x []uint64) bool {
	for _, p := range ts.prev {
		if len(x) > 0 && len(p) == len(x) && &p[0] == &x[0] {
			return true
		}
	}
	return false
}

// intersection returns the number of hashes in both sets: a merge when
// both are sorted, else the keys of one probe the table of the other (of
// the set in a table already, or in the previous comparison, or the one
// not sorted, or the smaller).
func (ts *tables) intersection(x, y *shingleSet) int {
	defer func() { ts.prev = [2][]uint64{x.keys, y.keys} }()
	switch {
	case x.sorted && y.sorted:
		return mergeCount(x.keys, y.keys)
	case x.sorted:
		return ts.of(y.keys).count(x.keys)
	case y.sorted:
		return ts.of(x.keys).count(y.keys)
	}
	tx, ty := ts.cached(x.keys), ts.cached(y.keys)
	switch {
	case tx != nil:
		return tx.count(y.keys)
	case ty != nil:
		return ty.count(x.keys)
	case ts.seen(x.keys):
		return ts.of(x.keys).count(y.keys)
	case ts.seen(y.keys) || len(y.keys) < len(x.keys):
		return ts.of(y.keys).count(x.keys)
	}
	return ts.of(x.keys).count(y.keys)
}

// member answers membership in a set: by binary search when it is sorted,
// else in its table.
type member struct {
	set *shingleSet
	tab *table
}

// member returns the membership of set x: its table (made now, or one of
// the last two) unless it is sorted.
func (ts *tables) member(x *shingleSet) member {
	if x.sorted {
		return member{set: x}
	}
	return member{set: x, tab: ts.of(x.keys)}
}

// has reports whether h is in the set.
func (m member) has(h uint64) bool {
	if m.tab == nil {
		_, ok := slices.BinarySearch(m.set.keys, h)
		return ok
	}
	return m.tab.has(h)
}

// count returns how many of keys are in the set.
func (m member) count(keys []uint64) int {
	if m.tab != nil {
		return m.tab.count(keys)
	}
	n := 0
	for _, h := range keys {
		if m.has(h) {
			n++
		}
	}
	return n
}

// mergeCount returns the number of values in both sorted, unique lists.
func mergeCount(x, y []uint64) int {
	inter := 0
	for i, j := 0, 0; i < len(x) && j < len(y); {
		switch {
		case x[i] < y[j]:
			i++
		case x[i] > y[j]:
			j++
		default:
			inter++
			i++
			j++
		}
	}
	return inter
}

// extScratch holds the buffers of extendedCounts: the table that
// deduplicates one side's extra hashes, the flag table of the other side's
// extra hashes and the first side's additions, and their lists.
type extScratch struct {
	dedup table
	flags flagTable
	plus  []uint64 // additions of the tabled side
	extra []uint64 // the scanned side's extra hashes, deduplicated
}

// Flags of a hash in a flagTable.
const (
	inPlus  = 1 << iota // an addition of the tabled side (X⁺)
	inExtra             // an extra hash of the scanned side (in Y or in Y⁺)
	inY                 // an extra hash of the scanned side found in its set Y
)

// flagTable is a table whose hashes carry flags: small (the hashes around
// a pair's mask fills), so that probing it with every hash of a set costs
// less than putting the set in a table.
type flagTable struct {
	table
	flags     []uint8
	zeroFlags uint8 // the hash 0's flags (0: absent)
	n         int   // hashes held
}

// reset empties t and sizes it for at most n hashes.
func (t *flagTable) reset(n int) {
	t.table.reset(n)
	// Not cleared: a hash's flags are set when it is inserted.
	t.flags = slices.Grow(t.flags[:0], len(t.slots))[:len(t.slots)]
	t.zeroFlags, t.n = 0, 0
}

// add sets flag f on h, inserting h when absent, and returns h's flags
// before.
func (t *flagTable) add(h uint64, f uint8) uint8 {
	if h == 0 {
		old := t.zeroFlags
		if old == 0 {
			t.n++
		}
		t.zeroFlags |= f
		return old
	}
	mask := uint64(len(t.slots) - 1)
	for i := (h * golden) >> t.shift; ; i = (i + 1) & mask {
		switch t.slots[i] {
		case h:
			old := t.flags[i]
			t.flags[i] |= f
			return old
		case 0:
			t.slots[i], t.flags[i] = h, f
			t.n++
			return 0
		}
	}
}

// get returns h's flags (0 when absent).
func (t *flagTable) get(h uint64) uint8 {
	if h == 0 {
		return t.zeroFlags
	}
	mask := uint64(len(t.slots) - 1)
	for i := (h * golden) >> t.shift; ; i = (i + 1) & mask {
		switch t.slots[i] {
		case h:
			return t.flags[i]
		case 0:
			return 0
		}
	}
}

// mark sets inY on each of t's hashes among keys and returns how many of
// keys carry inPlus.
func (t *flagTable) mark(keys []uint64) int {
	n := 0
	slots, flags, shift, mask := t.slots, t.flags, t.shift, uint64(len(t.slots)-1)
	for _, h := range keys {
		if h == 0 {
			if t.zeroFlags != 0 {
				n += int(t.zeroFlags & inPlus)
				t.zeroFlags |= inY
			}
			continue
		}
		for i := (h * golden) >> shift; ; i = (i + 1) & mask {
			s := slots[i]
			if s == h {
				n += int(flags[i] & inPlus)
				flags[i] |= inY
				break
			}
			if s == 0 {
				break
			}
		}
	}
	return n
}

// tableFirst reports whether, of two sets compared, x rather than y is
// the one to answer membership (in its table, or sorted) while the other's
// hashes are scanned: the unsorted one when one is sorted, else the one
// with a table already, the one in the previous comparison, the smaller.
func (ts *tables) tableFirst(x, y *shingleSet) bool {
	switch {
	case x.sorted != y.sorted:
		return !x.sorted
	case ts.cached(x.keys) != nil:
		return true
	case ts.cached(y.keys) != nil:
		return false
	case ts.seen(x.keys):
		return true
	case ts.seen(y.keys):
		return false
	}
	return len(x.keys) <= len(y.keys)
}

// extendedCounts returns, for two sets X and Y extended by extra hashes
// (ex and ey: the windows around each text's mask fills, some maybe in
// the set; both are reordered), the size of the intersection of X ∪ ex and
// Y ∪ ey and the size of each. Only one of the two sets is put in a table
// (or none, when one has a table already): with X the one in a table and
// X⁺ = ex ∖ X, Y⁺ = ey ∖ Y (disjoint from X and Y),
// |X∩Y| + |X⁺∩Y| + |X∩Y⁺| + |X⁺∩Y⁺|, where one scan of Y's hashes counts
// the first two (probing X's table and the small table of X⁺ and ey) and
// marks the hashes of ey that are in Y.
func (ts *tables) extendedCounts(x *shingleSet, ex []uint64, y *shingleSet, ey []uint64, e *extScratch) (inter, nx, ny int) {
	defer func() { ts.prev = [2][]uint64{x.keys, y.keys} }()
	swapped := !ts.tableFirst(x, y)
	if swapped {
		x, y, ex, ey = y, x, ey, ex
	}
	mx := ts.member(x)
	e.plus = e.plus[:0]
	for _, h := range e.dedup.dedupe(ex) {
		if !mx.has(h) {
			e.plus = append(e.plus, h)
		}
	}
	f := &e.flags
	f.reset(len(e.plus) + len(ey))
	for _, h := range e.plus {
		f.add(h, inPlus)
	}
	e.extra = e.extra[:0]
	for _, h := range ey {
		if f.add(h, inExtra)&inExtra == 0 {
			e.extra = append(e.extra, h)
		}
	}
	if x.sorted && y.sorted {
		inter = mergeCount(x.keys, y.keys)
	} else {
		inter = mx.count(y.keys)
	}
	if f.n > 0 {
		inter += f.mark(y.keys)
	}
	nx, ny = len(x.keys)+len(e.plus), len(y.keys)
	for _, h := range e.extra {
		fl := f.get(h)
		if fl&inY != 0 {
			continue
		}
		ny++ // h is in Y⁺
		if fl&inPlus != 0 || mx.has(h) {
			inter++
		}
	}
	if swapped {
		nx, ny = ny, nx
	}
	return inter, nx, ny
}
