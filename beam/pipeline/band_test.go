package pipeline

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

func TestBandPackRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		recs []bandRef
	}{
		{"empty", nil},
		{"one", []bandRef{{band: 3, key: 42, idx: 7}}},
		{"same document, all bands", []bandRef{{0, 1, 9}, {1, 1 << 63, 9}, {31, ^uint64(0), 9}}},
		{"extremes", []bandRef{{0, 0, 0}, {1<<16 - 1, ^uint64(0), 1<<32 - 2}}},
		{"large band", []bandRef{{300, 5, 1}, {200, 6, 1 << 20}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b []byte
			var prev uint32
			for _, r := range tc.recs {
				b = bandPack(b, &prev, r.idx, int(r.band), r.key)
			}
			got, err := bandUnpack(nil, b)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.recs) {
				t.Errorf("got %v, want %v", got, tc.recs)
			}
		})
	}
}

func TestBucketsRoundTrip(t *testing.T) {
	tests := []struct {
		name    string
		buckets [][]uint32
	}{
		{"none", nil},
		{"pair", [][]uint32{{3, 9}}},
		{"several", [][]uint32{{0, 1}, {5, 5000, 1 << 31}, {1<<32 - 3, 1<<32 - 2}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b []byte
			for _, l := range tc.buckets {
				b = idxPack(b, l, true)
			}
			got, err := bucketsUnpack(nil, b)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.buckets) {
				t.Errorf("got %v, want %v", got, tc.buckets)
			}
			flat, rest, err := idxUnpack(nil, idxPack(nil, slices.Concat(tc.buckets...), false), -1)
			if err != nil || len(rest) != 0 || !slices.Equal(flat, slices.Concat(tc.buckets...)) {
				t.Errorf("unprefixed: got %v, rest %v, err %v", flat, rest, err)
			}
		})
	}
}

func TestUnpackMalformed(t *testing.T) {
	tests := []struct {
		name string
		b    []byte
	}{
		{"cut key", []byte{1, 2, 0xff, 0xff}},
		{"cut varint", []byte{0x80}},
		{"index beyond 32 bits", []byte{0xff, 0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0, 0, 0, 0, 0, 0}},
		{"band beyond 16 bits", []byte{1, 0x80, 0x80, 0x04, 0, 0, 0, 0, 0, 0, 0, 0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := bandUnpack(nil, tc.b); err == nil {
				t.Errorf("bandUnpack(%x) accepted malformed records", tc.b)
			}
		})
	}
	for _, b := range [][]byte{{3, 1, 2}, {0xff, 0xff, 0xff, 0xff, 0x0f, 1}, {2, 0x80}} {
		if _, err := bucketsUnpack(nil, b); err == nil {
			t.Errorf("bucketsUnpack(%x) accepted malformed lists", b)
		}
	}
}

func TestSigPack(t *testing.T) {
	sig := []uint32{0, 1, 1<<32 - 1, 123456789}
	b := sigPack(nil, sig)
	if len(b) != 4*len(sig) {
		t.Fatalf("%d bytes for %d values", len(b), len(sig))
	}
	if got := sigUnpack(b); !slices.Equal(got, sig) {
		t.Errorf("got %v, want %v", got, sig)
	}
	var s sigBatch
	s.add(1, 2, 3, true, b, true)
	if err := s.check(len(sig), true); err != nil {
		t.Error(err)
	}
	if err := s.check(len(sig)+1, true); err == nil {
		t.Error("check accepted a batch with the wrong signature length")
	}
	s.add(2, 0, 0, false, b, false)
	if err := s.check(len(sig), true); err == nil {
		t.Error("check accepted a batch without hashes for every document")
	}
}

func FuzzBandUnpack(f *testing.F) {
	var prev uint32
	f.Add(bandPack(bandPack(nil, &prev, 5, 1, 99), &prev, 9, 31, 1<<40))
	f.Add([]byte{})
	f.Add([]byte{0x80, 0x80})
	f.Fuzz(func(t *testing.T, b []byte) {
		recs, err := bandUnpack(nil, b)
		if err != nil {
			return
		}
		var again []byte
		var prev uint32
		for _, r := range recs {
			again = bandPack(again, &prev, r.idx, int(r.band), r.key)
		}
		back, err := bandUnpack(nil, again)
		if err != nil || !reflect.DeepEqual(back, recs) {
			t.Fatalf("round trip of %v: %v, %v", recs, back, err)
		}
	})
}

func FuzzBucketsUnpack(f *testing.F) {
	f.Add(idxPack(idxPack(nil, []uint32{1, 2}, true), []uint32{7, 8, 9}, true))
	f.Add([]byte{})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f})
	f.Fuzz(func(t *testing.T, b []byte) {
		lists, err := bucketsUnpack(nil, b)
		if err != nil {
			return
		}
		var again []byte
		for _, l := range lists {
			if !slices.IsSorted(l) {
				t.Fatalf("decreasing list %v", l)
			}
			again = idxPack(again, l, true)
		}
		back, err := bucketsUnpack(nil, again)
		if err != nil || len(back) != len(lists) {
			t.Fatalf("round trip of %v: %v, %v", lists, back, err)
		}
	})
}

// benchRecs returns the band records of n documents with 32 bands.
func benchRecs(n int) (b []byte, recs int) {
	r := rand.New(rand.NewPCG(1, 2))
	var prev uint32
	for i := 0; i < n; i++ {
		for band := 0; band < 32; band++ {
			b = bandPack(b, &prev, uint32(i), band, r.Uint64())
			recs++
		}
	}
	return b, recs
}

func BenchmarkBandPack(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 2))
	keys := make([]uint64, 32*2048)
	for i := range keys {
		keys[i] = r.Uint64()
	}
	buf := make([]byte, 0, 11*len(keys))
	b.SetBytes(int64(len(keys) * 16)) // 16 bytes of (band, key, index) a record
	for b.Loop() {
		buf = buf[:0]
		var prev uint32
		for j, k := range keys {
			buf = bandPack(buf, &prev, uint32(j/32), j%32, k)
		}
	}
}

func BenchmarkBandUnpack(b *testing.B) {
	buf, n := benchRecs(2048)
	recs := make([]bandRef, 0, n)
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		var err error
		if recs, err = bandUnpack(recs[:0], buf); err != nil {
			b.Fatal(err)
		}
	}
}
