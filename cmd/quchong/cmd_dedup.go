package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/quchong/quchong/corpus"
	"github.com/quchong/quchong/engine/local"
	"github.com/quchong/quchong/internal/runflags"
	"github.com/quchong/quchong/internal/units"
	"github.com/quchong/quchong/output"
)

const dedupLong = `Finds exact and near-duplicate documents in the inputs (files, directories
or globs; .txt, .jsonl/.json, .parquet, optionally .gz or .zst), keeps one
document per cluster and writes, in DIR:
  kept/            the kept documents, in each input's format and compression
                   (or --output-compression); none with --dry-run
  removed/         the removed documents (with --removed)
  clusters.jsonl   one line per document in a cluster of two or more
  rejected.jsonl   documents that could not be used, with the reason
  report.html      a page to look at: summary, plots, clusters side by side
  stats.json       counts per file, every parameter, time per stage

INPUT "-" is standard input (give --format); pipes are copied to DIR/.work
first. Outputs appear under their final names only when the run completes,
stats.json last; a failed run leaves DIR/.work for --resume. --force removes
only what an earlier run of quchong wrote in DIR (the files its stats.json
lists, and .work); other files in DIR, kept/ and removed/ stay. A second run
into a DIR that a live run holds (DIR/.quchong.lock) is refused.
`

// dedupFlags holds the command line of dedup.
type dedupFlags struct {
	runflags.Run              // shared with quchong-beam
	jsonOut, resume, noReport bool
	dryRun                    bool
	cpuProfile                string
	memory, logFormat         string
	workers                   int
	index                     indexFlags // --index, --index-readonly (cmd_dedup_index.go)
}

// newDedupCmd is `quchong dedup`.
func newDedupCmd(a *app) *cobra.Command {
	var f dedupFlags
	c := &cobra.Command{
		Use:     "dedup [flags] INPUT... -o DIR",
		Short:   "deduplicate files, directories or globs",
		Long:    dedupLong,
		GroupID: groupMain,
		RunE: func(c *cobra.Command, inputs []string) error {
			return status(cmdDedup(&f, c.Flags().Changed("max-doc-bytes"), inputs, a.args[1:], a.stdout, a.stderr))
		},
	}
	fs := c.Flags()
	f.Run.Register(fs)
	fs.BoolVar(&f.resume, "resume", false, "continue an interrupted run into DIR from its last checkpoint (refused if the inputs or parameters changed)")
	fs.BoolVar(&f.noReport, "no-report", false, "do not write DIR/report.html")
	fs.BoolVar(&f.dryRun, "dry-run", false, "find and report the duplicates (clusters.jsonl, stats.json, report.html) without writing kept/ or removed/")
	fs.StringVar(&f.memory, "memory", "1GiB", "memory `budget` for the in-memory stages, e.g. 512MiB, 4GiB")
	fs.IntVar(&f.workers, "workers", 0, "worker goroutines (0: one per core); the output does not depend on it")
	fs.StringVar(&f.logFormat, "log-format", "text", "progress log `format` when stderr is not a terminal: text or json (one line per stage)")
	fs.StringVar(&f.cpuProfile, "cpuprofile", "", "write a CPU profile (go tool pprof) to `FILE`")
	fs.BoolVar(&f.jsonOut, "json", false, "print the summary on stdout as JSON (the content of stats.json)")
	f.index.register(fs)
	return c
}

// cmdDedup runs dedup on the inputs with the parsed flags; args are its
// command line as given, for the command that resumes it.
func cmdDedup(f *dedupFlags, maxDocSet bool, inputs, args []string, stdout, stderr io.Writer) int {
	opt, err := f.options()
	if err != nil {
		fmt.Fprintf(stderr, "quchong dedup: %v\n", err)
		return exitUsage
	}
	if !maxDocSet {
		opt.Corpus.MaxDocBytes = local.NewBudget(opt.Memory).MaxDocBytes()
	}
	if len(inputs) == 0 {
		fmt.Fprintln(stderr, "quchong dedup: no input files (see quchong dedup --help)")
		return exitUsage
	}
	var skipped corpus.Skipped
	if opt.Inputs, skipped, err = corpus.ExpandInputsSkipped(inputs, opt.Corpus.Format); err != nil {
		fmt.Fprintf(stderr, "quchong dedup: %v\n", err)
		if errors.Is(err, corpus.ErrDuplicateInput) {
			return exitUsage
		}
		return exitInput
	}
	if skipped.Total() > 0 && !f.Quiet {
		fmt.Fprintf(stderr, "quchong dedup: skipped %d entries of the input directories: %s\n", skipped.Total(), skipped)
	}
	stopProgress := func() {}
	if !f.Quiet {
		opt.Progress, stopProgress = newProgress(stderr, f.logFormat, isTerminal(stderr) && f.logFormat != "json")
		defer stopProgress()
	}
	// Let the garbage collector work to the budget rather than let the heap
	// double between collections (GOGC=100): the budget holds for the
	// whole process, not only the stages that size their work to it.
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(opt.Memory)
	}
	if f.cpuProfile != "" {
		pf, err := os.Create(f.cpuProfile)
		if err != nil {
			fmt.Fprintf(stderr, "quchong dedup: %v\n", err)
			return exitOutput
		}
		defer pf.Close()
		if err := pprof.StartCPUProfile(pf); err != nil {
			fmt.Fprintf(stderr, "quchong dedup: %v\n", err)
			return exitFail
		}
		defer pprof.StopCPUProfile()
	}
	closeIndex, icode, ok := f.index.open(&opt, stderr)
	if !ok {
		return icode
	}
	defer closeIndex()
	ctx, stop := interruptible(context.Background())
	defer stop()
	stats, err := local.Run(ctx, opt)
	// The bars must let go of the terminal before anything else is written.
	stopProgress()
	if sig, ok := interruptedBy(ctx); ok && err != nil {
		fmt.Fprintf(stderr, "quchong dedup: interrupted; continue with `%s`\n", resumeCommand(args))
		return exitSignal(sig)
	}
	if err != nil {
		fmt.Fprintf(stderr, "quchong dedup: %v\n", err)
		var (
			ie *output.InputError
			oe *output.OutputError
			ce *output.ConfigError
		)
		switch {
		case errors.As(err, &ce):
			return exitUsage
		case errors.As(err, &ie):
			return exitInput
		case errors.As(err, &oe):
			return exitOutput
		}
		return exitFail
	}
	code := exitOK
	if f.jsonOut {
		code = printJSON(stdout, stats)
	} else {
		printSummary(stdout, stats, opt.OutDir)
	}
	if len(stats.Faults) > 0 {
		fmt.Fprintf(stderr, "quchong dedup: WARNING: %s could not be read to the end; the documents after each fault are LOST (not in any count):\n", units.Plural(len(stats.Faults), "input file", ""))
		for _, fault := range stats.Faults {
			fmt.Fprintf(stderr, "  %s\n", fault)
		}
		if code == exitOK {
			code = exitLost
		}
	}
	return code
}

// options turns the flags into engine options, validating them. Inputs are
// expanded by the caller.
func (f *dedupFlags) options() (local.Options, error) {
	var opt local.Options
	req, err := f.Run.Request()
	if err != nil {
		return opt, err
	}
	if f.logFormat != "text" && f.logFormat != "json" {
		return opt, fmt.Errorf("--log-format %q: want text or json", f.logFormat)
	}
	memory, err := parseSize(f.memory)
	if err != nil {
		return opt, fmt.Errorf("--memory: %w", err)
	}
	if f.workers < 0 {
		return opt, fmt.Errorf("--workers %d: want ≥ 1, or 0 for one per core", f.workers)
	}
	return local.Options{
		Request:  req,
		Workers:  f.workers,
		Memory:   memory,
		Resume:   f.resume,
		NoReport: f.noReport,
		DryRun:   f.dryRun,
	}, nil
}

// parseSize reads a byte count with an optional unit: 1500000, 512MiB, 4G.
func parseSize(s string) (int64, error) {
	units := []struct {
		suffix string
		mult   int64
	}{
		{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40},
		{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12},
		{"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"T", 1 << 40}, {"B", 1},
	}
	num, mult := strings.TrimSpace(s), int64(1)
	for _, u := range units {
		if rest, ok := strings.CutSuffix(num, u.suffix); ok {
			num, mult = strings.TrimSpace(rest), u.mult
			break
		}
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || v <= 0 || v*float64(mult) > 1<<62 {
		return 0, fmt.Errorf("%q is not a size such as 512MiB or 4GiB", s)
	}
	return int64(v * float64(mult)), nil
}
