// Package pipeline is quchong's Apache Beam engine: the deduplication flow
// of the local engine (engine/local) as a Beam pipeline that calls the same
// stage functions (package stage), so Prism, Flink, Spark and Dataflow give
// the same clusters and the same kept documents as `quchong dedup`.
//
// The flow, with the shuffles (GroupByKey) marked ▸:
//
//	files ─ read+fingerprint (one file per element) ─┬─ file metas ─► offsets (side input)
//	                                                   └─ document batches ─ fan out
//	   ▸ exact hash shard ─ exact groups (smallest index = representative)
//	   ▸ band key shard: (band, key, index) ─ buckets of ≥ 2 ─ ▸ index shard: their
//	     members' signatures ─ ▸ link shard: stage.Link ─ ▸ pair shard ─ distinct pairs
//	   borderline pairs ─ re-read their texts ─ ▸ by A ─ ▸ by B ─ stage.Confirm
//	   edges ─ union-find on one worker (▸ one key), or large-star/small-star rounds (▸ per round)
//	   accepted pairs' documents ─ re-read their texts ─┐
//	   ▸ block of indices: labels ⋈ fingerprints ⋈ signatures ⋈ texts ─ ▸ cluster shard:
//	     stage.Decide (keep rule, every removal verified against the kept document)
//	   ▸ one key: clusters.jsonl, clusters numbered by their smallest member
//	   ▸ input file: kept/ and removed/ ─ ▸ one key: stats.json, rejected.jsonl
//
// Documents get the local engine's dense indices (input order across files,
// rejected records skipped): each file is read in one call, its count goes
// to a side input, and a document's index is its file's offset (a prefix sum)
// plus its ordinal in the file. Records move in batches (one element per
// shard per batch), so the number of Beam elements stays small.
package pipeline

import (
	"context"
	"fmt"
	"strconv"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/quchong/quchong/output"
)

func init() {
	register.DoFn4x1[context.Context, int, func([]byte), func([]byte), error](&readFn{})
	register.DoFn7x1[context.Context, []byte, func(*[]byte) bool, func(int, []byte), func(int, []byte), func(int, []byte), func(int, []byte), error](&fanFn{})
	register.DoFn6x1[context.Context, int, func(*[]byte) bool, func([]byte), func(int, []byte), func([]byte), error](&exactFn{})
	register.DoFn5x1[context.Context, int, func(*[]byte) bool, func(int, []byte), func(int, []byte), error](&bucketsFn{})
	register.DoFn4x1[context.Context, int, func(*[]byte) bool, func(int, []byte), error](&sigJoinFn{})
	register.DoFn5x1[context.Context, int, func(*[]byte) bool, func(int, []byte), func(int, []byte), error](&linkFn{})
	register.DoFn5x1[int, func(*[]byte) bool, func([]byte), func([]byte), func([]byte), error](&distinctFn{})
	register.DoFn2x1[[]byte, func([]byte), error](&needIdxFn{})
	register.DoFn5x1[context.Context, int, func(*[]byte) bool, func(*[]byte) bool, func(int, []byte), error](&rereadFn{})
	register.DoFn3x1[context.Context, []byte, func(int, []byte), error](&keyPairsFn{})
	register.DoFn5x1[context.Context, int, func(*[]byte) bool, func(int, []byte), func([]byte), error](&attachFn{})
	register.DoFn3x1[[]byte, func([]byte), func([]byte), error](&confirmFn{})
	register.DoFn2x1[[]byte, func([]byte), error](&pairEdgesFn{})
	register.DoFn2x1[[]byte, func(int), error](&countEdgesFn{})
	register.DoFn5x1[context.Context, []byte, func(*int) bool, func(int, []byte), func(int, []byte), error](&routeFn{})
	register.DoFn3x1[int, func(*[]byte) bool, func([]byte), error](&unionFindFn{})
	register.DoFn4x1[context.Context, int, func(*[]byte) bool, func(int, []byte), error](&starFn{})
	register.DoFn3x1[int, func(*[]byte) bool, func([]byte), error](&starLabelsFn{})
	register.DoFn3x1[context.Context, []byte, func(int, []byte), error](&labelsOutFn{})
	register.DoFn2x1[[]byte, func([]byte), error](&pairIdxFn{})
	register.DoFn4x1[context.Context, int, func(*[]byte) bool, func(int, []byte), error](&blockFn{})
	register.DoFn7x1[context.Context, int, func(*[]byte) bool, func(*[]byte) bool, func([]byte), func(int, []byte), func([]byte), error](&clusterFn{})
	register.DoFn2x0[[]byte, func(int, []byte)](&keyZeroFn{})
	register.DoFn3x1[context.Context, int, func(*[]byte) bool, error](&writeClustersFn{})
	register.DoFn2x1[int, func(int, []byte), error](&fileKVFn{})
	register.DoFn5x1[context.Context, int, func(*[]byte) bool, func(*[]byte) bool, func([]byte), error](&writeFn{})
	register.DoFn3x1[context.Context, int, func(*[]byte) bool, error](&statsFn{})
	register.DoFn2x1[[]byte, func([]byte), error](&metaStatFn{})
	register.Emitter1[[]byte]()
	register.Emitter1[int]()
	register.Emitter2[int, []byte]()
	register.Iter1[[]byte]()
	register.Iter1[int]()
}

// Config is everything the pipeline's workers need; it travels inside the
// DoFns, gob-encoded.
type Config struct {
	output.Job
	// Shards is the number of keys of each batched shuffle.
	Shards int
	// MaxUnionFindEdges bounds the edges clustered by union-find on one
	// worker; above it the large-star/small-star rounds run.
	MaxUnionFindEdges int64
	// StarRounds is the number of large-star/small-star round pairs built
	// into the graph (Beam pipelines have no loops).
	StarRounds int
}

// Options configures a run: the request every executor takes, and what is
// Beam's own. The request's inputs may be local paths or Beam filesystem
// URLs (gs://, s3://, memfs://), and its OutDir a local directory or a URL
// prefix (Force applies to a local one).
type Options struct {
	output.Request
	// Shards is the number of keys per batched shuffle; 0 means 64.
	Shards int
	// MaxUnionFindEdges: at most this many edges are clustered on one
	// worker with union-find; more go through large-star/small-star rounds.
	// 0 means 50,000,000 (about 400 MB of edges); negative forces the rounds.
	MaxUnionFindEdges int64
	// StarRounds is the number of large-star/small-star rounds; 0 means 24.
	// A run whose graph needs more fails with an error saying so.
	StarRounds int
}

// Defaults for Options.
const (
	DefaultShards            = 64
	DefaultMaxUnionFindEdges = 50_000_000
	DefaultStarRounds        = 24
)

// Prepare validates the options, inspects the inputs, prepares a local
// output directory and returns the Config the pipeline carries.
func Prepare(opt Options) (Config, error) {
	var cfg Config
	job, err := opt.Job()
	if err != nil {
		return cfg, err
	}
	cfg.Job = job
	cfg.Shards = opt.Shards
	if cfg.Shards <= 0 {
		cfg.Shards = DefaultShards
	}
	cfg.MaxUnionFindEdges = opt.MaxUnionFindEdges
	switch {
	case cfg.MaxUnionFindEdges == 0:
		cfg.MaxUnionFindEdges = DefaultMaxUnionFindEdges
	case cfg.MaxUnionFindEdges < 0:
		cfg.MaxUnionFindEdges = -1
	}
	cfg.StarRounds = opt.StarRounds
	if cfg.StarRounds <= 0 {
		cfg.StarRounds = DefaultStarRounds
	}
	if err := prepareOutDir(opt.OutDir, opt.Force, opt.Inputs); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// Build adds the deduplication pipeline for cfg to the scope.
func Build(s beam.Scope, cfg Config) error {
	raw, err := enc(cfg)
	if err != nil {
		return err
	}
	shards := cfg.Shards
	srcs := make([]int, len(cfg.Files))
	for i := range srcs {
		srcs[i] = i
	}
	files := beam.CreateList(s.Scope("files"), srcs)

	// Pass 1: read and fingerprint; dense indices from the file counts.
	metas, docs := beam.ParDo2(s.Scope("read"), &readFn{Cfg: raw}, files)
	metaSide := beam.SideInput{Input: metas}
	fan := beam.ParDoN(s.Scope("fan-out"), &fanFn{Cfg: raw}, docs, metaSide)
	exactKV, bandKV, sigKV, infoKV := fan[0], fan[1], fan[2], fan[3]

	// Exact duplicates.
	exactEdges, repsKV, exactStat := beam.ParDo3(s.Scope("exact"), &exactFn{Cfg: raw}, beam.GroupByKey(s.Scope("exact"), exactKV))

	// Candidate pairs: buckets from (band, key, index) alone, then the
	// members' signatures joined by index, then stage.Link per bucket (see
	// band.go); then distinct pairs.
	lists, wants := beam.ParDo2(s.Scope("buckets"), &bucketsFn{Shards: shards}, beam.GroupByKey(s.Scope("buckets"), bandKV))
	bucketSigs := beam.ParDo(s.Scope("signatures"), &sigJoinFn{K: cfg.Params.K},
		beam.GroupByKey(s.Scope("signatures"), beam.Flatten(s.Scope("signatures"), sigKV, wants)))
	pairsKV, blockSigs := beam.ParDo2(s.Scope("link"), &linkFn{Cfg: raw},
		beam.GroupByKey(s.Scope("link"), beam.Flatten(s.Scope("link"), lists, bucketSigs)))
	accepted, need, pairStat := beam.ParDo3(s.Scope("distinct"), &distinctFn{}, beam.GroupByKey(s.Scope("distinct"), pairsKV))

	// Borderline pairs decided on their texts.
	checked := textSimilarities(s.Scope("confirm"), raw, shards, files, metaSide, need)
	acceptedText, confirmStat := beam.ParDo2(s.Scope("confirm"), &confirmFn{Threshold: cfg.Params.Threshold}, checked)
	allAccepted := beam.Flatten(s.Scope("accepted"), accepted, acceptedText)

	// Connected components.
	edges := beam.Flatten(s.Scope("edges"), exactEdges, beam.ParDo(s.Scope("edges"), &pairEdgesFn{}, allAccepted))
	labels := components(s.Scope("components"), cfg, edges)

	// Clusters: each component joined with its members' fingerprints,
	// signatures and (for the documents of accepted pairs) texts, then
	// decided by stage.Decide on its cluster shard.
	blockLabels := beam.ParDo(s.Scope("labels"), &labelsOutFn{}, labels)
	texts := beam.ParDo(s.Scope("cluster-texts"), &rereadFn{Cfg: raw, ByBlock: true}, files, metaSide,
		beam.SideInput{Input: beam.ParDo(s.Scope("cluster-texts"), &pairIdxFn{}, allAccepted)})
	blocks := beam.GroupByKey(s.Scope("block-join"), beam.Flatten(s.Scope("block-join"), infoKV, repsKV, blockLabels, blockSigs, texts))
	members := beam.ParDo(s.Scope("block-join"), &blockFn{Shards: shards, K: cfg.Params.K}, blocks)
	lines, decs, clusterStat := beam.ParDo3(s.Scope("keep"), &clusterFn{Cfg: raw}, beam.GroupByKey(s.Scope("keep"), members), metaSide)

	// Outputs.
	noLines, err := enc([]lineRec{}) // so that clusters.jsonl is written even when empty
	if err != nil {
		return err
	}
	allLines := beam.Flatten(s.Scope("clusters.jsonl"), lines, beam.Create(s.Scope("clusters.jsonl"), noLines))
	beam.ParDo0(s.Scope("clusters.jsonl"), &writeClustersFn{OutDir: cfg.OutDir},
		beam.GroupByKey(s.Scope("clusters.jsonl"), beam.ParDo(s.Scope("clusters.jsonl"), &keyZeroFn{}, allLines)))
	writeJoin := beam.GroupByKey(s.Scope("write"), beam.Flatten(s.Scope("write"), decs, beam.ParDo(s.Scope("write"), &fileKVFn{}, files)))
	writeStat := beam.ParDo(s.Scope("write"), &writeFn{Cfg: raw}, writeJoin, metaSide)
	stats := beam.Flatten(s.Scope("stats"), beam.ParDo(s.Scope("stats"), &metaStatFn{}, metas),
		exactStat, pairStat, confirmStat, clusterStat, writeStat)
	beam.ParDo0(s.Scope("stats"), &statsFn{Cfg: raw}, beam.GroupByKey(s.Scope("stats"), beam.ParDo(s.Scope("stats"), &keyZeroFn{}, stats)))
	return nil
}

// textSimilarities computes the true similarity of each tpair: the files
// holding their documents are read again, the needed texts normalised and
// joined to the pairs by A, then by B.
func textSimilarities(s beam.Scope, raw []byte, shards int, files beam.PCollection, metaSide beam.SideInput, pairs beam.PCollection) beam.PCollection {
	needIdx := beam.ParDo(s, &needIdxFn{}, pairs)
	texts := beam.ParDo(s, &rereadFn{Cfg: raw}, files, metaSide, beam.SideInput{Input: needIdx})
	byA := beam.ParDo(s, &keyPairsFn{Shards: shards}, pairs)
	withA, _ := beam.ParDo2(s, &attachFn{Cfg: raw}, beam.GroupByKey(s, beam.Flatten(s, texts, byA)))
	_, done := beam.ParDo2(s, &attachFn{Cfg: raw, Second: true}, beam.GroupByKey(s, beam.Flatten(s, texts, withA)))
	return done
}

// components labels every vertex of the edges with its component's smallest
// vertex, by union-find on one worker or by large-star/small-star rounds.
func components(s beam.Scope, cfg Config, edges beam.PCollection) beam.PCollection {
	counts := beam.ParDo(s, &countEdgesFn{}, edges)
	single, star := beam.ParDo2(s, &routeFn{Max: cfg.MaxUnionFindEdges, Shards: cfg.Shards}, edges, beam.SideInput{Input: counts})
	ufLabels := beam.ParDo(s.Scope("union-find"), &unionFindFn{}, beam.GroupByKey(s.Scope("union-find"), single))
	cur := star
	for r := 0; r < cfg.StarRounds; r++ {
		rs := s.Scope("star-round-" + strconv.Itoa(r+1))
		cur = beam.ParDo(rs, &starFn{Large: true, Shards: cfg.Shards}, beam.GroupByKey(rs, cur))
		cur = beam.ParDo(rs, &starFn{Large: false, Shards: cfg.Shards}, beam.GroupByKey(rs, cur))
	}
	starOut := beam.ParDo(s.Scope("star-labels"), &starLabelsFn{Rounds: cfg.StarRounds}, beam.GroupByKey(s.Scope("star-labels"), cur))
	return beam.Flatten(s, ufLabels, starOut)
}

// assembleStats builds stats.json from the pipeline's pieces, with the local
// engine's schema. Timings, wall and CPU time are not measured here.
func assembleStats(cfg *Config, parts []statPart) *output.Stats {
	counts := make([]output.Counts, len(cfg.Files))
	s := &output.Stats{Tool: "quchong", Version: output.Version}
	s.Clustering.Mode = cfg.Params.Cluster.String()
	for _, p := range parts {
		if m := p.Meta; m != nil {
			c := &counts[m.Source]
			c.Read, c.Rejected, c.RejectedBy, c.InputBytes = m.Counts.Read, m.Counts.Rejected, m.Counts.RejectedBy, m.Counts.InputBytes
		}
		if w := p.Write; w != nil {
			c := &counts[w.Source]
			c.Kept, c.RemovedExact, c.RemovedNear, c.Removed = w.Kept, w.RmExact, w.RmNear, w.RmExact+w.RmNear
		}
		v := &s.Verification
		v.ExactGroups += p.ExactGroups
		v.CandidatePairs += p.CandidatePairs
		v.AcceptedBySignature += p.AcceptedBySig
		v.TextChecked += p.TextChecked
		v.AcceptedByText += p.AcceptedByText
		s.Clusters += int(p.Clusters)
		s.Clustering.Merge(p.Clustering)
	}
	faults := make([]string, len(cfg.Files))
	for _, p := range parts {
		if m := p.Meta; m != nil {
			faults[m.Source] = m.Fault
		}
	}
	s.Inputs = []output.FileStats{}
	for i, f := range cfg.Files {
		s.Inputs = append(s.Inputs, output.FileStats{Path: f.Path, Output: f.Output, Format: f.Format.String(), Compression: f.Compression.String(), Fault: faults[i], Counts: counts[i]})
		s.Total.Add(counts[i])
		if faults[i] != "" {
			s.Faults = append(s.Faults, faults[i])
		}
	}
	s.Params = output.NewParamsReport(cfg.Params, cfg.Corpus, cfg.Strict)
	s.Stages = []output.StageTiming{}
	return s
}

// Run prepares the run, builds the pipeline and executes it with the named
// runner ("prism" runs in process). It returns the Beam result, whose
// metrics hold the documents read and the bytes of each shuffle.
func Run(ctx context.Context, runner string, opt Options) (beam.PipelineResult, error) {
	release, err := LockOutDir(opt.OutDir)
	if err != nil {
		return nil, err
	}
	defer release()
	cfg, err := Prepare(opt)
	if err != nil {
		return nil, err
	}
	p, s := beam.NewPipelineWithRoot()
	if err := Build(s, cfg); err != nil {
		return nil, err
	}
	res, err := beam.Run(ctx, runner, p)
	if err != nil {
		return nil, fmt.Errorf("run on %s: %w", runner, err)
	}
	return res, nil
}
