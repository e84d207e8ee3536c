package local

import (
	"testing"

	"github.com/quchong/quchong/corpus"
)

func TestBudget(t *testing.T) {
	tests := []struct {
		name    string
		total   int64
		want    int64 // Total
		maxDoc  int
		working int64 // Working(used) with used = want/2
	}{
		{"default", 0, DefaultMemory, min(DefaultMemory/DocCost, corpus.DefaultMaxDocBytes), DefaultMemory / 2},
		{"negative", -5, DefaultMemory, min(DefaultMemory/DocCost, corpus.DefaultMaxDocBytes), DefaultMemory / 2},
		{"small: floors", 16 << 20, 16 << 20, workingFloor / DocCost, workingFloor},
		{"between", 256 << 20, 256 << 20, (256 << 20) / DocCost, 128 << 20},
		{"large: reader's ceiling", 64 << 30, 64 << 30, corpus.DefaultMaxDocBytes, 32 << 30},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := NewBudget(tc.total)
			if b.Total() != tc.want {
				t.Fatalf("total %d, want %d", b.Total(), tc.want)
			}
			if got := b.MaxDocBytes(); got != tc.maxDoc {
				t.Errorf("largest document %d, want %d", got, tc.maxDoc)
			}
			if got := b.Working(tc.want / 2); got != tc.working {
				t.Errorf("working set %d, want %d", got, tc.working)
			}
			if shares := b.Decoded() + b.Readers() + b.Signatures(); shares >= b.Total() {
				t.Errorf("the fixed shares (%d) leave nothing of %d for the working sets", shares, b.Total())
			}
		})
	}
}
