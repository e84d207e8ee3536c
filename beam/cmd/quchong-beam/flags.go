package main

import (
	"flag"
	"fmt"

	"github.com/spf13/pflag"

	"github.com/quchong/quchong/beam/pipeline"
	"github.com/quchong/quchong/internal/runflags"
)

// dedupFlags are `quchong dedup`'s run flags (package runflags, the same
// registration, so the two commands cannot drift apart) plus the pipeline's
// own. The local engine's knobs (--workers, --memory, --resume,
// --cpuprofile, --json, --no-report, --log-format) have no meaning here; the
// Beam runner's flags (--runner, --endpoint, --environment_type, ...)
// replace them: they live on the standard library's flag.CommandLine, where
// the SDK reads them, and newFlagSet bridges them into this command's set.
type dedupFlags struct {
	runflags.Run
	shards     int
	maxUFEdges int64
	ccRounds   int
	verbose    bool
}

// newFlagSet returns the command's flags: the run flags, the pipeline's and
// the Beam SDK's.
func (f *dedupFlags) newFlagSet() *pflag.FlagSet {
	fs := pflag.NewFlagSet("quchong-beam", pflag.ContinueOnError)
	f.register(fs)
	fs.BoolP("help", "h", false, "print this help")
	fs.AddGoFlagSet(flag.CommandLine)
	return fs
}

func (f *dedupFlags) register(fs *pflag.FlagSet) {
	f.Run.Register(fs)
	fs.IntVar(&f.shards, "shards", pipeline.DefaultShards, "keys per batched shuffle (records travel in one element per shard per batch)")
	fs.Int64Var(&f.maxUFEdges, "max-union-find-edges", pipeline.DefaultMaxUnionFindEdges, "cluster on one worker with union-find up to this many edges; above, run large-star/small-star rounds (negative: always the rounds)")
	fs.BoolVar(&f.verbose, "verbose", false, "also print Beam's log lines below warnings and the pipeline's counters")
	fs.IntVar(&f.ccRounds, "cc-rounds", pipeline.DefaultStarRounds, "large-star/small-star rounds built into the pipeline; a graph that needs more fails the run with an error")
}

// options validates the flags and returns the pipeline options.
func (f *dedupFlags) options(inputs []string) (pipeline.Options, error) {
	var opt pipeline.Options
	req, err := f.Run.Request()
	if err != nil {
		return opt, err
	}
	req.Inputs = inputs
	if f.shards < 1 {
		return opt, fmt.Errorf("--shards %d: want ≥ 1", f.shards)
	}
	if f.ccRounds < 1 {
		return opt, fmt.Errorf("--cc-rounds %d: want ≥ 1", f.ccRounds)
	}
	maxUF := f.maxUFEdges
	if maxUF == 0 {
		maxUF = -1 // 0 edges allowed on one worker: always the rounds
	}
	return pipeline.Options{
		Request:           req,
		Shards:            f.shards,
		MaxUnionFindEdges: maxUF,
		StarRounds:        f.ccRounds,
	}, nil
}
