package substr

import (
	"errors"
	"io"
	"os"
	"testing"

	"github.com/quchong/quchong/corpus"
	"github.com/quchong/quchong/normalize"
)

// benchCorpus is the shared throughput corpus (see ../../shared/data/README.md).
const benchCorpus = "../../shared/data/corpus/zh_mix_10mb.jsonl.zst"

// loadNormalized reads path and returns its normalised texts end to end, the
// document bounds and the input's text bytes.
func loadNormalized(b *testing.B, path string) ([]int32, []int32, int64) {
	b.Helper()
	if _, err := os.Stat(path); err != nil {
		b.Skipf("benchmark corpus missing: %v", err)
	}
	r, err := corpus.Open(path, 0, corpus.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	n := normalize.New(normalize.Default())
	var text []rune
	bounds := []int32{0}
	var size int64
	for {
		doc, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if corpus.IsReject(err) {
			continue
		}
		if err != nil {
			b.Fatal(err)
		}
		size += int64(len(doc.Text))
		text, _ = n.Append(text, doc.Text)
		bounds = append(bounds, int32(len(text)))
	}
	return text, bounds, size
}

// BenchmarkFind measures Find on the 10 MB Chinese mix (MB/s of original
// text; the normalisation is outside the loop).
func BenchmarkFind(b *testing.B) {
	text, bounds, size := loadNormalized(b, benchCorpus)
	work := make([]int32, len(text))
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		copy(work, text)
		if _, err := Find(work, bounds, Options{MinSpan: 50, KeepFirst: true}); err != nil {
			b.Fatal(err)
		}
	}
}
