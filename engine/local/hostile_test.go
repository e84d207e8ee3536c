package local

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/quchong/quchong/corpus"
	"github.com/quchong/quchong/output"
	"github.com/quchong/quchong/progress"
	"github.com/quchong/quchong/stage"
)

// Tests of what careless hands and hostile inputs do to a run: pipes,
// links into the output directory, interrupted and repeated runs, two runs
// at once. Each names the item of issue 19 it holds.

// seedLines is the seed corpus with its line count.
func seedLines(t *testing.T) ([]byte, int) {
	t.Helper()
	b := mustRead(t, seedPath)
	if !strings.HasSuffix(string(b), "\n") {
		b = append(b, '\n')
	}
	return b, strings.Count(string(b), "\n")
}

// writeFIFO makes a named pipe at path and writes data into it from a
// goroutine once a reader opens it; the returned func waits for the writer.
func writeFIFO(t *testing.T, path string, data []byte) func() {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	done := make(chan error, 1)
	go func() {
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err == nil {
			_, err = f.Write(data)
			f.Close()
		}
		done <- err
	}()
	return func() {
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("FIFO writer: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Errorf("FIFO writer never finished: the run did not read its input")
		}
	}
}

// Issue 19 item 1: an input that cannot be read twice (a named pipe, as
// `<(…)` and /dev/stdin are) is copied to the work directory and written
// whole, whatever the memory budget and format; nothing is counted that is
// not written.
func TestPipeInput(t *testing.T) {
	seed, n := seedLines(t)
	var jsonl strings.Builder
	for i, line := range strings.Split(strings.TrimSuffix(string(seed), "\n"), "\n") {
		fmt.Fprintf(&jsonl, "{\"id\":\"d%d\",\"text\":%q}\n", i, line)
	}
	tests := []struct {
		name   string
		format corpus.Format
		data   string
		memory int64
	}{
		{"txt", corpus.Text, string(seed), 0},
		{"jsonl-small-memory", corpus.JSONL, jsonl.String(), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			fifo := filepath.Join(dir, "pipe")
			wait := writeFIFO(t, fifo, []byte(tt.data))
			out := filepath.Join(dir, "out")
			stats, err := Run(context.Background(), Options{
				Request: output.Request{
					Inputs:       []string{fifo},
					Corpus:       corpus.Options{Format: tt.format},
					Params:       stage.DefaultParams(),
					OutDir:       out,
					WriteRemoved: true,
				},
				Workers: 2,
				Memory:  tt.memory,
			})
			wait()
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			checkAccounting(t, stats)
			if stats.Total.Read != int64(n) {
				t.Errorf("read %d, want %d", stats.Total.Read, n)
			}
			kept := strings.Count(string(mustRead(t, filepath.Join(out, "kept", "pipe"))), "\n")
			removed := strings.Count(string(mustRead(t, filepath.Join(out, "removed", "pipe"))), "\n")
			if int64(kept) != stats.Total.Kept || int64(removed) != stats.Total.Removed || kept+removed != n {
				t.Errorf("kept/pipe has %d lines and removed/pipe %d; stats say kept %d, removed %d, of %d read", kept, removed, stats.Total.Kept, stats.Total.Removed, n)
			}
		})
	}
}

// Issue 19 item 1: a run from a pipe resumes when the pipe gives the same
// content again, and refuses when it gives another.
func TestPipeResume(t *testing.T) {
	seed, _ := seedLines(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	run := func(data []byte, resume bool, stop string) (*output.Stats, error) {
		fifo := filepath.Join(dir, "pipe")
		os.Remove(fifo)
		wait := writeFIFO(t, fifo, data)
		defer wait()
		return Run(context.Background(), Options{Request: output.Request{Inputs: []string{fifo}, Corpus: corpus.Options{Format: corpus.Text}, Params: stage.DefaultParams(), OutDir: out}, Resume: resume, stopAfter: stop})
	}
	if _, err := run(seed, false, "fingerprint"); err != errStopped {
		t.Fatalf("first run: %v", err)
	}
	if _, err := run(append([]byte("另一段不同的文字\n"), seed...), true, ""); !errors.Is(err, ErrResumeMismatch) {
		t.Fatalf("resume from another content: err = %v, want ErrResumeMismatch", err)
	}
	stats, err := run(seed, true, "")
	if err != nil {
		t.Fatalf("resume from the same content: %v", err)
	}
	if stats.Total.Kept != 18 {
		t.Errorf("kept %d, want 18", stats.Total.Kept)
	}
}

// Issue 19 item 2: an output directory named through a symbolic link (or
// "..") is the same directory: an input inside it is refused before
// anything is removed, --force or not.
func TestForceNeverRemovesAnInput(t *testing.T) {
	seed := mustRead(t, seedPath)
	tests := []struct {
		name string
		// setup returns the input and the -o argument, relative to dir.
		setup func(dir string) (string, string)
	}{
		{"output through a link", func(dir string) (string, string) {
			os.Symlink(filepath.Join(dir, "w3"), filepath.Join(dir, "link3"))
			return filepath.Join(dir, "w3", "kept", "x.txt"), filepath.Join(dir, "link3")
		}},
		{"input through a link", func(dir string) (string, string) {
			os.Symlink(filepath.Join(dir, "w3", "kept"), filepath.Join(dir, "in"))
			return filepath.Join(dir, "in", "x.txt"), filepath.Join(dir, "w3")
		}},
		{"dot-dot", func(dir string) (string, string) {
			return filepath.Join(dir, "w3", "kept", "..", "kept", "x.txt"), filepath.Join(dir, "w3", "kept", "..")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.MkdirAll(filepath.Join(dir, "w3", "kept"), 0o755); err != nil {
				t.Fatal(err)
			}
			x := filepath.Join(dir, "w3", "kept", "x.txt")
			os.WriteFile(x, seed, 0o644)
			os.WriteFile(filepath.Join(dir, "w3", "stats.json"), []byte(`{"inputs":[{"output":"x.txt"}]}`), 0o644)
			in, out := tt.setup(dir)
			_, err := Run(context.Background(), Options{Request: output.Request{Inputs: []string{in}, Params: stage.DefaultParams(), OutDir: out, Force: true}})
			var ce *output.ConfigError
			if !errors.As(err, &ce) || !strings.Contains(err.Error(), "inside the output directory") {
				t.Errorf("err = %v, want a refusal naming the output directory", err)
			}
			if got, err := os.ReadFile(x); err != nil || string(got) != string(seed) {
				t.Errorf("the input was touched: %v", err)
			}
			if _, err := os.Stat(filepath.Join(dir, "w3", "stats.json")); err != nil {
				t.Errorf("a refused run removed something: %v", err)
			}
		})
	}
}

// Issue 19 item 2: even where no path shows it (a hard link), a file that
// is an input is never removed.
func TestForceNeverRemovesAHardLinkedInput(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.txt")
	os.WriteFile(in, mustRead(t, seedPath), 0o644)
	out := filepath.Join(dir, "out")
	os.MkdirAll(filepath.Join(out, "kept"), 0o755)
	os.WriteFile(filepath.Join(out, "stats.json"), []byte(`{"inputs":[{"output":"in.txt"}]}`), 0o644)
	if err := os.Link(in, filepath.Join(out, "kept", "in.txt")); err != nil {
		t.Skipf("link: %v", err)
	}
	_, err := Run(context.Background(), Options{Request: output.Request{Inputs: []string{in}, Params: stage.DefaultParams(), OutDir: out, Force: true}})
	if err == nil || !strings.Contains(err.Error(), "will not remove") {
		t.Errorf("err = %v, want a refusal to remove the input", err)
	}
	if _, err := os.Stat(filepath.Join(out, "kept", "in.txt")); err != nil {
		t.Errorf("the linked input was removed: %v", err)
	}
}

// Issue 19 item 14: --force removes what quchong wrote (as stats.json
// lists it) and nothing else.
func TestForceRemovesOnlyOwnOutputs(t *testing.T) {
	docs := syntheticDocs(t)
	in := writeCorpus(t, t.TempDir(), docs, 2)
	out, _ := runDedup(t, in, func(o *Options) { o.WriteRemoved = true })
	mine := map[string]string{
		"kept/notes.txt":      "mine",
		"removed/sub/old.txt": "mine too",
		"README":              "about this directory",
	}
	for name, content := range mine {
		p := filepath.Join(out, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte(content), 0o644)
	}
	// The next run has one input fewer: the output of the other must go.
	if _, err := Run(context.Background(), Options{Request: output.Request{Inputs: in[:1], Params: stage.DefaultParams(), OutDir: out, Force: true}}); err != nil {
		t.Fatal(err)
	}
	for name, content := range mine {
		if got, err := os.ReadFile(filepath.Join(out, name)); err != nil || string(got) != content {
			t.Errorf("%s: %v, %q (want it kept as it was)", name, err, got)
		}
	}
	for _, gone := range []string{filepath.Join("kept", filepath.Base(in[1])), filepath.Join("removed", filepath.Base(in[0]))} {
		if _, err := os.Stat(filepath.Join(out, gone)); !os.IsNotExist(err) {
			t.Errorf("%s of the previous run is still there: %v", gone, err)
		}
	}
}

// Issue 19 item 3 and issue 17 item 4: a run killed after it completed
// (stats.json in place, the work directory not yet removed), or resumed
// after a clean end, resumes as "already complete": nothing rewritten,
// nothing removed but the leftover work directory, even when that is
// unreadable.
func TestResumeCompletedRun(t *testing.T) {
	docs := syntheticDocs(t)
	in := writeCorpus(t, t.TempDir(), docs, 2)
	ref, _ := runDedup(t, in, nil)
	want := readOutputs(t, ref)
	for _, tt := range []struct {
		name    string
		stop    string
		corrupt bool
	}{{"clean end", "", false}, {"killed before removing the work directory", "commit", false}, {"leftover checkpoint unreadable", "commit", true}} {
		t.Run(tt.name, func(t *testing.T) {
			out := t.TempDir()
			opt := Options{Request: output.Request{Inputs: in, Params: stage.DefaultParams(), OutDir: out}, Workers: 2, stopAfter: tt.stop}
			if _, err := Run(context.Background(), opt); err != nil && err != errStopped {
				t.Fatal(err)
			}
			if tt.corrupt {
				os.WriteFile(filepath.Join(out, ".work", "manifest.json"), []byte(`{"done":"fingerprint"`), 0o644)
				os.Remove(filepath.Join(out, ".work", "fingerprint.gob"))
			}
			statsBefore, _ := os.Stat(filepath.Join(out, "stats.json"))
			var notes []string
			opt.stopAfter, opt.Resume = "", true
			opt.Progress = func(e progress.Event) {
				if e.Kind == progress.Note {
					notes = append(notes, e.Stage+": "+e.Message)
				}
			}
			stats, err := Run(context.Background(), opt)
			if err != nil {
				t.Fatalf("resume: %v", err)
			}
			checkAccounting(t, stats)
			if !slices.ContainsFunc(notes, func(s string) bool { return strings.HasPrefix(s, "resume: ") && strings.Contains(s, "already") }) {
				t.Errorf("notes %q: want one that says the run is already complete", notes)
			}
			got := readOutputs(t, out)
			for name, w := range want {
				if got[name] != w {
					t.Errorf("%s differs", name)
				}
			}
			if st, _ := os.Stat(filepath.Join(out, "stats.json")); !st.ModTime().Equal(statsBefore.ModTime()) {
				t.Errorf("stats.json was rewritten")
			}
			if _, err := os.Stat(filepath.Join(out, ".work")); !os.IsNotExist(err) {
				t.Errorf("leftover work directory still there: %v", err)
			}
		})
	}
}

// Issue 19 item 3: a resume refused for any reason removes nothing.
func TestRefusedResumeRemovesNothing(t *testing.T) {
	docs := syntheticDocs(t)
	in := writeCorpus(t, t.TempDir(), docs, 1)
	out, _ := runDedup(t, in, nil)
	before := readOutputs(t, out)
	changed := stage.DefaultParams()
	changed.Threshold = 0.7
	_, err := Run(context.Background(), Options{Request: output.Request{Inputs: in, Params: changed, OutDir: out}, Resume: true})
	if !errors.Is(err, ErrResumeMismatch) {
		t.Fatalf("resume with another threshold: err = %v, want ErrResumeMismatch", err)
	}
	after := readOutputs(t, out)
	if len(after) != len(before) {
		t.Errorf("outputs %d before, %d after a refused resume", len(before), len(after))
	}
	for name, w := range before {
		if after[name] != w {
			t.Errorf("%s changed by a refused resume", name)
		}
	}
	// A checkpoint that cannot be read is refused before anything goes.
	out2 := t.TempDir()
	opt := Options{Request: output.Request{Inputs: in, Params: stage.DefaultParams(), OutDir: out2}, stopAfter: "fingerprint"}
	if _, err := Run(context.Background(), opt); err != errStopped {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(out2, "keepme.txt"), []byte("x"), 0o644)
	os.Remove(filepath.Join(out2, ".work", "fingerprint.gob"))
	opt.stopAfter, opt.Resume = "", true
	if _, err := Run(context.Background(), opt); !errors.Is(err, ErrResumeMismatch) {
		t.Fatalf("resume from a broken checkpoint: %v", err)
	}
	for _, p := range []string{"keepme.txt", ".work/manifest.json", ".work/texts.bin"} {
		if _, err := os.Stat(filepath.Join(out2, p)); err != nil {
			t.Errorf("%s removed by a refused resume: %v", p, err)
		}
	}
}

// Issue 19 item 7: until a run completes, none of its outputs is under a
// final name; a run killed during its commit finishes it when resumed.
func TestNoFinalOutputsBeforeCompletion(t *testing.T) {
	docs := syntheticDocs(t)
	in := writeCorpus(t, t.TempDir(), docs, 2)
	ref, _ := runDedup(t, in, func(o *Options) { o.WriteRemoved = true })
	want := readOutputs(t, ref)
	finals := func(dir string) []string {
		var names []string
		for name := range readOutputs(t, dir) {
			if !strings.HasPrefix(name, ".") {
				names = append(names, name)
			}
		}
		return names
	}
	// A failed run: an input changed during it.
	out := t.TempDir()
	_, err := Run(context.Background(), Options{
		Request: output.Request{
			Inputs: in,
			Params: stage.DefaultParams(),
			OutDir: out,
			Force:  true,
		},
		Progress: func(e progress.Event) {
			if e.Kind == progress.StageStart && e.Stage == "write" {
				later := time.Now().Add(time.Hour)
				os.Chtimes(in[1], later, later)
			}
		},
	})
	if err == nil {
		t.Fatal("a run whose input changed succeeded")
	}
	if f := finals(out); len(f) > 0 {
		t.Errorf("a failed run left final-named outputs: %v", f)
	}
	now := time.Now()
	os.Chtimes(in[1], now, now)
	// Stopped with every output staged, before the commit.
	for _, stop := range []string{"stage", "commit-begin"} {
		t.Run(stop, func(t *testing.T) {
			out := t.TempDir()
			opt := Options{Request: output.Request{Inputs: in, Params: stage.DefaultParams(), OutDir: out, WriteRemoved: true}, stopAfter: stop}
			if _, err := Run(context.Background(), opt); err != errStopped {
				t.Fatal(err)
			}
			if f := finals(out); len(f) > 0 {
				t.Errorf("outputs under final names before the commit: %v", f)
			}
			if stop == "commit-begin" {
				// Half a commit: one output moved, as a kill would leave it.
				os.MkdirAll(filepath.Join(out, "kept"), 0o755)
				name := filepath.Join("kept", filepath.Base(in[0]))
				if err := os.Rename(filepath.Join(out, ".work", "out", name), filepath.Join(out, name)); err != nil {
					t.Fatal(err)
				}
			}
			opt.stopAfter, opt.Resume = "", true
			if _, err := Run(context.Background(), opt); err != nil {
				t.Fatalf("resume: %v", err)
			}
			got := readOutputs(t, out)
			for name, w := range want {
				if name != "stats.json" && name != "report.html" && got[name] != w {
					t.Errorf("%s differs after resuming", name)
				}
			}
			if len(got) != len(want) {
				t.Errorf("%d outputs, want %d", len(got), len(want))
			}
		})
	}
}

// Issue 19 item 5: a second run into a directory that a live run holds is
// refused, naming the holder; a lock left by a dead run is taken over.
func TestOutDirLock(t *testing.T) {
	out := t.TempDir()
	l, _, err := lockOutDir(out)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Run(context.Background(), Options{Request: output.Request{Inputs: []string{seedPath}, Params: stage.DefaultParams(), OutDir: out}})
	var ce *output.ConfigError
	if !errors.Is(err, ErrLocked) || !errors.As(err, &ce) || !strings.Contains(err.Error(), "pid "+strconv.Itoa(os.Getpid())) {
		t.Errorf("run into a locked directory: err = %v, want ErrLocked naming pid %d", err, os.Getpid())
	}
	l.Release()
	// A stale lock file: a pid that no process holds the lock for.
	os.WriteFile(filepath.Join(out, output.LockName), []byte("999999999\n"), 0o644)
	if _, err := Run(context.Background(), Options{Request: output.Request{Inputs: []string{seedPath}, Params: stage.DefaultParams(), OutDir: out}}); err != nil {
		t.Errorf("run over a stale lock: %v", err)
	}
	if _, err := os.Stat(filepath.Join(out, output.LockName)); !os.IsNotExist(err) {
		t.Errorf("lock file left after the run: %v", err)
	}
}

// Issue 19 item 15: resume refuses an input whose content changed though
// its size and modification time were put back.
func TestResumeSeesContentChange(t *testing.T) {
	in := writeCorpus(t, t.TempDir(), syntheticDocs(t), 1)
	out := t.TempDir()
	opt := Options{Request: output.Request{Inputs: in, Params: stage.DefaultParams(), OutDir: out}, stopAfter: "fingerprint"}
	if _, err := Run(context.Background(), opt); err != errStopped {
		t.Fatal(err)
	}
	st, _ := os.Stat(in[0])
	b := mustRead(t, in[0])
	i := strings.Index(string(b), "\"text\":\"") + 8
	b[i], b[i+1], b[i+2] = b[i+3], b[i+4], b[i+5] // another character, same size
	os.WriteFile(in[0], b, 0o644)
	os.Chtimes(in[0], st.ModTime(), st.ModTime())
	opt.stopAfter, opt.Resume = "", true
	if _, err := Run(context.Background(), opt); !errors.Is(err, ErrResumeMismatch) {
		t.Errorf("resume after an edit with the size and time restored: err = %v, want ErrResumeMismatch", err)
	}
}

// Issue 19 item 13 and issue 17 item 5: a directory input follows links
// to files and directories, does not loop, and counts what it skipped.
func TestExpandInputsLinks(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	real := filepath.Join(dir, "real")
	os.MkdirAll(filepath.Join(data, "sub"), 0o755)
	os.MkdirAll(real, 0o755)
	os.WriteFile(filepath.Join(real, "a.txt"), []byte("x\n"), 0o644)
	os.WriteFile(filepath.Join(real, "b.jsonl"), []byte("{}\n"), 0o644)
	os.WriteFile(filepath.Join(data, "notes.md"), []byte("x"), 0o644)
	os.WriteFile(filepath.Join(data, "c.txt"), []byte("x\n"), 0o644)
	for _, l := range []struct{ target, link string }{
		{filepath.Join(real, "a.txt"), filepath.Join(data, "a.txt")},  // a link to a file
		{real, filepath.Join(data, "sub", "r")},                       // to a directory
		{data, filepath.Join(data, "sub", "loop")},                    // back up: a loop
		{filepath.Join(dir, "nothing"), filepath.Join(data, "x.txt")}, // broken
		{filepath.Join(data, "c.txt"), filepath.Join(data, "sub", "c2.txt")},
	} {
		if err := os.Symlink(l.target, l.link); err != nil {
			t.Fatal(err)
		}
	}
	files, skipped, err := corpus.ExpandInputsSkipped([]string{data}, corpus.Auto)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		filepath.Join(data, "a.txt"), filepath.Join(data, "c.txt"),
		filepath.Join(data, "sub", "r", "a.txt"), filepath.Join(data, "sub", "r", "b.jsonl"),
	}
	// data/a.txt and data/sub/r/a.txt are one file: the first is taken.
	want = slices.DeleteFunc(want, func(s string) bool { return s == filepath.Join(data, "sub", "r", "a.txt") })
	if !slices.Equal(files, want) {
		t.Errorf("files %q, want %q", files, want)
	}
	wantSkipped := corpus.Skipped{NotCorpus: 1, Broken: 1, Loops: 1, Same: 2}
	if skipped != wantSkipped {
		t.Errorf("skipped %+v, want %+v", skipped, wantSkipped)
	}
	if s := skipped.String(); !strings.Contains(s, "1 broken") || !strings.Contains(s, "1 link looping") {
		t.Errorf("skipped.String() = %q", s)
	}
}
