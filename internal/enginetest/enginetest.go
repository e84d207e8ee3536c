// Package enginetest holds what the executors' parity tests share: the
// fixtures' paths, the faulty inputs every executor must handle as the local
// engine does, a run of the local engine, and the comparison of two output
// directories. It is imported only by tests.
package enginetest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"

	"github.com/quchong/quchong/corpus"
	"github.com/quchong/quchong/engine/local"
	"github.com/quchong/quchong/output"
	"github.com/quchong/quchong/stage"
)

// root is the repository's root directory, found from this file's path.
func root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Seed, Chain and ZhMix10 are the fixtures the parity tests run: the
// founding sample (testdata/seed.txt), a chain A~B~C with A≁C
// (testdata/chain.txt) and zh_mix_10mb from the shared evaluation data
// (absent on a machine without ../shared: see Need).
var (
	Seed    = filepath.Join(root(), "testdata", "seed.txt")
	Chain   = filepath.Join(root(), "testdata", "chain.txt")
	ZhMix10 = filepath.Join(root(), "..", "shared", "data", "corpus", "zh_mix_10mb.jsonl.zst")
)

// Need skips the test when one of paths is missing.
func Need(t testing.TB, paths ...string) {
	t.Helper()
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			t.Skipf("%s not available: %v", p, err)
		}
	}
}

// RunLocal runs the local engine over inputs, writing removed documents too,
// and returns its output directory.
func RunLocal(t testing.TB, inputs []string, copt corpus.Options, p stage.Params) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "local")
	opt := local.Options{Request: output.Request{Inputs: inputs, Corpus: copt, Params: p, OutDir: dir, WriteRemoved: true}, WorkDir: t.TempDir()}
	if _, err := local.Run(context.Background(), opt); err != nil {
		t.Fatalf("local run: %v", err)
	}
	return dir
}

// Compare asserts that got, the output directory of the executor named name,
// holds what want, the local engine's, holds: identical clusters.jsonl,
// rejected.jsonl, kept/ and removed/ files, and identical stats.json but for
// timings and the local engine's own machinery (Stats).
func Compare(t testing.TB, want, got, name string) {
	t.Helper()
	for _, f := range []string{"clusters.jsonl", "rejected.jsonl"} {
		a, b := ReadFile(t, filepath.Join(want, f)), ReadFile(t, filepath.Join(got, f))
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs: local %d bytes, %s %d bytes\n%s", f, len(a), name, len(b), firstDiff(a, b, name))
		}
	}
	for _, sub := range []string{"kept", "removed"} {
		la, lb := listFiles(filepath.Join(want, sub)), listFiles(filepath.Join(got, sub))
		if !reflect.DeepEqual(la, lb) {
			t.Errorf("%s/ files differ: local %v, %s %v", sub, la, name, lb)
			continue
		}
		for _, f := range la {
			if !bytes.Equal(ReadFile(t, filepath.Join(want, sub, f)), ReadFile(t, filepath.Join(got, sub, f))) {
				t.Errorf("%s/%s differs", sub, f)
			}
		}
	}
	if a, b := Stats(t, filepath.Join(want, "stats.json")), Stats(t, filepath.Join(got, "stats.json")); a != b {
		t.Errorf("stats.json differs (timings aside):\nlocal %s\n%-5s %s", a, name, b)
	}
}

// ReadFile returns the file's content or fails the test.
func ReadFile(t testing.TB, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// ReadStats decodes a stats.json.
func ReadStats(t testing.TB, p string) output.Stats {
	t.Helper()
	var st output.Stats
	if err := json.Unmarshal(ReadFile(t, p), &st); err != nil {
		t.Fatalf("%s: %v", p, err)
	}
	return st
}

// Stats returns stats.json as compact JSON without the fields that measure
// time or describe the local engine's own machinery (workers, memory, its
// signature store's blocks): what every executor must report alike.
func Stats(t testing.TB, p string) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(ReadFile(t, p), &m); err != nil {
		t.Fatalf("%s: %v", p, err)
	}
	for _, k := range []string{"stages", "wall_seconds", "cpu_seconds", "workers", "memory_bytes", "peak_rss_bytes", "signature_blocks", "spilled_signature_blocks", "decoded_once", "band_runs"} {
		delete(m, k)
	}
	if params, ok := m["params"].(map[string]any); ok {
		delete(params, "memory_budget") // the local engine's --memory
	}
	b, _ := json.Marshal(m)
	return string(b)
}

func listFiles(dir string) []string {
	var out []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel)
		}
		return nil
	})
	return out
}

func firstDiff(a, b []byte, name string) string {
	sa, sb := bufio.NewScanner(bytes.NewReader(a)), bufio.NewScanner(bytes.NewReader(b))
	for n := 1; ; n++ {
		okA, okB := sa.Scan(), sb.Scan()
		if !okA && !okB {
			return ""
		}
		if sa.Text() != sb.Text() || okA != okB {
			return fmt.Sprintf("line %d:\n  local %s\n  %-5s %s", n, sa.Text(), name, sb.Text())
		}
	}
}

// FaultyInputs writes, under a test directory, inputs the first pass cannot
// read to their end or whole, after the seed: a .jsonl.gz cut in half
// (holding exact and near copies of the seed, so that clusters and text
// checks reach into it), a file that is no zstd stream, a directory where a
// file should be, and a JSONL file with a line that is not JSON. The second
// is the truncated file; the fourth is the unreadable one.
func FaultyInputs(t testing.TB) []string {
	t.Helper()
	dir := t.TempDir()
	seed := strings.Split(strings.TrimSpace(string(ReadFile(t, Seed))), "\n")
	var long bytes.Buffer
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 3000; i++ {
		text := fmt.Sprintf("截断文件中的第%d篇文档 %d %d", i, r.Uint64(), r.Uint64())
		switch i % 40 {
		case 0: // an exact copy of a seed document
			text = seed[(i/40)%len(seed)]
		case 1, 2, 3: // near copies: a seed document with 3, 20 or 28 characters changed
			rs := []rune(seed[(i/40)%len(seed)])
			for j := 0; j < []int{3, 20, 28}[i%40-1] && len(rs) > 0; j++ {
				rs[r.IntN(len(rs))] = '变'
			}
			text = string(rs)
		}
		line, _ := json.Marshal(map[string]string{"id": fmt.Sprintf("t-%d", i), "text": text})
		long.Write(append(line, '\n'))
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(long.Bytes())
	zw.Close()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	unreadable := filepath.Join(dir, "unreadable.jsonl")
	if err := os.Mkdir(unreadable, 0o755); err != nil {
		t.Fatal(err)
	}
	return []string{
		Seed,
		write("truncated.jsonl.gz", gz.Bytes()[:gz.Len()/2]),
		write("garbage.jsonl.zst", []byte("this is not a zstd stream at all")),
		unreadable,
		write("rejects.jsonl", []byte("{\"id\": \"a\", \"text\": \"一份完整的报告，内容足够长，可以参与近似重复检测。\"}\n{not json\n{\"id\": \"b\", \"text\": \"一份完整的报告，内容足够长，可以参与近似重复检测。\"}\n")),
	}
}

// CheckFaults asserts what an executor's stats.json in dir must say after a
// run over FaultyInputs: three faults (truncated, garbage, unreadable), the
// truncated file's first part read, clustered and written, the bad JSON line
// rejected, and no output for the unreadable input.
func CheckFaults(t testing.TB, dir string) {
	t.Helper()
	st := ReadStats(t, filepath.Join(dir, "stats.json"))
	if len(st.Faults) != 3 {
		t.Fatalf("faults = %q, want 3 (truncated, garbage, unreadable)", st.Faults)
	}
	tr := st.Inputs[1]
	if tr.Fault == "" || !strings.Contains(tr.Fault, "truncated.jsonl.gz") || tr.Read < 100 || tr.Read >= 3000 {
		t.Errorf("truncated file: read %d, fault %q: want its first part read and the fault named", tr.Read, tr.Fault)
	}
	if tr.Removed == 0 || st.Verification.TextChecked == 0 {
		t.Errorf("%d documents of the truncated file removed, %d pairs checked on their texts: the fixture should reach into it", tr.Removed, st.Verification.TextChecked)
	}
	if _, err := os.Stat(filepath.Join(dir, "kept", tr.Output)); err != nil {
		t.Errorf("the documents read before the fault were not written: %v", err)
	}
	if st.Total.Rejected != 1 || len(ReadFile(t, filepath.Join(dir, "rejected.jsonl"))) == 0 {
		t.Errorf("rejected %d, want the one line that is not JSON, listed in rejected.jsonl", st.Total.Rejected)
	}
	if _, err := os.Stat(filepath.Join(dir, "kept", st.Inputs[3].Output)); err == nil {
		t.Error("an unreadable input has an output file")
	}
}
