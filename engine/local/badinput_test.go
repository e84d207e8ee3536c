package local

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/quchong/quchong/corpus"
	"github.com/quchong/quchong/output"
	"github.com/quchong/quchong/stage"
)

// badInputs writes one file per kind of defect real data has, and returns
// them with the rejection reasons and faults each should produce.
func badInputs(t *testing.T) (files []string, wantReasons map[string]int, wantFaults []string) {
	t.Helper()
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := `{"id":"ok-%d","text":"第%d篇正常的文档，内容足够长，可以参加近似重复的检测。"}`
	var b strings.Builder
	fmt.Fprintf(&b, good+"\n", 1, 1)
	b.WriteString("{\"id\":\"bad-utf8\",\"text\":\"\xff\xfe broken\"}\n")
	b.WriteString("{\"id\":\"broken\",\"text\": \"unterminated\n")
	b.WriteString("{\"id\":\"no-text\",\"body\":\"x\"}\n")
	b.WriteString("{\"id\":\"number\",\"text\":42}\n")
	b.WriteString("{\"id\":\"empty\",\"text\":\"\"}\n")
	b.WriteString("{\"id\":\"blank\",\"text\":\"   \\n\\t \"}\n")
	b.WriteString("\n")
	fmt.Fprintf(&b, "{\"id\":\"huge\",\"text\":\"%s\"}\n", strings.Repeat("长", 5000))
	fmt.Fprintf(&b, good+"\n", 2, 2)
	files = append(files, write("defects.jsonl", []byte(b.String())))
	wantReasons = map[string]int{"invalid-utf8": 1, "malformed-json": 1, "missing-text": 1, "non-string-text": 1, "empty": 3, "too-large": 1}

	// Long compressed files cut in half: the first half's documents survive.
	var long bytes.Buffer
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 4000; i++ {
		fmt.Fprintf(&long, "{\"id\":\"t-%d\",\"text\":\"截断文件中的第%d篇文档 %d %d\"}\n", i, i, r.Uint64(), r.Uint64())
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(long.Bytes())
	zw.Close()
	files = append(files, write("truncated.jsonl.gz", gz.Bytes()[:gz.Len()/2]))
	enc, _ := zstd.NewWriter(nil)
	zs := enc.EncodeAll(long.Bytes(), nil)
	files = append(files, write("truncated.jsonl.zst", zs[:len(zs)/2]))
	// Cut inside a line longer than the reader's 256 KiB buffer.
	var longLine bytes.Buffer
	for i := 0; i < 50; i++ {
		fmt.Fprintf(&longLine, "第%d行：%d %d %d\n", i, r.Uint64(), r.Uint64(), r.Uint64())
	}
	for i := 0; i < 40000; i++ {
		fmt.Fprintf(&longLine, "%x", r.Uint64())
	}
	longLine.WriteString("\n")
	var gzl bytes.Buffer
	zl := gzip.NewWriter(&gzl)
	zl.Write(longLine.Bytes())
	zl.Close()
	files = append(files, write("truncated-long-line.txt.gz", gzl.Bytes()[:gzl.Len()*2/3]))
	files = append(files, write("garbage.jsonl.zst", []byte("this is not a zstd stream at all")))
	files = append(files, write("empty.txt", nil))
	unreadable := filepath.Join(dir, "unreadable.jsonl")
	if err := os.Mkdir(unreadable, 0o755); err != nil { // a directory where a file should be
		t.Fatal(err)
	}
	files = append(files, unreadable)
	wantFaults = []string{"truncated.jsonl.gz", "truncated.jsonl.zst", "truncated-long-line.txt.gz", "garbage.jsonl.zst", "unreadable.jsonl"}
	return files, wantReasons, wantFaults
}

// Every defect is recorded, nothing panics, and every document read is
// accounted for.
func TestBadInputs(t *testing.T) {
	files, wantReasons, wantFaults := badInputs(t)
	out := t.TempDir()
	stats, err := Run(context.Background(), Options{
		Request: output.Request{
			Inputs:       files,
			Corpus:       corpus.Options{MaxDocBytes: 4096},
			Params:       stage.DefaultParams(),
			OutDir:       out,
			Force:        true,
			WriteRemoved: true,
		},
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	checkAccounting(t, stats)
	if got := stats.Total.RejectedBy; fmt.Sprint(got) != fmt.Sprint(wantReasons) {
		t.Errorf("rejected by reason = %v, want %v", got, wantReasons)
	}
	rejected := string(mustRead(t, filepath.Join(out, "rejected.jsonl")))
	if n := strings.Count(rejected, "\n"); int64(n) != stats.Total.Rejected {
		t.Errorf("rejected.jsonl has %d lines, stats say %d", n, stats.Total.Rejected)
	}
	if !strings.Contains(rejected, `"record":2,"unit":"line","reason":"invalid-utf8"`) {
		t.Errorf("rejected.jsonl does not name line 2 as invalid UTF-8:\n%s", rejected)
	}
	if len(stats.Faults) != len(wantFaults) {
		t.Fatalf("faults = %q, want one for each of %q", stats.Faults, wantFaults)
	}
	for i, f := range wantFaults {
		if !strings.Contains(stats.Faults[i], f) {
			t.Errorf("fault %d = %q, want it to name %s", i, stats.Faults[i], f)
		}
	}
	for _, f := range stats.Inputs {
		if strings.Contains(f.Path, "truncated-long-line") {
			if f.Read != 50 || f.Kept != 50 || f.Fault == "" {
				t.Errorf("%s: read %d, kept %d, fault %q: want the 50 short lines before the cut kept", f.Path, f.Read, f.Kept, f.Fault)
			}
		} else if strings.Contains(f.Path, "truncated") {
			if f.Read < 100 || f.Read >= 4000 || f.Fault == "" {
				t.Errorf("%s: read %d documents, fault %q: want the first part read and the fault named", f.Path, f.Read, f.Fault)
			}
			kept := filepath.Join(out, "kept", f.Output)
			if _, err := os.Stat(kept); err != nil {
				t.Errorf("%s: the documents read before the fault were not written: %v", f.Path, err)
			}
		}
	}
}

// With Strict, the first defect stops the run with an error naming it.
func TestBadInputsStrict(t *testing.T) {
	files, _, _ := badInputs(t)
	for _, f := range files[:2] {
		_, err := Run(context.Background(), Options{Request: output.Request{Inputs: []string{f}, Params: stage.DefaultParams(), OutDir: t.TempDir(), Strict: true}})
		var ie *output.InputError
		if !errors.As(err, &ie) {
			t.Fatalf("%s: err = %v, want an output.InputError", f, err)
		}
		var rej *corpus.RejectError
		var fault *corpus.ReadFault
		switch {
		case errors.As(err, &rej):
			if rej.Record != 2 || rej.Reason != corpus.InvalidUTF8 {
				t.Errorf("%s: strict stopped at %v, want line 2 (invalid UTF-8)", f, err)
			}
		case errors.As(err, &fault):
			if !strings.Contains(err.Error(), filepath.Base(f)) {
				t.Errorf("%s: error %q does not name the file", f, err)
			}
		default:
			t.Errorf("%s: err = %v, want a rejection or a read fault", f, err)
		}
	}
}
