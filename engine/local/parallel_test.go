package local

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/quchong/quchong/corpus"
	"github.com/quchong/quchong/keep"
	"github.com/quchong/quchong/output"
	"github.com/quchong/quchong/stage"
)

// pqNoID is a Parquet row without an id column.
type pqNoID struct {
	Text  string  `parquet:"text"`
	Score float64 `parquet:"score"`
}

// parallelInputs is a multi-file input mixing formats and compressions,
// near and exact duplicates across files, rejected records and faults.
func parallelInputs(t *testing.T) []string {
	t.Helper()
	bad, _, _ := badInputs(t)
	good := writeCorpus(t, t.TempDir(), syntheticDocs(t), 7)
	for i, p := range good {
		if i%2 == 1 { // every other file compressed
			if err := os.WriteFile(p+".zst", zstdBytes(t, mustRead(t, p)), 0o644); err != nil {
				t.Fatal(err)
			}
			os.Remove(p)
			good[i] = p + ".zst"
		}
	}
	// A text file: ids are "path:line", also when it is read in parts.
	txt := filepath.Join(t.TempDir(), "lines.txt")
	docs := syntheticDocs(t)
	var b strings.Builder
	for i := range 40 {
		fmt.Fprintf(&b, "%s\n", docs[(i*7)%len(docs)])
		if i%9 == 0 {
			b.WriteString("  \r\n") // rejected: blank
		}
	}
	if err := os.WriteFile(txt, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	// A Parquet file of several row groups, no id column: ids are
	// "path:row", also when it is read by row groups.
	pq := filepath.Join(t.TempDir(), "rows.parquet")
	pf, err := os.Create(pq)
	if err != nil {
		t.Fatal(err)
	}
	w := parquet.NewGenericWriter[pqNoID](pf)
	for i := range 60 {
		text := docs[(i*5)%len(docs)]
		if i%13 == 4 {
			text = " " // rejected: blank
		}
		if _, err := w.Write([]pqNoID{{Text: text, Score: float64(i % 7)}}); err != nil {
			t.Fatal(err)
		}
		if i%8 == 7 {
			w.Flush() // a row group
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	pf.Close()
	// Defects first, between and after good files.
	return append(append(append([]string{bad[0], txt, bad[1], pq}, good[:4]...), bad[2:]...), good[4:]...)
}

// Reading several files at once changes nothing: every output (kept/,
// removed/, clusters.jsonl, rejected.jsonl, stats.json but for how the run
// went, the report's data) is byte for byte that of a run with one worker,
// which reads one file at a time, and so is which files the output pass
// copies from their content held in memory.
func TestWorkersSameOutputs(t *testing.T) {
	in := parallelInputs(t)
	params := stage.DefaultParams()
	params.AcceptMargin = 1 // every candidate checked on its texts, read back
	var err error
	if params.Keep, err = keep.Parse("max:score"); err != nil {
		t.Fatal(err)
	}
	run := func(workers int, memory, partBytes int64) (map[string]string, int) {
		out := t.TempDir()
		stats, err := Run(context.Background(), Options{
			Request: output.Request{
				Inputs:       in,
				Corpus:       corpus.Options{MaxDocBytes: 4096},
				Params:       params,
				OutDir:       out,
				Force:        true,
				WriteRemoved: true,
			},
			Workers:   workers,
			Memory:    memory,
			partBytes: partBytes,
		})
		if err != nil {
			t.Fatal(err)
		}
		checkAccounting(t, stats)
		if len(stats.Faults) != 5 || stats.Total.Rejected != 18 || stats.Clusters < 10 || stats.Verification.TextChecked < 5 {
			t.Fatalf("%d workers: %d faults, %d rejected, %d clusters, %d pairs checked on their texts: want 5, 18, 10 or more and 5 or more", workers, len(stats.Faults), stats.Total.Rejected, stats.Clusters, stats.Verification.TextChecked)
		}
		return readOutputs(t, out), stats.DecodedOnce
	}
	want, wantHeld := run(1, 0, 0)
	small, _ := run(1, 64<<20, 0) // stats.json reports the budget
	for _, tc := range []struct {
		name      string
		workers   int
		memory    int64
		partBytes int64
	}{
		{"2 workers", 2, 0, 0},
		{"8 workers", 8, 0, 0},
		{"8 workers, small budget", 8, 64 << 20, 0},
		{"1 worker, files in parts", 1, 0, 700},
		{"8 workers, files in parts", 8, 0, 700},
		{"2 workers, files in parts of 97 bytes", 2, 0, 97},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, held := run(tc.workers, tc.memory, tc.partBytes)
			want := want
			if tc.memory != 0 {
				want = small
			} else if held != wantHeld {
				t.Errorf("%d files copied from held content, %d with one worker", held, wantHeld)
			}
			for name, w := range want {
				if got[name] != w {
					t.Errorf("%s differs from the 1-worker run", name)
				}
			}
			if len(got) != len(want) {
				t.Errorf("%d outputs, %d with one worker", len(got), len(want))
			}
		})
	}
}

// The texts of uncompressed inputs are read back from the inputs, not
// written to the work directory; those of compressed inputs go to the text
// spill. Both give the same clusters, also after a resume.
func TestTextSpillOnlyForCompressed(t *testing.T) {
	docs := syntheticDocs(t)
	plain := writeCorpus(t, t.TempDir(), docs, 3)
	packed := writeCorpus(t, t.TempDir(), docs, 3)
	for i, p := range packed {
		if err := os.WriteFile(p+".zst", zstdBytes(t, mustRead(t, p)), 0o644); err != nil {
			t.Fatal(err)
		}
		packed[i] = p + ".zst"
	}
	var clusters []string
	for _, tc := range []struct {
		name   string
		inputs []string
		spill  bool
	}{{"plain", plain, false}, {"zstd", packed, true}} {
		out := t.TempDir()
		params := stage.DefaultParams()
		params.AcceptMargin = 1 // every candidate checked on its texts
		opt := Options{Request: output.Request{Inputs: tc.inputs, Params: params, OutDir: out}, stopAfter: "fingerprint"}
		if _, err := Run(context.Background(), opt); err != errStopped {
			t.Fatal(err)
		}
		fi, err := os.Stat(filepath.Join(out, ".work", "texts.bin"))
		if err != nil {
			t.Fatal(err)
		}
		if (fi.Size() > 0) != tc.spill {
			t.Errorf("%s: a text spill of %d bytes", tc.name, fi.Size())
		}
		opt.stopAfter, opt.Resume = "", true
		s, err := Run(context.Background(), opt)
		if err != nil {
			t.Fatal(err)
		}
		if s.Verification.TextChecked == 0 {
			t.Fatalf("%s: no pair checked on its texts: the test reads no text back", tc.name)
		}
		clusters = append(clusters, string(mustRead(t, filepath.Join(out, "clusters.jsonl"))))
	}
	if clusters[0] != clusters[1] {
		t.Errorf("clusters differ between texts read back from the inputs and from the spill")
	}
}

// Texts read back from more inputs than are held open at once come back
// right: the clusters of 20 files are those of one.
func TestRereadManyFiles(t *testing.T) {
	docs := syntheticDocs(t)
	params := stage.DefaultParams()
	params.AcceptMargin = 1 // every candidate checked on its texts
	var want string
	for _, n := range []int{1, 20} {
		in := writeCorpus(t, t.TempDir(), docs, n)
		out := t.TempDir()
		s, err := Run(context.Background(), Options{Request: output.Request{Inputs: in, Params: params, OutDir: out}, Workers: 2})
		if err != nil {
			t.Fatal(err)
		}
		if n == 20 && s.Verification.TextChecked == 0 {
			t.Fatal("no pair checked on its texts")
		}
		got := string(mustRead(t, filepath.Join(out, "clusters.jsonl")))
		if n == 1 {
			want = got
		} else if got != want {
			t.Errorf("clusters of %d files differ from those of one", n)
		}
	}
}

// rereaders holds at most maxRereaders files open, and reads right from
// files closed and opened again.
func TestRereadersBounded(t *testing.T) {
	dir := t.TempDir()
	var files []*fileInfo
	for i := range 3 * maxRereaders {
		p := filepath.Join(dir, fmt.Sprintf("f%d.txt", i))
		if err := os.WriteFile(p, []byte(fmt.Sprintf("first of %d\nsecond of %d\n", i, i)), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, &fileInfo{path: p, read: p})
	}
	var rs rereaders
	defer rs.close()
	for round := range 3 {
		for i, f := range files {
			off, want := int64(0), fmt.Sprintf("first of %d", i)
			if (i+round)%2 == 1 {
				off, want = int64(len(fmt.Sprintf("first of %d\n", i))), fmt.Sprintf("second of %d", i)
			}
			got, err := rs.textAt(f, off, corpus.Options{}, nil)
			if err != nil || string(got) != want {
				t.Fatalf("round %d, file %d: %q, %v; want %q", round, i, got, err, want)
			}
			if len(rs.open) > maxRereaders {
				t.Fatalf("%d files open, more than %d", len(rs.open), maxRereaders)
			}
		}
	}
}
