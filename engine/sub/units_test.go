package sub

import (
	"math/rand/v2"
	"testing"
)

// TestUnitTable holds the table to a Go map over random keys (0 and keys
// that share their top bits included), through growth, merges and keep.
func TestUnitTable(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	keys := []uint64{0, 1, 2, 1 << 63, 1<<63 | 1, ^uint64(0)}
	for range 3000 {
		keys = append(keys, rng.Uint64())
	}
	want := map[uint64]unitTally{}
	tables := []*unitTable{newUnitTable(0), newUnitTable(5000)}
	for step := range 40000 {
		key := keys[rng.IntN(len(keys))]
		doc := uint64(rng.IntN(1 << 20))
		w := want[key]
		if w.docs == 0 || doc < w.first {
			w.first = doc
		}
		w.docs++
		want[key] = w
		tables[step%2].add(key, 1, doc)
	}
	all := newUnitTable(0)
	all.merge(tables[0])
	all.merge(tables[1])
	if all.len() != len(want) {
		t.Fatalf("len %d, want %d", all.len(), len(want))
	}
	for k, w := range want {
		if got := all.get(k); got != w {
			t.Fatalf("key %x: %+v, want %+v", k, got, w)
		}
	}
	if got := all.get(12345); got != (unitTally{}) {
		t.Fatalf("absent key: %+v", got)
	}
	kept := all.keep(15)
	n := 0
	for k, w := range want {
		if w.docs >= 15 {
			n++
			if got := kept.get(k); got != w {
				t.Fatalf("kept key %x: %+v, want %+v", k, got, w)
			}
		} else if got := kept.get(k); got.docs != 0 {
			t.Fatalf("key %x with %d documents kept", k, w.docs)
		}
	}
	if n == 0 || n == len(want) || kept.len() != n {
		t.Fatalf("keep(15) kept %d of %d keys (%d expected)", kept.len(), len(want), n)
	}
}

func BenchmarkUnitTable(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	keys := make([]uint64, 1<<20)
	for i := range keys {
		keys[i] = rng.Uint64()
	}
	b.Run("table", func(b *testing.B) {
		for range b.N {
			t := newUnitTable(0)
			for i, k := range keys {
				t.add(k, 1, uint64(i))
			}
		}
	})
	b.Run("map", func(b *testing.B) {
		for range b.N {
			m := map[uint64]unitTally{}
			for i, k := range keys {
				u := m[k]
				if u.docs == 0 || uint64(i) < u.first {
					u.first = uint64(i)
				}
				u.docs++
				m[k] = u
			}
		}
	})
}

// TestUnitTableCraftedKeys: keys that share their top bits (an input built
// to make the units' hashes do so) still land far apart: no key sits more
// than a few slots past its home.
func TestUnitTableCraftedKeys(t *testing.T) {
	tab := newUnitTable(0)
	const n = 20000
	for i := range uint64(n) {
		tab.add(0xabcdef<<40|i*7919, 1, i)
	}
	mask := len(tab.slots) - 1
	worst := 0
	for i, s := range tab.slots {
		if s.key != 0 {
			worst = max(worst, (i-tab.home(s.key))&mask)
		}
	}
	if tab.len() != n || worst > 64 {
		t.Errorf("%d keys, the worst %d slots past its home", tab.len(), worst)
	}
}
