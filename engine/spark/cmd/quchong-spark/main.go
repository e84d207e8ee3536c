// Command quchong-spark runs quchong's deduplication on an Apache Spark
// cluster through Spark Connect: the same stages, flags and outputs as
// `quchong dedup`, with Spark doing the shuffles and this binary, run by
// Spark SQL's TRANSFORM on the executors, doing the stage work.
//
//	quchong-spark dedup --remote sc://HOST:PORT [flags] INPUT... -o DIR
//	quchong-spark worker STAGE CONFIG      (run by the executors)
//
// See docs/scale.md.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/pflag"

	"github.com/quchong/quchong/corpus"
	"github.com/quchong/quchong/engine/spark"
	"github.com/quchong/quchong/internal/runflags"
)

const usage = `Usage: quchong-spark dedup --remote sc://HOST:PORT [flags] INPUT... -o DIR

Runs quchong dedup on a Spark cluster (Spark ≥ 4, Spark Connect). Same
outputs as quchong dedup: kept/, removed/ (--removed), clusters.jsonl,
rejected.jsonl, stats.json (without timings). The executors run this binary
(--worker-binary, by default this executable's own path), and read the
inputs and write DIR at the same paths as the driver: a filesystem every
node shares.

Flags:
`

// Exit codes, as quchong's.
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
	// exitFaults: the run completed, but some input could not be read to
	// its end (as quchong's exit code 5).
	exitFaults = 5
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "worker" {
		if len(args) != 3 {
			fmt.Fprintln(stderr, "usage: quchong-spark worker STAGE CONFIG")
			return exitUsage
		}
		if err := spark.Worker(args[1], args[2], stdin, stdout); err != nil {
			fmt.Fprintf(stderr, "quchong-spark: %v\n", err)
			return exitFail
		}
		return exitOK
	}
	if len(args) == 0 || args[0] != "dedup" {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	var f runflags.Run
	fs := pflag.NewFlagSet("quchong-spark dedup", pflag.ContinueOnError)
	fs.SetOutput(io.Discard) // the errors are said below
	f.Register(fs)
	remote := fs.String("remote", "", "Spark Connect address, sc://HOST:PORT (required)")
	worker := fs.String("worker-binary", "", "absolute path of quchong-spark on every executor (default: this executable)")
	workDir := fs.String("work-dir", "", "Hadoop filesystem URI for the steps' Parquet files, writable by every executor (default: DIR/.quchong-spark-work, removed at the end)")
	partitions := fs.Int("partitions", 0, "spark.sql.shuffle.partitions for the run (0: the session's)")
	rounds := fs.Int("cc-rounds", spark.DefaultMaxRounds, "most large-star/small-star rounds for the connected components")
	help := fs.BoolP("help", "h", false, "print this help")
	inputs, err := runflags.Parse(fs, args[1:])
	if *help || errors.Is(err, pflag.ErrHelp) {
		fmt.Fprint(stdout, usage)
		fmt.Fprint(stdout, fs.FlagUsagesWrapped(80))
		return exitOK
	}
	if err != nil {
		problem, suggestion := runflags.Problem(fs, err)
		fmt.Fprintf(stderr, "quchong-spark dedup: %s\n", problem)
		if suggestion != "" {
			fmt.Fprintln(stderr, suggestion)
		}
		fmt.Fprintln(stderr, `Run "quchong-spark dedup --help" for the flags.`)
		return exitUsage
	}
	req, err := f.Request()
	if err == nil && *remote == "" {
		err = fmt.Errorf("no Spark Connect address: give --remote sc://HOST:PORT")
	}
	if err == nil {
		req.Inputs, err = corpus.ExpandInputs(inputs, req.Corpus.Format)
	}
	if err == nil && *worker == "" {
		*worker, err = os.Executable()
		if err == nil {
			*worker, err = filepath.EvalSymlinks(*worker)
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "quchong-spark: %v\n", err)
		return exitUsage
	}
	opt := spark.Options{
		Request:    req,
		Remote:     *remote,
		Worker:     *worker,
		WorkDir:    *workDir,
		Partitions: *partitions,
		MaxRounds:  *rounds,
	}
	if !f.Quiet {
		opt.Log = func(format string, a ...any) { fmt.Fprintf(stderr, "quchong-spark: "+format+"\n", a...) }
	}
	start := time.Now()
	st, err := spark.Run(context.Background(), opt)
	if err != nil {
		fmt.Fprintf(stderr, "quchong-spark: %v\n", err)
		return exitFail
	}
	if !f.Quiet {
		t := st.Total
		fmt.Fprintf(stderr, "quchong-spark: done in %.1fs: read %d, kept %d, removed %d (%d exact, %d near), rejected %d, %d clusters\n",
			time.Since(start).Seconds(), t.Read, t.Kept, t.Removed, t.RemovedExact, t.RemovedNear, t.Rejected, st.Clusters)
	}
	if len(st.Faults) > 0 {
		for _, f := range st.Faults {
			fmt.Fprintf(stderr, "quchong-spark: input not read to its end: %s\n", f)
		}
		return exitFaults
	}
	return exitOK
}
