package testcorpus

import (
	"path/filepath"
	"testing"
)

func TestTexts(t *testing.T) {
	texts, err := Texts("../../testdata/seed.txt", 1<<20)
	if err != nil || len(texts) != 20 {
		t.Fatalf("%d texts of the seed, %v; want 20", len(texts), err)
	}
	if few, _ := Texts("../../testdata/seed.txt", 1); len(few) != 1 {
		t.Errorf("a limit of 1 byte gave %d texts, want 1", len(few))
	}
	if none, err := Texts(filepath.Join(t.TempDir(), "missing.jsonl"), 10); none != nil || err != nil {
		t.Errorf("a missing file: %v, %v", none, err)
	}
}
