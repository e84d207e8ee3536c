package corpus

import (
	"path/filepath"
	"testing"
)

// BenchmarkPartition copies 16 MB of zh_mix_50mb, uncompressed, as the
// output pass does: "mostly" keeps all but one record in 250 (as a run on
// zh_mix_50mb does), "alternate" sends records to kept, removed and
// nowhere in turn.
func BenchmarkPartition(b *testing.B) {
	data := corpusSample(b, "zh_mix_50mb", 16<<20)
	dir := b.TempDir()
	in := writeInput(b, dir, "bench.jsonl", data, None)
	for _, tc := range []struct {
		name  string
		route func(int64) Route
	}{
		{"mostly", func(rec int64) Route {
			if rec%250 == 0 {
				return Remove
			}
			return Keep
		}},
		{"alternate", routeByRecord},
	} {
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if err := Partition(in, Options{}, filepath.Join(dir, "kept.jsonl"), filepath.Join(dir, "removed.jsonl"), tc.route); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
