package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/quchong/quchong/output"
)

// TestFlagTypo: a mistyped flag gets the problem, a suggestion and one line
// on where help is, not the whole usage.
func TestFlagTypo(t *testing.T) {
	tests := []struct {
		args    []string
		want    string // the suggestion line, "" for none
		problem string
	}{
		{[]string{"dedup", "--treshold", "0.7", seed, "-o", "x"}, "did you mean --threshold?", "unknown flag --treshold"},
		{[]string{"dedup", "--remvoed", seed, "-o", "x"}, "did you mean --removed?", "unknown flag --remvoed"},
		{[]string{"dedup", "-thresold=0.7", seed, "-o", "x"}, "did you mean --threshold?", "unknown flag --thresold"},
		{[]string{"dedup", "--dry", seed, "-o", "x"}, "did you mean --dry-run?", "unknown flag --dry"},
		{[]string{"dedup", "--frobnicate", seed, "-o", "x"}, "", "unknown flag --frobnicate"},
		{[]string{"explain", "--mask-max-fil", "3", "a", "b"}, "did you mean --mask-max-fill?", "unknown flag --mask-max-fil"},
		{[]string{"eval", "--lables", "x"}, "did you mean --labels?", "unknown flag --lables"},
		{[]string{"dedup", "--threshold", "abc", seed, "-o", "x"}, "", `invalid value "abc" for --threshold: want a number`},
		{[]string{"dedup", seed, "-o"}, "", "flag --output needs a value"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(tt.args, &stdout, &stderr); code != exitUsage {
				t.Fatalf("exit %d, want %d", code, exitUsage)
			}
			lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
			want := []string{"quchong " + tt.args[0] + ": " + tt.problem}
			if tt.want != "" {
				want = append(want, tt.want)
			}
			want = append(want, `Run "quchong help `+tt.args[0]+`" for its flags.`)
			if len(lines) != len(want) {
				t.Fatalf("stderr has %d lines, want %d:\n%s", len(lines), len(want), stderr.String())
			}
			for i := range want {
				if !strings.HasPrefix(lines[i], want[i]) {
					t.Errorf("line %d = %q, want %q", i+1, lines[i], want[i])
				}
			}
			if stdout.Len() > 0 {
				t.Errorf("stdout: %s", stdout.String())
			}
		})
	}
}

func TestUnknownCommand(t *testing.T) {
	tests := []struct{ name, suggestion string }{
		{"dedupe", `did you mean "dedup"?`},
		{"explian", `did you mean "explain"?`},
		{"frobnicate", ""},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		if code := run([]string{tt.name}, &stdout, &stderr); code != exitUsage {
			t.Errorf("%s: exit %d", tt.name, code)
		}
		got := stderr.String()
		if !strings.Contains(got, "unknown command") || strings.Contains(got, "Usage") ||
			(tt.suggestion != "" && !strings.Contains(got, tt.suggestion)) ||
			(tt.suggestion == "" && strings.Contains(got, "did you mean")) {
			t.Errorf("%s: stderr = %q, want the problem, %q and no usage", tt.name, got, tt.suggestion)
		}
	}
}

// TestHelpListsEveryCommand: "quchong help" names every command the same
// way, and "quchong help COMMAND", "quchong COMMAND --help" and -h work for
// each.
func TestHelpListsEveryCommand(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"help"}, &stdout, &stderr); code != exitOK {
		t.Fatalf("help: exit %d", code)
	}
	top := stdout.String()
	var names []string
	for _, c := range newRootCmd(&app{stdout: io.Discard, stderr: io.Discard}).Commands() {
		if !c.Hidden {
			names = append(names, c.Name())
		}
	}
	for _, want := range []string{"dedup", "explain", "eval", "version", "help", "completion"} {
		if !slices.Contains(names, want) {
			t.Errorf("no command %s in %q", want, names)
		}
	}
	for _, name := range names {
		// Each listed the same way: its usage line, then what it does.
		if !regexp.MustCompile(`(?m)^  quchong ` + name + `\b.*(\n {42}|   )[a-z]`).MatchString(top) {
			t.Errorf("help does not list %s:\n%s", name, top)
		}
		for _, args := range [][]string{{"help", name}, {name, "--help"}, {name, "-h"}} {
			stdout.Reset()
			stderr.Reset()
			if code := run(args, &stdout, &stderr); code != exitOK {
				t.Errorf("%q: exit %d: %s", args, code, stderr.String())
			}
			if !strings.HasPrefix(stdout.String(), "Usage: quchong "+name) || !strings.Contains(stdout.String(), "--help") {
				t.Errorf("%q: stdout does not start with the usage of %s and list its flags:\n%s", args, name, stdout.String())
			}
		}
	}
	for _, name := range []string{"dedup", "explain", "eval"} {
		stdout.Reset()
		run([]string{"help", name}, &stdout, &stderr)
		if !strings.Contains(stdout.String(), "--json") {
			t.Errorf("help %s does not list --json:\n%s", name, stdout.String())
		}
	}
	if !strings.Contains(top, `Run "quchong help COMMAND"`) {
		t.Errorf("help does not say where every command's flags are:\n%s", top)
	}
	for _, args := range [][]string{{"help", "frob"}, {"help", "dedup", "frob"}} {
		stdout.Reset()
		stderr.Reset()
		if code := run(args, &stdout, &stderr); code != exitUsage || !strings.Contains(stderr.String(), "unknown command") {
			t.Errorf("%q: exit %d, stderr %q", args, code, stderr.String())
		}
	}
}

// TestCompletion: quchong completion SHELL prints a script that knows the
// commands and, through quchong's hidden __complete command, their flags
// and the values of the flags that take one of a few words.
func TestCompletion(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		var stdout, stderr bytes.Buffer
		if code := run([]string{"completion", shell}, &stdout, &stderr); code != exitOK {
			t.Fatalf("%s: exit %d: %s", shell, code, stderr.String())
		}
		script := stdout.String()
		if len(script) < 1000 || !strings.Contains(script, "quchong") || !strings.Contains(script, "__complete") {
			t.Errorf("%s: %d bytes, not a completion script for quchong:\n%s", shell, len(script), script)
		}
		if shell == "bash" {
			if bash, err := exec.LookPath("bash"); err == nil {
				cmd := exec.Command(bash, "-n")
				cmd.Stdin = strings.NewReader(script)
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Errorf("bash -n: %v: %s", err, out)
				}
			}
		}
	}
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"__complete", ""}, []string{"dedup", "explain", "eval", "completion", "version"}},
		{[]string{"__complete", "dedup", "--thr"}, []string{"--threshold"}},
		{[]string{"__complete", "dedup", "--format", ""}, []string{"auto", "txt", "jsonl", "parquet"}},
		{[]string{"__complete", "explain", "--color", ""}, []string{"auto", "always", "never"}},
		{[]string{"__complete", "completion", ""}, []string{"bash", "zsh", "fish"}},
		{[]string{"__complete", "help", "ex"}, []string{"explain"}},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		if code := run(tt.args, &stdout, &stderr); code != exitOK {
			t.Errorf("%q: exit %d: %s", tt.args, code, stderr.String())
		}
		var got []string
		for _, line := range strings.Split(stdout.String(), "\n") {
			name, _, _ := strings.Cut(line, "\t")
			got = append(got, name)
		}
		for _, w := range tt.want {
			if !slices.Contains(got, w) {
				t.Errorf("%q: completions %q lack %q", tt.args, got, w)
			}
		}
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"completion", "tcsh"}, &stdout, &stderr); code != exitUsage || !strings.Contains(stderr.String(), "unknown shell") {
		t.Errorf("completion tcsh: exit %d, stderr %q", code, stderr.String())
	}
}

// TestSingleDashFlags: the standard library's single-dash long flags,
// which quchong accepted before it moved to cobra, still work.
func TestSingleDashFlags(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	var stdout, stderr bytes.Buffer
	code := run([]string{"dedup", seed, "-o", out, "-threshold", "0.7", "-json", "-quiet", "-keep=longest"}, &stdout, &stderr)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var st output.Stats
	if err := json.Unmarshal(stdout.Bytes(), &st); err != nil {
		t.Fatalf("-json: %v:\n%s", err, stdout.String())
	}
	if st.Params.Threshold != 0.7 || st.Params.Keep != "longest" {
		t.Errorf("params %+v, want threshold 0.7 and keep longest", st.Params)
	}
	for _, args := range [][]string{{"-version"}, {"--version"}, {"version"}} {
		stdout.Reset()
		if code := run(args, &stdout, &stderr); code != exitOK || stdout.String() != "quchong "+version+"\n" {
			t.Errorf("%q: exit %d, %q", args, code, stdout.String())
		}
	}
}

// TestMeaninglessOptions: options that cannot mean anything for the inputs
// are refused (exit 2) before anything is written; one that means something
// for some inputs only is warned about.
func TestMeaninglessOptions(t *testing.T) {
	dir := t.TempDir()
	jsonl := filepath.Join(dir, "a.jsonl")
	if err := os.WriteFile(jsonl, []byte(`{"text":"一段足够长的正常文本，用来测试保留规则是否读取了字段。","date":"2024-01-01"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"max:FIELD on text", []string{"dedup", "--keep", "max:date", seed}, exitUsage, "text inputs (one document per line) do not have"},
		{"min:FIELD on text", []string{"dedup", "--keep", "min:date", seed}, exitUsage, `field "date"`},
		{"removed with dry-run", []string{"dedup", "--removed", "--dry-run", seed}, exitUsage, "--removed and --dry-run contradict"},
		{"max:FIELD on text and JSONL", []string{"dedup", "--keep", "max:date", seed, jsonl}, exitOK, "WARNING: --keep max:date: the documents of 1 text input (../../testdata/seed.txt) have no field"},
		{"max:FIELD on JSONL", []string{"dedup", "--keep", "max:date", jsonl}, exitOK, ""},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(dir, "out"+strconv.Itoa(i))
			var stdout, stderr bytes.Buffer
			if code := run(append(tt.args, "-o", out, "--log-format", "text"), &stdout, &stderr); code != tt.code {
				t.Fatalf("exit %d, want %d: %s", code, tt.code, stderr.String())
			}
			if !strings.Contains(stderr.String(), tt.msg) {
				t.Errorf("stderr lacks %q:\n%s", tt.msg, stderr.String())
			}
			if tt.msg == "" && strings.Contains(stderr.String(), "WARNING") {
				t.Errorf("unexpected warning:\n%s", stderr.String())
			}
			if _, err := os.Stat(out); tt.code == exitUsage && err == nil {
				t.Errorf("a refused run created %s", out)
			}
		})
	}
}
