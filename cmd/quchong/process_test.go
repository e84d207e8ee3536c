package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/quchong/quchong/engine/local"
)

// The tests in this file run quchong as a real process: the test binary
// itself, which runs the command line instead of the tests when
// QUCHONG_RUN_MAIN is set.
// quchongCmd is a quchong process with args.
func quchongCmd(t *testing.T, ctx context.Context, args ...string) *exec.Cmd {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Env = append(os.Environ(), asMainEnv+"=1") // TestMain (terminal_test.go) then runs quchong
	return cmd
}

func exitCodeOf(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

// Issue 19 item 1: documents piped into standard input are all written:
// kept + removed lines equal what was read.
func TestDedupStdinPipe(t *testing.T) {
	seedText, err := os.ReadFile(seed)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasSuffix(seedText, []byte("\n")) {
		seedText = append(seedText, '\n') // so that lines can be counted
	}
	out := filepath.Join(t.TempDir(), "out")
	cmd := quchongCmd(t, context.Background(), "dedup", "-", "--format", "txt", "-o", out, "--json", "--removed", "--quiet")
	cmd.Stdin = bytes.NewReader(seedText) // exec feeds it through a pipe
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("quchong: %v\n%s", err, stderr.String())
	}
	var st struct {
		Total struct{ Read, Kept, Removed int64 } `json:"total"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &st); err != nil {
		t.Fatal(err)
	}
	lines := func(p string) int64 {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return int64(strings.Count(string(b), "\n"))
	}
	kept, removed := lines(filepath.Join(out, "kept", "stdin.txt")), lines(filepath.Join(out, "removed", "stdin.txt"))
	if st.Total.Read != 20 || kept != st.Total.Kept || removed != st.Total.Removed || kept+removed != st.Total.Read {
		t.Errorf("read %d, kept %d (%d lines written), removed %d (%d lines written)", st.Total.Read, st.Total.Kept, kept, st.Total.Removed, removed)
	}
}

// Issue 19 item 5: two processes racing for one output directory: the
// second is refused with exit 2 and the first one's pid, and the first
// completes. The first holds the directory while it waits on a named pipe
// for its input, so the race is certain, not timed.
func TestTwoProcessesOneOutDir(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "in.txt")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	out := filepath.Join(dir, "out")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	first := quchongCmd(t, ctx, "dedup", "--quiet", fifo, "-o", out)
	var firstErr bytes.Buffer
	first.Stderr = &firstErr
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	// The lock file names the first process once it holds the directory.
	pid := strconv.Itoa(first.Process.Pid)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if b, _ := os.ReadFile(filepath.Join(out, ".quchong.lock")); strings.TrimSpace(string(b)) == pid {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the first run never locked its output directory")
		}
	}
	second := quchongCmd(t, ctx, "dedup", "--quiet", "--force", seed, "-o", out)
	var secondErr bytes.Buffer
	second.Stderr = &secondErr
	code := exitCodeOf(second.Run())
	if code != exitUsage || !strings.Contains(secondErr.String(), "pid "+pid) {
		t.Errorf("second run: exit %d, stderr %q; want exit %d naming pid %s", code, secondErr.String(), exitUsage, pid)
	}
	seedText, _ := os.ReadFile(seed)
	if err := os.WriteFile(fifo, seedText, 0o644); err != nil { // opens the pipe, unblocking the first run
		t.Fatal(err)
	}
	if err := first.Wait(); err != nil {
		t.Fatalf("first run: %v\n%s", err, firstErr.String())
	}
	if _, err := os.Stat(filepath.Join(out, "stats.json")); err != nil {
		t.Errorf("first run's outputs: %v", err)
	}
}

// Issue 19 item 5: a run killed while it holds the directory leaves a lock
// that the next run takes over.
func TestKilledRunLockTakenOver(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "in.txt")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	out := filepath.Join(dir, "out")
	first := quchongCmd(t, context.Background(), "dedup", "--quiet", fifo, "-o", out)
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	lock := filepath.Join(out, ".quchong.lock")
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if b, _ := os.ReadFile(lock); len(b) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the first run never locked its output directory")
		}
	}
	first.Process.Kill()
	first.Wait()
	if _, err := os.Stat(lock); err != nil {
		t.Fatalf("a killed run's lock file: %v (want it left behind)", err)
	}
	var stderr bytes.Buffer
	if code := run([]string{"dedup", "--quiet", "--force", seed, "-o", out}, &bytes.Buffer{}, &stderr); code != exitOK {
		t.Errorf("run after a killed one: exit %d: %s", code, stderr.String())
	}
}

// Issue 17 item 4: --resume on a completed run succeeds, changes nothing
// and says so, in a line without an empty field.
func TestResumeCompletedCommand(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	var stderr bytes.Buffer
	if code := run([]string{"dedup", "--quiet", seed, "-o", out}, &bytes.Buffer{}, &stderr); code != exitOK {
		t.Fatalf("first run: exit %d: %s", code, stderr.String())
	}
	before, _ := os.ReadFile(filepath.Join(out, "stats.json"))
	stderr.Reset()
	if code := run([]string{"dedup", seed, "-o", out, "--resume"}, &bytes.Buffer{}, &stderr); code != exitOK {
		t.Fatalf("resume of a completed run: exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "quchong: resume: ") || !strings.Contains(stderr.String(), "already") || strings.Contains(stderr.String(), ": :") {
		t.Errorf("stderr %q: want one resume line saying the run is already complete", stderr.String())
	}
	if after, _ := os.ReadFile(filepath.Join(out, "stats.json")); !bytes.Equal(before, after) {
		t.Errorf("stats.json changed")
	}
}

// Issue 19 item 4: one large document costs at most local.DocCost times
// its size beyond the budget: a run at --memory 128MiB over a single-line
// document of nearly the largest size that budget admits (character
// shingles of ASCII text, the costliest case) peaks below budget +
// DocCost × size, measured as the process's peak resident set.
func TestLargeDocumentMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("a 16 MB document")
	}
	const budget = 128 << 20
	size := local.NewBudget(budget).MaxDocBytes() - 1024
	dir := t.TempDir()
	var b strings.Builder
	b.Grow(size + 200)
	for i := 0; b.Len() < size-20; i++ {
		b.WriteString("word")
		b.WriteString(strconv.Itoa(i * 7919 % 100003))
		b.WriteByte(' ')
	}
	b.WriteString("\nanother short document of the corpus\n")
	in := filepath.Join(dir, "big.txt")
	if err := os.WriteFile(in, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := quchongCmd(t, context.Background(), "dedup", "--quiet", "--json", "--memory", "128MiB", in, "-o", filepath.Join(dir, "out"))
	peakFile := filepath.Join(dir, "peak")
	cmd.Env = append(cmd.Env, peakRSSEnv+"="+peakFile)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("quchong: %v\n%s", err, stderr.String())
	}
	var st struct {
		Total struct{ Kept, Rejected int64 } `json:"total"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &st); err != nil || st.Total.Kept != 2 {
		t.Fatalf("stats %+v (%v): want both documents kept", st, err)
	}
	b2, err := os.ReadFile(peakFile)
	if err != nil {
		t.Skipf("no peak RSS (needs Linux's /proc): %v", err)
	}
	peak, err := strconv.ParseInt(string(b2), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	if limit := int64(budget + local.DocCost*size); peak > limit {
		t.Errorf("peak RSS %d MiB for a %d MiB document at a 128 MiB budget; want ≤ %d MiB", peak>>20, size>>20, limit>>20)
	}
	t.Logf("peak RSS %d MiB for a %d MiB document at a 128 MiB budget", peak>>20, size>>20)
}

// Issue 19 item 6: the output pass opens no more files at once than the
// limit allows (300 inputs, 16 workers, ulimit -n 24 succeeds), and a limit
// too low to run at all is exit 1 with the remedy, not a fault of the input
// (3, 5) or of the outputs (4).
func TestOpenFileLimit(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	os.MkdirAll(in, 0o755)
	for i := range 300 {
		text := "第" + strconv.Itoa(i) + "个文件的第一行内容足够长用于测试\n每个文件都有的重复行内容足够长用于测试\n"
		os.WriteFile(filepath.Join(in, "f"+strconv.Itoa(1000+i)+".txt"), []byte(text), 0o644)
	}
	for _, tc := range []struct {
		limit, want int
		msg         string
	}{{24, exitOK, ""}, {10, exitFail, "ulimit -n"}} {
		exe, _ := os.Executable()
		out := filepath.Join(dir, "out"+strconv.Itoa(tc.limit))
		cmd := exec.Command("sh", "-c", `ulimit -n `+strconv.Itoa(tc.limit)+` && exec "$0" "$@"`, exe,
			"dedup", "--quiet", "--workers", "16", in, "-o", out)
		cmd.Env = append(os.Environ(), asMainEnv+"=1") // TestMain (terminal_test.go) then runs quchong
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		code := exitCodeOf(cmd.Run())
		if code != tc.want || !strings.Contains(stderr.String(), tc.msg) {
			t.Errorf("ulimit -n %d: exit %d, stderr %q; want exit %d saying %q", tc.limit, code, stderr.String(), tc.want, tc.msg)
		}
		if tc.want == exitOK {
			kept, _ := os.ReadDir(filepath.Join(out, "kept"))
			if len(kept) != 300 {
				t.Errorf("ulimit -n %d: %d files in kept/, want 300", tc.limit, len(kept))
			}
		}
	}
}
