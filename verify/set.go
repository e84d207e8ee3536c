package verify

import (
	"math/bits"
	"slices"
)

// hashFrom is the number of windows from which a prepared text's shingle
// set is sorted (six radix passes) instead of deduplicated in a hash
// table. A table costs less than sorting at every size measured, even out
// of the cache (BenchmarkSetBuild: 0.7 ms against 7.6 ms for 70,000
// windows, 68 ms against 161 ms for a million); the bound keeps the table
// of a huge text (16 to 32 bytes a window, where sorting needs 8) off a
// goroutine's scratch: 4 MiB at most.
const hashFrom = 1 << 18

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
// at least 2n, in the array it had when that is large enough.
func (t *table) reset(n int) {
	size := 1 << bits.Len(uint(max(2*n-1, 1)))
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

// extension is a set grown by extra hashes (the windows around a text's
// mask fills): base ∪ extra, without copying base.
type extension struct {
	base member
	// extra is the table of the extra hashes (some maybe in base); added
	// lists those not in base.
	extra *table
	added []uint64
}

// extend makes base ∪ extra, in extra's array (the extra hashes, deduped),
// tab (their table) and added's array.
func extend(base member, extra []uint64, tab *table, added []uint64) extension {
	e := extension{base: base, extra: tab, added: added[:0]}
	for _, h := range tab.dedupe(extra) {
		if !base.has(h) {
			e.added = append(e.added, h)
		}
	}
	return e
}

// size returns the number of hashes in the extended set.
func (e *extension) size() int { return len(e.base.set.keys) + len(e.added) }

// extendedIntersection returns the number of hashes in both extended sets:
// with x = X ∪ X⁺ and y = Y ∪ Y⁺ (bases and additions, disjoint),
// |X∩Y| + |X∩Y⁺| + |X⁺∩Y| + |X⁺∩Y⁺|, of which only the first probes with
// a whole set's keys.
func (ts *tables) extendedIntersection(x, y *extension) int {
	n := ts.intersection(x.base.set, y.base.set) + x.base.count(y.added) + y.base.count(x.added)
	for _, h := range x.added {
		if y.extra.has(h) && !y.base.has(h) {
			n++
		}
	}
	return n
}
