// Package radix sorts 64-bit keys by radix sort, several times faster than
// a comparison sort on the random hashes quchong groups and compares (see
// the benchmarks): least-significant digit first (Sort, SortPairs), or one
// counting pass on the top bits and small buckets sorted on their own
// (SortTop, SortPairsTop). Repeats finds the repeated keys of a set the
// same way without sorting it.
package radix

import (
	"cmp"
	"slices"
)

// bits is the digit width: 11-bit digits sort 64-bit keys in six passes
// with a count table that stays in the first-level cache.
const (
	bits    = 11
	buckets = 1 << bits
)

// Sort sorts keys ascending. tmp is scratch of at least the same length.
func Sort(keys, tmp []uint64) { SortFrom(keys, tmp, 0) }

// SortFrom sorts keys stably by their bits from bit from up: keys equal in
// those bits keep their order. tmp is scratch of at least the same length.
// Passes whose digit is the same for every key are skipped.
func SortFrom(keys, tmp []uint64, from uint) {
	n := len(keys)
	if n < 2 {
		return
	}
	var count [buckets]int
	src, dst := keys, tmp[:n]
	for shift := from; shift < 64; shift += bits {
		clear(count[:])
		for _, k := range src {
			count[(k>>shift)&(buckets-1)]++
		}
		if count[(src[0]>>shift)&(buckets-1)] == n {
			continue
		}
		sum := 0
		for i, c := range count {
			count[i] = sum
			sum += c
		}
		for _, k := range src {
			d := (k >> shift) & (buckets - 1)
			dst[count[d]] = k
			count[d]++
		}
		src, dst = dst, src
	}
	if &src[0] != &keys[0] {
		copy(keys, src)
	}
}

// SortPairs sorts keys ascending, carrying vals along, stably: records with
// equal keys keep their order, so records made in index order come out
// ordered by (key, index). tmpK and tmpV are scratch of at least the same
// length.
func SortPairs(keys []uint64, vals []uint32, tmpK []uint64, tmpV []uint32) {
	n := len(keys)
	if n < 2 {
		return
	}
	var count [buckets]int
	src, dst := keys, tmpK[:n]
	srcV, dstV := vals, tmpV[:n]
	for shift := uint(0); shift < 64; shift += bits {
		clear(count[:])
		for _, k := range src {
			count[(k>>shift)&(buckets-1)]++
		}
		if count[(src[0]>>shift)&(buckets-1)] == n {
			continue // every key has this digit: nothing to move
		}
		sum := 0
		for i, c := range count {
			count[i] = sum
			sum += c
		}
		for i, k := range src {
			d := (k >> shift) & (buckets - 1)
			j := count[d]
			count[d]++
			dst[j] = k
			dstV[j] = srcV[i]
		}
		src, dst = dst, src
		srcV, dstV = dstV, srcV
	}
	if &src[0] != &keys[0] {
		copy(keys, src)
		copy(vals, srcV)
	}
}

// maxTop is the widest top digit SortTop splits on: its count table (16 KiB)
// stays in the first-level cache.
const maxTop = 12

// SortTop sorts keys ascending with one counting pass on their top bits
// (about one bucket for every four keys) and an insertion sort of each
// bucket: on random hashes of a few thousand keys, a document's shingle
// set, it does the work of two radix passes, where Sort needs six and
// slices.Sort a dozen comparisons a key (BenchmarkSortSet). A bucket that
// random keys would not make large (many equal or clustered keys) is
// sorted with a comparison sort, so the worst case stays n log n. tmp is
// scratch of at least the same length.
func SortTop(keys, tmp []uint64) {
	n := len(keys)
	if n < 2 {
		return
	}
	top := uint(1)
	for top < maxTop && 1<<(top+2) < n {
		top++
	}
	shift := 64 - top
	var table [1 << maxTop]int32
	count := table[:1<<top]
	for _, k := range keys {
		count[k>>shift]++
	}
	sum := int32(0)
	for i, c := range count {
		count[i] = sum
		sum += c
	}
	tmp = tmp[:n]
	for _, k := range keys {
		d := k >> shift
		tmp[count[d]] = k
		count[d]++
	}
	// count[d] is now the end of bucket d.
	lo := 0
	for _, end := range count {
		b := tmp[lo:end]
		sortBucket(b)
		lo = int(end)
	}
	copy(keys, tmp)
}

// maxPairsTop is the widest top digit SortPairsTop and Repeats split on: a
// count table of 2^16 entries (256 or 512 KiB) still stays in the
// second-level cache.
const maxPairsTop = 16

// SortPairsTop is SortPairs in two passes on random keys, such as the band
// keys of LSH grouping: one counting pass on the keys' top bits (four to
// eight records a bucket, up to 2^16 buckets: the count table takes at
// most a byte a record), then an insertion sort of each bucket. Like
// SortPairs it is stable: records with equal keys keep their order. A
// bucket that random keys would not make large (many equal or clustered
// keys) is sorted with SortPairs, so the worst case is SortPairs and a
// pass. tmpK and tmpV are scratch of at least the same length.
func SortPairsTop(keys []uint64, vals []uint32, tmpK []uint64, tmpV []uint32) {
	n := len(keys)
	if n < 2 {
		return
	}
	if n >= 1<<31 { // the count table holds int32 positions
		SortPairs(keys, vals, tmpK, tmpV)
		return
	}
	top := pairsTop(n)
	shift := 64 - top
	count := make([]int32, 1<<top)
	for _, k := range keys {
		count[k>>shift]++
	}
	sum := int32(0)
	for i, c := range count {
		count[i] = sum
		sum += c
	}
	tk, tv := tmpK[:n], tmpV[:n]
	for i, k := range keys {
		d := k >> shift
		j := count[d]
		count[d]++
		tk[j] = k
		tv[j] = vals[i]
	}
	// count[d] is now the end of bucket d.
	lo := 0
	for _, end := range count {
		hi := int(end)
		bk, bv := tk[lo:hi], tv[lo:hi]
		if len(bk) > 32 {
			SortPairs(bk, bv, keys[lo:hi], vals[lo:hi])
		} else {
			for i := 1; i < len(bk); i++ {
				k, v := bk[i], bv[i]
				j := i
				for j > 0 && bk[j-1] > k {
					bk[j], bv[j] = bk[j-1], bv[j-1]
					j--
				}
				bk[j], bv[j] = k, v
			}
		}
		lo = hi
	}
	copy(keys, tk)
	copy(vals, tv)
}

// Repeats calls fn with the positions in keys of every set of two or more
// equal keys, in increasing key order, each set's positions increasing, and
// returns fn's first error, where it stops. fn may overwrite the positions
// it is given (Repeats reads none of them again), not keep them. keys is
// left as it is.
//
// One counting pass on the keys' top bits (four to eight keys a bucket, up
// to 2^16 buckets) writes each key's next 32 bits and its position, packed
// in one word, to its bucket in tmp; a small bucket is sorted only when
// two of its words share their key bits, and equal key bits are then
// checked against the full keys. On random keys most of which are unique,
// such as LSH band keys, no record moves and it takes half to two thirds
// of SortPairsTop's time (BenchmarkSortPairsBand). A bucket that random
// keys would not make large is sorted with a comparison sort. keys holds
// at most 2^32 keys; tmp is scratch of at least the same length.
func Repeats(keys, tmp []uint64, fn func(pos []uint32) error) error {
	n := len(keys)
	if n < 2 {
		return nil
	}
	if uint64(n) > 1<<32 {
		panic("radix.Repeats: more than 2^32 keys")
	}
	top := pairsTop(n)
	shift := 64 - top
	count := make([]int, 1<<top)
	for _, k := range keys {
		count[k>>shift]++
	}
	sum := 0
	for i, c := range count {
		count[i] = sum
		sum += c
	}
	tmp = tmp[:n]
	for i, k := range keys {
		d := k >> shift
		tmp[count[d]] = (k<<top)&^(1<<32-1) | uint64(i)
		count[d]++
	}
	// count[d] is now the end of bucket d.
	var pos []uint32
	lo := 0
	for _, end := range count {
		b := tmp[lo:end]
		lo = end
		if len(b) < 2 || len(b) <= 12 && !repeatedPrefix(b) {
			continue
		}
		sortBucket(b) // the words are distinct: their positions differ
		for j := 0; j < len(b); {
			k := j + 1
			for k < len(b) && b[k]>>32 == b[j]>>32 {
				k++
			}
			if k-j > 1 {
				var err error
				if pos, err = repeatsOf(keys, b[j:k], pos, fn); err != nil {
					return err
				}
			}
			j = k
		}
	}
	return nil
}

// pairsTop is the number of top key bits SortPairsTop and Repeats split
// n keys on: 4–8 keys a bucket, at most maxPairsTop bits.
func pairsTop(n int) uint {
	top := uint(1)
	for top < maxPairsTop && 1<<(top+3) < n {
		top++
	}
	return top
}

// sortBucket sorts one bucket of a top-digit split: by insertion when it
// is small, as nearly all are, else by slices.Sort.
func sortBucket(b []uint64) {
	if len(b) > 32 {
		slices.Sort(b)
		return
	}
	for i := 1; i < len(b); i++ {
		k := b[i]
		j := i
		for j > 0 && b[j-1] > k {
			b[j] = b[j-1]
			j--
		}
		b[j] = k
	}
}

// repeatedPrefix reports whether two of a small bucket's packed records
// share their key bits. Most buckets have none, and comparing every pair
// of a few records is cheaper than sorting them: its branches are nearly
// always taken the same way.
func repeatedPrefix(b []uint64) bool {
	for i := 1; i < len(b); i++ {
		hi := b[i] >> 32
		for _, x := range b[:i] {
			if x>>32 == hi {
				return true
			}
		}
	}
	return false
}

// repeatsOf calls fn with the sets of equal keys among run, packed records
// of Repeats that share their top bits and next 32 bits, ordered by
// position: all of them, unless (rarely) their full keys differ.
func repeatsOf(keys []uint64, run []uint64, pos []uint32, fn func(pos []uint32) error) ([]uint32, error) {
	pos = pos[:0]
	for _, x := range run {
		pos = append(pos, uint32(x))
	}
	first := keys[pos[0]]
	if !slices.ContainsFunc(pos[1:], func(p uint32) bool { return keys[p] != first }) {
		return pos, fn(pos)
	}
	slices.SortStableFunc(pos, func(a, b uint32) int { return cmp.Compare(keys[a], keys[b]) })
	for a := 0; a < len(pos); {
		b := a + 1
		for b < len(pos) && keys[pos[b]] == keys[pos[a]] {
			b++
		}
		if b-a > 1 {
			if err := fn(pos[a:b]); err != nil {
				return pos, err
			}
		}
		a = b
	}
	return pos, nil
}
