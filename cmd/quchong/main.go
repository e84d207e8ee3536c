// Command quchong finds and removes exact and near-duplicate documents in
// text corpora. See README.md, or run quchong help.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// Exit codes, documented in README.md.
const (
	exitOK     = 0
	exitFail   = 1 // an unexpected failure
	exitUsage  = 2 // bad command line
	exitInput  = 3 // bad input data: unreadable or corrupt file, or a rejected document under --strict
	exitOutput = 4 // the outputs could not be written
	exitLost   = 5 // the run completed, but some input files could not be read to their end
)

const usage = `quchong: exact and near-duplicate removal for text corpora

Usage:
  quchong dedup [flags] INPUT... -o DIR   deduplicate files, directories or globs
  quchong eval --labels PAIRS --clusters DIR/clusters.jsonl
                                          score a run against labelled pairs
  quchong explain A B --input INPUT...    why two documents are (not) duplicates
  quchong version                         print the version
  quchong help [COMMAND]                  show help

Run "quchong help dedup" or "quchong help eval" for their flags.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	switch args[0] {
	case "dedup":
		return cmdDedup(args[1:], stdout, stderr)
	case "eval":
		return cmdEval(args[1:], stdout, stderr)
	case "explain":
		return cmdExplain(args[1:], stdout, stderr)
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, "quchong", version)
		return exitOK
	case "help", "-h", "-help", "--help":
		if len(args) > 1 {
			switch args[1] {
			case "dedup":
				return cmdDedup([]string{"--help"}, stdout, stderr)
			case "eval":
				return cmdEval([]string{"--help"}, stdout, stderr)
			case "explain":
				return cmdExplain([]string{"--help"}, stdout, stderr)
			}
		}
		fmt.Fprint(stdout, usage)
		return exitOK
	}
	fmt.Fprintf(stderr, "quchong: unknown command %q\n\n%s", args[0], usage)
	return exitUsage
}

// usageError marks a bad command line.
type usageError struct{ error }

func exitCode(err error, stderr io.Writer) int {
	fmt.Fprintln(stderr, "quchong:", err)
	var ue usageError
	if errors.As(err, &ue) {
		return exitUsage
	}
	return exitFail
}
