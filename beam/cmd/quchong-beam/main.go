// Command quchong-beam runs quchong's deduplication as an Apache Beam
// pipeline: the same stages, flags and outputs as `quchong dedup`, on Prism
// (the default, in process), Flink, Spark or Dataflow.
//
//	quchong-beam [flags] INPUT... -o DIR
//	quchong-beam --runner=universal --endpoint=localhost:8099 --environment_type=LOOPBACK data/ -o out
//
// Inputs and DIR may be local paths or Beam filesystem URLs (gs://, s3://).
// See docs/scale.md.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	beamlog "github.com/apache/beam/sdks/v2/go/pkg/beam/log"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/runners"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/x/beamx"
	"github.com/spf13/pflag"

	"github.com/quchong/quchong/beam/pipeline"
	"github.com/quchong/quchong/internal/runflags"
	"github.com/quchong/quchong/internal/summary"
	"github.com/quchong/quchong/output"
)

const usage = `Usage: quchong-beam [flags] INPUT... -o DIR

Runs quchong dedup as an Apache Beam pipeline (default runner: prism, in
process). Same outputs as quchong dedup: kept/, removed/ (--removed),
clusters.jsonl, rejected.jsonl, stats.json (without timings), and the same
summary on stdout. Beam's own log lines (below warnings) and the pipeline's
counters are printed only with --verbose.

Beam flags select where it runs, for example
  --runner=universal --endpoint=localhost:8099 --environment_type=LOOPBACK   (a Flink or Spark job server)
  --runner=dataflow --project=P --region=R --staging_location=gs://B/staging --temp_location=gs://B/tmp

Flags:
`

// Exit codes, as quchong's.
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	var f dedupFlags
	fs := f.newFlagSet()
	fs.SetOutput(io.Discard) // the errors are said below
	inputs, err := runflags.Parse(fs, args)
	if help, _ := fs.GetBool("help"); help || errors.Is(err, pflag.ErrHelp) {
		fmt.Fprint(stdout, usage)
		fmt.Fprint(stdout, fs.FlagUsages())
		return exitOK
	}
	if err != nil {
		problem, suggestion := runflags.Problem(fs, err)
		fmt.Fprintf(stderr, "quchong-beam: %s\n", problem)
		if suggestion != "" {
			fmt.Fprintln(stderr, suggestion)
		}
		fmt.Fprintln(stderr, `Run "quchong-beam --help" for the flags.`)
		return exitUsage
	}
	// Beam logs every step of a job at level INFO: keep its warnings and
	// errors only, unless asked.
	if !f.verbose {
		beamlog.LogLevel = "warn"
	}
	// On a worker (--worker), Init runs the SDK harness and never returns.
	beam.Init()
	if *runners.Runner == "" {
		*runners.Runner = "prism"
	}
	ctx := context.Background()
	opt, err := f.options(nil)
	if err == nil {
		opt.Inputs, err = pipeline.ExpandInputs(ctx, inputs, opt.Corpus.Format)
	}
	if err != nil {
		fmt.Fprintf(stderr, "quchong-beam: %v\n", err)
		return exitUsage
	}
	release, err := pipeline.LockOutDir(opt.OutDir)
	if err != nil {
		fmt.Fprintf(stderr, "quchong-beam: %v\n", err)
		return exitUsage
	}
	defer release()
	cfg, err := pipeline.Prepare(opt)
	if err != nil {
		fmt.Fprintf(stderr, "quchong-beam: %v\n", err)
		return exitUsage
	}
	p, s := beam.NewPipelineWithRoot()
	if err := pipeline.Build(s, cfg); err != nil {
		fmt.Fprintf(stderr, "quchong-beam: %v\n", err)
		return exitFail
	}
	start := time.Now()
	res, err := beamx.RunWithMetrics(ctx, p)
	if err != nil {
		fmt.Fprintf(stderr, "quchong-beam: run on %s: %v\n", *runners.Runner, err)
		return exitFail
	}
	wall := time.Since(start)
	if f.verbose {
		printCounters(stderr, res)
	}
	if !f.Quiet {
		printSummary(stdout, stderr, cfg.OutDir, wall)
	}
	return exitOK
}

// printSummary prints the summary `quchong dedup` prints, from the run's
// stats.json (when the output directory is local) and its wall time.
func printSummary(stdout, stderr io.Writer, outDir string, wall time.Duration) {
	if pipeline.IsRemote(outDir) {
		fmt.Fprintf(stdout, "time      %.2f s wall on %s\noutputs   %s\n", wall.Seconds(), *runners.Runner, outDir)
		return
	}
	b, err := os.ReadFile(filepath.Join(outDir, "stats.json"))
	var st output.Stats
	if err == nil {
		err = json.Unmarshal(b, &st)
	}
	if err != nil {
		fmt.Fprintf(stderr, "quchong-beam: the run completed, but its stats.json cannot be read: %v\n", err)
		return
	}
	st.WallSeconds = wall.Seconds()
	summary.Print(stdout, &st, outDir)
}

// printCounters prints the pipeline's counters, each once: a counter that
// several steps update is summed over them.
func printCounters(w io.Writer, res beam.PipelineResult) {
	if res == nil {
		return
	}
	sums := map[string]int64{}
	for _, c := range res.Metrics().AllMetrics().Counters() {
		sums[c.Key.Name] += c.Result()
	}
	names := make([]string, 0, len(sums))
	for n := range sums {
		names = append(names, n)
	}
	slices.SortFunc(names, strings.Compare)
	for _, n := range names {
		fmt.Fprintf(w, "quchong-beam: %s %d\n", n, sums[n])
	}
}
