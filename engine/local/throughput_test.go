package local

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/klauspost/compress/zstd"
	"github.com/quchong/quchong/corpus"
	"github.com/quchong/quchong/output"
	"github.com/quchong/quchong/stage"
)

// BenchmarkRunPlain runs the whole engine on ../shared/data/corpus/
// zh_mix_10mb decompressed (skipped when it is absent), as one file and in
// 8 shards, on 1 and 2 workers, with the kept corpus written uncompressed:
// the run around detection without zstd. It reports MB of input per
// CPU-second of the process (user + system), which a shared machine
// disturbs less than wall time.
func BenchmarkRunPlain(b *testing.B) {
	const corpusPath = "../../../shared/data/corpus/zh_mix_10mb.jsonl.zst"
	packed, err := os.ReadFile(corpusPath)
	if err != nil {
		b.Skipf("%s: %v", corpusPath, err)
	}
	dec, _ := zstd.NewReader(nil)
	data, err := dec.DecodeAll(packed, nil)
	dec.Close()
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	whole := filepath.Join(dir, "whole.jsonl")
	if err := os.WriteFile(whole, data, 0o644); err != nil {
		b.Fatal(err)
	}
	var shards []string
	lines := bytes.SplitAfter(data, []byte("\n"))
	for s := range 8 {
		p := filepath.Join(dir, fmt.Sprintf("shard-%d.jsonl", s))
		if err := os.WriteFile(p, bytes.Join(lines[len(lines)*s/8:len(lines)*(s+1)/8], nil), 0o644); err != nil {
			b.Fatal(err)
		}
		shards = append(shards, p)
	}
	for _, in := range []struct {
		name  string
		files []string
	}{{"1 file", []string{whole}}, {"8 shards", shards}} {
		for _, workers := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/workers=%d", in.name, workers), func(b *testing.B) {
				var cpu float64
				for b.Loop() {
					out := b.TempDir()
					c0 := cpuTime()
					_, err := Run(context.Background(), Options{
						Request: output.Request{
							Inputs: in.files,
							Corpus: corpus.Options{Output: corpus.OutputNone},
							Params: stage.DefaultParams(),
							OutDir: out,
							Force:  true,
						},
						Workers: workers,
					})
					cpu += cpuTime() - c0
					if err != nil {
						b.Fatal(err)
					}
				}
				b.SetBytes(int64(len(data)))
				b.ReportMetric(float64(len(data))/1e6*float64(b.N)/cpu, "MB/CPU-s")
			})
		}
	}
}
