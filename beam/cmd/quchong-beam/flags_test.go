package main

import (
	"flag"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/quchong/quchong/internal/runflags"
	"github.com/quchong/quchong/stage"
)

// beamOnly are this command's flags that quchong dedup lacks.
var beamOnly = []string{"cc-rounds", "max-union-find-edges", "shards", "verbose"}

// The command registers exactly the run flags quchong dedup shares
// (runflags.Run) and its own pipeline flags.
func TestFlagsAreTheSharedRunFlags(t *testing.T) {
	shared := pflag.NewFlagSet("run", pflag.ContinueOnError)
	new(runflags.Run).Register(shared)
	ours := pflag.NewFlagSet("beam", pflag.ContinueOnError)
	new(dedupFlags).register(ours)
	want := map[string]bool{}
	shared.VisitAll(func(fl *pflag.Flag) { want[fl.Name] = true })
	for _, name := range beamOnly {
		want[name] = true
	}
	got := map[string]bool{}
	ours.VisitAll(func(fl *pflag.Flag) { got[fl.Name] = true })
	if len(got) != len(want) || len(want) < 25 {
		t.Errorf("quchong-beam has %d flags, want the %d shared run flags and %v", len(got), len(want)-len(beamOnly), beamOnly)
	}
	for name := range want {
		if !got[name] {
			t.Errorf("quchong-beam lacks --%s", name)
		}
	}
}

func TestFlagsDefaultParams(t *testing.T) {
	fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
	var f dedupFlags
	f.register(fs)
	if err := fs.Parse([]string{"-o", "x"}); err != nil {
		t.Fatal(err)
	}
	opt, err := f.options(nil)
	if err != nil {
		t.Fatal(err)
	}
	want := stage.DefaultParams()
	if opt.Params.Threshold != want.Threshold || opt.Params.K != want.K || opt.Params.Normalize != want.Normalize ||
		opt.Params.Shingle != want.Shingle || opt.Params.MinLength != want.MinLength || opt.Params.Verify != want.Verify {
		t.Errorf("default flags give %+v, want stage.DefaultParams %+v", opt.Params, want)
	}
}

func TestFlagErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{}, "no output directory"},
		{[]string{"-o", "x", "--tokens", "bytes"}, "--tokens"},
		{[]string{"-o", "x", "--keep", "best"}, "keep"},
		{[]string{"-o", "x", "--shards", "0"}, "--shards"},
		{[]string{"-o", "x", "--threshold", "2"}, "threshold"},
	}
	for _, tc := range tests {
		fs := pflag.NewFlagSet("test", pflag.ContinueOnError)
		var f dedupFlags
		f.register(fs)
		if err := fs.Parse(tc.args); err != nil {
			t.Fatal(err)
		}
		_, err := f.options(nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want one mentioning %q", tc.args, err, tc.want)
		}
	}
}

// TestBeamFlagsBridged: the Beam SDK's flags, registered on the standard
// library's flag.CommandLine, are parsed with the command's own (single- or
// double-dash, anywhere among the inputs), and a mistyped flag gets a
// suggestion.
func TestBeamFlagsBridged(t *testing.T) {
	runner := flag.CommandLine.Lookup("runner")
	if runner == nil {
		t.Fatal("the Beam SDK registers no --runner")
	}
	defer runner.Value.Set(runner.DefValue)
	var f dedupFlags
	fs := f.newFlagSet()
	inputs, err := runflags.Parse(fs, []string{"in.txt", "--runner=direct", "-o", "x", "-threshold", "0.7"})
	if err != nil {
		t.Fatal(err)
	}
	if runner.Value.String() != "direct" || len(inputs) != 1 || f.Out != "x" {
		t.Errorf("--runner %q, inputs %q, -o %q", runner.Value.String(), inputs, f.Out)
	}
	if !flag.CommandLine.Parsed() {
		t.Error("flag.CommandLine is not marked parsed")
	}
	fs = new(dedupFlags).newFlagSet()
	_, err = runflags.Parse(fs, []string{"--runnr=direct"})
	if problem, suggestion := runflags.Problem(fs, err); problem != "unknown flag --runnr" || suggestion != "did you mean --runner?" {
		t.Errorf("--runnr: %q, %q", problem, suggestion)
	}
}
