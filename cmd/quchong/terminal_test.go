package main

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// These tests run the command as a user does: the test binary re-executes
// itself as quchong (TestMain), in a real terminal (tmux, a pseudo-terminal
// with a screen to read back) or as a child to send signals to.

const asMainEnv = "QUCHONG_TEST_AS_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(asMainEnv) == "1" {
		code := run(os.Args[1:], os.Stdout, os.Stderr)
		if f := os.Getenv(peakRSSEnv); f != "" {
			writePeakRSS(f)
		}
		os.Exit(code)
	}
	os.Exit(m.Run())
}

// peakRSSEnv names a file into which the process run as quchong writes its
// peak RSS (VmHWM, bytes) when it ends. The parent's rusage cannot tell it:
// on Linux a child's ru_maxrss also counts the memory of the process that
// forked it, at the moment of its exec.
const peakRSSEnv = "QUCHONG_TEST_PEAK_RSS_FILE"

// writePeakRSS writes this process's VmHWM, in bytes, to path.
func writePeakRSS(path string) {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return
	}
	for _, l := range strings.Split(string(status), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmHWM:" {
			if kib, err := strconv.ParseInt(f[1], 10, 64); err == nil {
				os.WriteFile(path, []byte(strconv.FormatInt(kib<<10, 10)), 0o644)
			}
		}
	}
}

// self is the command line that runs this binary as quchong.
func self(t *testing.T) string {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return exe
}

// bigCorpus writes a corpus large enough that a one-worker run lasts a
// while (about a second per 20 MB), with some duplicates in it.
func bigCorpus(t *testing.T, dir string, mb int) string {
	t.Helper()
	path := filepath.Join(dir, "big.txt")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	rng := rand.New(rand.NewPCG(1, 2))
	var line []rune
	for i, size := 0, 0; size < mb<<20; i++ {
		if i%50 == 49 { // an exact duplicate of the line before
			s := string(line) + "\n"
			w.WriteString(s)
			size += len(s)
			continue
		}
		line = line[:0]
		for range 200 {
			line = append(line, rune(0x4e00+rng.IntN(2000)))
		}
		s := string(line) + "\n"
		w.WriteString(s)
		size += len(s)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return path
}

// tmuxTerm is one command running in a detached tmux session: a real
// terminal whose screen the test reads back.
type tmuxTerm struct {
	t    *testing.T
	name string
}

// startTerm runs argv in a new terminal of 160 × 40 and returns it; the
// line "EXIT=<code>" follows the command's output.
func startTerm(t *testing.T, argv ...string) *tmuxTerm {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed: the terminal tests need it (.ci/run installs it)")
	}
	quoted := make([]string, len(argv))
	for i, a := range argv {
		quoted[i] = shellQuote(a)
	}
	name := fmt.Sprintf("quchong-test-%d-%d", os.Getpid(), time.Now().UnixNano())
	// The shell traps Ctrl-C, so that it outlives the command to say
	// its exit code; the command gets the signal's default action back.
	script := `trap : INT; ` + asMainEnv + "=1 " + strings.Join(quoted, " ") + `; echo "EXIT=$?"; sleep 600`
	// A private server socket (-L) keeps the test away from the user's tmux.
	cmd := exec.Command("tmux", "-L", name, "-f", "/dev/null", "new-session", "-d", "-s", name, "-x", "160", "-y", "40", "sh", "-c", script)
	cmd.Env = append(os.Environ(), "TERM=xterm-256color")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("tmux: %v: %s", err, out)
	}
	tt := &tmuxTerm{t: t, name: name}
	t.Cleanup(func() { exec.Command("tmux", "-L", name, "kill-server").Run() })
	return tt
}

// screen returns what the terminal shows now, trailing blank lines dropped.
func (tt *tmuxTerm) screen() string {
	out, err := exec.Command("tmux", "-L", tt.name, "capture-pane", "-p", "-J", "-t", tt.name).CombinedOutput()
	if err != nil {
		tt.t.Fatalf("tmux capture-pane: %v: %s", err, out)
	}
	return strings.TrimRight(string(out), "\n ")
}

// waitFor polls the screen until it matches re, and returns it.
func (tt *tmuxTerm) waitFor(re *regexp.Regexp, timeout time.Duration) string {
	tt.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		s := tt.screen()
		if re.MatchString(s) {
			return s
		}
		if time.Now().After(deadline) {
			tt.t.Fatalf("the screen never matched %s; it shows:\n%s", re, s)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var exitLine = regexp.MustCompile(`(?m)^EXIT=(\d+)$`)

// checkCleanScreen fails unless the final screen holds the whole summary and
// nothing of the progress display: no bar, no spinner, no per-stage line.
func checkCleanScreen(t *testing.T, screen, outDir string) {
	t.Helper()
	for _, bad := range []*regexp.Regexp{
		regexp.MustCompile(`\[[=>-]+\]`),                                                                     // a bar
		regexp.MustCompile(`[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]`),                                                                   // a spinner
		regexp.MustCompile(`(?m)^quchong: (fingerprint|group|confirm|cluster|similarity|write|report)\s+\d`), // a log line
		regexp.MustCompile(`\d docs\b`),
	} {
		if bad.MatchString(screen) {
			t.Errorf("the final screen shows progress output (%s):\n%s", bad, screen)
		}
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^read\s+\d+ documents, [\d.]+ [kMG]?B, 1 file$`),
		regexp.MustCompile(`(?m)^kept\s+\d+\s+\(`),
		regexp.MustCompile(`(?m)^removed\s+\d+\s+\(`),
		regexp.MustCompile(`(?m)^rejected\s+0$`),
		regexp.MustCompile(`(?m)^params\s+threshold 0\.60, `),
		regexp.MustCompile(`(?m)^time\s+[\d.]+ s wall, [\d.]+ s CPU, 1 worker$`),
		regexp.MustCompile(`(?m)^outputs\s+` + regexp.QuoteMeta(filepath.Join(outDir, "{kept/,clusters.jsonl,rejected.jsonl,report.html,stats.json}")) + `$`),
		regexp.MustCompile(`(?m)^EXIT=0$`),
	} {
		if !want.MatchString(screen) {
			t.Errorf("the final screen lacks %s:\n%s", want, screen)
		}
	}
}

// TestTerminalRunEndsClean runs dedup in a terminal, on a run long enough
// to draw bars, and reads the screen it leaves: the summary whole, the bars
// gone, no log lines.
func TestTerminalRunEndsClean(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 16 MB corpus")
	}
	dir := t.TempDir()
	in := bigCorpus(t, dir, 16)
	out := filepath.Join(dir, "out")
	term := startTerm(t, self(t), "dedup", in, "-o", out, "--workers", "1")
	// The bars are drawn while it runs...
	term.waitFor(regexp.MustCompile(`(fingerprint|write) +[\d,]+ docs \[`), 60*time.Second)
	// ...and gone when it ends.
	screen := term.waitFor(exitLine, 120*time.Second)
	checkCleanScreen(t, screen, out)
}

// TestTerminalSeedEndsClean is the same on the seed, whose run ends before
// the bars' first redraw.
func TestTerminalSeedEndsClean(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	abs, _ := filepath.Abs(seed)
	term := startTerm(t, self(t), "dedup", abs, "-o", out, "--workers", "1")
	checkCleanScreen(t, term.waitFor(exitLine, 60*time.Second), out)
}

// TestTerminalInterrupt presses Ctrl-C in the middle of a run: it stops at
// once with exit code 130, keeps the work directory, and prints the command
// that continues it; that command then completes the run with the same
// outputs as a run never interrupted.
func TestTerminalInterrupt(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 48 MB corpus")
	}
	dir := t.TempDir()
	in := bigCorpus(t, dir, 48)
	out := filepath.Join(dir, "out")
	args := []string{"dedup", in, "-o", out, "--workers", "1"}
	term := startTerm(t, append([]string{self(t)}, args...)...)
	term.waitFor(regexp.MustCompile(`fingerprint +[\d,]+ docs \[`), 60*time.Second)
	sent := time.Now()
	if err := exec.Command("tmux", "-L", term.name, "send-keys", "-t", term.name, "C-c").Run(); err != nil {
		t.Fatal(err)
	}
	screen := term.waitFor(exitLine, 60*time.Second)
	if d := time.Since(sent); d > 5*time.Second {
		t.Errorf("the run took %v to stop after Ctrl-C", d)
	}
	if code := exitLine.FindStringSubmatch(screen)[1]; code != "130" {
		t.Fatalf("exit code %s after Ctrl-C, want 130; screen:\n%s", code, screen)
	}
	// The message gives the exact command (it may wrap on the screen).
	flat := strings.ReplaceAll(screen, "\n", "")
	want := "interrupted; continue with `" + resumeCommand(args[1:]) + "`"
	if !strings.Contains(flat, want) {
		t.Errorf("the screen lacks %q:\n%s", want, screen)
	}
	checkNoProgress(t, screen)
	if _, err := os.Stat(filepath.Join(out, ".work")); err != nil {
		t.Fatalf("the work directory is gone after Ctrl-C: %v", err)
	}
	if _, err := os.Stat(filepath.Join(out, "stats.json")); err == nil {
		t.Fatal("stats.json written by an interrupted run")
	}
	// The printed command continues the run.
	var stdout, stderr bytes.Buffer
	if code := run(append([]string{"dedup", "--resume", "--quiet"}, args[1:]...), &stdout, &stderr); code != exitOK {
		t.Fatalf("resume: exit %d: %s", code, stderr.String())
	}
	ref := filepath.Join(dir, "ref")
	if code := run([]string{"dedup", "--quiet", in, "-o", ref}, &stdout, &stderr); code != exitOK {
		t.Fatalf("reference run: exit %d: %s", code, stderr.String())
	}
	for _, name := range []string{"clusters.jsonl", "kept/big.txt"} {
		a, _ := os.ReadFile(filepath.Join(out, name))
		b, _ := os.ReadFile(filepath.Join(ref, name))
		if len(b) == 0 || !bytes.Equal(a, b) {
			t.Errorf("%s of the resumed run differs from an uninterrupted run's (%d vs %d bytes)", name, len(a), len(b))
		}
	}
}

// checkNoProgress fails if the screen still shows a bar or spinner.
func checkNoProgress(t *testing.T, screen string) {
	t.Helper()
	if regexp.MustCompile(`\[[=>-]+\]|[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]`).MatchString(screen) {
		t.Errorf("the screen still shows the progress display:\n%s", screen)
	}
}
