package local

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/quchong/quchong/stage"
)

// texts returns the texts of a .txt (by PATH:LINE id) or .jsonl (by id)
// test input.
func texts(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := make(map[string]string)
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		if strings.HasSuffix(path, ".jsonl") {
			var r struct{ ID, Text string }
			if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
				t.Fatal(err)
			}
			out[r.ID] = r.Text
			continue
		}
		out[path+":"+strconv.Itoa(n)] = sc.Text()
	}
	return out
}

// The no-chaining guarantee, checked independently of what the run
// reports: every removed document's true similarity to the document kept in
// its place, computed here from the two texts with stage.Confirm, is at or
// above the threshold (or the two are exact copies). testdata/chain.txt is
// A~B~C with A≁C; testdata/templated/coreutils-man.jsonl is 89 coreutils man
// pages, a family of templated documents that chain. --cluster connected
// must still remove a document under the threshold on each (or the inputs
// no longer test anything).
func TestNoChaining(t *testing.T) {
	for _, in := range []string{"../../testdata/chain.txt", "../../testdata/templated/coreutils-man.jsonl"} {
		t.Run(in, func(t *testing.T) {
			src := texts(t, in)
			st, err := stage.New(stage.DefaultParams())
			if err != nil {
				t.Fatal(err)
			}
			var sc stage.Scratch
			similarity := func(a, b string) float64 {
				na, _ := st.Normalize(nil, []byte(src[a]))
				nb, _ := st.Normalize(nil, []byte(src[b]))
				if string(na) == string(nb) {
					return 1
				}
				sim, _ := st.Confirm(na, nb, &sc)
				return sim
			}
			below := func(mode stage.ClusterMode) (removed, under int, saved int64) {
				out, stats := runDedup(t, []string{in}, func(o *Options) { o.Params.Cluster = mode })
				kept := map[int]string{}
				lines := readClusters(t, out)
				for _, l := range lines {
					if l.Kept {
						kept[l.Cluster] = l.ID
					}
				}
				for _, l := range lines {
					if l.Kept {
						continue
					}
					removed++
					if s := similarity(kept[l.Cluster], l.ID); s < stats.Params.Threshold {
						under++
						if mode == stage.Verified {
							t.Errorf("%s removed for %s at true similarity %.3f (reported %.4f), under the threshold", l.ID, kept[l.Cluster], s, l.Similarity)
						}
					}
				}
				if stats.Clustering.Mode != mode.String() {
					t.Errorf("stats.json clustering mode %q, want %q", stats.Clustering.Mode, mode)
				}
				page, err := os.ReadFile(filepath.Join(out, "report.html"))
				if err != nil {
					t.Fatal(err)
				}
				attr := fmt.Sprintf(`data-documents-saved="%d"`, stats.Clustering.DocumentsSaved)
				if !strings.Contains(string(page), attr) || (mode == stage.Verified) != strings.Contains(string(page), "--cluster connected would remove") {
					t.Errorf("report.html does not show the documents saved (%s) in mode %v", attr, mode)
				}
				return removed, under, stats.Clustering.DocumentsSaved
			}
			vRemoved, _, vSaved := below(stage.Verified)
			cRemoved, cUnder, cSaved := below(stage.Connected)
			if cUnder == 0 {
				t.Errorf("--cluster connected removes no document under the threshold: the input does not chain")
			}
			if vSaved == 0 || cSaved != 0 || vRemoved+int(vSaved) != cRemoved {
				t.Errorf("verified removes %d and saves %d, connected removes %d and saves %d", vRemoved, vSaved, cRemoved, cSaved)
			}
		})
	}
}
