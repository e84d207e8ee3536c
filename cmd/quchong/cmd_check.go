package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/quchong/quchong/serve"
)

const checkLong = `Asks a running "quchong serve" whether a text duplicates an indexed
document, and prints its answer: "unique", or "duplicate" and the matches,
one a line (id, reason, similarity); with --json the server's answer,
{"duplicate": bool, "matches": [{"id", "similarity", "reason"}]}.
An argument that names a file is read as one document; "-" reads standard
input. Exit code 0 whatever the answer; 1 when the server cannot be asked.
`

// checkFlags holds the command line of check.
type checkFlags struct {
	server, id string
	timeout    time.Duration
	jsonOut    bool
}

// newCheckCmd is `quchong check`.
func newCheckCmd(a *app) *cobra.Command {
	var f checkFlags
	c := &cobra.Command{
		Use:     "check TEXT|FILE|- --server URL",
		Short:   "ask a running service about one text",
		Long:    checkLong,
		GroupID: groupMain,
		RunE: func(_ *cobra.Command, rest []string) error {
			return status(cmdCheck(&f, rest, a.stdout, a.stderr))
		},
	}
	fs := c.Flags()
	fs.StringVar(&f.server, "server", "", "the service's base `URL`, such as http://127.0.0.1:8080 (required)")
	fs.StringVar(&f.id, "id", "", "an `ID` echoed in the answer")
	fs.BoolVar(&f.jsonOut, "json", false, "print the server's answer as JSON")
	fs.DurationVar(&f.timeout, "timeout", 30*time.Second, "give up after this long")
	return c
}

// cmdCheck asks the server about one text.
func cmdCheck(f *checkFlags, rest []string, stdout, stderr io.Writer) int {
	server, id, timeout, jsonOut := f.server, f.id, f.timeout, f.jsonOut
	fail := func(code int, err error) int {
		fmt.Fprintf(stderr, "quchong check: %v\n", err)
		return code
	}
	switch {
	case server == "":
		return fail(exitUsage, errors.New("no server: give --server URL"))
	case len(rest) != 1:
		return fail(exitUsage, errors.New("give one TEXT, FILE or - (standard input)"))
	}
	text, err := checkText(rest[0])
	if err != nil {
		return fail(exitInput, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	c := &serve.Client{URL: server}
	rs, err := c.Check(ctx, []serve.Document{{ID: id, Text: &text}})
	if err != nil {
		return fail(exitFail, err)
	}
	if jsonOut {
		enc := json.NewEncoder(stdout)
		enc.SetEscapeHTML(false)
		enc.Encode(rs[0])
		return exitOK
	}
	if !rs[0].Duplicate {
		fmt.Fprintln(stdout, "unique")
		return exitOK
	}
	fmt.Fprintln(stdout, "duplicate")
	for _, m := range rs[0].Matches {
		fmt.Fprintf(stdout, "%s\t%s\t%.4f\n", m.ID, m.Reason, m.Similarity)
	}
	return exitOK
}

// checkText returns the text an argument gives: standard input for "-",
// a file's content when it names one, else the argument itself.
func checkText(arg string) (string, error) {
	if arg == "-" {
		b, err := io.ReadAll(os.Stdin)
		return string(b), err
	}
	if fi, err := os.Stat(arg); err == nil && fi.Mode().IsRegular() {
		b, err := os.ReadFile(arg)
		return string(b), err
	}
	return arg, nil
}
