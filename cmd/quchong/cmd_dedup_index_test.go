package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDedupIndexFlags: --index adds a version per run and removes what
// the index holds; --index-readonly adds nothing; other detection
// parameters and --index-readonly alone are refused (exit 2).
func TestDedupIndexFlags(t *testing.T) {
	lines := seedDocs(t)
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.txt"), filepath.Join(dir, "b.txt")
	os.WriteFile(a, []byte(strings.Join(lines[:17], "\n")+"\n"), 0o644)
	os.WriteFile(b, []byte(strings.Join(lines[17:], "\n")+"\n"), 0o644) // line 19 is line 16 re-masked
	idx := filepath.Join(dir, "idx")
	dedup := func(args ...string) (string, int) {
		var out, errb bytes.Buffer
		code := run(append([]string{"dedup", "--quiet", "--json"}, args...), &out, &errb)
		return out.String() + errb.String(), code
	}
	tests := []struct {
		args []string
		code int
		says string
	}{
		{[]string{a, "-o", filepath.Join(dir, "o1"), "--index", idx}, 0, `"removed": 1`},
		{[]string{b, "-o", filepath.Join(dir, "o2"), "--index", idx, "--index-readonly"}, 0, `"removed_near": 1`},
		{[]string{b, "-o", filepath.Join(dir, "o3"), "--index", idx}, 0, `"removed_near": 1`},
		{[]string{b, "-o", filepath.Join(dir, "o4"), "--index", idx, "--threshold", "0.7"}, 2, "Threshold: 0.6 ≠ 0.7"},
		{[]string{b, "-o", filepath.Join(dir, "o5"), "--index-readonly"}, 2, "needs --index"},
		{[]string{b, "-o", filepath.Join(dir, "o6"), "--index", filepath.Join(dir, "none"), "--index-readonly"}, 2, "not a quchong index"},
	}
	for _, tc := range tests {
		out, code := dedup(tc.args...)
		if code != tc.code || !strings.Contains(out, tc.says) {
			t.Errorf("%v: exit %d, want %d saying %q:\n%s", tc.args, code, tc.code, tc.says, out)
		}
	}
	cl := string(mustReadFile(t, filepath.Join(dir, "o3", "clusters.jsonl")))
	if !strings.Contains(cl, `a.txt:16","cluster":0,"kept":true`) || !strings.Contains(cl, `b.txt:2","cluster":0,"kept":false,"reason":"near"`) {
		t.Errorf("clusters.jsonl does not name the indexed document:\n%s", cl)
	}
	var out bytes.Buffer
	run([]string{"index", "list", idx}, &out, io.Discard)
	if n := strings.Count(out.String(), "dedup "); n != 2 {
		t.Errorf("index list shows %d dedup versions, want 2 (the read-only run adds none):\n%s", n, out.String())
	}
}

func mustReadFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
