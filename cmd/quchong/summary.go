package main

import (
	"encoding/json"
	"io"

	"github.com/quchong/quchong/internal/summary"
	"github.com/quchong/quchong/output"
)

func printJSON(w io.Writer, stats *output.Stats) int {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(stats); err != nil {
		return exitOutput
	}
	return exitOK
}

// printSummary prints what a person wants to see after a run.
func printSummary(w io.Writer, s *output.Stats, dir string) { summary.Print(w, s, dir) }
