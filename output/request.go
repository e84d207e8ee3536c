package output

import (
	"github.com/quchong/quchong/corpus"
	"github.com/quchong/quchong/stage"
)

// Request is what every executor is asked to do, whoever runs it: which
// inputs, how to read them, with which detection parameters, and where and
// how to write the outputs. Each executor's Options embeds it and adds only
// what is its own (workers and memory, a cluster's address, shuffle sizes).
type Request struct {
	// Inputs are the input files, in order (see corpus.ExpandInputs).
	Inputs []string
	// Corpus configures the readers.
	Corpus corpus.Options
	// Params are the detection parameters.
	Params stage.Params
	// OutDir receives the outputs. It must be empty or absent unless Force.
	OutDir string
	// Force allows a non-empty OutDir; quchong's own outputs in it are
	// replaced, and nothing else is removed (see PrepareDir).
	Force bool
	// WriteRemoved also writes the removed documents under OutDir/removed.
	WriteRemoved bool
	// Strict stops the run at the first rejected document instead of
	// recording it in rejected.jsonl.
	Strict bool
}
