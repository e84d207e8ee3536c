package local

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"

	"github.com/quchong/quchong/output"
	"github.com/quchong/quchong/record"
	"github.com/quchong/quchong/stage"
)

// TestExactRuns checks exactRuns against grouping by full hash with a map,
// with hashes that share 32-bit prefixes but differ below them.
func TestExactRuns(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{0, 1, 5, 3000} {
		hashes := make([]stage.Exact, n)
		for i := range hashes {
			// Few distinct prefixes, a handful of distinct full hashes each.
			hashes[i] = stage.Exact{Hi: r.Uint64N(7)<<32 | r.Uint64N(3), Lo: r.Uint64N(2)}
		}
		want := map[stage.Exact][]uint32{}
		for i, h := range hashes {
			want[h] = append(want[h], uint32(i))
		}
		seen := map[stage.Exact]bool{}
		calls := 0
		exactRuns(n, func(i uint32) stage.Exact { return hashes[i] }, func(run []uint64) {
			calls++
			h := hashes[uint32(run[0])]
			if seen[h] {
				t.Fatalf("n=%d: hash %v reported twice", n, h)
			}
			seen[h] = true
			got := make([]uint32, len(run))
			for j, x := range run {
				got[j] = uint32(x)
			}
			if !slices.Equal(got, want[h]) {
				t.Fatalf("n=%d: run %v, want %v", n, got, want[h])
			}
		})
		if calls != len(want) {
			t.Fatalf("n=%d: %d runs, want %d", n, calls, len(want))
		}
	}
}

func TestSideFile(t *testing.T) {
	for _, withValue := range []bool{false, true} {
		t.Run(fmt.Sprint("value=", withValue), func(t *testing.T) {
			s, err := createSideFile(t.TempDir(), withValue)
			if err != nil {
				t.Fatal(err)
			}
			defer s.close()
			const n = 1000
			value := func(i int) record.Value {
				switch i % 3 {
				case 1:
					return record.Value{Kind: record.Number, Num: float64(i) / 7}
				case 2:
					return record.Value{Kind: record.String, Str: fmt.Sprintf("v%d", i)}
				}
				return record.Value{}
			}
			id := func(i int) string {
				if i%10 == 0 {
					return "" // empty ids survive too
				}
				return fmt.Sprintf("file.jsonl:%d:身份", i)
			}
			for i := range n {
				if err := s.add([]byte(id(i)), value(i)); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.flush(); err != nil {
				t.Fatal(err)
			}
			want := []uint32{999, 0, 63, 64, 65, 500, 64, 128, 1} // any order, repeats
			tab, err := s.load(want)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range want {
				if got := tab.id(d); got != id(int(d)) {
					t.Errorf("id(%d) = %q, want %q", d, got, id(int(d)))
				}
				wantV := record.Value{}
				if withValue {
					wantV = value(int(d))
				}
				if got := tab.value(d); got != wantV {
					t.Errorf("value(%d) = %+v, want %+v", d, got, wantV)
				}
			}
			if _, err := s.load([]uint32{n}); err == nil {
				t.Error("load past the last record: no error")
			}
		})
	}
}

func TestEntryPacking(t *testing.T) {
	for _, fp := range []stage.Fingerprint{
		{},
		{Exact: stage.Exact{Hi: 1, Lo: 2}, Length: 12, Masks: 3, Signed: true},
		{Exact: stage.Exact{Hi: ^uint64(0), Lo: 9}, Length: 1 << 31, Masks: 0, Signed: true},
		{Length: 7, Masks: 1<<31 - 1},
	} {
		if got := packEntry(fp).fingerprint(); got != fp {
			t.Errorf("packEntry(%+v).fingerprint() = %+v", fp, got)
		}
	}
	if entryBytes != 24 {
		t.Errorf("an entry takes %d bytes, want 24", entryBytes)
	}
}

// BenchmarkTableBytes measures the heap the document table keeps per
// document once pass 1 is over, leaving out the signatures still resident
// (the budget's share): the entries, text ends, block headers and the side
// file's index. Ids are "path:line", as when the input has no id field.
func BenchmarkTableBytes(b *testing.B) {
	const n = 1 << 20
	for b.Loop() {
		dir := b.TempDir()
		sigFile, err := os.Create(filepath.Join(dir, "signatures.bin"))
		if err != nil {
			b.Fatal(err)
		}
		side, err := createSideFile(dir, false)
		if err != nil {
			b.Fatal(err)
		}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		s := newStore(128, sigFile, side, 1)
		for i := range n {
			sl, err := s.add(fmt.Appendf(nil, "corpus/part-00017.jsonl.zst:%d", i+1), record.Value{}, 1500)
			if err != nil {
				b.Fatal(err)
			}
			*sl.ent = packEntry(stage.Fingerprint{Signed: true})
			s.done(sl)
		}
		if err := s.finish(); err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		sigs := s.resident.Load() * int64(blockSize) * 128 * 4
		b.ReportMetric(float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)-sigs)/n, "B/doc")
		runtime.KeepAlive(s)
		sigFile.Close()
		side.close()
	}
}

// bandBuckets gives the same buckets, in the same order, whether the band
// is sorted in memory or in runs merged from disk.
func TestBandBucketsRuns(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for _, n := range []int{0, 1, 2, 3, 100, 5000} {
		reps := make([]uint32, n)
		keys := make([]uint64, n)
		next := uint32(0)
		for i := range reps {
			next += 1 + r.Uint32N(3)
			reps[i] = next
			keys[i] = r.Uint64N(uint64(max(n/4, 1))) * 0x9e3779b97f4a7c15 // many shared keys
		}
		readKeys := func(dst []uint64, lo int) error { copy(dst, keys[lo:]); return nil }
		collect := func(maxRecords int) [][]uint32 {
			var got [][]uint32
			err := bandBuckets(reps, readKeys, maxRecords, t.TempDir(), nil, func(b []uint32) error {
				got = append(got, slices.Clone(b))
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		want := collect(n + 1)
		if n >= 100 && len(want) == 0 {
			t.Fatalf("n=%d: no bucket at all", n)
		}
		for _, maxRecords := range []int{2, 7, 64, n / 3} {
			got := collect(maxRecords)
			if !slices.EqualFunc(got, want, slices.Equal[[]uint32]) {
				t.Fatalf("n=%d: runs of %d give %d buckets, differing from the %d of an in-memory sort", n, maxRecords, len(got), len(want))
			}
		}
	}
}

// wantBuckets is bandBuckets' answer by a plain stable sort of the band's
// (key, representative) records: its runs of two or more equal keys, in
// key order, members in index order.
func wantBuckets(reps []uint32, keys []uint64) [][]uint32 {
	type rec struct {
		k uint64
		v uint32
	}
	recs := make([]rec, len(reps))
	for i := range reps {
		recs[i] = rec{keys[i], reps[i]}
	}
	slices.SortStableFunc(recs, func(a, b rec) int { return cmp.Compare(a.k, b.k) })
	var want [][]uint32
	for j := 0; j < len(recs); {
		k := j + 1
		for k < len(recs) && recs[k].k == recs[j].k {
			k++
		}
		if k-j > 1 {
			var b []uint32
			for _, r := range recs[j:k] {
				b = append(b, r.v)
			}
			want = append(want, b)
		}
		j = k
	}
	return want
}

// TestBandBucketsCases compares bandBuckets, in memory and in runs merged
// from disk, with a plain stable sort of the records, on keys that random
// band keys give and on keys that they do not: many repeats, all equal,
// all sharing their top bits; its scratch is reused from case to case.
func TestBandBucketsCases(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	cases := []struct {
		name string
		n    int
		key  func(i int) uint64
	}{
		{"empty", 0, nil},
		{"one", 1, func(int) uint64 { return 5 }},
		{"two equal", 2, func(int) uint64 { return 1 << 63 }},
		{"two distinct", 2, func(i int) uint64 { return uint64(1-i) << 60 }},
		{"random", 40_000, func(int) uint64 { return r.Uint64() }},
		{"random, many repeats", 40_000, func(int) uint64 { return r.Uint64N(10_000) * 0x9e3779b97f4a7c15 }},
		{"random, pairs", 40_000, func(i int) uint64 { return uint64(i/2) * 0x9e3779b97f4a7c15 }},
		{"all equal", 20_000, func(int) uint64 { return 0xdeadbeefcafef00d }},
		{"shared top bits", 20_000, func(int) uint64 { return 0xabcd<<48 | r.Uint64N(5_000) }},
		{"shared top bits, distinct", 20_000, func(int) uint64 { return 0xabcdef<<40 | r.Uint64N(1<<40) }},
		{"shared top 48 bits", 20_000, func(int) uint64 { return 0xabcdef012345<<16 | r.Uint64N(30_000) }},
		{"few top buckets", 20_000, func(int) uint64 { return r.Uint64N(4)<<62 | r.Uint64N(3_000)<<20 }},
		{"descending", 5_000, func(i int) uint64 { return uint64(5_000-i/3) << 40 }},
	}
	var sc bandScratch // kept from case to case, as a worker keeps it from band to band
	for _, c := range cases {
		reps := make([]uint32, c.n)
		keys := make([]uint64, c.n)
		next := uint32(0)
		for i := range reps {
			next += 1 + r.Uint32N(3)
			reps[i] = next
			keys[i] = c.key(i)
		}
		want := wantBuckets(reps, keys)
		if c.n >= 20_000 && c.name != "random" && c.name != "shared top bits, distinct" && len(want) == 0 {
			t.Fatalf("%s: the case makes no bucket", c.name)
		}
		readKeys := func(dst []uint64, lo int) error { copy(dst, keys[lo:]); return nil }
		for _, maxRecords := range []int{c.n + 1, c.n, max(c.n/5, 2), 3} {
			if maxRecords == 3 && c.n > 5_000 {
				continue // thousands of runs: the merge is tested by the smaller cases
			}
			var got [][]uint32
			err := bandBuckets(reps, readKeys, maxRecords, t.TempDir(), &sc, func(b []uint32) error {
				got = append(got, slices.Clone(b))
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.EqualFunc(got, want, slices.Equal[[]uint32]) {
				t.Fatalf("%s (n=%d, runs of %d): %d buckets, differing from the %d of a plain sort", c.name, c.n, maxRecords, len(got), len(want))
			}
		}
	}
}

// BenchmarkBandBuckets groups one band of random keys, one in ten shared
// by a pair of representatives, at the sizes of zh_mix_50mb (37 K
// representatives), zh_mix_150mb and a corpus of a million documents.
func BenchmarkBandBuckets(b *testing.B) {
	for _, n := range []int{37_000, 160_000, 1_000_000} {
		r := rand.New(rand.NewPCG(1, uint64(n)))
		reps := make([]uint32, n)
		keys := make([]uint64, n)
		for i := range reps {
			reps[i] = uint32(i)
			keys[i] = r.Uint64()
			if i%20 == 1 {
				keys[i] = keys[i-1]
			}
		}
		readKeys := func(dst []uint64, lo int) error { copy(dst, keys[lo:]); return nil }
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			b.SetBytes(int64(n) * 12)
			var sc bandScratch
			for b.Loop() {
				buckets := 0
				if err := bandBuckets(reps, readKeys, n, "", &sc, func([]uint32) error { buckets++; return nil }); err != nil {
					b.Fatal(err)
				}
				if buckets != n/20 {
					b.Fatalf("%d buckets, want %d", buckets, n/20)
				}
			}
		})
	}
}

// BenchmarkRun runs the whole engine on ../shared/data/corpus/zh_mix_10mb
// (skipped when it is absent): MB/s of uncompressed input, and the heap
// allocations per document (the hot path allocates nothing per document;
// what remains is per batch, per file and per cluster).
func BenchmarkRun(b *testing.B) {
	const corpusPath = "../../../shared/data/corpus/zh_mix_10mb.jsonl.zst"
	if _, err := os.Stat(corpusPath); err != nil {
		b.Skipf("%s: %v", corpusPath, err)
	}
	for _, dry := range []bool{false, true} {
		b.Run(fmt.Sprint("dry-run=", dry), func(b *testing.B) {
			var stats *output.Stats
			for b.Loop() {
				out := b.TempDir()
				var err error
				stats, err = Run(context.Background(), Options{Request: output.Request{Inputs: []string{corpusPath}, Params: stage.DefaultParams(), OutDir: out, Force: true}, DryRun: dry})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.SetBytes(stats.Total.InputBytes)
			b.ReportMetric(float64(stats.Total.Read), "docs")
		})
	}
}
