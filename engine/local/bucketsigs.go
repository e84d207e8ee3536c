package local

import "slices"

// smallBucket is the largest bucket whose members' signatures are loaded
// all at once for stage.Link: 64 × k × 4 bytes, 32 KiB at k = 128.
const smallBucket = 64

// sigSlots is the number of signatures a larger bucket holds at a time.
// stage.Link screens each member against at most eight centres, so the
// centres and the member in hand stay in the slots.
const sigSlots = 16

// bucketSigs hands stage.Link the signatures of one LSH bucket's members.
// A small bucket's are loaded at once; a larger one's are copied in as
// Link asks for them, into sigSlots slots reused least recently used
// first, so that a bucket of any size (a million near-identical pages
// share their band keys) holds a bounded number of signatures, whatever
// the --memory budget. Link's results do not depend on which way.
type bucketSigs struct {
	copySig func(dst []uint32, i uint32) error
	k       int
	small   int // smallBucket; a test's smaller bound

	bucket []uint32
	all    []uint32 // a small bucket's signatures, in bucket order
	slots  []uint32 // sigSlots × k
	ids    [sigSlots]uint32
	used   [sigSlots]uint64 // when each slot was last handed out; 0: empty
	clock  uint64
	err    error // the first copy that failed since load
}

func newBucketSigs(k int, copySig func(dst []uint32, i uint32) error) *bucketSigs {
	return &bucketSigs{copySig: copySig, k: k, small: smallBucket}
}

// load prepares the signatures of bucket (increasing indices) for sig.
func (b *bucketSigs) load(bucket []uint32) error {
	b.bucket, b.err = bucket, nil
	if len(bucket) <= b.small {
		k := b.k
		b.all = slices.Grow(b.all[:0], len(bucket)*k)[:len(bucket)*k]
		for j, d := range bucket {
			if err := b.copySig(b.all[j*k:(j+1)*k], d); err != nil {
				return err
			}
		}
		return nil
	}
	if b.slots == nil {
		b.slots = make([]uint32, sigSlots*b.k)
	}
	b.used = [sigSlots]uint64{}
	return nil
}

// sig returns member i's signature. In a large bucket the slice stays
// valid until sigSlots-1 other signatures have been asked for. A copy that
// fails leaves the slot's old values; Err reports it.
func (b *bucketSigs) sig(i uint32) []uint32 {
	k := b.k
	if len(b.bucket) <= b.small {
		p, _ := slices.BinarySearch(b.bucket, i)
		return b.all[p*k : (p+1)*k]
	}
	b.clock++
	victim := 0
	for s := range sigSlots {
		if b.used[s] != 0 && b.ids[s] == i {
			b.used[s] = b.clock
			return b.slots[s*k : (s+1)*k]
		}
		if b.used[s] < b.used[victim] {
			victim = s
		}
	}
	dst := b.slots[victim*k : (victim+1)*k]
	if err := b.copySig(dst, i); err != nil && b.err == nil {
		b.err = err
	}
	b.ids[victim], b.used[victim] = i, b.clock
	return dst
}

// Err returns the first copy that failed in sig since load.
func (b *bucketSigs) Err() error { return b.err }
