package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
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
		{[]string{"dedup", "--threshold", "abc", seed, "-o", "x"}, "", `invalid value "abc" for flag -threshold`},
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
// way, and "quchong help COMMAND" works for each command that takes flags.
func TestHelpListsEveryCommand(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"help"}, &stdout, &stderr); code != exitOK {
		t.Fatalf("help: exit %d", code)
	}
	top := stdout.String()
	for name := range commands {
		if !regexp.MustCompile(`(?m)^  quchong ` + name + ` `).MatchString(top) {
			t.Errorf("help does not list %s:\n%s", name, top)
		}
		if !strings.Contains(top, name) {
			t.Errorf("help does not say how to get %s's flags", name)
		}
		for _, args := range [][]string{{"help", name}, {name, "--help"}, {name, "-h"}} {
			stdout.Reset()
			stderr.Reset()
			if code := run(args, &stdout, &stderr); code != exitOK {
				t.Errorf("%q: exit %d: %s", args, code, stderr.String())
			}
			if !strings.HasPrefix(stdout.String(), "Usage: quchong "+name) || !strings.Contains(stdout.String(), "-json") {
				t.Errorf("%q: stdout does not start with the usage of %s and list its flags:\n%s", args, name, stdout.String())
			}
		}
	}
	for _, name := range commandNames {
		if !regexp.MustCompile(`(?m)^  quchong ` + name + `\b`).MatchString(top) {
			t.Errorf("help does not list %s", name)
		}
	}
	if !strings.Contains(top, "dedup, explain, eval, lines or substr") {
		t.Errorf("help does not say where every command's flags are:\n%s", top)
	}
	stdout.Reset()
	if code := run([]string{"help", "frob"}, &stdout, &stderr); code != exitUsage {
		t.Errorf("help frob: exit %d", code)
	}
}

func TestSuggest(t *testing.T) {
	names := []string{"threshold", "lsh-threshold", "removed", "dry-run", "k", "o", "keep"}
	tests := []struct{ word, want string }{
		{"treshold", "threshold"},
		{"threshhold", "threshold"},
		{"lsh-treshold", "lsh-threshold"},
		{"remvoed", "removed"},
		{"dry", "dry-run"},
		{"kep", "keep"},
		{"x", ""},
		{"zzzzzz", ""},
	}
	for _, tt := range tests {
		if got := suggest(tt.word, names); got != tt.want {
			t.Errorf("suggest(%q) = %q, want %q", tt.word, got, tt.want)
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
