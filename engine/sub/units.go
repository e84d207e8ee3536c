package sub

import "math/rand/v2"

// unitTable is Lines' count of units: for each distinct unit key (the 64-bit
// hash of its normalised text), the documents it occurs in and the first of
// them. It is an open-addressing table with linear probing. The keys are
// hashes already, so a multiply by an odd constant after an exclusive or
// with the table's random seed picks the slot from its top bits, and a
// lookup costs one cache miss where a Go map costs a full hash and a
// group's control word besides. The seed keeps an input built so that
// many units' hashes share their top bits from making the probes long;
// the slots' order never reaches the outputs. 24 bytes a slot, at most
// three quarters of the slots used. Key 0 marks an empty slot, so a unit
// whose key is 0 is held apart.
type unitTable struct {
	seed    uint64
	slots   []unitSlot
	shift   uint // 64 - log2(len(slots))
	n       int  // keys held in slots (not counting zero)
	zero    unitTally
	hasZero bool
}

// unitSlot is one slot of a unitTable; key 0 means empty.
type unitSlot struct {
	key uint64
	unitTally
}

// minUnitSlots is a new table's size.
const minUnitSlots = 1 << 12

// newUnitTable returns a table sized for about n keys.
func newUnitTable(n int) *unitTable {
	size := minUnitSlots
	for size*3/4 < n {
		size *= 2
	}
	t := &unitTable{seed: rand.Uint64()}
	t.alloc(size)
	return t
}

// home is the first slot key may take.
func (t *unitTable) home(key uint64) int {
	return int(((key ^ t.seed) * 0x9e3779b97f4a7c15) >> t.shift)
}

func (t *unitTable) alloc(size int) {
	t.slots = make([]unitSlot, size)
	t.shift = 64
	for s := size; s > 1; s >>= 1 {
		t.shift--
	}
}

// len is the number of distinct keys.
func (t *unitTable) len() int {
	if t.hasZero {
		return t.n + 1
	}
	return t.n
}

// slot returns the slot of key (key ≠ 0), claiming an empty one when the
// key is not there.
func (t *unitTable) slot(key uint64) *unitSlot {
	if (t.n+1)*4 > len(t.slots)*3 {
		t.grow()
	}
	mask := len(t.slots) - 1
	for i := t.home(key); ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.key == key {
			return s
		}
		if s.key == 0 {
			s.key = key
			t.n++
			return s
		}
	}
}

// grow doubles the table.
func (t *unitTable) grow() {
	old := t.slots
	t.alloc(2 * len(old))
	mask := len(t.slots) - 1
	for _, s := range old {
		if s.key == 0 {
			continue
		}
		i := t.home(s.key)
		for t.slots[i].key != 0 {
			i = (i + 1) & mask
		}
		t.slots[i] = s
	}
}

// tally returns the tally of key, or nil for a new key when create is
// false.
func (t *unitTable) tally(key uint64, create bool) *unitTally {
	if key == 0 {
		if !t.hasZero && !create {
			return nil
		}
		t.hasZero = true
		return &t.zero
	}
	if create {
		return &t.slot(key).unitTally
	}
	mask := len(t.slots) - 1
	for i := t.home(key); ; i = (i + 1) & mask {
		s := &t.slots[i]
		if s.key == key {
			return &s.unitTally
		}
		if s.key == 0 {
			return nil
		}
	}
}

// add counts docs more documents for key, first the first of them.
func (t *unitTable) add(key uint64, docs uint32, first uint64) {
	u := t.tally(key, true)
	if u.docs == 0 || first < u.first {
		u.first = first
	}
	u.docs += docs
}

// get returns the tally of key (zero when the key is not held).
func (t *unitTable) get(key uint64) unitTally {
	if u := t.tally(key, false); u != nil {
		return *u
	}
	return unitTally{}
}

// each calls f for every key held, in no set order.
func (t *unitTable) each(f func(key uint64, u unitTally)) {
	if t.hasZero {
		f(0, t.zero)
	}
	for _, s := range t.slots {
		if s.key != 0 {
			f(s.key, s.unitTally)
		}
	}
}

// merge adds the counts of o. Sums and minima: the order of merges does
// not matter.
func (t *unitTable) merge(o *unitTable) {
	o.each(func(key uint64, u unitTally) { t.add(key, u.docs, u.first) })
}

// keep returns a table of the keys found in at least min documents.
func (t *unitTable) keep(min uint32) *unitTable {
	n := 0
	t.each(func(_ uint64, u unitTally) {
		if u.docs >= min {
			n++
		}
	})
	k := newUnitTable(n)
	t.each(func(key uint64, u unitTally) {
		if u.docs >= min {
			k.add(key, u.docs, u.first)
		}
	})
	return k
}
