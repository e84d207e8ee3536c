package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/quchong/quchong/internal/runflags"
)

// parseFlags parses a command's flags, placed anywhere among its arguments.
// On --help it prints the command's usage (fs.Usage) on stdout. On a bad
// flag it prints the problem, a suggestion for a mistyped name and one line
// on where help is, not the whole usage. ok is false when the command
// should end with code.
func parseFlags(cmd string, fs *flag.FlagSet, args []string, stdout, stderr io.Writer) (pos []string, code int, ok bool) {
	usage := fs.Usage
	fs.Usage = func() {}
	fs.SetOutput(io.Discard)
	pos, err := runflags.ParseInterspersed(fs, args)
	fs.Usage = usage
	fs.SetOutput(stderr)
	if errors.Is(err, flag.ErrHelp) {
		fs.SetOutput(stdout)
		fs.Usage()
		fs.SetOutput(stderr)
		return nil, exitOK, false
	}
	if err != nil {
		if name, found := strings.CutPrefix(err.Error(), "flag provided but not defined: "); found {
			name = strings.TrimLeft(name, "-")
			fmt.Fprintf(stderr, "quchong %s: unknown flag --%s\n", cmd, name)
			if s := suggestFlag(fs, name); s != "" {
				fmt.Fprintf(stderr, "did you mean --%s?\n", s)
			}
		} else {
			fmt.Fprintf(stderr, "quchong %s: %v\n", cmd, err)
		}
		fmt.Fprintf(stderr, "Run \"quchong help %s\" for its flags.\n", cmd)
		return nil, exitUsage, false
	}
	return pos, exitOK, true
}

// suggestFlag returns the defined flag nearest to name, if one is near
// enough to be what was meant.
func suggestFlag(fs *flag.FlagSet, name string) string {
	var names []string
	fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
	return suggest(name, names)
}

// suggest returns the candidate nearest to word by edit distance, if it is
// within a third of the word's length (at least 1, at most 3 edits), or
// one that word is a prefix of; "" if none is. A word of one or two letters
// is near too many names to suggest one.
func suggest(word string, candidates []string) string {
	if len([]rune(word)) < 3 {
		return ""
	}
	best, bestD := "", min(3, max(1, len([]rune(word))/3))+1
	for _, c := range candidates {
		d := editDistance(word, c)
		if strings.HasPrefix(c, word) {
			d = min(d, 1)
		}
		if d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// editDistance is the Damerau–Levenshtein distance (optimal string
// alignment: an adjacent transposition counts as one edit) of a and b.
func editDistance(a, b string) int {
	x, y := []rune(a), []rune(b)
	d := make([][]int, len(x)+1)
	for i := range d {
		d[i] = make([]int, len(y)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(x); i++ {
		for j := 1; j <= len(y); j++ {
			cost := 1
			if x[i-1] == y[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && x[i-1] == y[j-2] && x[i-2] == y[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(x)][len(y)]
}
