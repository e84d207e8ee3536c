package sub

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/quchong/quchong/segment"
	"github.com/quchong/quchong/stage"
)

// benchCorpus is the shared throughput corpus (../../../shared/data/README.md).
const benchCorpus = "../../../shared/data/corpus/zh_mix_10mb.jsonl.zst"

// benchMethod runs one method over the benchmark corpus per iteration,
// with one worker, and reports MB/s of uncompressed input (both passes).
// QUCHONG_BENCH_CORPUS names another corpus (an uncompressed copy, say, to
// leave zstd out of the figure).
func benchMethod(b *testing.B, lines bool, p stage.SubParams) {
	benchCorpus := benchCorpus
	if c := os.Getenv("QUCHONG_BENCH_CORPUS"); c != "" {
		benchCorpus = c
	}
	if _, err := os.Stat(benchCorpus); err != nil {
		b.Skipf("benchmark corpus missing: %v", err)
	}
	dir := b.TempDir()
	var size int64
	k := 0
	for b.Loop() {
		k++
		opt := Options{Inputs: []string{benchCorpus}, OutDir: filepath.Join(dir, string(rune('a'+k%26))), Force: true, Params: p, Workers: 1, NoReport: true}
		var err error
		if lines {
			st, e := Lines(context.Background(), opt)
			err = e
			if e == nil {
				size = st.Total.InputBytes
			}
		} else {
			st, e := Substr(context.Background(), opt)
			err = e
			if e == nil {
				size = st.Total.InputBytes
			}
		}
		if err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(size)
}

// BenchmarkLines: quchong lines --min-docs 5 --unit paragraph on the 10 MB
// Chinese mix, one worker.
func BenchmarkLines(b *testing.B) {
	p := stage.DefaultSubParams()
	p.MinDocs, p.Unit = 5, segment.Paragraph
	benchMethod(b, true, p)
}

// BenchmarkSubstr: quchong substr --min-span 50 on the 10 MB Chinese mix.
func BenchmarkSubstr(b *testing.B) {
	benchMethod(b, false, stage.DefaultSubParams())
}
