package spark

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/quchong/quchong/corpus"
	"github.com/quchong/quchong/internal/enginetest"
	"github.com/quchong/quchong/output"
	"github.com/quchong/quchong/stage"
)

// These tests run on a real standalone Spark cluster (a Master, two Workers
// and a Spark Connect server, each its own JVM), started by
// scripts/spark-cluster.sh and stopped at the end; QUCHONG_SPARK_REMOTE=sc://…
// uses a running one instead (the fault test then skips: it kills a
// Worker). -short skips them.

const script = "../../scripts/spark-cluster.sh"

var (
	seedPath  = enginetest.Seed
	chainPath = enginetest.Chain
	zhMixPath = enginetest.ZhMix10
	readFile  = enginetest.ReadFile

	remote    string // the cluster's Spark Connect address
	ownsIt    bool   // the tests started the cluster
	workerBin string // quchong-spark, built for the executors
	startErr  error
)

func TestMain(m *testing.M) {
	flag.Parse()
	code := func() int {
		if testing.Short() || os.Getenv("QUCHONG_SPARK_REMOTE") == "" && os.Getenv("QUCHONG_SPARK_SKIP") == "1" {
			return m.Run()
		}
		tmp, err := os.MkdirTemp("", "quchong-spark-test-")
		if err != nil {
			startErr = err
			return m.Run()
		}
		defer os.RemoveAll(tmp)
		workerBin = filepath.Join(tmp, "quchong-spark")
		if out, err := exec.Command("go", "build", "-o", workerBin, "./cmd/quchong-spark").CombinedOutput(); err != nil {
			startErr = fmt.Errorf("build quchong-spark: %v\n%s", err, out)
			return m.Run()
		}
		if remote = os.Getenv("QUCHONG_SPARK_REMOTE"); remote == "" {
			cmd := exec.Command(script, "start")
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				startErr = fmt.Errorf("%s start: %v\n%s", script, err, stderr.Bytes())
				exec.Command(script, "stop").Run()
				return m.Run()
			}
			ownsIt = true
			defer exec.Command(script, "stop").Run()
			lines := strings.Split(strings.TrimSpace(string(out)), "\n")
			remote = lines[len(lines)-1]
		}
		return m.Run()
	}()
	os.Exit(code)
}

// cluster returns the Spark Connect address, skipping under -short and
// failing when the cluster could not be started.
func cluster(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: no Spark cluster")
	}
	if remote == "" && startErr == nil {
		t.Skip("QUCHONG_SPARK_SKIP=1: no Spark cluster")
	}
	if startErr != nil {
		t.Fatal(startErr)
	}
	return remote
}

// runBoth runs the local engine and the Spark engine over the same inputs
// and returns their output directories.
func runBoth(t *testing.T, inputs []string, copt corpus.Options, p stage.Params, sopt Options) (localDir, sparkDir string) {
	t.Helper()
	ctx := context.Background()
	sparkDir = filepath.Join(t.TempDir(), "spark")
	localDir = enginetest.RunLocal(t, inputs, copt, p)
	t0 := time.Now()
	sopt.Remote, sopt.Worker = cluster(t), workerBin
	sopt.Inputs, sopt.Corpus, sopt.Params, sopt.OutDir, sopt.WriteRemoved = inputs, copt, p, sparkDir, true
	if sopt.Log == nil {
		sopt.Log = t.Logf
	}
	if _, err := Run(ctx, sopt); err != nil {
		t.Fatalf("spark run: %v", err)
	}
	t.Logf("spark run: %.1fs", time.Since(t0).Seconds())
	return localDir, sparkDir
}

// compareOutputs asserts identical clusters.jsonl, rejected.jsonl, kept/
// and removed/ files, and identical stats.json but for timings.
func compareOutputs(t *testing.T, localDir, sparkDir string) {
	t.Helper()
	enginetest.Compare(t, localDir, sparkDir, "spark")
	if _, err := os.Stat(filepath.Join(sparkDir, workName)); !os.IsNotExist(err) {
		t.Errorf("the work directory was left in the output: %v", err)
	}
}

// TestParity runs the seed, the chain in both cluster modes and the whole of
// zh_mix_10mb (7,411 documents) on the cluster, side by side.
func TestParity(t *testing.T) {
	cluster(t)
	tests := []struct {
		name   string
		inputs []string
		mode   stage.ClusterMode
		copt   corpus.Options
		check  func(t *testing.T, dir string)
	}{
		{name: "seed", inputs: []string{seedPath}, check: func(t *testing.T, dir string) {
			if len(readFile(t, filepath.Join(dir, "clusters.jsonl"))) == 0 {
				t.Error("the seed has duplicates but clusters.jsonl is empty")
			}
		}},
		{name: "seed+chain/zstd", inputs: []string{seedPath, chainPath}, copt: corpus.Options{Output: corpus.OutputZstd}},
		{name: "chain/verified", inputs: []string{chainPath}, mode: stage.Verified, check: saved(true)},
		{name: "chain/connected", inputs: []string{chainPath}, mode: stage.Connected, check: saved(false)},
		{name: "zh_mix_10mb", inputs: []string{zhMixPath}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // the cluster's two cores are idle between a run's jobs
			for _, in := range tc.inputs {
				if _, err := os.Stat(in); err != nil {
					t.Skipf("%s not available: %v", in, err)
				}
			}
			p := stage.DefaultParams()
			p.Cluster = tc.mode
			l, s := runBoth(t, tc.inputs, tc.copt, p, Options{})
			compareOutputs(t, l, s)
			if tc.check != nil {
				tc.check(t, s)
			}
		})
	}
}

// saved checks that stats.json's clustering says the chain was split
// (verified) or removed whole (connected).
func saved(want bool) func(t *testing.T, dir string) {
	return func(t *testing.T, dir string) {
		var st output.Stats
		if err := json.Unmarshal(readFile(t, filepath.Join(dir, "stats.json")), &st); err != nil {
			t.Fatal(err)
		}
		if (st.Clustering.DocumentsSaved > 0) != want {
			t.Errorf("clustering %+v: documents saved > 0 = %v, want %v", st.Clustering, !want, want)
		}
	}
}

// TestFaultWorkerLost kills one of the two Workers (its JVM and its
// executor's) while a run is under way: Spark runs the lost tasks again on
// the other Worker, and the outputs are those of the local engine. It runs
// last, on the cluster it started.
func TestFaultWorkerLost(t *testing.T) {
	cluster(t)
	if !ownsIt {
		t.Skip("QUCHONG_SPARK_REMOTE: the fault test kills a Worker of its own cluster only")
	}
	var once sync.Once
	killed := make(chan error, 1)
	opt := Options{Log: func(format string, a ...any) {
		t.Logf(format, a...)
		if strings.HasPrefix(format, "%s: ") && len(a) > 0 && a[0] == "q_docs" {
			// Mid-run: the next steps (buckets, pairs) shuffle what the
			// lost executor held.
			once.Do(func() {
				go func() {
					time.Sleep(time.Second)
					out, err := exec.Command(script, "kill-worker", "1").CombinedOutput()
					if err != nil {
						err = fmt.Errorf("%v: %s", err, out)
					}
					killed <- err
				}()
			})
		}
	}}
	l, s := runBoth(t, []string{seedPath, chainPath}, corpus.Options{}, stage.DefaultParams(), opt)
	select {
	case err := <-killed:
		if err != nil {
			t.Fatalf("kill-worker: %v", err)
		}
	default:
		t.Fatal("the Worker was never killed")
	}
	compareOutputs(t, l, s)
}
