package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/quchong/quchong/stage"
)

func TestExplainFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	long := strings.Repeat("项目是地方经济社会发展的不二王炸，招商引资工作是经济发展的先导。", 30)
	x := write("x.txt", "我镇某某家帮扶企业分别位于星火工业园区。"+long)
	y := write("y.txt", "我镇19家帮扶企业分别位于星火工业园区。"+long)
	s1 := write("s1.txt", "短文本一")
	s2 := write("s2.txt", "短文本二")

	e := explainJSON(t, "--files", x, y)
	if !e.Merged || e.A.ID != x || e.B.ID != y || len(e.A.Fills) != 1 || e.A.Fills[0].Fill != "19" {
		t.Errorf("x, y: merged %v (%s), ids %s %s, fills %+v", e.Merged, e.Reason, e.A.ID, e.B.ID, e.A.Fills)
	}
	if e := explainJSON(t, "--files", s1, s2); e.Merged || e.Reason != stage.ReasonTooShort.String() || e.SignatureEstimate != nil {
		t.Errorf("short files: merged %v (%s), estimate %v", e.Merged, e.Reason, e.SignatureEstimate)
	}

	// Long texts are shortened unless --full.
	_, short, _ := runExplain(t, "--files", x, y)
	_, full, _ := runExplain(t, "--files", x, y, "--full")
	if !strings.Contains(short, "--full shows all") || !strings.Contains(short, " equal … ") {
		t.Errorf("long texts not shortened:\n%s", short)
	}
	if strings.Contains(full, "--full shows all") || strings.Contains(full, " equal … ") || len(full) <= len(short) {
		t.Error("--full still shortens")
	}
	if code, _, errOut := runExplain(t, "--files", x, filepath.Join(dir, "missing.txt")); code != exitInput || !strings.Contains(errOut, "missing.txt") {
		t.Errorf("missing file: exit %d, %s", code, errOut)
	}
	if code, _, errOut := runExplain(t, "--files", x, y, "--max-doc-bytes", "10"); code != exitInput || !strings.Contains(errOut, "max-doc-bytes") {
		t.Errorf("too large: exit %d, %s", code, errOut)
	}
	// Issue 19 item 10: a file whose size stat does not tell (a device
	// without end) is read only up to the limit.
	if _, err := os.Stat("/dev/zero"); err == nil {
		done := make(chan struct{})
		go func() {
			defer close(done)
			if code, _, errOut := runExplain(t, "--files", x, "/dev/zero", "--max-doc-bytes", "1000000"); code != exitInput || !strings.Contains(errOut, "max-doc-bytes") {
				t.Errorf("/dev/zero: exit %d, %s", code, errOut)
			}
		}()
		select {
		case <-done:
		case <-time.After(time.Minute):
			t.Fatal("explain --files /dev/zero did not stop at --max-doc-bytes")
		}
	}
}

func TestExplainInputs(t *testing.T) {
	dir := t.TempDir()
	j1 := filepath.Join(dir, "a.jsonl")
	j2 := filepath.Join(dir, "b.jsonl")
	body := strings.Repeat("招商引资工作是经济发展的先导，对接可行性高的项目。", 4)
	if err := os.WriteFile(j1, []byte(`{"id": "d1", "text": "`+body+`"}`+"\n"+`{"id": "d2", "text": ""}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(j2, []byte(`{"id": "d3", "text": "`+body+`！"}`+"\n"+`{"text": "no id"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Inputs after the ids count too, as do repeated --input flags.
	for _, args := range [][]string{
		{"d1", "d3", "--input", j1, j2},
		{"d3", "--input", j1, "d1", "--input", j2},
	} {
		e := explainJSON(t, args...)
		if e.Reason != stage.ReasonExact.String() || e.A.Path == e.B.Path {
			t.Errorf("%v: %s, paths %s %s", args, e.Reason, e.A.Path, e.B.Path)
		}
	}
	// A record without an id is PATH:LINE.
	if e := explainJSON(t, "d1", j2+":2", "--input", j1, j2); e.B.Record != 2 || e.Reason != stage.ReasonTooShort.String() {
		t.Errorf("PATH:LINE id: record %d, %s", e.B.Record, e.Reason)
	}
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"d1", "nope", "--input", j1, j2}, exitInput, `id "nope" not found`},
		{[]string{"d1", j1 + ":2", "--input", j1}, exitInput, `:2" is a rejected record (` + j1 + ` line 2: empty`},
		{[]string{"d1", "d2", "--input", j1}, exitInput, `id "d2" not found in ` + j1 + ` (1 rejected record`},
		{[]string{"d1", "d1", "--input", j1}, exitUsage, "same id"},
		{[]string{"d1", "d3", "--input", filepath.Join(dir, "none.jsonl")}, exitInput, "none.jsonl"},
		{[]string{"d1", "d3"}, exitUsage, "--input"},
		{[]string{"d1"}, exitUsage, "two document ids"},
		{nil, exitUsage, "two document ids"},
		{[]string{"--files", j1}, exitUsage, "exactly two files"},
		{[]string{"--files", j1, j2, "--input", j1}, exitUsage, "no --input"},
		{[]string{"d1", "d3", "--input", j1, "--color", "sometimes"}, exitUsage, "--color"},
		{[]string{"d1", "d3", "--input", j1, "--threshold", "2"}, exitUsage, "threshold"},
		{[]string{"d1", "d3", "--input", j1, "--format", "csv"}, exitUsage, "csv"},
		{[]string{"d1", "d3", "--input", j1, "--bogus"}, exitUsage, "bogus"},
	}
	for _, tt := range tests {
		code, _, errOut := runExplain(t, tt.args...)
		if code != tt.code || !strings.Contains(errOut, tt.want) {
			t.Errorf("explain %q: exit %d, stderr %q; want exit %d mentioning %q", tt.args, code, errOut, tt.code, tt.want)
		}
	}
}

func TestExplainHelp(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"help", "explain"}, &out, &errOut); code != exitOK || !strings.Contains(out.String(), "--files") || !strings.Contains(out.String(), "-threshold") || errOut.Len() > 0 {
		t.Errorf("help explain: exit %d:\n%s\nstderr: %s", code, out.String(), errOut.String())
	}
	if strings.Count(out.String(), "Usage:") != 1 {
		t.Error("help printed more than once")
	}
}
