package eval

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
)

func TestParseLabel(t *testing.T) {
	tests := []struct {
		name    string
		line    string
		n       int
		want    Pair
		ok      bool
		wantErr string
	}{
		{"ids", `{"a": "x", "b": "y", "label": 1, "difficulty": "easy"}`, 1, Pair{"x", "y", 1, "easy"}, true, ""},
		{"negative", `{"a": "x", "b": "y", "label": 0}`, 1, Pair{"x", "y", 0, "all"}, true, ""},
		{"bool labels", `{"a": "x", "b": "y", "label": true}`, 1, Pair{"x", "y", 1, "all"}, true, ""},
		{"false", `{"a": "x", "b": "y", "label": false}`, 1, Pair{"x", "y", 0, "all"}, true, ""},
		{"null excluded", `{"a": "x", "b": "y", "label": null, "difficulty": "natural-overlap-exclude"}`, 1, Pair{}, false, ""},
		{"graded excluded", `{"a_text": "p", "b_text": "q", "label": 5.0, "dataset": "Chinese-STS-B"}`, 1, Pair{}, false, ""},
		{"graded 1.0 excluded", `{"a": "x", "b": "y", "label": 1.0}`, 1, Pair{}, false, ""},
		{"numeric ids", `{"a": 12, "b": -3, "label": 1}`, 1, Pair{"12", "-3", 1, "all"}, true, ""},
		{"stratum field", `{"a": "x", "b": "y", "label": 1, "stratum": "format_variant"}`, 1, Pair{"x", "y", 1, "format_variant"}, true, ""},
		{"category field", `{"a": "x", "b": "y", "label": 0, "category": "non"}`, 1, Pair{"x", "y", 0, "non"}, true, ""},
		{"difficulty wins", `{"a": "x", "b": "y", "label": 0, "category": "c", "difficulty": "d", "stratum": "s"}`, 1, Pair{"x", "y", 0, "d"}, true, ""},
		{"null stratum skipped", `{"a": "x", "b": "y", "label": 0, "difficulty": null, "stratum": "s"}`, 1, Pair{"x", "y", 0, "s"}, true, ""},
		{"dataset last", `{"a_text": "p", "b_text": "q", "label": 0, "dataset": "LCQMC"}`, 7, Pair{"7-a", "7-b", 0, "LCQMC"}, true, ""},
		{"inline", `{"a_text": "床前明月光", "b_text": "牀前明月光", "label": 1}`, 42, Pair{"42-a", "42-b", 1, "all"}, true, ""},
		{"half inline", `{"a": "doc", "b_text": "text", "label": 1}`, 3, Pair{"doc", "3-b", 1, "all"}, true, ""},
		{"id wins over text", `{"a": "doc", "a_text": "t", "b": "e", "label": 0}`, 3, Pair{"doc", "e", 0, "all"}, true, ""},
		{"no label", `{"a": "x", "b": "y"}`, 5, Pair{}, false, "line 5: no label"},
		{"string label", `{"a": "x", "b": "y", "label": "yes"}`, 5, Pair{}, false, "line 5: label"},
		{"no b", `{"a": "x", "label": 1}`, 9, Pair{}, false, "line 9: neither b nor b_text"},
		{"null a_text", `{"a_text": null, "b": "y", "label": 1}`, 9, Pair{}, false, "neither a nor a_text"},
		{"object id", `{"a": {}, "b": "y", "label": 1}`, 2, Pair{}, false, "line 2: a:"},
		{"array stratum", `{"a": "x", "b": "y", "label": 1, "stratum": []}`, 2, Pair{}, false, "line 2: stratum:"},
		{"malformed", `{"a": "x",`, 4, Pair{}, false, "line 4:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, ok, err := parseLabel([]byte(tt.line), tt.n)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ok != tt.ok || (ok && p != tt.want) {
				t.Errorf("got %+v, %v; want %+v, %v", p, ok, tt.want, tt.ok)
			}
		})
	}
}

// labelsText is a small pair file with a blank line, which still counts for
// inline ids.
const labelsText = `{"a": "d1", "b": "d2", "label": 1, "difficulty": "easy"}
{"a": "d1", "b": "d3", "label": 0, "difficulty": "hard-negative"}

{"a_text": "甲", "b_text": "乙", "label": 1}
{"a": "d4", "b": "d5", "label": null}
`

var labelsWant = []Pair{
	{"d1", "d2", 1, "easy"},
	{"d1", "d3", 0, "hard-negative"},
	{"4-a", "4-b", 1, "all"},
}

func writeFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func zstdBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	enc, err := zstd.NewWriter(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer enc.Close()
	return enc.EncodeAll(b, nil)
}

func gzipBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(b)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestReadLabels(t *testing.T) {
	dir := t.TempDir()
	files := map[string][]byte{
		"p.jsonl":        []byte(labelsText),
		"p.jsonl.zst":    zstdBytes(t, []byte(labelsText)),
		"p.jsonl.gz":     gzipBytes(t, []byte(labelsText)),
		"crlf.jsonl":     []byte(strings.ReplaceAll(labelsText, "\n", "\r\n")),
		"noeol.jsonl":    []byte(strings.TrimSuffix(labelsText, "\n")),
		"pairs.jsonl.gz": gzipBytes(t, []byte(labelsText)),
	}
	for name, data := range files {
		t.Run(name, func(t *testing.T) {
			pairs, excluded, err := ReadLabels(writeFile(t, dir, name, data))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(pairs, labelsWant) || excluded != 1 {
				t.Errorf("got %+v, %d excluded; want %+v, 1", pairs, excluded, labelsWant)
			}
		})
	}
}

func TestReadLabelsErrors(t *testing.T) {
	dir := t.TempDir()
	graded := writeFile(t, dir, "graded.jsonl", []byte(labelsText+`{"a": "x", "b": "y", "label": 2}`+"\n"))
	if pairs, excluded, err := ReadLabels(graded); err != nil || len(pairs) != 3 || excluded != 2 {
		t.Errorf("graded label: %d pairs, %d excluded, err %v; want 3, 2, nil", len(pairs), excluded, err)
	}
	malformed := writeFile(t, dir, "m.jsonl", []byte(labelsText+"{oops\n"))
	if _, _, err := ReadLabels(malformed); err == nil || !strings.Contains(err.Error(), "m.jsonl: line 6") {
		t.Errorf("err = %v, want one naming m.jsonl line 6", err)
	}
	corrupt := writeFile(t, dir, "c.jsonl.zst", []byte("not zstd at all"))
	if _, _, err := ReadLabels(corrupt); err == nil || !strings.Contains(err.Error(), "c.jsonl.zst") {
		t.Errorf("err = %v, want one naming c.jsonl.zst", err)
	}
	if _, _, err := ReadLabels(filepath.Join(dir, "missing.jsonl")); !os.IsNotExist(err) {
		t.Errorf("err = %v, want not-exist", err)
	}
}

func TestReadLabelsLongLine(t *testing.T) {
	long := strings.Repeat("长", 1<<20) // 3 MiB, beyond the read buffer
	line, _ := json.Marshal(map[string]any{"a_text": long, "b_text": long, "label": 1})
	data := append(append([]byte(labelsText), line...), '\n')
	pairs, _, err := ReadLabels(writeFile(t, t.TempDir(), "long.jsonl", data))
	if err != nil {
		t.Fatal(err)
	}
	if got := pairs[len(pairs)-1]; got != (Pair{"6-a", "6-b", 1, "all"}) {
		t.Errorf("last pair %+v, want 6-a, 6-b", got)
	}
}

func TestReadClusters(t *testing.T) {
	dir := t.TempDir()
	good := `{"id": "d1", "cluster": 0, "kept": true, "reason": "near", "similarity": 1.0000}
{"id": "d2", "cluster": 0, "kept": false, "reason": "near", "similarity": 0.9100}

{"id": 7, "cluster": 3, "kept": true, "reason": "exact", "similarity": 1.0000}
{"id": "d1", "cluster": 0}
`
	got, err := ReadClusters(writeFile(t, dir, "clusters.jsonl", []byte(good)))
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]int{"d1": 0, "d2": 0, "7": 3}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	for name, text := range map[string]string{
		"conflict":   good + `{"id": "d2", "cluster": 4}` + "\n",
		"no id":      `{"cluster": 4}`,
		"no cluster": `{"id": "x"}`,
		"bad id":     `{"id": [1], "cluster": 4}`,
		"malformed":  `{"id": "x", "cluster": "4"}`,
	} {
		if _, err := ReadClusters(writeFile(t, dir, "c.jsonl", []byte(text))); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestWriteInlineCorpus(t *testing.T) {
	dir := t.TempDir()
	pairsPath := writeFile(t, dir, "p.jsonl.zst", zstdBytes(t, []byte(labelsText+`{"a": "d9", "b_text": "<b>&amp;</b>", "label": 0}`+"\n")))
	var buf bytes.Buffer
	n, err := WriteInlineCorpus(pairsPath, &buf)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"id":"4-a","text":"甲"}
{"id":"4-b","text":"乙"}
{"id":"6-b","text":"<b>&amp;</b>"}
`
	if n != 3 || buf.String() != want {
		t.Errorf("wrote %d:\n%s\nwant 3:\n%s", n, buf.String(), want)
	}
	bad := writeFile(t, dir, "bad.jsonl", []byte(`{"a_text": 3}`))
	if _, err := WriteInlineCorpus(bad, &buf); err == nil || !strings.Contains(err.Error(), "bad.jsonl: line 1") {
		t.Errorf("err = %v, want one naming bad.jsonl line 1", err)
	}
}
