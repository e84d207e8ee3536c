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
	"flag"
	"fmt"
	"github.com/quchong/quchong/internal/runflags"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/runners"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/x/beamx"

	"github.com/quchong/quchong/beam/pipeline"
	"github.com/quchong/quchong/engine/local"
)

const usage = `Usage: quchong-beam [flags] INPUT... -o DIR

Runs quchong dedup as an Apache Beam pipeline (default runner: prism, in
process). Same outputs as quchong dedup: kept/, removed/ (--removed),
clusters.jsonl, rejected.jsonl, stats.json (without timings).

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
	fs := flag.CommandLine
	fs.Init("quchong-beam", flag.ContinueOnError)
	fs.SetOutput(stderr)
	f.register(fs)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usage)
		fs.PrintDefaults()
	}
	inputs, err := runflags.ParseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		fs.SetOutput(stdout)
		fs.Usage()
		return exitOK
	}
	if err != nil {
		return exitUsage
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
	if !f.Quiet {
		summary(stderr, res, cfg.OutDir, time.Since(start))
	}
	return exitOK
}

// summary prints the totals of a local stats.json and the shuffle counters.
func summary(w io.Writer, res beam.PipelineResult, outDir string, wall time.Duration) {
	fmt.Fprintf(w, "quchong-beam: pipeline done in %.1fs on %s\n", wall.Seconds(), *runners.Runner)
	if !pipeline.IsRemote(outDir) {
		if b, err := os.ReadFile(filepath.Join(outDir, "stats.json")); err == nil {
			var st local.Stats
			if json.Unmarshal(b, &st) == nil {
				t := st.Total
				fmt.Fprintf(w, "quchong-beam: read %d, kept %d, removed %d (%d exact, %d near), rejected %d, %d clusters\n",
					t.Read, t.Kept, t.Removed, t.RemovedExact, t.RemovedNear, t.Rejected, st.Clusters)
			}
		}
	}
	if res == nil {
		return
	}
	cs := res.Metrics().AllMetrics().Counters()
	slices.SortFunc(cs, func(a, b beamCounter) int { return cmpString(a.Key.Name, b.Key.Name) })
	for _, c := range cs {
		fmt.Fprintf(w, "quchong-beam: %s %d\n", c.Key.Name, c.Result())
	}
}
