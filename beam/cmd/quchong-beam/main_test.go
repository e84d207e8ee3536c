package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/quchong/quchong/engine/local"
	"github.com/quchong/quchong/internal/summary"
	"github.com/quchong/quchong/output"
	"github.com/quchong/quchong/stage"
)

// The tests run this binary as quchong-beam (a child process: Beam logs
// to the process's own stderr, and its flags live on flag.CommandLine).
const asMainEnv = "QUCHONG_BEAM_TEST_AS_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(asMainEnv) == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

const seed = "../../../testdata/seed.txt"

// runBeam runs quchong-beam with args and returns its stdout and stderr.
func runBeam(t *testing.T, args ...string) (string, string) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), asMainEnv+"=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("quchong-beam %q: %v\nstderr:\n%s", args, err, stderr.String())
	}
	return stdout.String(), stderr.String()
}

// TestQuietSummary: by default quchong-beam prints nothing on stderr, and on
// stdout the summary quchong dedup prints for the same run (its time line
// aside).
func TestQuietSummary(t *testing.T) {
	out := filepath.Join(t.TempDir(), "beam")
	stdout, stderr := runBeam(t, seed, "-o", out)
	if stderr != "" {
		t.Errorf("stderr is not empty:\n%s", stderr)
	}
	ref := filepath.Join(t.TempDir(), "local")
	opt := local.Options{Request: output.Request{Inputs: []string{seed}, Params: stage.DefaultParams(), OutDir: ref}}
	st, err := local.Run(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	summary.Print(&want, st, out) // the same directory, for the outputs line
	timeLine := regexp.MustCompile(`(?m)^time .*\n`)
	got := timeLine.ReplaceAllString(stdout, "")
	if w := timeLine.ReplaceAllString(want.String(), ""); got != w {
		t.Errorf("summary:\n%s\nwant (as quchong dedup):\n%s", stdout, want.String())
	}
	if !regexp.MustCompile(`(?m)^time\s+[\d.]+ s wall$`).MatchString(stdout) {
		t.Errorf("no time line:\n%s", stdout)
	}
}

// TestVerboseCounters: --verbose adds Beam's log and the counters, each
// counter once.
func TestVerboseCounters(t *testing.T) {
	_, stderr := runBeam(t, "--verbose", seed, "-o", filepath.Join(t.TempDir(), "beam"))
	if !strings.Contains(stderr, "level=INFO") {
		t.Errorf("--verbose shows no Beam log line:\n%s", stderr)
	}
	seen := map[string]int{}
	for _, m := range regexp.MustCompile(`(?m)^quchong-beam: (\w+) \d+$`).FindAllStringSubmatch(stderr, -1) {
		seen[m[1]]++
	}
	if seen["documents"] != 1 || seen["shuffle_block_texts_bytes"] != 1 {
		t.Errorf("counters documents and shuffle_block_texts_bytes seen %d and %d times, want once each:\n%s", seen["documents"], seen["shuffle_block_texts_bytes"], stderr)
	}
	for name, n := range seen {
		if n != 1 {
			t.Errorf("counter %s printed %d times", name, n)
		}
	}
}
