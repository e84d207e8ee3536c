package spark

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/quchong/quchong/corpus"
	"github.com/quchong/quchong/output"
	"github.com/quchong/quchong/stage"
)

// faultyInputs writes inputs the first pass cannot read to their end or
// whole: a .jsonl.gz cut in half (holding exact and near copies of the seed,
// so that clusters and text checks reach into it), a file that is no zstd
// stream, a directory where a file should be, and a JSONL file with a line
// that is not JSON. The seed comes first.
func faultyInputs(t *testing.T) []string {
	t.Helper()
	dir := t.TempDir()
	seed := strings.Split(strings.TrimSpace(string(readFile(t, seedPath))), "\n")
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
		seedPath,
		write("truncated.jsonl.gz", gz.Bytes()[:gz.Len()/2]),
		write("garbage.jsonl.zst", []byte("this is not a zstd stream at all")),
		unreadable,
		write("rejects.jsonl", []byte("{\"id\": \"a\", \"text\": \"一份完整的报告，内容足够长，可以参与近似重复检测。\"}\n{not json\n{\"id\": \"b\", \"text\": \"一份完整的报告，内容足够长，可以参与近似重复检测。\"}\n")),
	}
}

// Faulty inputs and rejected records are recorded, not fatal, and handled
// exactly as the local engine handles them.
func TestParityFaults(t *testing.T) {
	cluster(t)
	in := faultyInputs(t)
	l, s := runBoth(t, in, corpus.Options{}, stage.DefaultParams(), Options{})
	compareOutputs(t, l, s)
	var st output.Stats
	if err := json.Unmarshal(readFile(t, filepath.Join(s, "stats.json")), &st); err != nil {
		t.Fatal(err)
	}
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
	if st.Total.Rejected != 1 || len(readFile(t, filepath.Join(s, "rejected.jsonl"))) == 0 {
		t.Errorf("rejected %d, want the one line that is not JSON, listed in rejected.jsonl", st.Total.Rejected)
	}
	if _, err := os.Stat(filepath.Join(s, "kept", st.Inputs[3].Output)); err == nil {
		t.Error("an unreadable input has an output file")
	}
}
