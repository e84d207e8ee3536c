package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestTerminateSignal sends SIGTERM to a run (no terminal needed): exit
// code 143, the work directory kept, the resume command on stderr.
func TestTerminateSignal(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 48 MB corpus")
	}
	dir := t.TempDir()
	in := bigCorpus(t, dir, 16)
	out := filepath.Join(dir, "out")
	cmd := exec.Command(self(t), "dedup", in, "-o", out, "--workers", "1")
	cmd.Env = append(os.Environ(), asMainEnv+"=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The manifest is the run's first write: it has begun.
	deadline := time.Now().Add(60 * time.Second)
	for {
		if _, err := os.Stat(filepath.Join(out, ".work", "manifest.json")); err == nil {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("the run never wrote its manifest")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	err := cmd.Wait()
	code := cmd.ProcessState.ExitCode()
	if code != exitTerminate {
		t.Fatalf("exit code %d (%v) after SIGTERM, want %d; stderr:\n%s", code, err, exitTerminate, stderr.String())
	}
	if !strings.Contains(stderr.String(), "interrupted; continue with `quchong dedup --resume ") {
		t.Errorf("stderr lacks the resume command:\n%s", stderr.String())
	}
	if _, err := os.Stat(filepath.Join(out, ".work", "manifest.json")); err != nil {
		t.Errorf("the work directory is gone after SIGTERM: %v", err)
	}
}

func TestResumeCommand(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"a.txt", "-o", "out"}, "quchong dedup --resume a.txt -o out"},
		{[]string{"--resume", "a.txt", "-o", "out"}, "quchong dedup --resume a.txt -o out"},
		{[]string{"--resume=false", "a.txt", "-o", "out"}, "quchong dedup --resume a.txt -o out"},
		{[]string{"my file.txt", "-o", "it's"}, `quchong dedup --resume 'my file.txt' -o 'it'\''s'`},
		{[]string{"data/*.jsonl", "-o", "out", "--keep", "max:date"}, "quchong dedup --resume 'data/*.jsonl' -o out --keep max:date"},
		{[]string{"-o", "out", "--", "-dash.txt"}, "quchong dedup --resume -o out -- -dash.txt"},
	}
	for _, tt := range tests {
		if got := resumeCommand(tt.args); got != tt.want {
			t.Errorf("resumeCommand(%q) = %s, want %s", tt.args, got, tt.want)
		}
	}
}
