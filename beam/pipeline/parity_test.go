package pipeline

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/runners/prism"
	"github.com/klauspost/compress/zstd"

	"github.com/quchong/quchong/corpus"
	"github.com/quchong/quchong/internal/enginetest"
	"github.com/quchong/quchong/keep"
	"github.com/quchong/quchong/stage"
)

var (
	seedPath  = enginetest.Seed
	zhMixPath = enginetest.ZhMix10
	readFile  = enginetest.ReadFile
)

// runBoth runs the local engine and the Beam pipeline on Prism over the same
// inputs and returns their output directories.
func runBoth(t *testing.T, inputs []string, copt corpus.Options, p stage.Params, bopt Options) (localDir, beamDir string, res beam.PipelineResult) {
	t.Helper()
	ctx := context.Background()
	beamDir = filepath.Join(t.TempDir(), "beam")
	t0 := time.Now()
	localDir = enginetest.RunLocal(t, inputs, copt, p)
	t1 := time.Now()
	bopt.Inputs, bopt.Corpus, bopt.Params, bopt.OutDir, bopt.WriteRemoved = inputs, copt, p, beamDir, true
	res, err := Run(ctx, "prism", bopt)
	if err != nil {
		t.Fatalf("beam run: %v", err)
	}
	t.Logf("local %.2fs, beam on prism %.2fs", t1.Sub(t0).Seconds(), time.Since(t1).Seconds())
	return localDir, beamDir, res
}

// compareOutputs asserts identical clusters.jsonl, rejected.jsonl, kept/
// and removed/ files, and identical stats.json but for timings.
func compareOutputs(t *testing.T, localDir, beamDir string) {
	t.Helper()
	enginetest.Compare(t, localDir, beamDir, "beam")
}

func TestParitySeed(t *testing.T) {
	tests := []struct {
		name string
		keep string
		opt  Options
		copt corpus.Options
	}{
		{"union-find", "first", Options{}, corpus.Options{}},
		{"star-rounds", "longest", Options{MaxUnionFindEdges: -1, Shards: 3}, corpus.Options{}},
		{"output-zstd", "first", Options{}, corpus.Options{Output: corpus.OutputZstd}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := stage.DefaultParams()
			var err error
			if p.Keep, err = keep.Parse(tc.keep); err != nil {
				t.Fatal(err)
			}
			l, b, _ := runBoth(t, []string{seedPath}, tc.copt, p, tc.opt)
			compareOutputs(t, l, b)
			if tc.copt.Output == corpus.OutputZstd {
				if _, err := os.Stat(filepath.Join(l, "kept", "seed.txt.zst")); err != nil {
					t.Errorf("local kept/seed.txt.zst: %v", err)
				}
			}
			if len(readFile(t, filepath.Join(l, "clusters.jsonl"))) == 0 {
				t.Error("the seed has duplicates but clusters.jsonl is empty")
			}
		})
	}
}

// Components that chain (A~B~C with A≁C, and a family of templated man
// pages) are split by the cluster decision in both engines alike, and kept
// whole with --cluster connected.
func TestParityChains(t *testing.T) {
	for _, in := range []string{"../../testdata/chain.txt", "../../testdata/templated/coreutils-man.jsonl"} {
		for _, mode := range []stage.ClusterMode{stage.Verified, stage.Connected} {
			t.Run(filepath.Base(in)+"/"+mode.String(), func(t *testing.T) {
				p := stage.DefaultParams()
				p.Cluster = mode
				l, b, _ := runBoth(t, []string{in}, corpus.Options{}, p, Options{Shards: 3})
				compareOutputs(t, l, b)
				var st struct {
					Clustering struct {
						Mode           string `json:"mode"`
						DocumentsSaved int    `json:"documents_saved"`
					} `json:"clustering"`
				}
				if err := json.Unmarshal(readFile(t, filepath.Join(b, "stats.json")), &st); err != nil {
					t.Fatal(err)
				}
				if st.Clustering.Mode != mode.String() || (mode == stage.Verified) != (st.Clustering.DocumentsSaved > 0) {
					t.Errorf("beam stats.json clustering %+v in mode %v", st.Clustering, mode)
				}
			})
		}
	}
}

// zhMixPrefix writes the first n lines of zh_mix_10mb as a .jsonl.zst file
// (a deterministic prefix keeps the Prism run short in CI).
func zhMixPrefix(t *testing.T, n int) string {
	t.Helper()
	f, err := os.Open(zhMixPath)
	if err != nil {
		t.Skipf("zh_mix_10mb not available (%v): skipping", err)
	}
	defer f.Close()
	zr, err := zstd.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	out := filepath.Join(t.TempDir(), "zh_mix_prefix.jsonl.zst")
	o, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	zw, _ := zstd.NewWriter(o)
	br := bufio.NewReaderSize(zr, 1<<20)
	for i := 0; n <= 0 || i < n; i++ {
		line, err := br.ReadBytes('\n')
		zw.Write(line)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	zw.Close()
	o.Close()
	return out
}

// The whole of zh_mix_10mb (7,411 documents: about a second on Prism).
// QUCHONG_BEAM_PREFIX=N runs only its first N lines.
func TestParityZhMix(t *testing.T) {
	n := 0
	if v := os.Getenv("QUCHONG_BEAM_PREFIX"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			t.Fatalf("QUCHONG_BEAM_PREFIX=%q: %v", v, err)
		}
	}
	in := zhMixPrefix(t, n)
	l, b, res := runBoth(t, []string{in}, corpus.Options{}, stage.DefaultParams(), Options{})
	compareOutputs(t, l, b)
	logShuffle(t, res)
}

func logShuffle(t *testing.T, res beam.PipelineResult) {
	if res == nil {
		return
	}
	for _, c := range res.Metrics().AllMetrics().Counters() {
		t.Logf("counter %s = %d", c.Key.Name, c.Result())
	}
}

func TestMain(m *testing.M) {
	flag.Parse()
	beam.Init()
	os.Exit(m.Run())
}
