package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCmdSub runs quchong lines and substr on the seed sample: exit codes,
// the summary, --json, and the refusals of a bad command line.
func TestCmdSub(t *testing.T) {
	seed := filepath.Join("..", "..", "testdata", "seed.txt")
	bad := filepath.Join(t.TempDir(), "bad.jsonl")
	if err := os.WriteFile(bad, []byte("{\"text\": \"第一篇文档的正文，足够长。\"}\n{broken\n{\"text\": \"第二篇文档的正文，也够长。\"}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		args   []string
		code   int
		stdout string // a piece of stdout
		stderr string // a piece of stderr
	}{
		{"lines keep-first", []string{"lines", seed, "--keep-first", "--unit", "sentence", "--min-length", "30"}, exitOK, "dropped 1", ""},
		{"lines min-docs", []string{"lines", seed, "--min-docs", "2", "--unit", "sentence"}, exitOK, "read 20 documents", ""},
		{"lines no policy", []string{"lines", seed}, exitUsage, "", "choose a policy"},
		{"lines both policies", []string{"lines", seed, "--min-docs", "3", "--keep-first"}, exitUsage, "", "choose one"},
		{"lines bad unit", []string{"lines", seed, "--keep-first", "--unit", "word"}, exitUsage, "", "unknown unit"},
		{"substr", []string{"substr", seed, "--min-span", "50"}, exitOK, "removed", ""},
		{"substr in parts", []string{"substr", seed, "--memory", "20KB"}, exitOK, "removed", "sorting part 1 of"},
		{"lines stage log", []string{"lines", seed, "--keep-first"}, exitOK, "removed", "quchong: rewrite"},
		{"substr json log", []string{"substr", seed, "--log-format", "json"}, exitOK, "removed", `"stage":"suffix array","event":"done"`},
		{"bad log format", []string{"lines", seed, "--keep-first", "--log-format", "xml"}, exitUsage, "", "--log-format"},
		{"substr bad memory", []string{"substr", seed, "--memory", "lots"}, exitUsage, "", "--memory"},
		{"substr missing input", []string{"substr", "nope.jsonl"}, exitInput, "", "nope.jsonl"},
		{"lines input twice", []string{"lines", seed, seed, "--keep-first"}, exitUsage, "", "twice"},
		{"lines quiet", []string{"lines", seed, "--keep-first", "--quiet"}, exitOK, "", ""},
		{"broken line recorded", []string{"lines", bad, "--keep-first"}, exitOK, "rejected 1", ""},
		{"broken line under strict", []string{"substr", bad, "--strict"}, exitInput, "", "bad.jsonl"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			args := append(c.args, "-o", filepath.Join(t.TempDir(), "out"))
			if code := run(args, &stdout, &stderr); code != c.code {
				t.Fatalf("exit %d, want %d; stderr: %s", code, c.code, stderr.String())
			}
			if c.name == "lines quiet" && stdout.Len()+stderr.Len() > 0 {
				t.Errorf("--quiet printed %q, %q", stdout.String(), stderr.String())
			}
			if !strings.Contains(stdout.String(), c.stdout) || !strings.Contains(stderr.String(), c.stderr) {
				t.Errorf("stdout %q, stderr %q; want %q and %q in them", stdout.String(), stderr.String(), c.stdout, c.stderr)
			}
		})
	}
	// A non-empty output directory without --force is a bad command line.
	full := t.TempDir()
	os.WriteFile(filepath.Join(full, "notes.txt"), []byte("mine"), 0o644)
	var stdout, stderr bytes.Buffer
	if code := run([]string{"lines", seed, "--keep-first", "-o", full}, &stdout, &stderr); code != exitUsage || !strings.Contains(stderr.String(), "not empty") {
		t.Errorf("non-empty DIR: exit %d, stderr %q", code, stderr.String())
	}
	stdout.Reset()
	stderr.Reset()
	if code := run([]string{"lines", seed, "--keep-first", "--json", "-o", filepath.Join(t.TempDir(), "o")}, &stdout, &stderr); code != exitOK {
		t.Fatalf("--json: exit %d: %s", code, stderr.String())
	}
	var st struct {
		Method string `json:"method"`
		Total  struct {
			Read, Kept, Dropped, Rejected int64
		} `json:"total"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &st); err != nil || st.Method != "lines" || st.Total.Read != st.Total.Kept+st.Total.Dropped+st.Total.Rejected || st.Total.Read != 20 {
		t.Errorf("--json: %+v, %v", st, err)
	}
}

// TestSubStdinPipe: quchong lines and substr read standard input through a
// pipe (copied to the work directory first, as they read their inputs
// twice) and write what they write for the same bytes in a file.
func TestSubStdinPipe(t *testing.T) {
	seedText, err := os.ReadFile(seed)
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"lines", "--keep-first", "--unit", "sentence", "--min-length", "30"},
		{"substr", "--min-span", "20"},
	} {
		t.Run(args[0], func(t *testing.T) {
			dir := t.TempDir()
			fromFile, fromPipe := filepath.Join(dir, "file"), filepath.Join(dir, "pipe")
			var stdout, stderr bytes.Buffer
			if code := run(append(append([]string{}, args...), seed, "-o", fromFile), &stdout, &stderr); code != exitOK {
				t.Fatalf("from the file: exit %d: %s", code, stderr.String())
			}
			cmd := quchongCmd(t, context.Background(), append(append([]string{}, args...), "-", "--format", "txt", "-o", fromPipe, "--quiet")...)
			cmd.Stdin = bytes.NewReader(seedText) // exec feeds it through a pipe
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("from standard input: %v\n%s", err, out)
			}
			want, err := os.ReadFile(filepath.Join(fromFile, "kept", "seed.txt"))
			if err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(filepath.Join(fromPipe, "kept", "stdin.txt"))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) || len(want) == 0 {
				t.Errorf("kept/ from standard input (%d bytes) differs from kept/ from the file (%d bytes)", len(got), len(want))
			}
			if bytes.Equal(got, seedText) {
				t.Errorf("nothing was removed: the test would not see a wrong cut")
			}
		})
	}
}
