package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/quchong/quchong/corpus"
	"github.com/quchong/quchong/explain"
	"github.com/quchong/quchong/internal/runflags"
	"github.com/quchong/quchong/keep"
	"github.com/quchong/quchong/stage"
)

const explainLong = `Shows how quchong dedup judges one pair of documents, and why: the verdict
at the current threshold with its reason, the steps the decision took with
the values each compared (exact hashes, shared LSH bands, the signature
screen, the text check, the keep rule and the check against the kept
document), the two normalised texts, the shingle Jaccard similarity, the
mask-aware similarity and what each placeholder mask was filled with, and the
character differences of the normalised texts.

A and B are document ids as dedup assigns them (the id field, else
PATH:LINE with PATH as given on the command line); the first document with
each id in the inputs is used. With --files, FILE1 and FILE2 are each read
whole as one document. Give the same detection flags as the dedup run to see
its decision. Exit status: 0 when the pair was explained, whatever the verdict;
2 for a bad command line; 3 when an id is not found or an input is unreadable.
`

// explainFlags holds the command line of explain.
type explainFlags struct {
	input                runflags.Input     // as dedup reads
	detection            runflags.Detection // as dedup judges
	color                string
	keep                 string
	inputs               []string
	files, full, jsonOut bool
}

// newExplainCmd is `quchong explain`.
func newExplainCmd(a *app) *cobra.Command {
	var f explainFlags
	c := &cobra.Command{
		Use:     "explain [flags] A B --input INPUT...\nexplain [flags] --files FILE1 FILE2",
		Short:   "why two documents are (not) duplicates",
		Long:    explainLong,
		GroupID: groupMain,
		RunE: func(_ *cobra.Command, pos []string) error {
			return status(cmdExplain(&f, pos, a.stdout, a.stderr))
		},
	}
	fs := c.Flags()
	fs.StringArrayVar(&f.inputs, "input", nil, "an input `FILE`, directory or glob to look the ids up in (repeatable; further arguments after A B are inputs too)")
	fs.BoolVar(&f.files, "files", false, "compare two whole files, each one document, instead of two ids")
	f.input.Register(fs)
	f.detection.Register(fs)
	fs.StringVar(&f.keep, "keep", "first", "keep rule of the run to explain: first, longest or fewest-masks (which of the two a run keeps when it links them)")
	fs.BoolVar(&f.full, "full", false, "print the whole normalised texts and differences instead of shortening long stretches")
	fs.StringVar(&f.color, "color", "auto", "mark differences with colours: auto (when stdout is a terminal and NO_COLOR is unset), always or never")
	fs.BoolVar(&f.jsonOut, "json", false, "print the explanation as JSON")
	return c
}

func cmdExplain(f *explainFlags, pos []string, stdout, stderr io.Writer) int {
	fail := func(code int, format string, a ...any) int {
		fmt.Fprintf(stderr, "quchong explain: "+format+"\n", a...)
		return code
	}
	p, err := f.detection.Params()
	if err != nil {
		return fail(exitUsage, "%v", err)
	}
	if p.Keep, err = keep.Parse(f.keep); err != nil {
		return fail(exitUsage, "%v", err)
	}
	if _, ok := p.Keep.NeedsField(); ok {
		return fail(exitUsage, "--keep %s: explain compares two texts and reads no field; use first, longest or fewest-masks", f.keep)
	}
	copt, err := f.input.Options()
	if err != nil {
		return fail(exitUsage, "%v", err)
	}
	color, err := useColor(f.color, stdout)
	if err != nil {
		return fail(exitUsage, "%v", err)
	}
	st, err := stage.New(p)
	if err != nil {
		return fail(exitUsage, "%v", err)
	}

	var a, b *explain.Doc
	switch {
	case f.files:
		if len(pos) != 2 || len(f.inputs) > 0 {
			return fail(exitUsage, "--files takes exactly two files and no --input (see quchong help explain)")
		}
		if a, err = readWholeFile(pos[0], 0, copt.MaxDocBytes); err == nil {
			b, err = readWholeFile(pos[1], 1, copt.MaxDocBytes)
		}
		if err != nil {
			return fail(exitInput, "%v", err)
		}
	default:
		if len(pos) < 2 {
			return fail(exitUsage, "give two document ids and --input FILE..., or --files FILE1 FILE2 (see quchong help explain)")
		}
		inputs := append(f.inputs, pos[2:]...)
		if len(f.inputs) == 0 {
			return fail(exitUsage, "no input: give --input FILE... to look %q and %q up in", pos[0], pos[1])
		}
		if pos[0] == pos[1] {
			return fail(exitUsage, "A and B are the same id %q", pos[0])
		}
		files, err := corpus.ExpandInputs(inputs, copt.Format)
		if err != nil {
			return fail(exitInput, "%v", err)
		}
		a, b, err = findDocs(files, copt, pos[0], pos[1])
		if err != nil {
			return fail(exitInput, "%v", err)
		}
	}

	e, err := explain.New(st, a, b)
	if err != nil {
		return fail(exitInput, "%v", err)
	}
	if f.jsonOut {
		err = e.WriteJSON(stdout)
	} else {
		err = e.WriteText(stdout, f.full, color)
	}
	if err != nil {
		return fail(exitOutput, "%v", err)
	}
	return exitOK
}
