package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
)

// helpColumn is where the one-line descriptions of quchong help start.
const helpColumn = 42

// printRootHelp prints quchong's usage: every command, each the same way
// (its usage line and what it does), from the command tree, so that a new
// command is listed without more code.
func printRootHelp(w io.Writer, root *cobra.Command) {
	fmt.Fprintf(w, "%s: %s\n", root.Name(), root.Short)
	for _, g := range root.Groups() {
		fmt.Fprintf(w, "\n%s\n", g.Title)
		for _, c := range root.Commands() {
			if c.GroupID == g.ID && (c.IsAvailableCommand() || c == helpCommand(root)) {
				listCommand(w, c)
			}
		}
	}
	fmt.Fprintf(w, "\nRun \"%[1]s help COMMAND\" (or \"%[1]s COMMAND --help\") for a command's flags.\n", root.Name())
}

// helpCommand returns the root's help command.
func helpCommand(root *cobra.Command) *cobra.Command {
	c, _, err := root.Find([]string{"help"})
	if err != nil {
		return nil
	}
	return c
}

// listCommand prints c's first usage line and its one-line description.
func listCommand(w io.Writer, c *cobra.Command) {
	use, _, _ := strings.Cut(c.Use, "\n")
	line := "  " + c.Parent().CommandPath() + " " + use
	if len(line) <= helpColumn-3 { // at least three spaces before the description
		fmt.Fprintf(w, "%-*s%s\n", helpColumn, line, c.Short)
	} else {
		fmt.Fprintf(w, "%s\n%*s%s\n", line, helpColumn, "", c.Short)
	}
}

// printCommandHelp prints a command's help: its usage lines, what it does,
// its subcommands and its flags.
func printCommandHelp(w io.Writer, c *cobra.Command) {
	for i, use := range strings.Split(c.Use, "\n") {
		label := "Usage:"
		if i > 0 {
			label = "      "
		}
		fmt.Fprintf(w, "%s %s %s\n", label, c.Parent().CommandPath(), use)
	}
	if long := strings.TrimSpace(c.Long); long != "" {
		fmt.Fprintf(w, "\n%s\n", long)
	} else if c.Short != "" {
		fmt.Fprintf(w, "\n%s.\n", strings.ToUpper(c.Short[:1])+c.Short[1:])
	}
	if c.HasAvailableSubCommands() {
		fmt.Fprintf(w, "\nCommands:\n")
		for _, sub := range c.Commands() {
			if sub.IsAvailableCommand() {
				listCommand(w, sub)
			}
		}
	}
	if c.HasAvailableLocalFlags() {
		fmt.Fprintf(w, "\nFlags:\n%s", c.LocalFlags().FlagUsagesWrapped(80))
	}
}

// newHelpCmd is `quchong help [COMMAND]`: cobra's help command, but an
// unknown command is an error (exit code 2) with a suggestion.
func newHelpCmd(root *cobra.Command) *cobra.Command {
	return &cobra.Command{
		Use:   "help [COMMAND]",
		Short: "show help",
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) == 0 {
				return root.Help()
			}
			target, rest, err := root.Find(args)
			if err != nil || target == root || len(rest) > 0 {
				return exitStatus(unknownCommand(root, strings.Join(args, " "), c.ErrOrStderr()))
			}
			target.InitDefaultHelpFlag()
			return target.Help()
		},
		ValidArgsFunction: func(c *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
			var names []cobra.Completion
			if len(args) == 0 {
				for _, sub := range root.Commands() {
					if sub.IsAvailableCommand() {
						names = append(names, cobra.CompletionWithDesc(sub.Name(), sub.Short))
					}
				}
			}
			return names, cobra.ShellCompDirectiveNoFileComp
		},
	}
}

// unknownCommand says that name is no command, suggests the nearest one
// and says where help is.
func unknownCommand(root *cobra.Command, name string, stderr io.Writer) int {
	fmt.Fprintf(stderr, "quchong: unknown command %q\n", name)
	if s := root.SuggestionsFor(name); len(s) > 0 {
		fmt.Fprintf(stderr, "did you mean %q?\n", s[0])
	}
	fmt.Fprintln(stderr, `Run "quchong help" for the commands.`)
	return exitUsage
}

// whereHelpIs is the line that follows a bad command line.
func whereHelpIs(c *cobra.Command) string {
	if !c.HasParent() {
		return `Run "quchong help" for the commands.`
	}
	return fmt.Sprintf("Run \"%s help %s\" for its flags.", c.Root().Name(), strings.TrimPrefix(c.CommandPath(), c.Root().Name()+" "))
}

// flagValues are the values that completion offers for the flags that
// take one of a few words.
var flagValues = map[string][]string{
	"format":             {"auto", "txt", "jsonl", "parquet"},
	"tokens":             {"chars", "words"},
	"cluster":            {"verified", "connected"},
	"compression-level":  {"fast", "default", "better", "best"},
	"output-compression": {"same", "none", "gzip", "zstd"},
	"log-format":         {"text", "json"},
	"color":              {"auto", "always", "never"},
	"keep":               {"first", "longest", "fewest-masks"},
	"unit":               {"line", "paragraph", "sentence"},
}

// registerCompletions offers the values of the flags that take one of a few
// words, in every command that has them.
func registerCompletions(root *cobra.Command) {
	for _, c := range root.Commands() {
		for name, values := range flagValues {
			if c.Flags().Lookup(name) != nil {
				_ = c.RegisterFlagCompletionFunc(name, cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp))
			}
		}
	}
}
