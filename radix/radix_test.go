package radix

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestSortPairs(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, n := range []int{0, 1, 2, 17, 1000, 50000} {
		for _, keySpace := range []uint64{3, 1 << 20, 0} { // 0: full 64-bit keys
			keys := make([]uint64, n)
			vals := make([]uint32, n)
			for i := range keys {
				if keySpace == 0 {
					keys[i] = r.Uint64()
				} else {
					keys[i] = r.Uint64N(keySpace) << 40 // only high digits vary
				}
				vals[i] = uint32(i)
			}
			type rec struct {
				k uint64
				v uint32
			}
			want := make([]rec, n)
			for i := range keys {
				want[i] = rec{keys[i], vals[i]}
			}
			slices.SortStableFunc(want, func(a, b rec) int { return cmp.Compare(a.k, b.k) })
			for _, sorter := range []struct {
				name string
				sort func(keys []uint64, vals []uint32, tmpK []uint64, tmpV []uint32)
			}{{"SortPairs", SortPairs}, {"SortPairsTop", SortPairsTop}} {
				keys, vals := slices.Clone(keys), slices.Clone(vals)
				sorter.sort(keys, vals, make([]uint64, n), make([]uint32, n))
				for i := range want {
					if keys[i] != want[i].k || vals[i] != want[i].v {
						t.Fatalf("%s n=%d space=%d: position %d = (%x, %d), want (%x, %d)", sorter.name, n, keySpace, i, keys[i], vals[i], want[i].k, want[i].v)
					}
				}
			}
		}
	}
}

// TestRepeats compares Repeats with the runs of a stable sort of (key,
// position), on keys that random hashes give and on keys that they do not.
func TestRepeats(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	cases := []struct {
		name string
		key  func(i int) uint64
	}{
		{"random", func(int) uint64 { return r.Uint64() }},
		{"repeats", func(int) uint64 { return r.Uint64N(1000) * 0x9e3779b97f4a7c15 }},
		{"all equal", func(int) uint64 { return 42 }},
		{"top 48 bits equal", func(int) uint64 { return 0x1234_5678_9abc<<16 | r.Uint64N(700) }},
		{"top 20 bits equal", func(int) uint64 { return 0xfedcb<<44 | r.Uint64N(700) }},
		{"small", func(int) uint64 { return r.Uint64N(700) }},
	}
	for _, n := range []int{0, 1, 2, 3, 40, 1000, 50000} {
		for _, c := range cases {
			keys := make([]uint64, n)
			for i := range keys {
				keys[i] = c.key(i)
			}
			pos := make([]uint32, n)
			for i := range pos {
				pos[i] = uint32(i)
			}
			slices.SortStableFunc(pos, func(a, b uint32) int { return cmp.Compare(keys[a], keys[b]) })
			var want [][]uint32
			for j := 0; j < n; {
				k := j + 1
				for k < n && keys[pos[k]] == keys[pos[j]] {
					k++
				}
				if k-j > 1 {
					want = append(want, pos[j:k])
				}
				j = k
			}
			var got [][]uint32
			orig := slices.Clone(keys)
			err := Repeats(keys, make([]uint64, n), func(p []uint32) error {
				got = append(got, slices.Clone(p))
				for i := range p {
					p[i] = 1<<32 - 1 // fn may overwrite them
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(keys, orig) {
				t.Fatalf("%s n=%d: Repeats changed its keys", c.name, n)
			}
			if !slices.EqualFunc(got, want, slices.Equal[[]uint32]) {
				t.Fatalf("%s n=%d: %d sets of repeats, differing from the %d of a stable sort", c.name, n, len(got), len(want))
			}
		}
	}
}

func benchKeys(n int) ([]uint64, []uint32) {
	r := rand.New(rand.NewPCG(1, 1))
	keys := make([]uint64, n)
	vals := make([]uint32, n)
	for i := range keys {
		keys[i] = r.Uint64()
		vals[i] = uint32(i)
	}
	return keys, vals
}

// BenchmarkSortPairs and BenchmarkSlicesSort compare the grouping sort with
// the standard library's on 1 M band records (ns/op per whole sort).
func BenchmarkSortPairs(b *testing.B) {
	keys0, vals0 := benchKeys(1 << 20)
	keys, vals := make([]uint64, len(keys0)), make([]uint32, len(vals0))
	tk, tv := make([]uint64, len(keys0)), make([]uint32, len(vals0))
	b.SetBytes(int64(len(keys0)) * 12)
	for i := 0; i < b.N; i++ {
		copy(keys, keys0)
		copy(vals, vals0)
		SortPairs(keys, vals, tk, tv)
	}
}

// BenchmarkSortPairsBand compares SortPairs, SortPairsTop and Repeats on one
// LSH band's records at the sizes of zh_mix_50mb (37 K representatives),
// zh_mix_150mb and a 1 M-document corpus (ns/op per whole sort).
func BenchmarkSortPairsBand(b *testing.B) {
	for _, n := range []int{37_000, 160_000, 1 << 20} {
		keys0, vals0 := benchKeys(n)
		keys, vals := make([]uint64, n), make([]uint32, n)
		tk, tv := make([]uint64, n), make([]uint32, n)
		for _, sorter := range []struct {
			name string
			sort func(keys []uint64, vals []uint32, tmpK []uint64, tmpV []uint32)
		}{{"radix", SortPairs}, {"top", SortPairsTop}} {
			b.Run(fmt.Sprintf("%s/n=%d", sorter.name, n), func(b *testing.B) {
				b.SetBytes(int64(n) * 12)
				for b.Loop() {
					copy(keys, keys0)
					copy(vals, vals0)
					sorter.sort(keys, vals, tk, tv)
				}
			})
		}
		b.Run(fmt.Sprintf("repeats/n=%d", n), func(b *testing.B) {
			b.SetBytes(int64(n) * 12)
			for b.Loop() {
				copy(keys, keys0)
				Repeats(keys, tk, func([]uint32) error { return nil })
			}
		})
	}
}

func BenchmarkSlicesSort(b *testing.B) {
	type rec struct {
		k uint64
		v uint32
	}
	keys0, vals0 := benchKeys(1 << 20)
	recs := make([]rec, len(keys0))
	b.SetBytes(int64(len(keys0)) * 12)
	for i := 0; i < b.N; i++ {
		for j := range recs {
			recs[j] = rec{keys0[j], vals0[j]}
		}
		slices.SortFunc(recs, func(a, b rec) int {
			if c := cmp.Compare(a.k, b.k); c != 0 {
				return c
			}
			return cmp.Compare(a.v, b.v)
		})
	}
}

func TestSortFrom(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, n := range []int{0, 1, 2, 1000, 40000} {
		keys := make([]uint64, n)
		for i := range keys {
			keys[i] = r.Uint64N(1<<12)<<52 | r.Uint64()>>40<<32 | uint64(i)
		}
		want := slices.Clone(keys)
		slices.SortStableFunc(want, func(a, b uint64) int { return cmp.Compare(a>>32, b>>32) })
		SortFrom(keys, make([]uint64, n), 32)
		if !slices.Equal(keys, want) {
			t.Fatalf("n=%d: SortFrom differs from a stable sort on the high bits", n)
		}
	}
}

func TestSort(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{0, 1, 2, 3, 5, 100, 5000, 70000} {
		for _, space := range []uint64{0, 7, 1 << 40, 1 << 62} { // 0: full 64-bit keys
			keys := make([]uint64, n)
			for i := range keys {
				if space == 0 {
					keys[i] = r.Uint64()
				} else {
					keys[i] = r.Uint64N(space)
				}
			}
			want := slices.Clone(keys)
			slices.Sort(want)
			for _, sorter := range []struct {
				name string
				sort func(keys, tmp []uint64)
			}{{"Sort", Sort}, {"SortTop", SortTop}} {
				got := slices.Clone(keys)
				sorter.sort(got, make([]uint64, n))
				if !slices.Equal(got, want) {
					t.Fatalf("n=%d space=%d: %s differs from slices.Sort", n, space, sorter.name)
				}
			}
		}
	}
}

// BenchmarkSortSet measures the sort of one document's shingle hashes
// (one per character) against slices.Sort, by size.
func BenchmarkSortSet(b *testing.B) {
	for _, n := range []int{500, 2000, 20000, 200000} {
		keys0, _ := benchKeys(n)
		keys, tmp := make([]uint64, n), make([]uint64, n)
		b.Run(fmt.Sprintf("radix/n=%d", n), func(b *testing.B) {
			for b.Loop() {
				copy(keys, keys0)
				Sort(keys, tmp)
			}
		})
		b.Run(fmt.Sprintf("top/n=%d", n), func(b *testing.B) {
			for b.Loop() {
				copy(keys, keys0)
				SortTop(keys, tmp)
			}
		})
		b.Run(fmt.Sprintf("slices/n=%d", n), func(b *testing.B) {
			for b.Loop() {
				copy(keys, keys0)
				slices.Sort(keys)
			}
		})
	}
}
