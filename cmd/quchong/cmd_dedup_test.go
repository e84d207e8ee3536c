package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/quchong/quchong/internal/summary"
	"github.com/quchong/quchong/output"
)

const seed = "../../testdata/seed.txt"

func TestDedupExitCodes(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.jsonl")
	os.WriteFile(bad, []byte("{\"text\": \"一段足够长的正常文本，用来测试严格模式下的行为是否正确。\"}\n{broken\n"), 0o644)
	notEmpty := filepath.Join(dir, "notempty")
	os.MkdirAll(notEmpty, 0o755)
	os.WriteFile(filepath.Join(notEmpty, "x"), nil, 0o644)
	truncated := filepath.Join(dir, "cut.jsonl.gz")
	os.WriteFile(truncated, []byte{0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0x01, 0x02}, 0o644)
	aFile := filepath.Join(dir, "afile")
	os.WriteFile(aFile, nil, 0o644)
	out := func(name string) string { return filepath.Join(dir, name) }

	tests := []struct {
		name string
		args []string
		want int
		msg  string
	}{
		{"no command", nil, exitUsage, "Usage"},
		{"unknown command", []string{"frobnicate"}, exitUsage, "unknown command"},
		{"help", []string{"dedup", "--help"}, exitOK, ""},
		{"no output", []string{"dedup", seed}, exitUsage, "-o DIR"},
		{"no input", []string{"dedup", "-o", out("a")}, exitUsage, "no input"},
		{"bad flag", []string{"dedup", "--frob", seed, "-o", out("b")}, exitUsage, "frob"},
		{"bad threshold", []string{"dedup", "--threshold", "1.5", seed, "-o", out("c")}, exitUsage, "threshold"},
		{"bad keep", []string{"dedup", "--keep", "last", seed, "-o", out("d")}, exitUsage, "keep rule"},
		{"glob matches nothing", []string{"dedup", filepath.Join(dir, "*.nothing"), "-o", out("e")}, exitInput, "matches no file"},
		{"missing file", []string{"dedup", filepath.Join(dir, "absent.jsonl"), "-o", out("f")}, exitInput, "absent.jsonl"},
		{"non-empty output", []string{"dedup", seed, "-o", notEmpty}, exitUsage, "not empty"},
		{"input listed twice", []string{"dedup", seed, seed, "-o", out("l")}, exitUsage, "listed twice"},
		{"max-doc-bytes beyond the budget", []string{"dedup", "--memory", "64MiB", "--max-doc-bytes", "60000000", seed, "-o", out("n")}, exitUsage, "max-doc-bytes"},
		{"negative mask fill", []string{"dedup", "--mask-max-fill", "-1", seed, "-o", out("o")}, exitUsage, "mask-max-fill"},
		{"negative workers", []string{"dedup", "--workers", "-2", seed, "-o", out("p")}, exitUsage, "workers"},
		{"bands alone", []string{"dedup", "--quiet", "--bands", "16", seed, "-o", out("m")}, exitOK, ""},
		{"strict stops on a bad line", []string{"dedup", "--strict", bad, "-o", out("g")}, exitInput, "bad.jsonl line 2"},
		{"bad line recorded without strict", []string{"dedup", "--quiet", bad, "-o", out("h")}, exitOK, ""},
		{"output is a file", []string{"dedup", "--quiet", seed, "-o", aFile, "--force"}, exitOutput, "output"},
		{"flags after inputs", []string{"dedup", seed, "-o", out("i"), "--quiet"}, exitOK, ""},
		{"truncated input completes with a warning", []string{"dedup", "--quiet", seed, truncated, "-o", out("j")}, exitLost, "LOST"},
		{"truncated input under strict", []string{"dedup", "--quiet", "--strict", seed, truncated, "-o", out("k")}, exitInput, "cut.jsonl.gz"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			got := run(tt.args, &stdout, &stderr)
			if got != tt.want {
				t.Fatalf("exit %d, want %d\nstderr: %s", got, tt.want, stderr.String())
			}
			if tt.msg != "" && !strings.Contains(stdout.String()+stderr.String(), tt.msg) {
				t.Errorf("output does not mention %q:\nstdout: %s\nstderr: %s", tt.msg, stdout.String(), stderr.String())
			}
		})
	}
	// The run without --strict accounted for the bad line.
	b, err := os.ReadFile(filepath.Join(out("h"), "rejected.jsonl"))
	if err != nil || !strings.Contains(string(b), `"reason":"malformed-json"`) || !strings.Contains(string(b), `"record":2`) {
		t.Errorf("rejected.jsonl = %q, %v; want the malformed line 2", b, err)
	}
}

func TestDedupJSONSummary(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"dedup", "--json", seed, "-o", t.TempDir(), "--force", "--quiet"}, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var s struct {
		Total  struct{ Read, Kept, Removed int } `json:"total"`
		Params struct {
			Bands, Rows int
		} `json:"params"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &s); err != nil {
		t.Fatalf("--json output: %v\n%s", err, stdout.String())
	}
	if s.Total.Read != 20 || s.Total.Kept != 18 || s.Total.Removed != 2 {
		t.Errorf("totals %+v, want read 20 kept 18 removed 2", s.Total)
	}
	if s.Params.Bands*s.Params.Rows == 0 {
		t.Errorf("bands and rows missing from the stats: %+v", s.Params)
	}
}

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"1GiB", 1 << 30, true},
		{"512MiB", 512 << 20, true},
		{"4G", 4 << 30, true},
		{"1.5GB", 1500000000, true},
		{"1000", 1000, true},
		{"0", 0, false},
		{"-1G", 0, false},
		{"lots", 0, false},
	}
	for _, tt := range tests {
		got, err := parseSize(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseSize(%q) = %d, %v; want %d, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestDedupHelpGoesToStdout(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"dedup", "--help"}, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	if stderr.Len() != 0 || !strings.Contains(stdout.String(), "-threshold") {
		t.Errorf("help: stdout %d bytes, stderr %q", stdout.Len(), stderr.String())
	}
}

// The summary lists input files one by one only when there are few; with
// many it counts them and names stats.json. A dry run lists no kept/.
func TestSummaryFiles(t *testing.T) {
	for _, tc := range []struct {
		files   int
		dry     bool
		want    []string
		notWant []string
	}{
		{files: 3, want: []string{"file  read", "in1.txt", "kept/,clusters.jsonl"}},
		{files: summary.MaxFiles + 1, want: []string{"files     21, 1 with documents removed or rejected; per-file counts in stats.json"}, notWant: []string{"in1.txt"}},
		{files: 1, dry: true, want: []string{"{clusters.jsonl,"}, notWant: []string{"kept/"}},
	} {
		s := &output.Stats{DryRun: tc.dry}
		for i := range tc.files {
			f := output.FileStats{Path: fmt.Sprintf("in%d.txt", i)}
			if i == 0 {
				f.Removed = 1
			}
			s.Inputs = append(s.Inputs, f)
		}
		var out bytes.Buffer
		printSummary(&out, s, t.TempDir())
		for _, w := range tc.want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("%d files (dry run %v): summary lacks %q:\n%s", tc.files, tc.dry, w, out.String())
			}
		}
		for _, w := range tc.notWant {
			if strings.Contains(out.String(), w) {
				t.Errorf("%d files (dry run %v): summary has %q:\n%s", tc.files, tc.dry, w, out.String())
			}
		}
	}
}
