package corpus

import (
	"fmt"
	"strings"
	"testing"

	"github.com/quchong/quchong/record"
)

// TestReread checks the later passes' reading: the documents of the first
// reading come back numbered in order, rejects skipped; a fault after them
// is the first reading's and passes quietly; a file holding another number
// of documents has changed, and that is an error.
func TestReread(t *testing.T) {
	dir := t.TempDir()
	plain := writeInput(t, dir, "plain.jsonl", []byte("{\"text\":\"a\"}\n{broken\n{\"text\":\"b\"}\n{\"text\":\"c\"}\n"), None)
	var long strings.Builder
	for i := range 20000 {
		fmt.Fprintf(&long, "{\"text\":\"document %d, %x\"}\n", i, i*i*7919)
	}
	packed := compressBytes(t, []byte(long.String()), Zstd)
	cut := writeInput(t, dir, "cut.jsonl.zst", packed[:len(packed)/2], None)
	first := func(path string) int64 {
		rd, err := Open(path, 0, Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer rd.Close()
		a, err := ReadAccounted(rd, false, func(record.Document) error { return nil })
		if err != nil {
			t.Fatal(err)
		}
		return a.Docs
	}
	tests := []struct {
		name    string
		path    string
		count   int64 // -1: as the first reading found
		wantErr string
	}{
		{"same", plain, -1, ""},
		{"fewer now", plain, 4, "changed during the run"},
		{"more now", plain, 2, "changed during the run"},
		{"fault after the documents", cut, -1, ""},
		{"fault before them", cut, 1 << 40, "truncated or corrupt"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			count := tc.count
			if count < 0 {
				count = first(tc.path)
			}
			rd, err := Open(tc.path, 0, Options{})
			if err != nil {
				t.Fatal(err)
			}
			var seen []int64
			var texts []string
			err = Reread(rd, count, func(i int64, d record.Document) error {
				seen = append(seen, i)
				if len(texts) < 3 {
					texts = append(texts, string(d.Text))
				}
				return nil
			})
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			}
			if tc.wantErr != "" {
				return
			}
			if int64(len(seen)) != count || seen[len(seen)-1] != count-1 {
				t.Errorf("%d documents passed on (last %d), want %d numbered from 0", len(seen), seen[len(seen)-1], count)
			}
			if tc.path == plain && strings.Join(texts, ",") != "a,b,c" {
				t.Errorf("texts %q, want a, b, c (the rejected line skipped)", texts)
			}
		})
	}
}

// TestReadFile checks the reading of an executor that reads a file whole:
// documents passed on and rejects counted; a file that cannot be opened is
// the account's fault with the given format, or the error under strict; a
// reject under strict is the error.
func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	good := writeInput(t, dir, "good.jsonl", []byte("{\"text\":\"a\"}\n{broken\n{\"text\":\"b\"}\n"), None)
	missing := dir + "/missing.txt"
	tests := []struct {
		name       string
		path       string
		strict     bool
		wantDocs   int64
		wantRead   int64
		wantFault  bool
		wantFormat Format
		wantErr    string
	}{
		{"documents and a reject", good, false, 2, 3, false, JSONL, ""},
		{"reject under strict", good, true, 1, 2, false, JSONL, "line 2"},
		{"cannot be opened", missing, false, 0, 0, true, Parquet, ""},
		{"cannot be opened, strict", missing, true, 0, 0, false, Parquet, "missing.txt"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var texts []string
			a, format, err := ReadFile(tc.path, 0, Options{}, Parquet, tc.strict, func(d record.Document) error {
				texts = append(texts, string(d.Text))
				return nil
			})
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("error %v, want %q", err, tc.wantErr)
			}
			if a.Docs != tc.wantDocs || a.Read != tc.wantRead || int64(len(texts)) != tc.wantDocs {
				t.Errorf("docs %d (passed on %d), read %d; want %d, %d", a.Docs, len(texts), a.Read, tc.wantDocs, tc.wantRead)
			}
			if (a.Fault != nil) != tc.wantFault {
				t.Errorf("fault %v, want one: %v", a.Fault, tc.wantFault)
			}
			if err == nil && format != tc.wantFormat {
				t.Errorf("format %v, want %v", format, tc.wantFormat)
			}
		})
	}
}
