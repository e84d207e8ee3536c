package runflags

import (
	"slices"
	"testing"

	"github.com/quchong/quchong/stage"
)

// TestParse: flags anywhere among the arguments, in the double-dash form
// or the standard library's single-dash one, and "--" ending them.
func TestParse(t *testing.T) {
	tests := []struct {
		args, pos []string
		out, text string
		threshold float64
		removed   bool
	}{
		{args: []string{"a", "-o", "x", "b"}, pos: []string{"a", "b"}, out: "x"},
		{args: []string{"-o", "x", "a"}, pos: []string{"a"}, out: "x"},
		{args: []string{"-o=x", "a"}, pos: []string{"a"}, out: "x"},
		{args: []string{"a", "--", "-o"}, pos: []string{"a", "-o"}},
		{args: []string{"a", "-threshold", "0.5", "-removed", "-o", "x"}, pos: []string{"a"}, out: "x", threshold: 0.5, removed: true},
		{args: []string{"-threshold=0.65", "a", "--removed=false"}, pos: []string{"a"}, threshold: 0.65},
		// A value that looks like a flag stays a value.
		{args: []string{"--text-field", "-removed", "a"}, pos: []string{"a"}, text: "-removed"},
		{args: []string{"-text-field", "-x", "-", "--output", "y"}, pos: []string{"-"}, out: "y", text: "-x"},
		{args: nil, pos: []string{}},
	}
	for _, tt := range tests {
		fs := newFlagSet()
		var r Run
		r.Register(fs)
		pos, err := Parse(fs, tt.args)
		if tt.threshold == 0 {
			tt.threshold = stage.DefaultParams().Threshold
		}
		if tt.text == "" {
			tt.text = "text"
		}
		if err != nil || !slices.Equal(pos, tt.pos) || r.Out != tt.out || r.p.Threshold != tt.threshold || r.TextField != tt.text || r.Removed != tt.removed {
			t.Errorf("%q: positional %q, -o %q, threshold %v, text-field %q, removed %v, err %v; want %q, %q, %v, %q, %v",
				tt.args, pos, r.Out, r.p.Threshold, r.TextField, r.Removed, err, tt.pos, tt.out, tt.threshold, tt.text, tt.removed)
		}
	}
}

// TestProblem: a parse error said for people, with a suggestion for a
// mistyped flag.
func TestProblem(t *testing.T) {
	tests := []struct {
		args                []string
		problem, suggestion string
	}{
		{[]string{"--treshold", "0.7"}, "unknown flag --treshold", "did you mean --threshold?"},
		{[]string{"-thresold=0.7"}, "unknown flag --thresold", "did you mean --threshold?"},
		{[]string{"--lsh-treshold", "0.5"}, "unknown flag --lsh-treshold", "did you mean --lsh-threshold?"},
		{[]string{"--remvoed"}, "unknown flag --remvoed", "did you mean --removed?"},
		{[]string{"--frobnicate"}, "unknown flag --frobnicate", ""},
		{[]string{"-x"}, "unknown flag -x", ""},
		{[]string{"--threshold", "abc"}, `invalid value "abc" for --threshold: want a number`, ""},
		{[]string{"-k", "many"}, `invalid value "many" for --k: want an integer`, ""},
		{[]string{"--threshold"}, "flag --threshold needs a value", ""},
	}
	for _, tt := range tests {
		fs := newFlagSet()
		new(Run).Register(fs)
		_, err := Parse(fs, tt.args)
		if err == nil {
			t.Errorf("%q: no error", tt.args)
			continue
		}
		problem, suggestion := Problem(fs, err)
		if problem != tt.problem || suggestion != tt.suggestion {
			t.Errorf("%q: %q, %q; want %q, %q", tt.args, problem, suggestion, tt.problem, tt.suggestion)
		}
	}
}

func TestSuggest(t *testing.T) {
	names := []string{"threshold", "lsh-threshold", "removed", "dry-run", "k", "o", "keep"}
	tests := []struct{ word, want string }{
		{"treshold", "threshold"},
		{"threshhold", "threshold"},
		{"lsh-treshold", "lsh-threshold"},
		{"remvoed", "removed"},
		{"dry", "dry-run"},
		{"kep", "keep"},
		{"x", ""},
		{"zzzzzz", ""},
	}
	for _, tt := range tests {
		if got := Suggest(tt.word, names); got != tt.want {
			t.Errorf("Suggest(%q) = %q, want %q", tt.word, got, tt.want)
		}
	}
}
