package corpus

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
)

// benchCorpusBytes is how much of each corpus the reading benchmarks use.
const benchCorpusBytes = 4 << 20

// corpusSample returns the first whole lines, up to about n bytes, of a
// shared corpus (../shared/data/corpus/NAME.jsonl.zst), or, when it is
// absent, synthetic JSONL with the same kind of text: for "en" ASCII with a
// JSON escape every ~35 bytes, for "zh" Chinese with one every ~90 bytes.
func corpusSample(b *testing.B, name string, n int) []byte {
	b.Helper()
	if f, err := os.Open("../../shared/data/corpus/" + name + ".jsonl.zst"); err == nil {
		defer f.Close()
		// One goroutine: no decoding ahead of what is read.
		zr, err := zstd.NewReader(f, zstd.WithDecoderConcurrency(1))
		if err != nil {
			b.Fatal(err)
		}
		defer zr.Close()
		data, err := io.ReadAll(io.LimitReader(zr, int64(n)))
		if err != nil {
			b.Fatal(err)
		}
		if i := bytes.LastIndexByte(data, '\n'); i >= 0 {
			return data[:i+1]
		}
		b.Fatalf("%s: no whole line in the first %d bytes", name, n)
	}
	var sb strings.Builder
	run := "The quick brown fox jumps over it. "
	if strings.HasPrefix(name, "zh") {
		run = "中文字符串，足够长的一段文字。我们在这里写一些汉字作为样本"
	}
	for i := 0; sb.Len() < n; i++ {
		fmt.Fprintf(&sb, `{"id": "doc-%d", "text": "`, i)
		for k := 0; k < 40; k++ {
			sb.WriteString(run)
			sb.WriteString([]string{`\n`, `\"`, `\t`, `\u00e9`}[k%4])
		}
		sb.WriteString("\", \"source\": \"synthetic\"}\n")
	}
	return []byte(sb.String())
}

// BenchmarkReadJSONL reads the first 4 MB of two corpora, uncompressed,
// through Reader.Next: line splitting, field extraction, unescaping and
// UTF-8 validation. en_spamassassin has a JSON escape every ~35 bytes of
// ASCII; zh_mix_50mb is 90 % non-ASCII with an escape every ~90 bytes.
func BenchmarkReadJSONL(b *testing.B) {
	for _, name := range []string{"en_spamassassin", "zh_mix_50mb"} {
		b.Run(name, func(b *testing.B) {
			data := corpusSample(b, name, benchCorpusBytes)
			path := writeInput(b, b.TempDir(), "bench.jsonl", data, None)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				readToEnd(b, path, Options{LazyID: true})
			}
		})
	}
}

// BenchmarkExtractCorpus runs the JSONL extractor alone over the lines of
// the same samples.
func BenchmarkExtractCorpus(b *testing.B) {
	for _, name := range []string{"en_spamassassin", "zh_mix_50mb"} {
		b.Run(name, func(b *testing.B) {
			data := corpusSample(b, name, benchCorpusBytes)
			lines := bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
			x := newJSONLExtractor("text", "id", nil)
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				for _, l := range lines {
					if rec := x.extract(l); rec.reason != "" {
						b.Fatalf("%s: %s", rec.reason, rec.detail)
					}
				}
			}
		})
	}
}

// readToEnd opens path and reads every record, failing b on any error.
func readToEnd(b *testing.B, path string, opt Options) {
	r, err := Open(path, 0, opt)
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	for {
		if _, err := r.Next(); err == io.EOF {
			return
		} else if err != nil {
			b.Fatal(err)
		}
	}
}
