package pipeline

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/runners/prism"
	"github.com/klauspost/compress/zstd"

	"github.com/quchong/quchong/corpus"
	"github.com/quchong/quchong/engine/local"
	"github.com/quchong/quchong/keep"
	"github.com/quchong/quchong/stage"
)

const seedPath = "../../testdata/seed.txt"
const zhMixPath = "../../../shared/data/corpus/zh_mix_10mb.jsonl.zst"

// runBoth runs the local engine and the Beam pipeline on Prism over the same
// inputs and returns their output directories.
func runBoth(t *testing.T, inputs []string, copt corpus.Options, p stage.Params, bopt Options) (localDir, beamDir string, res beam.PipelineResult) {
	t.Helper()
	ctx := context.Background()
	localDir, beamDir = filepath.Join(t.TempDir(), "local"), filepath.Join(t.TempDir(), "beam")
	t0 := time.Now()
	if _, err := local.Run(ctx, local.Options{Inputs: inputs, Corpus: copt, Params: p, OutDir: localDir, WriteRemoved: true, WorkDir: t.TempDir()}); err != nil {
		t.Fatalf("local run: %v", err)
	}
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
	for _, name := range []string{"clusters.jsonl", "rejected.jsonl"} {
		a, b := readFile(t, filepath.Join(localDir, name)), readFile(t, filepath.Join(beamDir, name))
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs: local %d bytes, beam %d bytes\n%s", name, len(a), len(b), firstDiff(a, b))
		}
	}
	for _, sub := range []string{"kept", "removed"} {
		la, lb := listFiles(t, filepath.Join(localDir, sub)), listFiles(t, filepath.Join(beamDir, sub))
		if !reflect.DeepEqual(la, lb) {
			t.Errorf("%s/ files differ: local %v, beam %v", sub, la, lb)
			continue
		}
		for _, f := range la {
			if !bytes.Equal(readFile(t, filepath.Join(localDir, sub, f)), readFile(t, filepath.Join(beamDir, sub, f))) {
				t.Errorf("%s/%s differs", sub, f)
			}
		}
	}
	ls, bs := readStats(t, filepath.Join(localDir, "stats.json")), readStats(t, filepath.Join(beamDir, "stats.json"))
	if !reflect.DeepEqual(ls, bs) {
		t.Errorf("stats.json differs (timings aside):\nlocal %s\nbeam  %s", ls, bs)
	}
}

func readFile(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func listFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel)
		}
		return nil
	})
	return out
}

// readStats returns stats.json without the fields that measure time or
// describe the local engine's own machinery (workers, memory, its signature
// store's blocks).
func readStats(t *testing.T, p string) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(readFile(t, p), &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"stages", "wall_seconds", "cpu_seconds", "workers", "memory_bytes", "peak_rss_bytes", "signature_blocks", "spilled_signature_blocks", "decoded_once", "band_runs"} {
		delete(m, k)
	}
	if params, ok := m["params"].(map[string]any); ok {
		delete(params, "memory_budget") // the local engine's --memory
	}
	b, _ := json.Marshal(m)
	return string(b)
}

func firstDiff(a, b []byte) string {
	sa, sb := bufio.NewScanner(bytes.NewReader(a)), bufio.NewScanner(bytes.NewReader(b))
	for n := 1; ; n++ {
		okA, okB := sa.Scan(), sb.Scan()
		if !okA && !okB {
			return ""
		}
		if sa.Text() != sb.Text() || okA != okB {
			return fmt.Sprintf("line %d:\n  local %s\n  beam  %s", n, sa.Text(), sb.Text())
		}
	}
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
