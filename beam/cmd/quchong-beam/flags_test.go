package main

import (
	"flag"
	"strings"
	"testing"

	"github.com/quchong/quchong/internal/runflags"
	"github.com/quchong/quchong/stage"
)

// beamOnly are this command's flags that quchong dedup lacks.
var beamOnly = []string{"cc-rounds", "max-union-find-edges", "shards", "verbose"}

// The command registers exactly the run flags quchong dedup shares
// (runflags.Run) and its own pipeline flags.
func TestFlagsAreTheSharedRunFlags(t *testing.T) {
	shared := flag.NewFlagSet("run", flag.ContinueOnError)
	new(runflags.Run).Register(shared)
	ours := flag.NewFlagSet("beam", flag.ContinueOnError)
	new(dedupFlags).register(ours)
	want := map[string]bool{}
	shared.VisitAll(func(fl *flag.Flag) { want[fl.Name] = true })
	for _, name := range beamOnly {
		want[name] = true
	}
	got := map[string]bool{}
	ours.VisitAll(func(fl *flag.Flag) { got[fl.Name] = true })
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
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
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
		fs := flag.NewFlagSet("test", flag.ContinueOnError)
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
