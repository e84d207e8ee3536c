package pipeline

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/apache/beam/sdks/v2/go/container/pool"
	"github.com/spf13/pflag"

	"github.com/quchong/quchong/engine/local"
	"github.com/quchong/quchong/internal/runflags"
	"github.com/quchong/quchong/output"
)

// The job-server test runs the quchong-beam binary the way a cluster runs
// it: submitted to a standalone Prism job server (--runner=universal), its
// workers started by the Go SDK's boot binary, which fetches the staged
// worker binary from the job server. Prism and boot are built from the SDK
// version in go.mod (its `tool` lines) once, into $QUCHONG_CACHE (default
// ~/.cache/quchong)/beam-VERSION/.

const (
	sdkModule  = "github.com/apache/beam/sdks/v2"
	prismPkg   = sdkModule + "/go/cmd/prism"
	bootPkg    = sdkModule + "/go/container"
	bootScript = "../../scripts/beam-boot.sh"
	// bootPoolPort is the port `boot --worker_pool` listens on (fixed in boot).
	bootPoolPort = 50000
	// jobTimeout bounds one quchong-beam run: a worker that fails to start
	// leaves the job pending, not failed.
	jobTimeout = 2 * time.Minute
)

// jobServerBins are the binaries the job-server test runs.
type jobServerBins struct {
	prism, boot, quchongBeam string
}

// buildJobServerBins builds Prism and boot (cached per SDK version) and
// quchong-beam (for this run). The test is skipped, saying why, only when
// Prism or boot cannot be built.
func buildJobServerBins(t *testing.T) jobServerBins {
	t.Helper()
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("job-server test skipped: no go command to build Prism and boot: %v", err)
	}
	version, err := sdkVersion(goCmd)
	if err != nil {
		t.Skipf("job-server test skipped: %v", err)
	}
	cache := os.Getenv("QUCHONG_CACHE")
	if cache == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			t.Skipf("job-server test skipped: no cache directory for Prism and boot: %v", err)
		}
		cache = filepath.Join(home, ".cache", "quchong")
	}
	dir := filepath.Join(cache, "beam-"+version)
	var bins jobServerBins
	for _, b := range []struct {
		dst *string
		pkg string
	}{{&bins.prism, prismPkg}, {&bins.boot, bootPkg}} {
		*b.dst = filepath.Join(dir, filepath.Base(b.pkg))
		if b.pkg == bootPkg {
			*b.dst = filepath.Join(dir, "boot")
		}
		if _, err := os.Stat(*b.dst); err == nil {
			continue
		}
		if err := goBuild(goCmd, *b.dst, b.pkg); err != nil {
			t.Skipf("job-server test skipped: cannot build %s@%s: %v", b.pkg, version, err)
		}
	}
	bins.quchongBeam = filepath.Join(t.TempDir(), "quchong-beam")
	if err := goBuild(goCmd, bins.quchongBeam, "./cmd/quchong-beam"); err != nil {
		t.Fatal(err)
	}
	return bins
}

// sdkVersion returns the Beam SDK version of go.mod.
func sdkVersion(goCmd string) (string, error) {
	cmd := exec.Command(goCmd, "list", "-m", "-f", "{{.Version}}", sdkModule)
	cmd.Dir = ".." // the module root
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go list -m %s: %v", sdkModule, err)
	}
	return strings.TrimSpace(string(out)), nil
}

// goBuild builds pkg (a package path, or a directory relative to the
// module root) into dst, through a temporary name so that an interrupted
// build never leaves a cached binary.
func goBuild(goCmd, dst, pkg string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	tmp := fmt.Sprintf("%s.tmp%d", dst, os.Getpid())
	cmd := exec.Command(goCmd, "build", "-o", tmp, pkg)
	cmd.Dir = ".." // the module root
	if out, err := cmd.CombinedOutput(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("go build %s: %v\n%s", pkg, err, out)
	}
	return os.Rename(tmp, dst)
}

// syncBuffer collects a process's output for the test's failure messages.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// startGroup starts cmd in a process group of its own and, when the test
// ends, kills the group (cmd and the workers it started) and waits for cmd.
func startGroup(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", cmd.Path, err)
	}
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
	})
}

// startProcess starts cmd (as startGroup does) with its output going to a
// buffer.
func startProcess(t *testing.T, cmd *exec.Cmd) *syncBuffer {
	t.Helper()
	var log syncBuffer
	cmd.Stdout, cmd.Stderr = &log, &log
	startGroup(t, cmd)
	return &log
}

// startPrism starts a standalone Prism job server on a free port and
// returns its endpoint and its log.
func startPrism(t *testing.T, bin string) (string, *syncBuffer) {
	t.Helper()
	cmd := exec.Command(bin, "--job_port=0", "--serve_http=false", "--log_kind=text", "--log_level=info")
	cmd.Dir = t.TempDir() // boot writes pipeline_options.json in its working directory
	pr, pw := io.Pipe()
	var log syncBuffer
	cmd.Stdout, cmd.Stderr = pw, pw
	t.Cleanup(func() { pw.Close() }) // after startGroup's cleanup
	startGroup(t, cmd)
	found := make(chan string, 1)
	go func() {
		re := regexp.MustCompile(`msg="Serving JobManagement" endpoint=(\S+)`)
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64<<10), 16<<20)
		for sc.Scan() {
			fmt.Fprintln(&log, sc.Text())
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
		io.Copy(io.Discard, pr) // an overlong line: keep Prism writing
	}()
	select {
	case ep := <-found:
		return ep, &log
	case <-time.After(time.Minute):
		t.Fatalf("prism did not report its endpoint within a minute; its log:\n%s", log.String())
		return "", nil
	}
}

// startWorkerPool starts the Go SDK's worker pool for an EXTERNAL
// environment and returns its address and log (nil when its workers write
// to this process's stderr): `boot --worker_pool`, which
// always listens on port 50000, or, when that port is taken (another run of
// this test), the same pool code (package pool, which boot runs) in this
// process on a free port, starting the same boot binary per worker.
func startWorkerPool(t *testing.T, boot string) (string, *syncBuffer) {
	t.Helper()
	if l, err := net.Listen("tcp", fmt.Sprintf(":%d", bootPoolPort)); err == nil {
		l.Close()
		cmd := exec.Command(boot, "--worker_pool")
		cmd.Dir = t.TempDir() // boot writes pipeline_options.json in its working directory
		log := startProcess(t, cmd)
		addr := fmt.Sprintf("localhost:%d", bootPoolPort)
		deadline := time.Now().Add(30 * time.Second)
		for {
			c, err := net.Dial("tcp", addr)
			if err == nil {
				c.Close()
				return addr, log
			}
			if time.Now().After(deadline) {
				t.Fatalf("boot --worker_pool does not listen on %s: %v; its log:\n%s", addr, err, log.String())
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	l, err := net.Listen("tcp", "localhost:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	t.Logf("port %d is taken: running the worker pool in the test process on port %d", bootPoolPort, port)
	// The pool starts boot in this process's working directory, where boot
	// would write pipeline_options.json, and in this process's group, so
	// that stopping the pool would leave boot's worker running: start each
	// boot elsewhere, in a session of its own, and kill the sessions at the
	// end.
	dir := t.TempDir()
	wrapper, sessions := filepath.Join(dir, "boot.sh"), filepath.Join(dir, "sessions")
	script := fmt.Sprintf("#!/bin/sh\necho $$ >>%q\ncd %q && exec setsid %q \"$@\"\n", sessions, t.TempDir(), boot)
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		b, _ := os.ReadFile(sessions)
		for _, f := range strings.Fields(string(b)) {
			if pid, err := strconv.Atoi(f); err == nil {
				syscall.Kill(-pid, syscall.SIGKILL)
			}
		}
	})
	srv, err := pool.New(context.Background(), port, wrapper)
	if err != nil {
		t.Fatal(err)
	}
	go srv.ServeAndWait()
	t.Cleanup(func() { srv.Stop(context.Background()) })
	return fmt.Sprintf("localhost:%d", port), nil // its workers write to this process's stderr
}

// workerEnd is what a Go SDK worker prints on its stderr when it ends.
const workerEnd = "Worker exited successfully!"

// workerEnds counts the workers that ended in log.
func workerEnds(log *syncBuffer) int {
	if log == nil {
		return 0
	}
	return strings.Count(log.String(), workerEnd)
}

// runQuchongBeam runs the quchong-beam binary and fails the test, with the
// logs of the job server and the workers, if it fails or outlasts jobTimeout.
func runQuchongBeam(t *testing.T, bin string, args []string, logs ...*syncBuffer) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), jobTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	if err != nil {
		var b strings.Builder
		for _, l := range logs {
			if l != nil {
				b.WriteString(tail(l.String(), 40))
			}
			b.WriteString("\n")
		}
		t.Fatalf("quchong-beam %s: %v (after %.1fs)\nstderr:\n%s\nlogs of the job server and the workers:\n%s",
			strings.Join(args, " "), err, time.Since(start).Seconds(), stderr.String(), b.String())
	}
	t.Logf("quchong-beam ran in %.1fs", time.Since(start).Seconds())
	return stdout.String()
}

// TestJobServer runs quchong-beam on a standalone Prism job server in the
// two environments a cluster offers Go workers: EXTERNAL (a worker pool,
// `boot --worker_pool`) and PROCESS (scripts/beam-boot.sh running boot),
// and requires outputs identical to the local engine's on the seed (the
// same file as ../shared/data/seed/000_fb9d155572833d69.txt) and, when it
// is there, zh_mix_10mb.
func TestJobServer(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping the job-server test")
	}
	// The local engine runs with the options quchong dedup and quchong-beam
	// resolve from the same (default) flags.
	var flags runflags.Run
	fs := pflag.NewFlagSet("reference", pflag.ContinueOnError)
	flags.Register(fs)
	if err := fs.Parse([]string{"-o", "unused"}); err != nil {
		t.Fatal(err)
	}
	req, err := flags.Request()
	if err != nil {
		t.Fatal(err)
	}
	copt, params := req.Corpus, req.Params
	bins := buildJobServerBins(t)
	endpoint, prismLog := startPrism(t, bins.prism)
	poolAddr, poolLog := startWorkerPool(t, bins.boot)
	script, err := filepath.Abs(bootScript)
	if err != nil {
		t.Fatal(err)
	}
	processConfig, err := json.Marshal(map[string]any{
		"command": script,
		"env":     map[string]string{"BEAM_BOOT": bins.boot, "BEAM_SEMI_PERSIST_DIR": t.TempDir()},
	})
	if err != nil {
		t.Fatal(err)
	}
	envs := []struct {
		name string
		args []string
		log  *syncBuffer // where the workers' own output goes
	}{
		{"EXTERNAL", []string{"--environment_type=EXTERNAL", "--environment_config=" + poolAddr}, poolLog},
		{"PROCESS", []string{"--environment_type=PROCESS", "--environment_config=" + string(processConfig)}, prismLog},
	}
	// Inputs are absolute paths: the workers run in other directories, as
	// they do on a cluster.
	inputs := []struct {
		name string
		path func(t *testing.T) string
	}{
		{"seed", func(t *testing.T) string {
			p, err := filepath.Abs(seedPath)
			if err != nil {
				t.Fatal(err)
			}
			return p
		}},
		{"zh_mix_10mb", func(t *testing.T) string { return zhMixPrefix(t, 0) }},
	}
	for _, in := range inputs {
		t.Run(in.name, func(t *testing.T) {
			path := in.path(t)
			localDir := filepath.Join(t.TempDir(), "local")
			if _, err := local.Run(context.Background(), local.Options{Request: output.Request{Inputs: []string{path}, Corpus: copt, Params: params, OutDir: localDir, WriteRemoved: true}, WorkDir: t.TempDir()}); err != nil {
				t.Fatalf("local run: %v", err)
			}
			for _, env := range envs {
				t.Run(env.name, func(t *testing.T) {
					before := workerEnds(env.log)
					out := filepath.Join(t.TempDir(), "beam")
					args := append([]string{"--runner=universal", "--endpoint=" + endpoint, "--worker_binary=" + bins.quchongBeam}, env.args...)
					args = append(args, "--removed", "--quiet", path, "-o", out)
					runQuchongBeam(t, bins.quchongBeam, args, prismLog, poolLog)
					compareOutputs(t, localDir, out)
					// The run went through the job server to a worker of
					// this environment (not in process): a new worker ended,
					// in the log its output goes to. It may end just after
					// the job does.
					if env.log == nil {
						return
					}
					for deadline := time.Now().Add(15 * time.Second); workerEnds(env.log) <= before; time.Sleep(100 * time.Millisecond) {
						if time.Now().After(deadline) {
							t.Fatalf("no worker of the %s environment reported its end; its log:\n%s", env.name, tail(env.log.String(), 40))
						}
					}
				})
			}
		})
	}
}
