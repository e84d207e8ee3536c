package eval

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/quchong/quchong/corpus"
)

// synthLabels returns n pairs over clusters of four documents, as a JSONL
// pair file and as Pairs, with a clusterOf that gets most of them right.
func synthLabels(n int) ([]byte, []Pair, map[string]int) {
	var buf bytes.Buffer
	pairs := make([]Pair, 0, n)
	clusterOf := make(map[string]int)
	strata := []string{"easy", "medium", "hard", "hard-negative"}
	for i := range n {
		c := i / 3
		a, b := fmt.Sprintf("c%06d-0", c), fmt.Sprintf("c%06d-%d", c, i%3+1)
		label := 1
		if i%4 == 3 {
			b, label = fmt.Sprintf("c%06d-0", (c*7919+1)%(n/3+1)), 0
		}
		fmt.Fprintf(&buf, `{"a": %q, "b": %q, "label": %d, "difficulty": %q, "jaccard_char5": 0.8123}`+"\n", a, b, label, strata[i%4])
		pairs = append(pairs, Pair{a, b, label, strata[i%4]})
		if i%5 != 0 {
			clusterOf[a], clusterOf[b] = c, c
		}
	}
	return buf.Bytes(), pairs, clusterOf
}

func BenchmarkReadLabels(b *testing.B) {
	data, _, _ := synthLabels(20000)
	path := writeFile(b, b.TempDir(), "p.jsonl", data)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := ReadLabels(path); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkScore(b *testing.B) {
	data, pairs, clusterOf := synthLabels(20000)
	b.SetBytes(int64(len(data))) // per byte of the pair file it scores
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Score(pairs, clusterOf, func(string) bool { return true }); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(pairs)*b.N)/b.Elapsed().Seconds(), "pairs/s")
}

func BenchmarkFindIDs(b *testing.B) {
	var buf bytes.Buffer
	for i := range 20000 {
		fmt.Fprintf(&buf, `{"id": "d%d", "text": "这是第%d篇文档，内容相当普通，只是用来计时。"}`+"\n", i, i)
	}
	path := writeFile(b, b.TempDir(), "docs.jsonl", buf.Bytes())
	ids := []string{"d19999", "absent"} // forces a full pass
	b.SetBytes(int64(buf.Len()))
	for b.Loop() {
		if _, err := FindIDs([]string{path}, corpus.Options{}, ids); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReadLabelsShared reads the project's largest id-based pair file,
// from ../shared/data (skipped when it is not there).
func BenchmarkReadLabelsShared(b *testing.B) {
	path := filepath.Join("..", "..", "shared", "data", "eval", "zh_synth_public.pairs.jsonl.zst")
	if _, err := os.Stat(path); err != nil {
		b.Skipf("%s not found: the shared data sets are not here", path)
	}
	var raw int64
	if err := eachLine(path, func(_ int, line []byte) error { raw += int64(len(line)) + 1; return nil }); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(raw)
	for b.Loop() {
		if _, _, err := ReadLabels(path); err != nil {
			b.Fatal(err)
		}
	}
}
