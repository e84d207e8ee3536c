package spark

import (
	"testing"

	"github.com/quchong/quchong/corpus"
	"github.com/quchong/quchong/internal/enginetest"
	"github.com/quchong/quchong/stage"
)

// Faulty inputs and rejected records are recorded, not fatal, and handled
// exactly as the local engine handles them.
func TestParityFaults(t *testing.T) {
	cluster(t)
	l, s := runBoth(t, enginetest.FaultyInputs(t), corpus.Options{}, stage.DefaultParams(), Options{})
	compareOutputs(t, l, s)
	enginetest.CheckFaults(t, s)
}
