package local

import (
	"errors"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/quchong/quchong/stage"
)

// Link gives the same pairs whether a bucket's signatures are loaded at once
// or through the slots, for buckets of every size around the bound and
// signatures that make several centres, borderline and accepted pairs; and
// a large bucket never holds more than the slots.
func TestBucketSigs(t *testing.T) {
	st, err := stage.New(stage.DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	k := st.Params().K
	rng := rand.New(rand.NewPCG(7, 8))
	const docs = 400
	// A few families of signatures: members of a family share most values,
	// so buckets mix accepted, borderline and rejected screens.
	sigs := make([][]uint32, docs)
	families := make([][]uint32, 12)
	for f := range families {
		families[f] = make([]uint32, k)
		for j := range families[f] {
			families[f][j] = rng.Uint32()
		}
	}
	for d := range sigs {
		sigs[d] = slices.Clone(families[rng.IntN(len(families))])
		for range rng.IntN(k / 3) {
			sigs[d][rng.IntN(k)] = rng.Uint32()
		}
	}
	copies := 0
	copySig := func(dst []uint32, i uint32) error {
		copies++
		copy(dst, sigs[i])
		return nil
	}
	masked := func(i uint32) bool { return i%17 == 0 }
	link := func(bucket []uint32, sig func(uint32) []uint32) []stage.Pair {
		var out []stage.Pair
		st.Link(bucket, sig, masked, func(p stage.Pair) { out = append(out, p) })
		return out
	}
	bs := newBucketSigs(k, copySig)
	bs.small = 4
	screens := map[stage.Verdict]int{}
	for size := 0; size <= 120; size++ {
		bucket := make([]uint32, 0, size)
		for _, d := range rng.Perm(docs)[:size] {
			bucket = append(bucket, uint32(d))
		}
		slices.Sort(bucket)
		want := link(bucket, func(i uint32) []uint32 { return sigs[i] })
		for _, p := range want {
			screens[p.Verdict]++
		}
		copies = 0
		if err := bs.load(bucket); err != nil {
			t.Fatal(err)
		}
		got := link(bucket, bs.sig)
		if err := bs.Err(); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("bucket of %d: %d pairs through bucketSigs, %d with every signature at hand", size, len(got), len(want))
		}
		if len(bs.all) > bs.small*k || len(bs.slots) > sigSlots*k {
			t.Fatalf("bucket of %d: %d and %d values held", size, len(bs.all), len(bs.slots))
		}
		if size > bs.small && copies > 2*size {
			t.Errorf("bucket of %d: %d signatures copied", size, copies)
		}
	}
	if screens[stage.Accept] == 0 || screens[stage.NeedText] == 0 {
		t.Fatalf("screens %v: the test needs accepted and borderline pairs", screens)
	}

	// A copy that fails is reported.
	fail := errors.New("read back failed")
	bad := newBucketSigs(k, func(dst []uint32, i uint32) error {
		if i == 7 {
			return fail
		}
		return copySig(dst, i)
	})
	bad.small = 2
	if err := bad.load([]uint32{1, 3, 5, 7, 9}); err != nil {
		t.Fatal(err)
	}
	link([]uint32{1, 3, 5, 7, 9}, bad.sig)
	if !errors.Is(bad.Err(), fail) {
		t.Errorf("Err() = %v, want the failed copy", bad.Err())
	}
}
