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
  quchong explain [flags] A B --input INPUT...
                                          why two documents are (not) duplicates
  quchong eval --labels PAIRS --clusters DIR/clusters.jsonl
                                          score a run against labelled pairs
  quchong serve --index DIR [--addr HOST:PORT] [--token-file FILE]
                                          the duplicate-check service over an index
  quchong check TEXT|FILE --server URL     ask a running service about one text
  quchong index list|stats|verify|rollback DIR [VERSION]
                                          inspect, verify or roll back an index
  quchong version                         print the version
  quchong help [COMMAND]                  show help

Run "quchong help COMMAND" (or "quchong COMMAND --help") for the flags of
dedup, explain or eval, and of serve, check and index.
`

// commands are the commands that take flags, each run with its arguments.
var commands = map[string]func(args []string, stdout, stderr io.Writer) int{
	"dedup":   cmdDedup,
	"explain": cmdExplain,
	"eval":    cmdEval,
	"serve":   cmdServe,
	"index":   cmdIndex,
	"check":   cmdCheck,
}

// commandNames are every command usage lists, for suggestions.
var commandNames = []string{"dedup", "explain", "eval", "serve", "index", "check", "version", "help"}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	if cmd, ok := commands[args[0]]; ok {
		return cmd(args[1:], stdout, stderr)
	}
	switch args[0] {
	case "version", "--version", "-version":
		fmt.Fprintln(stdout, "quchong", version)
		return exitOK
	case "help", "-h", "-help", "--help":
		if len(args) == 1 {
			fmt.Fprint(stdout, usage)
			return exitOK
		}
		if cmd, ok := commands[args[1]]; ok {
			return cmd([]string{"--help"}, stdout, stderr)
		}
		switch args[1] {
		case "version", "help":
			fmt.Fprint(stdout, usage)
			return exitOK
		}
		return unknownCommand(args[1], stderr)
	}
	return unknownCommand(args[0], stderr)
}

// unknownCommand says that name is no command, suggests the nearest one
// and says where help is.
func unknownCommand(name string, stderr io.Writer) int {
	fmt.Fprintf(stderr, "quchong: unknown command %q\n", name)
	if s := suggest(name, commandNames); s != "" {
		fmt.Fprintf(stderr, "did you mean %q?\n", s)
	}
	fmt.Fprintln(stderr, `Run "quchong help" for the commands.`)
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
