package local

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"

	"github.com/quchong/quchong/index"
	"github.com/quchong/quchong/output"
	"github.com/quchong/quchong/stage"
)

// seedJSONL returns the seed corpus as JSONL lines with ids s1..s20, so
// that ids do not depend on the file a line is in.
func seedJSONL(t *testing.T) [][]byte {
	t.Helper()
	var out [][]byte
	for i, l := range strings.Split(strings.TrimRight(string(mustRead(t, seedPath)), "\n"), "\n") {
		b, _ := json.Marshal(map[string]string{"id": fmt.Sprintf("s%d", i+1), "text": l})
		out = append(out, b)
	}
	return out
}

// zhMix returns the lines of ../shared/data's zh_mix_10mb, or skips.
func zhMix(t *testing.T) [][]byte {
	t.Helper()
	f, err := os.Open("../../../shared/data/corpus/zh_mix_10mb.jsonl.zst")
	if errors.Is(err, os.ErrNotExist) {
		t.Skip("../shared/data/corpus/zh_mix_10mb.jsonl.zst is not there")
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := zstd.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Split(bytes.TrimRight(b, "\n"), []byte("\n"))
}

// writeParts writes lines, in order, into n JSONL files of about equal
// line counts.
func writeParts(t *testing.T, dir string, lines [][]byte, n int) []string {
	t.Helper()
	var paths []string
	for p := range n {
		path := filepath.Join(dir, fmt.Sprintf("part%d.jsonl", p))
		part := lines[p*len(lines)/n : (p+1)*len(lines)/n]
		if err := os.WriteFile(path, append(bytes.Join(part, []byte("\n")), '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, path)
	}
	return paths
}

// removedIDs returns the ids a run removed, and the kept id each names.
func removedIDs(t *testing.T, out string) map[string]string {
	t.Helper()
	lines := readClusters(t, out)
	keptOf := map[int]string{}
	for _, c := range lines {
		if c.Kept {
			keptOf[c.Cluster] = c.ID
		}
	}
	removed := map[string]string{}
	for _, c := range lines {
		if !c.Kept {
			removed[c.ID] = keptOf[c.Cluster]
		}
	}
	return removed
}

// incremental deduplicates the parts one after the other through one
// index and returns the union of the ids removed and the index.
func incremental(t *testing.T, parts []string) (map[string]string, *index.Index) {
	t.Helper()
	p := stage.DefaultParams()
	ix, err := index.Open(filepath.Join(t.TempDir(), "index"), index.Options{Params: &p, Create: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	all := map[string]string{}
	for i, part := range parts {
		out, stats := runDedup(t, []string{part}, func(o *Options) { o.Index = ix })
		for id, k := range removedIDs(t, out) {
			all[id] = k
		}
		v, docs := ix.Head()
		if v != uint64(i+1) || docs != stats.Total.Kept+int64(0)+docsBefore(t, ix, v) {
			t.Errorf("after part %d: index version %d, %d documents; %d kept", i, v, docs, stats.Total.Kept)
		}
	}
	return all, ix
}

// docsBefore counts the documents of the versions before v.
func docsBefore(t *testing.T, ix *index.Index, v uint64) int64 {
	vs, err := ix.Versions()
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, x := range vs {
		if x.Number < v {
			n += int64(x.Docs)
		}
	}
	return n
}

// TestSplitCorpusMatchesWholeRun: a corpus deduplicated part by part
// through one index removes the same documents as one run over the whole,
// in the same order (keep rule first).
func TestSplitCorpusMatchesWholeRun(t *testing.T) {
	corpora := []struct {
		name  string
		lines func(*testing.T) [][]byte
	}{{"seed", seedJSONL}, {"zh_mix_10mb", zhMix}, {"zh_mix_10mb with edited copies", func(t *testing.T) [][]byte { return withEditedCopies(t, zhMix(t)) }}}
	for _, c := range corpora {
		t.Run(c.name, func(t *testing.T) {
			if c.name != "seed" && testing.Short() {
				t.Skip("a minute or two")
			}
			lines := c.lines(t)
			dir := t.TempDir()
			wholeOut, _ := runDedup(t, writeParts(t, filepath.Join(dir), lines, 1), nil)
			whole := removedIDs(t, wholeOut)
			if len(whole) == 0 {
				t.Fatal("the whole run removed nothing: nothing to compare")
			}
			for _, n := range []int{2, 5} {
				pdir := filepath.Join(dir, fmt.Sprint(n))
				os.Mkdir(pdir, 0o755)
				got, ix := incremental(t, writeParts(t, pdir, lines, n))
				var onlyWhole, onlyParts []string
				for id := range whole {
					if _, ok := got[id]; !ok {
						onlyWhole = append(onlyWhole, id)
					}
				}
				for id := range got {
					if _, ok := whole[id]; !ok {
						onlyParts = append(onlyParts, id)
					}
				}
				slices.Sort(onlyWhole)
				slices.Sort(onlyParts)
				t.Logf("%d parts: whole run removed %d, parts %d; only whole %v, only parts %v", n, len(whole), len(got), onlyWhole, onlyParts)
				if len(onlyWhole)+len(onlyParts) > 0 {
					t.Errorf("%d parts: the removals differ from the whole run's", n)
				}
				rep, err := ix.Verify()
				if err != nil || len(rep.Problems) > 0 {
					t.Errorf("index after %d parts: %v %+v", n, err, rep.Problems)
				}
			}
		})
	}
}

// TestIndexedRunNamesIndexedDoc: a document removed as a duplicate of an
// indexed one is in a cluster whose kept line is the indexed document.
func TestIndexedRunNamesIndexedDoc(t *testing.T) {
	lines := seedJSONL(t)
	dir := t.TempDir()
	parts := writeParts(t, dir, lines, 5) // lines 16 and 19 in parts 4 and 5
	_, ix := incremental(t, parts[:4])
	out, stats := runDedup(t, parts[4:], func(o *Options) { o.Index = ix; o.IndexReadOnly = true })
	if got := removedIDs(t, out); got["s19"] != "s16" {
		t.Errorf("part 5 removed %v, want s19 in place of s16", got)
	}
	cl := readClusters(t, out)
	if len(cl) != 2 || cl[0].ID != "s16" || !cl[0].Kept || cl[1].Reason != "near" || cl[1].Similarity < 0.6 {
		t.Errorf("clusters.jsonl %+v", cl)
	}
	if stats.Total.RemovedNear != 1 || stats.Total.Kept != 3 {
		t.Errorf("counts %+v", stats.Total)
	}
	if v, _ := ix.Head(); v != 4 {
		t.Errorf("a read-only run added to the index: version %d", v)
	}
	// An index of other detection parameters is refused.
	_, err := Run(t.Context(), Options{Request: output.Request{Inputs: parts[4:], Params: func() stage.Params { p := stage.DefaultParams(); p.Threshold = 0.8; return p }(), OutDir: t.TempDir(), Force: true}, Index: ix})
	var ce *output.ConfigError
	if !errors.As(err, &ce) || !errors.Is(err, index.ErrParams) {
		t.Errorf("other parameters: %v", err)
	}
}

// withEditedCopies inserts, 1,500 lines after every 10th document (or at
// the end), a copy
// with every 25th, 40th or 80th character replaced: near duplicates (and
// some borderline pairs) that fall in later parts than their originals.
func withEditedCopies(t *testing.T, lines [][]byte) [][]byte {
	t.Helper()
	later := map[int][][]byte{}
	for i := 0; i < len(lines); i += 10 {
		var d map[string]any
		if err := json.Unmarshal(lines[i], &d); err != nil {
			t.Fatal(err)
		}
		text, _ := d["text"].(string)
		r := []rune(text)
		every := []int{25, 40, 80}[i/10%3]
		for j := every - 1; j < len(r); j += every {
			r[j] = '的'
		}
		d["text"] = string(r)
		d["id"] = fmt.Sprintf("%v-copy", d["id"])
		b, _ := json.Marshal(d)
		later[i+1500] = append(later[i+1500], b)
	}
	var out [][]byte
	for i := range len(lines) + 1500 {
		if i < len(lines) {
			out = append(out, lines[i])
		}
		out = append(out, later[i]...)
	}
	return out
}
