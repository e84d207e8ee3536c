package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"runtime/debug"
	"runtime/pprof"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/quchong/quchong/corpus"
	"github.com/quchong/quchong/engine/sub"
	"github.com/quchong/quchong/internal/runflags"
	"github.com/quchong/quchong/output"
	"github.com/quchong/quchong/segment"
	"github.com/quchong/quchong/stage"
)

const linesLong = `Removes repeated units (lines, paragraphs or sentences) from the documents
of the inputs, matched on their normalised, mask-folded text, so that
"责任编辑：XX" and "责任编辑：×××" are one unit. Choose a policy:
  --min-docs N   remove units found in N or more documents, from all of them
                 (boilerplate: menus, footers, disclaimers)
  --keep-first   keep a unit in the first document that has it, remove it
                 from every later one (CCNet)
Writes, in DIR: kept/ (each input's format, the text rewritten, other fields
as they were), removed.jsonl (each removed unit, character offsets into the
original text), rejected.jsonl, stats.json, report.html.
`

const substrLong = `Removes every span of L or more normalised characters that occurs more than
once in the corpus (Lee et al. 2022), found with a suffix array, and cuts it
from the original text at the mapped offsets: the first occurrence is kept
unless --remove-all. The normalised corpus is sorted at once while it fits
--memory at 12 bytes a character (about 4 bytes per byte of Chinese UTF-8);
a larger one is spilled to DIR in parts, each sorted on its own, and the
sorted parts are merged on disk, in the same budget and more time. Outputs as for quchong lines.
`

// subFlags holds the command line of lines and substr.
type subFlags struct {
	in                           runflags.Input
	out, unit, memory            string
	cpuProfile, memProfile       string
	logFormat                    string
	force, noReport, jsonOut     bool
	strict, quiet                bool
	keepFirst, removeAll         bool
	workers, minDocs, minUnit    int
	minSpan, minLength           int
	noMasks, noT2S, noPunctStrip bool
}

// newLinesCmd is `quchong lines`.
func newLinesCmd(a *app) *cobra.Command {
	return newSubCmd(a, "lines", "lines [flags] INPUT... -o DIR", "remove repeated lines, paragraphs or sentences", linesLong)
}

// newSubstrCmd is `quchong substr`.
func newSubstrCmd(a *app) *cobra.Command {
	return newSubCmd(a, "substr", "substr [flags] INPUT... -o DIR", "remove repeated substrings (suffix array)", substrLong)
}

func newSubCmd(a *app, name, use, short, long string) *cobra.Command {
	var f subFlags
	c := &cobra.Command{
		Use:     use,
		Short:   short,
		Long:    long,
		GroupID: groupMain,
		RunE: func(_ *cobra.Command, inputs []string) error {
			return status(cmdSub(name, &f, inputs, a.stdout, a.stderr))
		},
	}
	fs := c.Flags()
	f.in.Register(fs)
	fs.StringVar(&f.in.Level, "compression-level", "fast", "`level` of gzip and zstd outputs: fast, default, better or best")
	fs.StringVar(&f.in.Output, "output-compression", "same", "`compression` of kept/: same (as each input), none, gzip or zstd; the file names follow")
	def := stage.DefaultSubParams()
	fs.StringVarP(&f.out, "output", "o", "", "output `DIR` (required; must be empty or absent unless --force)")
	fs.BoolVar(&f.force, "force", false, "write into a non-empty DIR, removing what an earlier quchong run wrote there")
	fs.BoolVar(&f.noReport, "no-report", false, "do not write DIR/report.html")
	fs.BoolVar(&f.jsonOut, "json", false, "print stats.json on stdout instead of the summary")
	fs.BoolVar(&f.quiet, "quiet", false, "print nothing but errors (no summary)")
	fs.BoolVar(&f.strict, "strict", false, "stop at the first rejected record (exit code 3) instead of recording it in rejected.jsonl")
	fs.IntVar(&f.workers, "workers", 0, "files read at once (0: one per core); the output does not depend on it")
	fs.IntVar(&f.minLength, "min-length", def.MinLength, "drop a document left with fewer normalised `characters` than this")
	fs.BoolVar(&f.noMasks, "no-masks", false, "do not fold placeholder masks (XX, ×××, 某某, 20**) before matching")
	fs.BoolVar(&f.noT2S, "no-t2s", false, "do not fold traditional Chinese characters to simplified before matching")
	fs.BoolVar(&f.noPunctStrip, "keep-punct", false, "match with punctuation (it is dropped by default)")
	fs.StringVar(&f.cpuProfile, "cpuprofile", "", "write a CPU profile (go tool pprof) to `FILE`")
	fs.StringVar(&f.logFormat, "log-format", "text", "progress log `format` when stderr is not a terminal: text or json (one line per stage)")
	fs.StringVar(&f.memProfile, "memprofile", "", "write a heap profile (go tool pprof) to `FILE`, taken when the heap in use was at its largest")
	if name == "lines" {
		fs.StringVar(&f.unit, "unit", def.Unit.String(), "`unit`: line, paragraph (blocks between blank lines) or sentence (。！？；.!?)")
		fs.IntVar(&f.minDocs, "min-docs", 0, "remove units found in at least `N` documents (N ≥ 2)")
		fs.BoolVar(&f.keepFirst, "keep-first", false, "keep each unit's first document, remove it from later ones")
		fs.IntVar(&f.minUnit, "min-unit", def.MinUnit, "never remove units shorter than this many normalised `characters`")
		fs.StringVar(&f.memory, "memory", "2GiB", "memory `budget`: compressed inputs are held decoded between the two passes in a quarter of it, e.g. 512MiB, 8GiB")
	} else {
		fs.IntVar(&f.minSpan, "min-span", def.MinSpan, "shortest repeated span removed, in normalised `characters`")
		fs.BoolVar(&f.removeAll, "remove-all", false, "remove every occurrence of a repeated span, the first too")
		fs.StringVar(&f.memory, "memory", "2GiB", "memory `budget` for the suffix arrays, e.g. 512MiB, 8GiB")
	}
	return c
}

// options turns the flags into the engine's options.
func (f *subFlags) options(name string, inputs []string) (sub.Options, error) {
	copt, err := f.in.Options()
	if err != nil {
		return sub.Options{}, err
	}
	if f.logFormat != "text" && f.logFormat != "json" {
		return sub.Options{}, fmt.Errorf("--log-format %q: want text or json", f.logFormat)
	}
	p := stage.DefaultSubParams()
	p.MinLength = f.minLength
	p.Normalize.Masks = !f.noMasks
	p.Normalize.T2S = !f.noT2S
	p.Normalize.StripPunct = !f.noPunctStrip
	opt := sub.Options{Inputs: inputs, OutDir: f.out, Force: f.force, Corpus: copt, Workers: f.workers, NoReport: f.noReport, Strict: f.strict}
	if name == "lines" {
		if p.Unit, err = segment.ParseUnit(f.unit); err != nil {
			return opt, fmt.Errorf("--unit: %w", err)
		}
		p.MinDocs, p.KeepFirst, p.MinUnit = f.minDocs, f.keepFirst, f.minUnit
	} else {
		p.MinSpan, p.RemoveAll = f.minSpan, f.removeAll
	}
	if opt.Memory, err = parseSize(f.memory); err != nil {
		return opt, fmt.Errorf("--memory: %w", err)
	}
	if _, err := stage.NewSub(p, name == "lines"); err != nil {
		return opt, err
	}
	opt.Params = p
	return opt, nil
}

// cmdSub runs quchong lines or quchong substr with the parsed flags.
func cmdSub(name string, f *subFlags, inputs []string, stdout, stderr io.Writer) int {
	if len(inputs) == 0 || f.out == "" {
		fmt.Fprintf(stderr, "quchong %s: give inputs and -o DIR (see quchong %s --help)\n", name, name)
		return exitUsage
	}
	opt, err := f.options(name, inputs)
	if err != nil {
		fmt.Fprintf(stderr, "quchong %s: %v\n", name, err)
		return exitUsage
	}
	// As for dedup: let the collector work to the budget, so that garbage
	// from the growing arrays does not double the heap.
	if name == "substr" && os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(sub.MemoryLimit(opt.Memory))
	}
	if f.cpuProfile != "" {
		pf, err := os.Create(f.cpuProfile)
		if err != nil {
			fmt.Fprintf(stderr, "quchong %s: %v\n", name, err)
			return exitOutput
		}
		defer pf.Close()
		if err := pprof.StartCPUProfile(pf); err != nil {
			fmt.Fprintf(stderr, "quchong %s: %v\n", name, err)
			return exitFail
		}
		defer pprof.StopCPUProfile()
	}
	if f.memProfile != "" {
		stop, err := heapPeakProfile(f.memProfile)
		if err != nil {
			fmt.Fprintf(stderr, "quchong %s: %v\n", name, err)
			return exitOutput
		}
		defer func() {
			if err := stop(); err != nil {
				fmt.Fprintf(stderr, "quchong %s: --memprofile: %v\n", name, err)
			}
		}()
	}
	stopProgress := func() {}
	if !f.quiet && !f.jsonOut {
		opt.Progress, stopProgress = newProgress(stderr, f.logFormat, isTerminal(stderr) && f.logFormat != "json")
		defer stopProgress()
	}
	ctx, stop := interruptible(context.Background())
	defer stop()
	run := sub.Lines
	if name == "substr" {
		run = sub.Substr
	}
	st, err := run(ctx, opt)
	// The bars must let go of the terminal before anything else is written.
	stopProgress()
	if err != nil {
		fmt.Fprintf(stderr, "quchong %s: %v\n", name, err)
		if sig, ok := interruptedBy(ctx); ok {
			return exitSignal(sig)
		}
		var (
			fault *corpus.ReadFault
			ce    *output.ConfigError
			ie    *output.InputError
			oe    *output.OutputError
		)
		switch {
		case errors.As(err, &ce):
			return exitUsage
		case errors.As(err, &fault), errors.As(err, &ie), errors.Is(err, os.ErrNotExist):
			return exitInput
		case errors.As(err, &oe), errors.Is(err, fs.ErrPermission), errors.Is(err, syscall.ENOSPC):
			return exitOutput
		}
		return exitFail
	}
	if f.jsonOut {
		e := json.NewEncoder(stdout)
		e.SetIndent("", "  ")
		e.SetEscapeHTML(false)
		if err := e.Encode(st); err != nil {
			return exitOutput
		}
		return exitOK
	}
	if f.quiet {
		return exitOK
	}
	t := st.Total
	what := "units"
	if name == "substr" {
		what = "spans"
	}
	fmt.Fprintf(stdout, "read %d documents: kept %d (%d changed, %d unchanged), dropped %d, rejected %d\n",
		t.Read, t.Kept, t.Changed, t.Unchanged, t.Dropped, t.Rejected)
	fmt.Fprintf(stdout, "removed %d %s, %d of %d characters; outputs in %s\n", t.Removals, what, t.CharsRemoved, t.CharsRead, f.out)
	return exitOK
}
