package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/quchong/quchong/corpus"
	"github.com/quchong/quchong/eval"
)

const evalLong = `Scores a dedup run against labelled pairs: precision, recall, F1 and merge
rate per stratum and overall, and the adjusted Rand index and B-cubed scores
of the clustering the positive pairs imply. Documents not in clusters.jsonl
are singletons.

Every labelled document must have been in the run: eval reads the run's
inputs (listed in DIR/stats.json, read with the run's format and fields) and
fails with exit code 3, naming the missing ids, when one is not there.
--docs names the inputs instead (files, directories or globs), for a run
directory that was moved; --no-check skips the check.

Pair files with inline texts (a_text, b_text) name their documents
"<line>-a" and "<line>-b".
`

// evalFlags holds the command line of eval.
type evalFlags struct {
	labels, clusters string
	docs             []string
	jsonOut, noCheck bool
}

// newEvalCmd is `quchong eval`.
func newEvalCmd(a *app) *cobra.Command {
	var f evalFlags
	c := &cobra.Command{
		Use:     "eval --labels PAIRS.jsonl[.zst] --clusters DIR/clusters.jsonl [flags] [--docs INPUT]...",
		Short:   "score a run against labelled pairs",
		Long:    evalLong,
		GroupID: groupMain,
		RunE: func(_ *cobra.Command, rest []string) error {
			return status(cmdEval(&f, rest, a.stdout, a.stderr))
		},
	}
	fs := c.Flags()
	fs.StringVar(&f.labels, "labels", "", "labelled pairs `FILE` (.jsonl, .jsonl.zst or .jsonl.gz; required)")
	fs.StringVar(&f.clusters, "clusters", "", "the run's clusters.jsonl, or its output `DIR` (required)")
	fs.StringArrayVar(&f.docs, "docs", nil, "an `INPUT` of the run (file, directory or glob; repeatable, and further arguments count too) instead of the inputs in stats.json")
	fs.BoolVar(&f.noCheck, "no-check", false, "do not check that the labelled documents were in the run")
	fs.BoolVar(&f.jsonOut, "json", false, "print the report as JSON")
	return c
}

// cmdEval scores the run with the parsed flags; rest are further inputs.
func cmdEval(f *evalFlags, rest []string, stdout, stderr io.Writer) int {
	f.docs = append(f.docs, rest...)
	fail := func(code int, err error) int {
		fmt.Fprintf(stderr, "quchong eval: %v\n", err)
		return code
	}
	switch {
	case f.labels == "":
		return fail(exitUsage, errors.New("no labels: give --labels PAIRS.jsonl"))
	case f.clusters == "":
		return fail(exitUsage, errors.New("no clusters: give --clusters DIR/clusters.jsonl"))
	case f.noCheck && len(f.docs) > 0:
		return fail(exitUsage, errors.New("--docs and --no-check contradict each other"))
	}
	clustersPath := f.clusters
	if info, err := os.Stat(clustersPath); err == nil && info.IsDir() {
		clustersPath = filepath.Join(clustersPath, "clusters.jsonl")
	}
	pairs, excluded, err := eval.ReadLabels(f.labels)
	if err != nil {
		return fail(exitInput, fmt.Errorf("labels: %w", err))
	}
	clusterOf, err := eval.ReadClusters(clustersPath)
	if err != nil {
		return fail(exitInput, fmt.Errorf("clusters: %w", err))
	}
	var present func(string) bool
	if !f.noCheck {
		inputs, opt, err := evalRunInputs(filepath.Dir(clustersPath), f.docs)
		if err != nil {
			return fail(exitInput, err)
		}
		found, err := eval.FindIDs(inputs, opt, eval.LabelIDs(pairs))
		if err != nil {
			return fail(exitInput, err)
		}
		present = func(id string) bool { return found[id] }
	}
	report, err := eval.Score(pairs, clusterOf, present)
	if err != nil {
		var ae *eval.AbsentError
		if errors.As(err, &ae) {
			return fail(exitInput, fmt.Errorf("%w (were these labels made for this run's inputs? --no-check skips this check)", err))
		}
		return fail(exitInput, err)
	}
	report.Excluded = excluded
	if f.jsonOut {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		err = enc.Encode(report)
	} else {
		err = report.WriteTable(stdout)
	}
	if err != nil {
		return fail(exitOutput, err)
	}
	return exitOK
}

// evalRunStats is the part of stats.json that eval needs.
type evalRunStats struct {
	Inputs []struct {
		Path string `json:"path"`
	} `json:"inputs"`
	Params struct {
		Format      string `json:"format"`
		TextField   string `json:"text_field"`
		IDField     string `json:"id_field"`
		MaxDocBytes int    `json:"max_doc_bytes"`
	} `json:"params"`
}

// evalRunInputs returns the run's input files and how the run read them, from
// runDir/stats.json. docs, when given, replace the inputs listed there (and
// stats.json may then be absent: the reader's defaults apply).
func evalRunInputs(runDir string, docs []string) ([]string, corpus.Options, error) {
	var opt corpus.Options
	statsPath := filepath.Join(runDir, "stats.json")
	b, err := os.ReadFile(statsPath)
	if err != nil && (len(docs) == 0 || !errors.Is(err, os.ErrNotExist)) {
		return nil, opt, fmt.Errorf("the run's inputs: %w (give them with --docs, or skip the check with --no-check)", err)
	}
	var st evalRunStats
	if err == nil {
		if err := json.Unmarshal(b, &st); err != nil {
			return nil, opt, fmt.Errorf("%s: %w", statsPath, err)
		}
		if opt.Format, err = corpus.ParseFormat(st.Params.Format); err != nil {
			return nil, opt, fmt.Errorf("%s: params: %w", statsPath, err)
		}
		opt.TextField, opt.IDField, opt.MaxDocBytes = st.Params.TextField, st.Params.IDField, st.Params.MaxDocBytes
	}
	if len(docs) > 0 {
		inputs, err := corpus.ExpandInputs(docs, opt.Format)
		if err != nil {
			return nil, opt, fmt.Errorf("--docs: %w", err)
		}
		return inputs, opt, nil
	}
	if len(st.Inputs) == 0 {
		return nil, opt, fmt.Errorf("%s lists no inputs (give them with --docs, or skip the check with --no-check)", statsPath)
	}
	inputs := make([]string, len(st.Inputs))
	for i, in := range st.Inputs {
		if inputs[i], err = evalResolveInput(in.Path, runDir); err != nil {
			return nil, opt, err
		}
	}
	return inputs, opt, nil
}

// evalResolveInput finds an input path that stats.json recorded as the run was
// given it: from the current directory, or else from the directory that
// holds the run directory (for a run made from there).
func evalResolveInput(p, runDir string) (string, error) {
	_, err := os.Stat(p)
	if err == nil || filepath.IsAbs(p) {
		return p, nil // Open reports any other problem, naming the path
	}
	if abs, aerr := filepath.Abs(runDir); aerr == nil {
		alt := filepath.Join(filepath.Dir(abs), p)
		if _, aerr := os.Stat(alt); aerr == nil {
			return alt, nil
		}
	}
	return "", fmt.Errorf("input %s of the run (from stats.json): %w (give the inputs with --docs, or skip the check with --no-check)", p, err)
}
