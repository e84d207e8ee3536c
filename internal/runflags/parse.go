package runflags

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/pflag"
)

// Parse parses flags placed anywhere among the positional arguments, as
// users expect ("quchong-beam data/ -o out"), and returns the positional
// ones; "--" ends the flags. Single-dash long flags (-threshold 0.7), which
// the standard library's flag package accepted, are read as their
// double-dash form (see NormalizeArgs).
func Parse(fs *pflag.FlagSet, args []string) ([]string, error) {
	fs.SetInterspersed(true)
	if err := fs.Parse(NormalizeArgs(fs, args)); err != nil {
		return nil, err
	}
	return fs.Args(), nil
}

// NormalizeArgs rewrites every single-dash long flag of args (-threshold,
// -threshold=0.7, -resume) into its double-dash form, so that command lines
// written for the standard library's flag package, which accepted both, keep
// working under pflag, which reads "-abc" as the shorthands a, b and c.
// Flag values are left alone (in "--text-field -x", -x is the value), and so
// are single letters (-o DIR, -k 64), numbers (-1) and everything after
// "--". A name need not be defined to be rewritten: an unknown one is then
// reported as the long flag it was meant to be.
func NormalizeArgs(fs *pflag.FlagSet, args []string) []string {
	out := make([]string, 0, len(args))
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return append(out, args[i:]...)
		}
		if len(a) < 2 || a[0] != '-' {
			out = append(out, a)
			continue
		}
		long := a[1] == '-'
		name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !long && len(name) >= 2 && isFlagName(name) {
			a, long = "-"+a, true
		}
		out = append(out, a)
		var f *pflag.Flag
		switch {
		case long:
			f = fs.Lookup(name)
		case len(name) == 1:
			f = fs.ShorthandLookup(name)
		}
		// A flag that takes a value and was given none with "=" takes the
		// next argument, whatever it looks like.
		if f != nil && f.NoOptDefVal == "" && !hasValue && i+1 < len(args) {
			i++
			out = append(out, args[i])
		}
	}
	return out
}

// isFlagName reports whether s can be a flag's name: a letter, then
// letters, digits, '-' or '_'. It keeps negative numbers (-0.5) values.
func isFlagName(s string) bool {
	for i, c := range s {
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !letter && (i == 0 || !(c >= '0' && c <= '9' || c == '-' || c == '_')) {
			return false
		}
	}
	return s != ""
}

// Problem turns an error of fs.Parse into a line for people ("unknown flag
// --treshold") and, for an unknown flag near a defined one, a suggestion
// ("did you mean --threshold?"; "" when none is near enough).
func Problem(fs *pflag.FlagSet, err error) (problem, suggestion string) {
	var (
		ne *pflag.NotExistError
		ve *pflag.InvalidValueError
		re *pflag.ValueRequiredError
	)
	switch {
	case errors.As(err, &ne):
		name := ne.GetSpecifiedName()
		if ne.GetSpecifiedShortnames() != "" {
			return fmt.Sprintf("unknown flag -%s", name), ""
		}
		var names []string
		fs.VisitAll(func(f *pflag.Flag) {
			if !f.Hidden {
				names = append(names, f.Name)
			}
		})
		if s := Suggest(name, names); s != "" {
			suggestion = fmt.Sprintf("did you mean --%s?", s)
		}
		return fmt.Sprintf("unknown flag --%s", name), suggestion
	case errors.As(err, &ve):
		return fmt.Sprintf("invalid value %q for --%s: want %s", ve.GetValue(), ve.GetFlag().Name, typeWanted(ve.GetFlag())), ""
	case errors.As(err, &re):
		return fmt.Sprintf("flag --%s needs a value", re.GetFlag().Name), ""
	}
	return err.Error(), ""
}

// typeWanted says what a flag's value must be.
func typeWanted(f *pflag.Flag) string {
	switch t := f.Value.Type(); t {
	case "float64", "float32":
		return "a number"
	case "int", "int64", "int32":
		return "an integer"
	case "uint64", "uint", "uint32":
		return "an integer ≥ 0"
	case "bool":
		return "true or false"
	default:
		return "a " + t
	}
}

// Suggest returns the candidate nearest to word by edit distance, if it is
// within a third of the word's length (at least 1, at most 3 edits), or
// one that word is a prefix of; "" if none is. A word of one or two letters
// is near too many names to suggest one.
func Suggest(word string, candidates []string) string {
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
