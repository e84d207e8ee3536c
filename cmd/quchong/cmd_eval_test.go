package main

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/quchong/quchong/eval"
)

// evalRun is a fake dedup run: a corpus, a run directory with stats.json and
// clusters.jsonl, and a labels file.
type evalRun struct {
	dir, docs, out, clusters, labels string
}

const evalDocs = `{"id": "d1", "text": "第一篇"}
{"id": "d2", "text": "第一篇。"}
{"id": "d3", "text": "第三篇"}
{"id": "d4", "text": "第三篇，略改"}
{"id": "d5", "text": "第五篇"}
{"id": "d6", "text": "第五篇，转载"}
{"id": "d7", "text": ""}
`

// Pairs: d1-d2 TP, d3-d4 FP, d5-d6 FN, d1-d5 TN, one null.
const evalLabels = `{"a": "d1", "b": "d2", "label": 1, "difficulty": "easy"}
{"a": "d3", "b": "d4", "label": 0, "difficulty": "hard-negative"}
{"a": "d5", "b": "d6", "label": 1, "difficulty": "hard"}
{"a": "d1", "b": "d5", "label": 0, "difficulty": "random-negative"}
{"a": "d2", "b": "d3", "label": null, "difficulty": "natural-overlap-exclude"}
`

const evalClusters = `{"id":"d1","cluster":0,"kept":true,"reason":"near","similarity":1.0000}
{"id":"d2","cluster":0,"kept":false,"reason":"near","similarity":0.9300}
{"id":"d3","cluster":1,"kept":true,"reason":"near","similarity":1.0000}
{"id":"d4","cluster":1,"kept":false,"reason":"near","similarity":0.8100}
`

func newEvalRun(t *testing.T, inputPath string) evalRun {
	t.Helper()
	dir := t.TempDir()
	r := evalRun{dir: dir, docs: filepath.Join(dir, "docs.jsonl"), out: filepath.Join(dir, "out")}
	r.clusters = filepath.Join(r.out, "clusters.jsonl")
	r.labels = filepath.Join(dir, "labels.jsonl")
	if inputPath == "" {
		inputPath = r.docs
	}
	stats := map[string]any{
		"tool":   "quchong",
		"inputs": []map[string]any{{"path": inputPath, "read": 7}},
		"params": map[string]any{"format": "jsonl", "text_field": "text", "id_field": "id", "max_doc_bytes": 1 << 20, "threshold": 0.8},
	}
	sj, _ := json.Marshal(stats)
	if err := os.Mkdir(r.out, 0o755); err != nil {
		t.Fatal(err)
	}
	for path, text := range map[string]string{
		r.docs: evalDocs, r.labels: evalLabels, r.clusters: evalClusters,
		filepath.Join(r.out, "stats.json"): string(sj),
	} {
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

func runEval(args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	code = run(append([]string{"eval"}, args...), &o, &e)
	return code, o.String(), e.String()
}

func TestEvalJSON(t *testing.T) {
	r := newEvalRun(t, "")
	code, out, errOut := runEval("--labels", r.labels, "--clusters", r.clusters, "--json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rep eval.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	o := rep.Overall
	if o.Pairs != 4 || o.TP != 1 || o.FP != 1 || o.FN != 1 || o.TN != 1 || o.Precision != 0.5 || o.Recall != 0.5 || o.MergeRate != 0.5 {
		t.Errorf("overall %+v", o)
	}
	if rep.Excluded != 1 || len(rep.Strata) != 4 || rep.Strata[0].Stratum != "easy" || rep.Strata[1].Stratum != "hard" {
		t.Errorf("excluded %d, strata %+v", rep.Excluded, rep.Strata)
	}
	// Gold {d1,d2},{d5,d6},{d3},{d4}; predicted {d1,d2},{d3,d4},{d5},{d6}:
	// index 1, Σ C(a,2) = Σ C(b,2) = 2, C(6,2) = 15: ARI (1 − 4/15)/(2 − 4/15) = 11/26.
	// B-cubed precision = recall = (1+1+1/2+1/2+1+1)/6 = 5/6.
	c := rep.Clusters
	if c == nil || c.Documents != 6 || math.Abs(c.ARI-11.0/26) > 1e-9 || math.Abs(c.BCubedPrecision-5.0/6) > 1e-9 || math.Abs(c.BCubedRecall-5.0/6) > 1e-9 {
		t.Errorf("clusters %+v", c)
	}
	for _, key := range []string{`"merge_rate"`, `"bcubed_f1"`, `"tp"`, `"excluded"`} {
		if !strings.Contains(out, key) {
			t.Errorf("JSON lacks %s", key)
		}
	}
}

func TestEvalTable(t *testing.T) {
	r := newEvalRun(t, "")
	// The run directory in place of the clusters file, flags after it.
	code, out, errOut := runEval("--clusters", r.out, "--labels", r.labels)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"           easy      1    1    0   1   0   0   0     1.0000  1.0000  1.0000           -",
		"  hard-negative      1    0    1   0   1   0   0     0.0000       -  0.0000      1.0000",
		"        overall      4    2    2   1   1   1   1     0.5000  0.5000  0.5000      0.5000",
		"excluded  1 pair(s)",
		"ARI 0.4231",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestEvalAbsent(t *testing.T) {
	r := newEvalRun(t, "")
	labels := evalLabels + `{"a": "d1", "b": "ghost", "label": 0}` + "\n" + `{"a": "d7", "b": "d2", "label": 0}` + "\n"
	if err := os.WriteFile(r.labels, []byte(labels), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runEval("--labels", r.labels, "--clusters", r.clusters)
	if code != exitInput {
		t.Fatalf("exit %d, want %d; stdout %s", code, exitInput, out)
	}
	// d7 is in the file but its empty text made the run reject it.
	if !strings.Contains(errOut, `"ghost"`) || !strings.Contains(errOut, `"d7"`) || !strings.Contains(errOut, "2 labelled") || out != "" {
		t.Errorf("stderr %q, stdout %q", errOut, out)
	}
	if code, _, errOut := runEval("--labels", r.labels, "--clusters", r.clusters, "--no-check"); code != exitOK {
		t.Errorf("--no-check: exit %d: %s", code, errOut)
	}
}

func TestEvalInputs(t *testing.T) {
	t.Run("relative to the run's parent", func(t *testing.T) {
		r := newEvalRun(t, "docs.jsonl") // as given in r.dir, not the test's directory
		if code, _, errOut := runEval("--labels", r.labels, "--clusters", r.clusters); code != exitOK {
			t.Errorf("exit %d: %s", code, errOut)
		}
	})
	t.Run("input gone", func(t *testing.T) {
		r := newEvalRun(t, "")
		os.Rename(r.docs, r.docs+".moved")
		code, _, errOut := runEval("--labels", r.labels, "--clusters", r.clusters)
		if code != exitInput || !strings.Contains(errOut, "docs.jsonl") {
			t.Errorf("exit %d: %s", code, errOut)
		}
		// --docs names it instead, as a flag or as arguments.
		if code, _, errOut := runEval("--labels", r.labels, "--clusters", r.clusters, "--docs", r.docs+".moved"); code != exitOK {
			t.Errorf("--docs: exit %d: %s", code, errOut)
		}
		empty := filepath.Join(r.dir, "empty")
		os.Mkdir(empty, 0o755)
		if code, _, errOut := runEval("--labels", r.labels, "--docs", empty, "--clusters", r.clusters); code != exitInput || !strings.Contains(errOut, "--docs") {
			t.Errorf("--docs DIR without a corpus file: exit %d: %s", code, errOut)
		}
	})
	t.Run("no stats.json", func(t *testing.T) {
		r := newEvalRun(t, "")
		os.Remove(filepath.Join(r.out, "stats.json"))
		if code, _, errOut := runEval("--labels", r.labels, "--clusters", r.clusters); code != exitInput || !strings.Contains(errOut, "stats.json") {
			t.Errorf("exit %d: %s", code, errOut)
		}
		if code, _, errOut := runEval("--labels", r.labels, "--clusters", r.clusters, r.docs); code != exitOK {
			t.Errorf("positional input: exit %d: %s", code, errOut)
		}
	})
	t.Run("run read other ids", func(t *testing.T) {
		r := newEvalRun(t, "")
		st := `{"inputs": [{"path": "` + r.docs + `"}], "params": {"format": "jsonl", "text_field": "text", "id_field": "key"}}`
		os.WriteFile(filepath.Join(r.out, "stats.json"), []byte(st), 0o644)
		// Without an id field the run's ids were PATH:LINE, so d1... are absent.
		if code, _, errOut := runEval("--labels", r.labels, "--clusters", r.clusters); code != exitInput || !strings.Contains(errOut, `"d1"`) {
			t.Errorf("exit %d: %s", code, errOut)
		}
	})
}

func TestEvalUsage(t *testing.T) {
	r := newEvalRun(t, "")
	tests := []struct {
		name string
		args []string
		code int
		in   string // expected in stdout (exit 0) or stderr
	}{
		{"help", []string{"--help"}, exitOK, "Usage: quchong eval"},
		{"help lists flags", []string{"--labels", "x", "-h"}, exitOK, "-no-check"},
		{"bad flag", []string{"--labels", r.labels, "--clusters", r.clusters, "--nope"}, exitUsage, "nope"},
		{"no labels", []string{"--clusters", r.clusters}, exitUsage, "--labels"},
		{"no clusters", []string{"--labels", r.labels}, exitUsage, "--clusters"},
		{"contradiction", []string{"--labels", r.labels, "--clusters", r.clusters, "--no-check", "--docs", r.docs}, exitUsage, "--no-check"},
		{"labels missing", []string{"--labels", r.labels + ".zst", "--clusters", r.clusters}, exitInput, "labels.jsonl.zst"},
		{"clusters missing", []string{"--labels", r.labels, "--clusters", filepath.Join(r.dir, "nowhere.jsonl")}, exitInput, "nowhere.jsonl"},
		{"labels corrupt", []string{"--labels", r.docs, "--clusters", r.clusters}, exitInput, "line 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runEval(tt.args...)
			where := errOut
			if tt.code == exitOK {
				where = out
			}
			if code != tt.code || !strings.Contains(where, tt.in) || (code == exitOK && errOut != "") {
				t.Errorf("exit %d (want %d), stdout %q, stderr %q", code, tt.code, out, errOut)
			}
		})
	}
}
