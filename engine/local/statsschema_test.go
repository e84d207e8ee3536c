package local

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/quchong/quchong/output"
)

// statsSchema is the JSON type of every field of stats.json, by path ("[]"
// for any element of a list, "*" for any key of a map). A field marked
// optional may be absent, never null.
var statsSchema = map[string]struct {
	kind     string
	optional bool
}{
	"tool": {kind: "string"}, "version": {kind: "string"},
	"inputs": {kind: "array"}, "inputs[]": {kind: "object"},
	"inputs[].path": {kind: "string"}, "inputs[].output": {kind: "string"},
	"inputs[].format": {kind: "string"}, "inputs[].compression": {kind: "string"},
	"inputs[].fault": {kind: "string", optional: true},
	"total":          {kind: "object"}, "clusters": {kind: "int"},
	"params": {kind: "object"}, "params.tokens": {kind: "string"}, "params.ngram": {kind: "int"},
	"params.k": {kind: "int"}, "params.seed": {kind: "int"}, "params.threshold": {kind: "fraction"},
	"params.min_length": {kind: "int"}, "params.lsh_threshold": {kind: "fraction"},
	"params.bands": {kind: "int"}, "params.rows": {kind: "int"},
	"params.candidate_probability": {kind: "object"}, "params.candidate_probability.*": {kind: "fraction"},
	"params.accept_margin": {kind: "fraction"}, "params.reject_margin": {kind: "fraction"},
	"params.mask_reject_margin": {kind: "fraction"}, "params.mask_max_fill": {kind: "int"},
	"params.normalize": {kind: "object"}, "params.normalize.nfkc": {kind: "bool"},
	"params.normalize.case_fold": {kind: "bool"}, "params.normalize.strip_space": {kind: "bool"},
	"params.normalize.strip_punct": {kind: "bool"}, "params.normalize.masks": {kind: "bool"},
	"params.normalize.t2s": {kind: "bool"}, "params.keep": {kind: "string"}, "params.cluster": {kind: "string"}, "params.format": {kind: "string"},
	"params.text_field": {kind: "string"}, "params.id_field": {kind: "string"},
	"params.max_doc_bytes": {kind: "int"}, "params.compression_level": {kind: "string"},
	"params.output_compression": {kind: "string"}, "params.strict": {kind: "bool"},
	"params.memory_budget": {kind: "int"},
	"verification":         {kind: "object"}, "verification.exact_groups": {kind: "int"},
	"verification.candidate_pairs": {kind: "int"}, "verification.accepted_by_signature": {kind: "int"},
	"verification.text_checked": {kind: "int"}, "verification.accepted_by_text": {kind: "int"},
	"clustering": {kind: "object"}, "clustering.mode": {kind: "string"}, "clustering.components": {kind: "int"},
	"clustering.components_split": {kind: "int"}, "clustering.documents_saved": {kind: "int"},
	"clustering.unverified": {kind: "int"}, "clustering.kept_checks": {kind: "int"}, "clustering.kept_text_checks": {kind: "int"},
	"stages": {kind: "array"}, "stages[]": {kind: "object"}, "stages[].stage": {kind: "string"},
	"stages[].seconds": {kind: "seconds"},
	"wall_seconds":     {kind: "seconds"}, "cpu_seconds": {kind: "seconds"}, "workers": {kind: "int"},
	"signature_blocks": {kind: "int"}, "spilled_signature_blocks": {kind: "int"}, "decoded_once": {kind: "int"},
	"band_runs": {kind: "int", optional: true}, "dry_run": {kind: "bool", optional: true},
	"faults": {kind: "array", optional: true}, "faults[]": {kind: "string"},
}

func init() {
	// The counts, in total and per input.
	for _, prefix := range []string{"total.", "inputs[]."} {
		for _, f := range []string{"read", "kept", "removed", "removed_exact", "removed_near", "rejected", "input_bytes"} {
			statsSchema[prefix+f] = struct {
				kind     string
				optional bool
			}{kind: "int"}
		}
		statsSchema[prefix+"rejected_by_reason"] = struct {
			kind     string
			optional bool
		}{kind: "object"}
		statsSchema[prefix+"rejected_by_reason.*"] = struct {
			kind     string
			optional bool
		}{kind: "int"}
	}
}

// checkStatsSchema fails unless the JSON document b has the schema's fields,
// each of its type, no other field and no null; it returns the paths seen.
func checkStatsSchema(t *testing.T, b []byte) map[string]bool {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber() // to see the digits as written
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("stats.json: %v", err)
	}
	seen := map[string]bool{}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		seen[path] = true
		want, ok := statsSchema[path]
		if !ok {
			t.Errorf("%s: not in the schema", path)
			return
		}
		var got string
		switch x := v.(type) {
		case nil:
			t.Errorf("%s: null", path)
			return
		case string:
			got = "string"
		case bool:
			got = "bool"
		case []any:
			got = "array"
			for _, e := range x {
				walk(path+"[]", e)
			}
		case map[string]any:
			got = "object"
			for k, e := range x {
				sub := path + "." + k
				if path == "" {
					sub = k
				}
				if _, named := statsSchema[sub]; !named {
					sub = path + ".*"
				}
				walk(sub, e)
			}
		case json.Number:
			s := x.String()
			_, frac, hasFrac := strings.Cut(s, ".")
			switch want.kind {
			case "int":
				if hasFrac || strings.ContainsAny(s, "eE") {
					t.Errorf("%s: %s, want an integer", path, s)
				}
			case "fraction":
				if len(frac) > output.ParamDigits || strings.ContainsAny(s, "eE") {
					t.Errorf("%s: %s, want at most %d decimals", path, s, output.ParamDigits)
				}
			case "seconds":
				if len(frac) > output.TimeDigits || strings.ContainsAny(s, "eE") {
					t.Errorf("%s: %s, want at most %d decimals", path, s, output.TimeDigits)
				}
			}
			got = want.kind
		}
		if got != want.kind {
			t.Errorf("%s: %s, want %s", path, got, want.kind)
		}
	}
	walk("", v)
	return seen
}

// TestStatsSchema checks stats.json against the schema on a plain run and
// on a run with every optional field: a rejected record, a truncated input,
// a dry run.
func TestStatsSchema(t *testing.T) {
	statsSchema[""] = struct {
		kind     string
		optional bool
	}{kind: "object"}
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.jsonl")
	os.WriteFile(bad, []byte("{\"text\": \"一段足够长的正常文本，用来测试统计文件的字段类型是否稳定。\"}\n{broken\n"), 0o644)
	cut := filepath.Join(dir, "cut.jsonl.gz")
	os.WriteFile(cut, []byte{0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0x01, 0x02}, 0o644)

	seen := map[string]bool{}
	for _, run := range []struct {
		name   string
		inputs []string
		mod    func(*Options)
	}{
		{"plain", []string{seedPath}, nil},
		{"rejects, a fault, dry run", []string{seedPath, bad, cut}, func(o *Options) { o.DryRun = true }},
		{"lsh threshold of float noise", []string{seedPath}, func(o *Options) { o.Params.Threshold = 0.6 }},
	} {
		t.Run(run.name, func(t *testing.T) {
			out, _ := runDedup(t, run.inputs, run.mod)
			b, err := os.ReadFile(filepath.Join(out, "stats.json"))
			if err != nil {
				t.Fatal(err)
			}
			for p := range checkStatsSchema(t, b) {
				seen[p] = true
			}
			if run.name == "plain" {
				for _, want := range []string{`"rejected_by_reason": {}`, `"lsh_threshold": 0.45,`} {
					if !bytes.Contains(b, []byte(want)) {
						t.Errorf("stats.json lacks %s", want)
					}
				}
			}
		})
	}
	for path, f := range statsSchema {
		if !f.optional && !seen[path] && !strings.HasSuffix(path, ".*") && path != "faults[]" {
			t.Errorf("%s: never seen in stats.json", path)
		}
	}
}
