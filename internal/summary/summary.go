// Package summary prints the summary a person reads at the end of a
// deduplication run. quchong dedup and quchong-beam print the same one.
package summary

import (
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/quchong/quchong/internal/units"
	"github.com/quchong/quchong/output"
)

// MaxFiles is the most input files the summary lists one by one.
const MaxFiles = 20

// Print prints what a person wants to see after a run of `quchong dedup`
// or `quchong-beam`: the counts, the parameters, the time and the outputs.
// The time line shows the CPU time and the workers when s has them (the
// local engine's stats do, Beam's do not).
func Print(w io.Writer, s *output.Stats, dir string) {
	t := s.Total
	pct := func(x int64) float64 {
		if t.Read == 0 {
			return 0
		}
		return 100 * float64(x) / float64(t.Read)
	}
	fmt.Fprintf(w, "read      %9d %s, %s, %s\n", t.Read, units.Noun(t.Read, "document", ""),
		units.Bytes(t.InputBytes), units.Plural(len(s.Inputs), "file", ""))
	fmt.Fprintf(w, "kept      %9d  (%.1f%%)\n", t.Kept, pct(t.Kept))
	fmt.Fprintf(w, "removed   %9d  (%.1f%%): %d exact, %s, in %s\n", t.Removed, pct(t.Removed), t.RemovedExact,
		units.Plural(t.RemovedNear, "near duplicate", ""), units.Plural(s.Clusters, "cluster", ""))
	fmt.Fprintf(w, "rejected  %9d", t.Rejected)
	for _, reason := range slices.Sorted(maps.Keys(t.RejectedBy)) {
		fmt.Fprintf(w, "  %s: %d", reason, t.RejectedBy[reason])
	}
	fmt.Fprintln(w)
	p := s.Params
	fmt.Fprintf(w, "params    threshold %.2f, %d-%s shingles, k %d, LSH %d bands × %d rows (tuned at %.2f), keep %s\n",
		p.Threshold, p.NGram, p.Tokens, p.K, p.Bands, p.Rows, p.LSHThreshold, p.Keep)
	fmt.Fprintf(w, "time      %.2f s wall", s.WallSeconds)
	if s.CPUSeconds > 0 {
		fmt.Fprintf(w, ", %.2f s CPU", s.CPUSeconds)
	}
	if s.Workers > 0 {
		fmt.Fprintf(w, ", %s", units.Plural(s.Workers, "worker", ""))
	}
	fmt.Fprintln(w)
	switch {
	case len(s.Inputs) > MaxFiles:
		touched := 0
		for _, f := range s.Inputs {
			if f.Removed > 0 || f.Rejected > 0 || f.Fault != "" {
				touched++
			}
		}
		fmt.Fprintf(w, "files     %d, %d with documents removed or rejected; per-file counts in stats.json\n", len(s.Inputs), touched)
	case len(s.Inputs) > 1:
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "file\tread\tkept\tremoved\trejected\t")
		for _, f := range s.Inputs {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t\n", f.Path, f.Read, f.Kept, f.Removed, f.Rejected)
		}
		tw.Flush()
	}
	names := []string{"kept/", "clusters.jsonl", "rejected.jsonl", "report.html", "stats.json"}
	if s.DryRun {
		names = names[1:]
	}
	if _, err := os.Stat(filepath.Join(dir, "report.html")); err != nil {
		names = slices.DeleteFunc(names, func(n string) bool { return n == "report.html" })
	}
	outputs := "{" + strings.Join(names, ",") + "}"
	fmt.Fprintf(w, "outputs   %s\n", filepath.Join(dir, outputs))
}
