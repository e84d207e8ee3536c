package eval

import (
	"bytes"
	"errors"
	"io/fs"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/quchong/quchong/corpus"
)

func TestFindIDs(t *testing.T) {
	dir := t.TempDir()
	jsonl := writeFile(t, dir, "a.jsonl", []byte(`{"id": "d1", "text": "一"}
{"id": "d2", "text": ""}
not json
{"id": 3, "text": "三"}
{"text": "无号"}
`))
	txt := writeFile(t, dir, "b.txt", []byte("甲\n\n乙\n"))
	inputs := []string{jsonl, txt}
	ids := []string{"d1", "d2", "3", jsonl + ":5", txt + ":1", txt + ":2", txt + ":3", "nope"}
	got, err := FindIDs(inputs, corpus.Options{}, ids)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{
		"d1": true, "d2": false /* empty text: rejected */, "3": true, jsonl + ":5": true,
		txt + ":1": true, txt + ":2": false /* blank line */, txt + ":3": true, "nope": false,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v\nwant %v", got, want)
	}

	// Run options matter: with id field "text" the ids are the texts.
	got, err = FindIDs([]string{jsonl}, corpus.Options{IDField: "text"}, []string{"一", "d1"})
	if err != nil {
		t.Fatal(err)
	}
	if !got["一"] || got["d1"] {
		t.Errorf("IDField text: %v", got)
	}

	if _, err := FindIDs([]string{filepath.Join(dir, "missing.jsonl")}, corpus.Options{}, []string{"x"}); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing input: err = %v", err)
	}
	// Once every id is found, later inputs are not opened.
	if _, err := FindIDs([]string{jsonl, filepath.Join(dir, "missing.jsonl")}, corpus.Options{}, []string{"d1"}); err != nil {
		t.Errorf("stop early: %v", err)
	}
}

// TestInlineRoundTrip checks that a run over WriteInlineCorpus's output
// holds exactly the documents ReadLabels names.
func TestInlineRoundTrip(t *testing.T) {
	dir := t.TempDir()
	pairsPath := writeFile(t, dir, "p.jsonl", []byte(labelsText+`{"a_text": "丙", "b_text": "丁", "label": 0}`+"\n"))
	var buf bytes.Buffer
	if _, err := WriteInlineCorpus(pairsPath, &buf); err != nil {
		t.Fatal(err)
	}
	corpusPath := writeFile(t, dir, "docs.jsonl", buf.Bytes())
	pairs, _, err := ReadLabels(pairsPath)
	if err != nil {
		t.Fatal(err)
	}
	var inline []Pair
	for _, p := range pairs {
		if strings.Contains(p.A, "-") {
			inline = append(inline, p)
		}
	}
	found, err := FindIDs([]string{corpusPath}, corpus.Options{}, LabelIDs(inline))
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 4 {
		t.Fatalf("%d inline ids, want 4", len(found))
	}
	for id, ok := range found {
		if !ok {
			t.Errorf("inline document %s not in the written corpus", id)
		}
	}
}
