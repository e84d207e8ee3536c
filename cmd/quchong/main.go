// Command quchong finds and removes exact and near-duplicate documents in
// text corpora. See README.md, or run quchong help.
//
// The command line is built on cobra (github.com/spf13/cobra): one tree of
// commands gives the help, the suggestions for mistyped commands, the flag
// parsing and the shell completion scripts (quchong completion SHELL).
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/quchong/quchong/internal/runflags"
	"github.com/quchong/quchong/output"
)

const version = output.Version

// Exit codes, documented in README.md (and exitInterrupt, exitTerminate in
// signal.go).
const (
	exitOK     = 0
	exitFail   = 1 // an unexpected failure
	exitUsage  = 2 // bad command line
	exitInput  = 3 // bad input data: unreadable or corrupt file, or a rejected document under --strict
	exitOutput = 4 // the outputs could not be written
	exitLost   = 5 // the run completed, but some input files could not be read to their end
)

// Command groups of quchong help.
const (
	groupMain  = "main"
	groupOther = "other"
)

// app is what every command needs from its invocation.
type app struct {
	args           []string // the command line, without the program name
	stdout, stderr io.Writer
}

// exitStatus is the error a command returns to end with a code other than
// 0, having said why itself.
type exitStatus int

func (e exitStatus) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// status turns a command's exit code into its RunE result.
func status(code int) error {
	if code == exitOK {
		return nil
	}
	return exitStatus(code)
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run runs the command line args and returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	a := &app{args: args, stdout: stdout, stderr: stderr}
	root := newRootCmd(a)
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") && !isCompletionRequest(args[0]) {
		if c, _, err := root.Find(args[:1]); err != nil || c == root {
			return unknownCommand(root, args[0], stderr)
		}
	}
	if len(args) == 0 || !isCompletionRequest(args[0]) {
		args = normalizeArgs(root, args)
	}
	root.SetArgs(args)
	c, err := root.ExecuteC()
	return exitCode(c, err, stderr)
}

// newRootCmd builds the command tree. Every command of quchong is one of
// its children, so that help, suggestions and completion know it.
func newRootCmd(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:     "quchong",
		Short:   "exact and near-duplicate removal for text corpora",
		Version: version,
		Args:    cobra.ArbitraryArgs,
		// Without a command: the usage, on stderr, and exit code 2.
		RunE: func(c *cobra.Command, _ []string) error {
			printRootHelp(a.stderr, c)
			return exitStatus(exitUsage)
		},
		SilenceErrors: true,
		SilenceUsage:  true,
		// Suggest a command up to two edits away (cobra's default, which
		// it sets only when it suggests itself).
		SuggestionsMinimumDistance: 2,
	}
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	root.SetVersionTemplate("quchong {{.Version}}\n")
	root.AddGroup(&cobra.Group{ID: groupMain, Title: "Usage:"}, &cobra.Group{ID: groupOther, Title: "Other commands:"})
	root.AddCommand(newDedupCmd(a), newExplainCmd(a), newEvalCmd(a), newLinesCmd(a), newSubstrCmd(a), newServeCmd(a), newCheckCmd(a), newIndexCmd(a), &cobra.Command{
		Use:     "version",
		Short:   "print the version",
		Args:    cobra.NoArgs,
		GroupID: groupOther,
		Run:     func(c *cobra.Command, _ []string) { fmt.Fprintln(a.stdout, "quchong", version) },
	})
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return flagError{cmd: c, err: err} })
	root.SetHelpFunc(func(c *cobra.Command, _ []string) {
		if c == root {
			printRootHelp(c.OutOrStdout(), c)
		} else {
			printCommandHelp(c.OutOrStdout(), c)
		}
	})
	root.SetHelpCommand(newHelpCmd(root))
	root.SetHelpCommandGroupID(groupOther)
	root.SetCompletionCommandGroupID(groupOther)
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() == "completion" {
			c.Use = "completion bash|zsh|fish|powershell"
			c.Short = "print a shell completion script"
			// An unknown shell is a bad command line, not a request for help.
			c.Args = cobra.ArbitraryArgs
			c.RunE = func(c *cobra.Command, args []string) error {
				if len(args) == 0 {
					return c.Help()
				}
				return fmt.Errorf("unknown shell %q: want bash, zsh, fish or powershell", args[0])
			}
		}
	}
	registerCompletions(root)
	return root
}

// isCompletionRequest reports whether name is the hidden command by which
// the completion scripts ask for completions.
func isCompletionRequest(name string) bool {
	return name == cobra.ShellCompRequestCmd || name == cobra.ShellCompNoDescRequestCmd
}

// normalizeArgs rewrites the single-dash long flags (-threshold) of the
// command that args run into the double-dash form pflag reads.
func normalizeArgs(root *cobra.Command, args []string) []string {
	c := root
	rest := args
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		if found, r, err := root.Find(args); err == nil {
			c, rest = found, r
		}
	}
	c.InitDefaultHelpFlag()
	c.InitDefaultVersionFlag()
	// The words that named the command stay in front.
	head := args[:len(args)-len(rest)]
	if len(rest) > len(args) || !slicesHasSuffix(args, rest) {
		head, rest = nil, args
	}
	return append(append([]string(nil), head...), runflags.NormalizeArgs(c.Flags(), rest)...)
}

// slicesHasSuffix reports whether s ends with suffix.
func slicesHasSuffix(s, suffix []string) bool {
	if len(suffix) > len(s) {
		return false
	}
	for i := range suffix {
		if s[len(s)-len(suffix)+i] != suffix[i] {
			return false
		}
	}
	return true
}

// exitCode says what went wrong, if the command did not, and returns the
// exit code.
func exitCode(c *cobra.Command, err error, stderr io.Writer) int {
	var (
		st exitStatus
		fe flagError
	)
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &st):
		return int(st)
	case errors.As(err, &fe):
		problem, suggestion := runflags.Problem(fe.cmd.Flags(), fe.err)
		fmt.Fprintf(stderr, "%s: %s\n", fe.cmd.CommandPath(), problem)
		if suggestion != "" {
			fmt.Fprintln(stderr, suggestion)
		}
		fmt.Fprintln(stderr, whereHelpIs(fe.cmd))
		return exitUsage
	}
	// A bad command line that cobra found (arguments to a command that
	// takes none, an unknown subcommand).
	path := "quchong"
	if c != nil {
		path = c.CommandPath()
	}
	fmt.Fprintf(stderr, "%s: %v\n", path, err)
	if c != nil {
		fmt.Fprintln(stderr, whereHelpIs(c))
	}
	return exitUsage
}

// flagError is a command line that the command's flags could not parse.
type flagError struct {
	cmd *cobra.Command
	err error
}

func (e flagError) Error() string { return e.err.Error() }
func (e flagError) Unwrap() error { return e.err }
