package local

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/quchong/quchong/corpus"
	"github.com/quchong/quchong/keep"
	"github.com/quchong/quchong/output"
	"github.com/quchong/quchong/progress"
	"github.com/quchong/quchong/stage"
)

const seedPath = "../../testdata/seed.txt"

// clusterLine mirrors one line of clusters.jsonl.
type clusterLine struct {
	ID         string  `json:"id"`
	Cluster    int     `json:"cluster"`
	Kept       bool    `json:"kept"`
	Reason     string  `json:"reason"`
	Similarity float64 `json:"similarity"`
}

func readClusters(t *testing.T, dir string) []clusterLine {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "clusters.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []clusterLine
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var c clusterLine
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("clusters.jsonl: %v: %s", err, sc.Text())
		}
		out = append(out, c)
	}
	return out
}

func runDedup(t *testing.T, inputs []string, mod func(*Options)) (string, *output.Stats) {
	t.Helper()
	out := t.TempDir()
	files, err := corpus.ExpandInputs(inputs, corpus.Auto)
	if err != nil {
		t.Fatal(err)
	}
	opt := Options{Request: output.Request{Inputs: files, Params: stage.DefaultParams(), OutDir: out, Force: true}, Workers: 2}
	if mod != nil {
		mod(&opt)
	}
	stats, err := Run(context.Background(), opt)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	checkAccounting(t, stats)
	return out, stats
}

// checkAccounting asserts read = kept + removed + rejected per file and in total.
func checkAccounting(t *testing.T, s *output.Stats) {
	t.Helper()
	var total output.Counts
	for _, f := range s.Inputs {
		if f.Read != f.Kept+f.Removed+f.Rejected {
			t.Errorf("%s: read %d != kept %d + removed %d + rejected %d", f.Path, f.Read, f.Kept, f.Removed, f.Rejected)
		}
		if f.Removed != f.RemovedExact+f.RemovedNear {
			t.Errorf("%s: removed %d != exact %d + near %d", f.Path, f.Removed, f.RemovedExact, f.RemovedNear)
		}
		total.Add(f.Counts)
	}
	if total.Read != s.Total.Read || total.Kept != s.Total.Kept || total.Removed != s.Total.Removed || total.Rejected != s.Total.Rejected {
		t.Errorf("total %+v does not sum the files %+v", s.Total, total)
	}
}

// The founding sample: exactly two clusters, lines 2 and 3 (exact) and lines
// 16 and 19 (near: 19 is 16 re-masked), and no other merge.
func TestSeed(t *testing.T) {
	out, stats := runDedup(t, []string{seedPath}, nil)
	got := readClusters(t, out)
	want := []clusterLine{
		{ID: seedPath + ":2", Cluster: 0, Kept: true, Reason: "exact", Similarity: 1},
		{ID: seedPath + ":3", Cluster: 0, Kept: false, Reason: "exact", Similarity: 1},
		{ID: seedPath + ":16", Cluster: 1, Kept: true, Reason: "near", Similarity: 1},
		{ID: seedPath + ":19", Cluster: 1, Kept: false, Reason: "near"},
	}
	if len(got) != len(want) {
		t.Fatalf("clusters.jsonl has %d lines, want %d:\n%+v", len(got), len(want), got)
	}
	for i := range want {
		g, w := got[i], want[i]
		if i == 3 {
			if g.Similarity < stats.Params.Threshold || g.Similarity > 1 {
				t.Errorf("line 19 similarity %.4f, want ≥ threshold %.2f", g.Similarity, stats.Params.Threshold)
			}
			w.Similarity = g.Similarity
		}
		if g != w {
			t.Errorf("clusters.jsonl line %d = %+v, want %+v", i+1, g, w)
		}
	}
	if stats.Total.Read != 20 || stats.Total.Kept != 18 || stats.Total.RemovedExact != 1 || stats.Total.RemovedNear != 1 {
		t.Errorf("totals %+v, want read 20, kept 18, 1 exact, 1 near", stats.Total)
	}
	kept, err := os.ReadFile(filepath.Join(out, "kept", "seed.txt"))
	if err != nil {
		t.Fatal(err)
	}
	seed, _ := os.ReadFile(seedPath)
	lines := strings.SplitAfter(string(seed), "\n")
	wantKept := strings.Join(slices.Concat(lines[:2], lines[3:18], lines[19:]), "")
	if string(kept) != wantKept {
		t.Errorf("kept/seed.txt is not the seed without lines 3 and 19")
	}
}

// At the usual threshold of 0.8, the seed's re-masked pair (plain shingle
// Jaccard 0.77) is found only because of the mask rules.
func TestSeedMasksAtUsualThreshold(t *testing.T) {
	for _, masks := range []bool{true, false} {
		t.Run(fmt.Sprintf("masks=%v", masks), func(t *testing.T) {
			out, _ := runDedup(t, []string{seedPath}, func(o *Options) {
				o.Params.Threshold = 0.8
				o.Params.Normalize.Masks = masks
			})
			found := false
			for _, c := range readClusters(t, out) {
				found = found || strings.HasSuffix(c.ID, ":19")
			}
			if found != masks {
				t.Errorf("line 19 clustered = %v, want %v", found, masks)
			}
		})
	}
}

// writeCorpus writes docs as JSONL with ids, split over nFiles files.
func writeCorpus(t *testing.T, dir string, docs []string, nFiles int) []string {
	t.Helper()
	var paths []string
	per := (len(docs) + nFiles - 1) / nFiles
	for f := 0; f < nFiles; f++ {
		p := filepath.Join(dir, fmt.Sprintf("part-%02d.jsonl", f))
		var b strings.Builder
		for i := f * per; i < min(len(docs), (f+1)*per); i++ {
			line, _ := json.Marshal(map[string]any{"id": fmt.Sprintf("d%03d", i), "text": docs[i], "score": i % 7})
			b.Write(line)
			b.WriteByte('\n')
		}
		if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	return paths
}

// syntheticDocs builds a corpus from the seed with exact, re-punctuated,
// re-masked and truncated copies.
func syntheticDocs(t *testing.T) []string {
	t.Helper()
	seed, err := os.ReadFile(seedPath)
	if err != nil {
		t.Fatal(err)
	}
	var docs []string
	for i, line := range strings.Split(strings.TrimSpace(string(seed)), "\n") {
		docs = append(docs, line)
		switch i % 4 {
		case 0:
			docs = append(docs, line) // exact copy
		case 1:
			docs = append(docs, strings.NewReplacer("，", ",", "。", ".", "、", ",").Replace(line)) // re-punctuated
		case 2:
			r := []rune(line)
			docs = append(docs, string(r[:len(r)*9/10])) // truncated
		}
	}
	return docs
}

// Same input, same options, same output, whatever the number of workers or files.
func TestDeterminism(t *testing.T) {
	docs := syntheticDocs(t)
	read := func(dir string) string {
		b, err := os.ReadFile(filepath.Join(dir, "clusters.jsonl"))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	one := writeCorpus(t, t.TempDir(), docs, 1)
	seven := writeCorpus(t, t.TempDir(), docs, 7)
	ref, stats := runDedup(t, one, func(o *Options) { o.Workers = 1 })
	want := read(ref)
	if stats.Clusters < 10 {
		t.Fatalf("only %d clusters: the synthetic corpus should have about 15", stats.Clusters)
	}
	for _, tc := range []struct {
		name   string
		inputs []string
		work   int
	}{
		{"2 workers", one, 2},
		{"8 workers", one, 8},
		{"7 files", seven, 2},
		{"7 files 1 worker", seven, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, _ := runDedup(t, tc.inputs, func(o *Options) { o.Workers = tc.work })
			if got := read(out); got != want {
				t.Errorf("clusters.jsonl differs from the 1-file, 1-worker run")
			}
		})
	}
}

func TestKeepRules(t *testing.T) {
	docs := syntheticDocs(t)
	in := writeCorpus(t, t.TempDir(), docs, 1)
	for _, rule := range []string{"first", "longest", "max:score"} {
		t.Run(rule, func(t *testing.T) {
			out, _ := runDedup(t, in, func(o *Options) {
				var err error
				if o.Params.Keep, err = keep.Parse(rule); err != nil {
					t.Fatal(err)
				}
			})
			byCluster := map[int][]clusterLine{}
			for _, c := range readClusters(t, out) {
				byCluster[c.Cluster] = append(byCluster[c.Cluster], c)
			}
			for id, members := range byCluster {
				kept := 0
				for _, m := range members {
					if m.Kept {
						kept++
					}
				}
				if kept != 1 {
					t.Errorf("cluster %d keeps %d documents", id, kept)
				}
			}
		})
	}
}

func TestOutDirRefused(t *testing.T) {
	out := t.TempDir()
	os.WriteFile(filepath.Join(out, "something"), []byte("x"), 0o644)
	_, err := Run(context.Background(), Options{Request: output.Request{Inputs: []string{seedPath}, Params: stage.DefaultParams(), OutDir: out}})
	if err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("Run into a non-empty directory: err = %v, want a refusal", err)
	}
}

// A run stopped after any stage and resumed gives the same outputs as an
// uninterrupted one.
func TestResume(t *testing.T) {
	docs := syntheticDocs(t)
	in := writeCorpus(t, t.TempDir(), docs, 3)
	ref, _ := runDedup(t, in, nil)
	want := readOutputs(t, ref)
	for _, stop := range []string{"fingerprint", "group", "confirm", "cluster"} {
		t.Run(stop, func(t *testing.T) {
			out := t.TempDir()
			opt := Options{Request: output.Request{Inputs: in, Params: stage.DefaultParams(), OutDir: out, Force: true}, Workers: 2, stopAfter: stop}
			if _, err := Run(context.Background(), opt); err != errStopped {
				t.Fatalf("Run with stopAfter: %v", err)
			}
			opt.stopAfter, opt.Force, opt.Resume = "", false, true
			opt.Workers = 1 // resuming with another worker count changes nothing
			if _, err := Run(context.Background(), opt); err != nil {
				t.Fatalf("resume: %v", err)
			}
			got := readOutputs(t, out)
			for name, w := range want {
				if got[name] != w {
					t.Errorf("%s differs after resuming from %s", name, stop)
				}
			}
			if _, err := os.Stat(filepath.Join(out, ".work")); !os.IsNotExist(err) {
				t.Errorf("work directory left after a successful run: %v", err)
			}
		})
	}
}

// Resume refuses a work directory made with other parameters or inputs.
func TestResumeRefusesChanges(t *testing.T) {
	docs := syntheticDocs(t)
	in := writeCorpus(t, t.TempDir(), docs, 1)
	out := t.TempDir()
	opt := Options{Request: output.Request{Inputs: in, Params: stage.DefaultParams(), OutDir: out, Force: true}, stopAfter: "fingerprint"}
	if _, err := Run(context.Background(), opt); err != errStopped {
		t.Fatal(err)
	}
	opt.stopAfter, opt.Force, opt.Resume = "", false, true
	changed := opt
	changed.Params.Threshold = 0.7
	if _, err := Run(context.Background(), changed); !errors.Is(err, ErrResumeMismatch) {
		t.Errorf("resume with another threshold: err = %v, want ErrResumeMismatch", err)
	}
	if err := os.WriteFile(in[0], append(mustRead(t, in[0]), []byte("{\"id\":\"new\",\"text\":\"一篇新加的文档，内容足够长，可以参与近似重复检测。\"}\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(context.Background(), opt); !errors.Is(err, ErrResumeMismatch) {
		t.Errorf("resume after the input changed: err = %v, want ErrResumeMismatch", err)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// readOutputs returns every output file's content but the timings in
// stats.json and report.html (which shows them).
func readOutputs(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if rel == "report.html" {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if rel == "stats.json" {
			var s output.Stats
			if err := json.Unmarshal(b, &s); err != nil {
				return err
			}
			s.Stages, s.WallSeconds, s.CPUSeconds, s.Workers, s.DecodedOnce, s.BandRuns = nil, 0, 0, 0, 0, 0 // how the run went, not what it found
			b, _ = json.Marshal(s)
		}
		out[rel] = string(b)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// A file none of whose documents is removed or rejected is copied as it is.
func TestUntouchedFileCopied(t *testing.T) {
	dir := t.TempDir()
	seed := mustRead(t, seedPath)
	lines := strings.Split(strings.TrimSpace(string(seed)), "\n")
	a := filepath.Join(dir, "a.txt")
	b := filepath.Join(dir, "b.txt")
	os.WriteFile(a, []byte(strings.Join(lines[:10], "\n")+"\n"), 0o644) // lines 2 and 3 duplicate each other
	os.WriteFile(b, []byte(strings.Join(lines[10:14], "\n")+"\n"), 0o644)
	out, stats := runDedup(t, []string{a, b}, nil)
	if got := mustRead(t, filepath.Join(out, "kept", "b.txt")); string(got) != string(mustRead(t, b)) {
		t.Errorf("kept/b.txt differs from b.txt")
	}
	if stats.Inputs[1].Kept != 4 || stats.Inputs[0].Removed != 1 {
		t.Errorf("per-file counts %+v", stats.Inputs)
	}
}

// A memory budget too small for the signatures sends them to the work
// directory; the outputs do not change.
func TestSpilledSignatures(t *testing.T) {
	seed := strings.Split(strings.TrimSpace(string(mustRead(t, seedPath))), "\n")
	var docs []string
	for i := 0; i < 9000; i++ {
		line := []rune(seed[i%len(seed)])
		cut := (i * 7) % (len(line) / 3) // a different tail cut: near, not exact, copies
		docs = append(docs, fmt.Sprintf("第%d版：%s", i/len(seed)%50, string(line[:len(line)-cut])))
	}
	// Compressed: an uncompressed input is never held (the output pass
	// reads it again from the disk).
	in := writeCorpus(t, t.TempDir(), docs, 2)
	for i, p := range in {
		if err := os.WriteFile(p+".zst", zstdBytes(t, mustRead(t, p)), 0o644); err != nil {
			t.Fatal(err)
		}
		os.Remove(p)
		in[i] = p + ".zst"
	}
	ref, refStats := runDedup(t, in, nil)
	out, stats := runDedup(t, in, func(o *Options) { o.Memory = 1 })
	if stats.SignatureBlocks != 3 || stats.SpilledBlocks != 2 || refStats.SpilledBlocks != 0 {
		t.Fatalf("signature blocks %d, spilled %d (reference spilled %d): want 3 blocks, 2 spilled", stats.SignatureBlocks, stats.SpilledBlocks, refStats.SpilledBlocks)
	}
	if refStats.DecodedOnce != 2 || stats.DecodedOnce != 0 {
		t.Fatalf("files copied from their decoded content: %d with the default budget (want 2), %d with none (want 0)", refStats.DecodedOnce, stats.DecodedOnce)
	}
	if refStats.Total.Removed < 8000 {
		t.Fatalf("only %d removed: the copies should nearly all go", refStats.Total.Removed)
	}
	want, got := readOutputs(t, ref), readOutputs(t, out)
	for name := range want {
		if name == "stats.json" {
			continue // it reports the spill
		}
		if got[name] != want[name] {
			t.Errorf("%s differs when the signatures are spilled", name)
		}
	}
	// And a resumed run reads them back from the checkpoint.
	out2 := t.TempDir()
	opt := Options{Request: output.Request{Inputs: in, Params: stage.DefaultParams(), OutDir: out2}, Memory: 1, stopAfter: "fingerprint"}
	if _, err := Run(context.Background(), opt); err != errStopped {
		t.Fatal(err)
	}
	opt.stopAfter, opt.Resume = "", true
	if _, err := Run(context.Background(), opt); err != nil {
		t.Fatal(err)
	}
	if a, b := readOutputs(t, out2)["clusters.jsonl"], want["clusters.jsonl"]; a != b {
		t.Errorf("clusters.jsonl differs after resuming with spilled signatures")
	}
}

// A run killed before it wrote its manifest left only a work directory;
// --resume starts it over instead of refusing the directory.
func TestResumeBeforeManifest(t *testing.T) {
	out := t.TempDir()
	if err := os.MkdirAll(filepath.Join(out, ".work"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(out, ".work", "texts.bin"), []byte("partial"), 0o644)
	stats, err := Run(context.Background(), Options{Request: output.Request{Inputs: []string{seedPath}, Params: stage.DefaultParams(), OutDir: out}, Resume: true})
	if err != nil {
		t.Fatalf("resume: %v", err)
	}
	if stats.Total.Kept != 18 {
		t.Errorf("kept %d, want 18", stats.Total.Kept)
	}
}

// A dry run writes everything but the corpus, with the same counts,
// clusters and report texts as a full run.
func TestDryRun(t *testing.T) {
	docs := syntheticDocs(t)
	in := writeCorpus(t, t.TempDir(), docs, 3)
	in = append(in, seedPath)              // a file that also has removals, and one read as text
	for _, memory := range []int64{0, 1} { // decoded content held, and not
		t.Run(fmt.Sprint("memory=", memory), func(t *testing.T) {
			ref, refStats := runDedup(t, in, func(o *Options) { o.Memory = memory; o.WriteRemoved = true })
			out, stats := runDedup(t, in, func(o *Options) { o.Memory = memory; o.DryRun = true })
			for _, dir := range []string{"kept", "removed"} {
				if _, err := os.Stat(filepath.Join(out, dir)); !os.IsNotExist(err) {
					t.Errorf("a dry run wrote %s/ (%v)", dir, err)
				}
			}
			if !stats.DryRun || refStats.DryRun {
				t.Errorf("stats dry_run: %v in the dry run, %v in the full one", stats.DryRun, refStats.DryRun)
			}
			if !reflect.DeepEqual(stats.Total, refStats.Total) || stats.Total.Removed == 0 {
				t.Errorf("dry run counts %+v, full run %+v", stats.Total, refStats.Total)
			}
			want, got := readOutputs(t, ref), readOutputs(t, out)
			if got["clusters.jsonl"] != want["clusters.jsonl"] {
				t.Error("clusters.jsonl differs in a dry run")
			}
			if a, b := reportData(t, out), reportData(t, ref); a != b || !strings.Contains(a, "的") {
				t.Errorf("the dry run's report data differs from the full run's, or holds no text:\n%.300s\n%.300s", a, b)
			}
		})
	}
}

// reportData returns the data report.html embeds: its clusters and their
// texts.
func reportData(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	_, data, ok := strings.Cut(string(b), `id="report-data">`)
	data, _, ok2 := strings.Cut(data, "</script>")
	if !ok || !ok2 {
		t.Fatal("report.html holds no report-data script")
	}
	return data
}

// Bands too large for the budget are sorted in runs and merged; the
// outputs do not change.
func TestBandRuns(t *testing.T) {
	in := writeCorpus(t, t.TempDir(), syntheticDocs(t), 2)
	ref, refStats := runDedup(t, in, nil)
	out, stats := runDedup(t, in, func(o *Options) { o.bandRecords = 5 })
	if refStats.BandRuns != 0 || stats.BandRuns < 2 {
		t.Fatalf("band runs %d (reference %d): want several, and none in the reference", stats.BandRuns, refStats.BandRuns)
	}
	if refStats.Verification.CandidatePairs == 0 {
		t.Fatal("no candidate pairs: the test corpus has no near duplicates")
	}
	want, got := readOutputs(t, ref), readOutputs(t, out)
	for name := range want {
		if got[name] != want[name] {
			t.Errorf("%s differs when the bands are merged from runs", name)
		}
	}
}

// --output-compression: outputs in the chosen compression, named after it,
// holding what the default run holds; inputs that would share an output
// name are refused.
func TestOutputCompression(t *testing.T) {
	dir := t.TempDir()
	in := writeCorpus(t, dir, syntheticDocs(t), 2)
	// The second part gzip-compressed, and the seed as plain text: files
	// with and without removals, compressed and not.
	raw, err := os.ReadFile(in[1])
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(raw)
	zw.Close()
	os.Remove(in[1])
	in[1] += ".gz"
	if err := os.WriteFile(in[1], gz.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	in = append(in, seedPath)
	ref, refStats := runDedup(t, in, nil)
	out, stats := runDedup(t, in, func(o *Options) { o.Corpus.Output = corpus.OutputZstd })
	total := 0
	for i, f := range stats.Inputs {
		if !strings.HasSuffix(f.Output, ".zst") || strings.HasSuffix(f.Output, ".gz.zst") {
			t.Errorf("%s written as %s, want a .zst name without the .gz", f.Path, f.Output)
		}
		want := readMaybeCompressed(t, filepath.Join(ref, "kept", refStats.Inputs[i].Output))
		got := readMaybeCompressed(t, filepath.Join(out, "kept", f.Output))
		if !bytes.Equal(got, want) {
			t.Errorf("%s: kept %d bytes, the default run kept %d", f.Output, len(got), len(want))
		}
		total += len(want)
	}
	if total == 0 {
		t.Error("nothing kept at all: the test compares nothing")
	}
	// a.jsonl.gz and a.jsonl.zst would both become a.jsonl.
	clash := t.TempDir()
	for _, name := range []string{"a.jsonl.gz", "a.jsonl.zst"} {
		src := in[1]
		if strings.HasSuffix(name, ".zst") {
			src = in[0]
		}
		b, _ := os.ReadFile(src)
		if strings.HasSuffix(name, ".zst") {
			b = zstdBytes(t, b)
		}
		os.WriteFile(filepath.Join(clash, name), b, 0o644)
	}
	_, err = Run(context.Background(), Options{
		Request: output.Request{
			Inputs: []string{filepath.Join(clash, "a.jsonl.gz"), filepath.Join(clash, "a.jsonl.zst")},
			Corpus: corpus.Options{Output: corpus.OutputNone},
			Params: stage.DefaultParams(),
			OutDir: t.TempDir(),
			Force:  true,
		},
	})
	var ce *output.ConfigError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "both be written as a.jsonl") {
		t.Errorf("two inputs onto one output name: %v", err)
	}
}

// readMaybeCompressed reads a file, decompressing it by its extension.
func readMaybeCompressed(t *testing.T, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r io.Reader = f
	switch {
	case strings.HasSuffix(path, ".gz"):
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	case strings.HasSuffix(path, ".zst"):
		zr, err := zstd.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		r = zr
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func zstdBytes(t *testing.T, b []byte) []byte {
	t.Helper()
	zw, err := zstd.NewWriter(nil)
	if err != nil {
		t.Fatal(err)
	}
	return zw.EncodeAll(b, nil)
}

// An input changed between pass 1 and the output pass is refused, whether
// the output pass would copy it from memory or read it again.
func TestInputChangedDuringRun(t *testing.T) {
	for _, memory := range []int64{0, 1} { // held, and not
		in := writeCorpus(t, t.TempDir(), syntheticDocs(t), 1)
		touched := false
		_, err := Run(context.Background(), Options{
			Request: output.Request{
				Inputs: in,
				Params: stage.DefaultParams(),
				OutDir: t.TempDir(),
				Force:  true,
			},
			Memory: memory,
			Progress: func(e progress.Event) {
				if e.Kind == progress.StageStart && e.Stage == "write" && !touched {
					touched = true
					later := time.Now().Add(time.Hour)
					if err := os.Chtimes(in[0], later, later); err != nil {
						t.Error(err)
					}
				}
			},
		})
		var ie *output.InputError
		if !touched || !errors.As(err, &ie) || !strings.Contains(err.Error(), "changed during the run") {
			t.Errorf("memory %d: input touched before the output pass: %v", memory, err)
		}
	}
}

// Options that cannot mean anything are refused before anything is written.
func TestMeaninglessOptions(t *testing.T) {
	keepDate, err := keep.Parse("max:date")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		set  func(*Options)
	}{
		{"removed with dry-run", func(o *Options) { o.WriteRemoved = true; o.DryRun = true }},
		{"a field on text input", func(o *Options) { o.Params.Keep = keepDate }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			opt := Options{Request: output.Request{Inputs: []string{seedPath}, Params: stage.DefaultParams(), OutDir: out}}
			tt.set(&opt)
			_, err := Run(context.Background(), opt)
			var ce *output.ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("Run: %v, want a output.ConfigError", err)
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("a refused run created %s", out)
			}
		})
	}
}

// The signature file is not fsynced at the fingerprint checkpoint: a run
// resumed after the machine stopped before it reached the disk (here: the
// file zeroed or cut short) finds a block that does not match its checksum
// and starts over, with the outputs of an uninterrupted run; an intact
// checkpoint is resumed from.
func TestResumeTornSignatures(t *testing.T) {
	docs := syntheticDocs(t)
	in := writeCorpus(t, t.TempDir(), docs, 2)
	ref, _ := runDedup(t, in, nil)
	want := readOutputs(t, ref)
	for _, tc := range []struct {
		name    string
		tear    func(path string) error
		restart bool
	}{
		{"intact", func(string) error { return nil }, false},
		{"zeroed", func(p string) error {
			fi, err := os.Stat(p)
			if err != nil {
				return err
			}
			return os.WriteFile(p, make([]byte, fi.Size()), 0o644)
		}, true},
		{"short", func(p string) error {
			fi, err := os.Stat(p)
			if err != nil {
				return err
			}
			return os.Truncate(p, fi.Size()/2)
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := t.TempDir()
			opt := Options{Request: output.Request{Inputs: in, Params: stage.DefaultParams(), OutDir: out}, stopAfter: "fingerprint"}
			if _, err := Run(context.Background(), opt); err != errStopped {
				t.Fatal(err)
			}
			if err := tc.tear(filepath.Join(out, ".work", "signatures.bin")); err != nil {
				t.Fatal(err)
			}
			var notes []string
			opt.stopAfter, opt.Resume = "", true
			opt.Progress = func(e progress.Event) {
				if e.Stage == "resume" {
					notes = append(notes, e.Message)
				}
			}
			if _, err := Run(context.Background(), opt); err != nil {
				t.Fatalf("resume: %v", err)
			}
			restarted := len(notes) == 1 && strings.Contains(notes[0], "starting over")
			if restarted != tc.restart || len(notes) != 1 {
				t.Errorf("resume notes %q; want a start over: %v", notes, tc.restart)
			}
			got := readOutputs(t, out)
			for name, w := range want {
				if got[name] != w {
					t.Errorf("%s differs after resuming", name)
				}
			}
		})
	}
}
