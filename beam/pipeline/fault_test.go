package pipeline

import (
	"context"
	"strings"
	"testing"

	"github.com/quchong/quchong/corpus"
	"github.com/quchong/quchong/internal/enginetest"
	"github.com/quchong/quchong/output"
	"github.com/quchong/quchong/stage"
)

// Faulty inputs are recorded, not fatal, and handled exactly as the local
// engine handles them: the documents read before a fault are clustered and
// written, the fault is named in stats.json.
func TestParityFaults(t *testing.T) {
	l, b, _ := runBoth(t, enginetest.FaultyInputs(t), corpus.Options{}, stage.DefaultParams(), Options{Shards: 5})
	compareOutputs(t, l, b)
	enginetest.CheckFaults(t, b)
}

// With Strict, a fault fails the run.
func TestFaultStrict(t *testing.T) {
	in := enginetest.FaultyInputs(t)
	_, err := Run(context.Background(), "prism", Options{Request: output.Request{Inputs: in[1:2], Params: stage.DefaultParams(), OutDir: t.TempDir(), Strict: true}})
	if err == nil || !strings.Contains(err.Error(), "truncated.jsonl.gz") {
		t.Fatalf("strict run on a truncated file: err = %v, want one naming the file", err)
	}
}
