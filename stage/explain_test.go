package stage_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/quchong/quchong/engine/local"
	"github.com/quchong/quchong/keep"
	"github.com/quchong/quchong/output"
	"github.com/quchong/quchong/stage"
)

// lines returns the lines of a test input.
func lines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

// testPair is a pair of texts to explain.
type testPair struct {
	name string
	a, b string
}

// allPairs returns every pair of texts, in order, named by prefix and
// their positions.
func allPairs(prefix string, texts []string) []testPair {
	var out []testPair
	for i := range texts {
		for j := i + 1; j < len(texts); j++ {
			out = append(out, testPair{fmt.Sprintf("%s:%d,%d", prefix, i+1, j+1), texts[i], texts[j]})
		}
	}
	return out
}

// edited returns text with n of its twenty parts replaced, alternately by
// a placeholder mask ("XX") and by the same part of other: near copies at
// falling similarities, with masks.
func edited(text, other string, n int) string {
	r, o := []rune(text), []rune(other)
	var b strings.Builder
	for part := range 20 {
		lo, hi := part*len(r)/20, (part+1)*len(r)/20
		switch {
		case part%(20/n) != 0 || part/(20/n) >= n:
			b.WriteString(string(r[lo:hi]))
		case part%2 == 0:
			b.WriteString("XX")
		default:
			b.WriteString(string(o[min(lo, len(o)):min(hi, len(o))]))
		}
	}
	return b.String()
}

// TestExplainAgreesWithRun judges pairs of documents with Explain and runs
// the local engine on an input of each pair alone, under several parameter
// sets: the trail must tell what the run did at every step (the exact
// group, the candidate pair and its screen, the text check, and the
// clusters.jsonl the cluster decision wrote: kept document, removed
// document, reason and similarity). The pairs: every pair of
// testdata/seed.txt (the shared seed sample, 000_fb9d155572833d69.txt) and
// of testdata/chain.txt, of the first twelve templated man pages, and each
// seed document with copies of it edited in 2, 4, 6 and 10 of twenty
// parts.
func TestExplainAgreesWithRun(t *testing.T) {
	params := []struct {
		name string
		mod  func(*stage.Params)
	}{
		{"defaults", func(*stage.Params) {}},
		// Most estimates are borderline at 0.9: the texts decide.
		{"threshold 0.9", func(p *stage.Params) { p.Threshold = 0.9 }},
		// Low: links that the cluster decision then refuses (both kept).
		{"threshold 0.3, longest", func(p *stage.Params) { p.Threshold, p.Keep.Kind = 0.3, keep.Longest }},
		{"connected, fewest masks", func(p *stage.Params) { p.Cluster, p.Keep.Kind = stage.Connected, keep.FewestMasks }},
	}
	if testing.Short() {
		params = params[:2]
	}
	seed := lines(t, "../testdata/seed.txt")
	pairs := allPairs("seed", seed)
	pairs = append(pairs, allPairs("chain", lines(t, "../testdata/chain.txt"))...)
	var man []string
	for _, l := range lines(t, "../testdata/templated/coreutils-man.jsonl")[:12] {
		var r struct{ Text string }
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatal(err)
		}
		man = append(man, r.Text)
	}
	pairs = append(pairs, allPairs("man", man)...)
	for i, text := range seed {
		for _, n := range []int{2, 4, 6, 10} {
			pairs = append(pairs, testPair{fmt.Sprintf("seed:%d edited in %d parts", i+1, n), text, edited(text, seed[(i+1)%len(seed)], n)})
		}
	}
	// Short texts, and texts of nothing but masks, are only ever exact.
	pairs = append(pairs, testPair{"short", "怎么开通花呗？", "怎么开通花呗呀？"}, testPair{"short, re-punctuated", "怎么开通花呗？", "怎么开通花呗!"},
		testPair{"short and long", "怎么开通花呗？", seed[0]}, testPair{"masks", "XX", "***"})

	all := map[string]bool{}
	dir := fastDir(t)
	in := filepath.Join(dir, "pair.jsonl")
	out := filepath.Join(dir, "out")
	for _, ps := range params {
		p := stage.DefaultParams()
		ps.mod(&p)
		st, err := stage.New(p)
		if err != nil {
			t.Fatal(err)
		}
		paths := map[string]int{}
		for _, pair := range pairs {
			name := ps.name + "/" + pair.name
			tr, err := st.Explain([]byte(pair.a), []byte(pair.b))
			if err != nil {
				t.Fatalf("%s: Explain: %v", name, err)
			}
			paths[tr.Reason.String()]++
			if _, _, _, ok := tr.Removed(); ok != tr.Linked() {
				paths["linked, both kept"]++
			}
			var jsonl []byte
			for i, text := range []string{pair.a, pair.b} {
				line, _ := json.Marshal(map[string]string{"id": strconv.Itoa(i), "text": text})
				jsonl = append(append(jsonl, line...), '\n')
			}
			if err := os.WriteFile(in, jsonl, 0o644); err != nil {
				t.Fatal(err)
			}
			// The resolved parameters: deriving the bands again would
			// cost more than the rest of a run of two documents.
			stats, err := local.Run(context.Background(), local.Options{Request: output.Request{Inputs: []string{in}, Params: st.Params(), OutDir: out, Force: true}, Workers: 1, NoReport: true, DryRun: true, Memory: 64 << 20})
			if err != nil {
				t.Fatalf("%s: Run: %v", name, err)
			}
			checkTrail(t, name, tr, stats, readClusters(t, filepath.Join(out, "clusters.jsonl")))
		}
		t.Logf("%s: %v", ps.name, paths)
		for path := range paths {
			all[path] = true
		}
	}
	if len(all) < 7 && !testing.Short() {
		t.Errorf("the pairs took only the paths %v: the test no longer covers the decision", all)
	}
}

// fastDir returns a temporary directory, in memory where the system has
// one: a run syncs its outputs to disk, which costs more than the rest of a
// run of two documents.
func fastDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("/dev/shm", "quchong-explain-")
	if err != nil {
		return t.TempDir()
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// clusterLine is one line of clusters.jsonl, its document by position in
// the pair (0 or 1).
type clusterLine struct {
	doc        int
	kept       bool
	reason     string
	similarity string
}

func readClusters(t *testing.T, path string) []clusterLine {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []clusterLine
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var r output.ClusterRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		doc, err := strconv.Atoi(r.ID)
		if err != nil {
			t.Fatalf("id %q: %v", r.ID, err)
		}
		out = append(out, clusterLine{doc: doc, kept: r.Kept, reason: r.Reason, similarity: string(r.Similarity)})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// checkTrail compares a trail with what the run of the pair counted and
// wrote.
func checkTrail(t *testing.T, name string, tr *stage.Trail, stats *output.Stats, clusters []clusterLine) {
	t.Helper()
	b2i := func(b bool) int64 {
		if b {
			return 1
		}
		return 0
	}
	v, cs := stats.Verification, stats.Clustering
	screened := tr.Screen != nil && tr.Screen.Verdict != stage.Reject
	var d stage.Decision
	if tr.Decision != nil {
		d = *tr.Decision
	}
	for _, c := range []struct {
		what       string
		trail, run int64
	}{
		{"exact groups", b2i(tr.Exact), v.ExactGroups},
		{"candidate pairs", b2i(screened), v.CandidatePairs},
		{"accepted by signature", b2i(tr.Screen != nil && tr.Screen.Verdict == stage.Accept), v.AcceptedBySignature},
		{"text checked", b2i(tr.Confirm != nil), v.TextChecked},
		{"accepted by text", b2i(tr.Confirm != nil && tr.Confirm.Accepted), v.AcceptedByText},
		{"linked (exact)", b2i(tr.Reason == stage.ReasonExact), v.ExactGroups},
		{"linked (near by signature)", b2i(tr.Reason == stage.ReasonNearBySignature), v.AcceptedBySignature},
		{"linked (near by text)", b2i(tr.Reason == stage.ReasonNearByText), v.AcceptedByText},
		{"components", b2i(tr.Linked()), int64(cs.Components)},
		{"checks against the kept document", int64(d.Checks), cs.KeptChecks},
		{"of them on the texts", int64(d.TextChecks), cs.KeptTextChecks},
		{"saved from --cluster connected", int64(d.Saved), cs.DocumentsSaved},
		{"removed", b2i(len(clusters) > 0), stats.Total.Removed},
	} {
		if c.trail != c.run {
			t.Errorf("%s: %s: trail %d, run %d (trail reason %s)", name, c.what, c.trail, c.run, tr.Reason)
		}
	}
	if tr.Linked() != (tr.Decision != nil) || tr.Linked() != (len(tr.Checks) > 0) {
		t.Errorf("%s: linked %v, decision %v, %d checks", name, tr.Linked(), tr.Decision != nil, len(tr.Checks))
	}
	removed, exact, sim, ok := tr.Removed()
	if !ok {
		if len(clusters) != 0 {
			t.Errorf("%s: the trail removes nothing (%s), the run wrote %+v", name, tr.Reason, clusters)
		}
		return
	}
	if len(clusters) != 2 {
		t.Fatalf("%s: the trail removes document %d, the run wrote %+v", name, removed, clusters)
	}
	reason := "near"
	if exact {
		reason = "exact"
	}
	for _, l := range clusters {
		if l.doc == removed {
			if l.kept || l.reason != reason || l.similarity != strconv.FormatFloat(sim, 'f', 4, 64) {
				t.Errorf("%s: removed document %d: run wrote %+v, trail says %s at %.4f", name, removed, l, reason, sim)
			}
		} else if !l.kept || l.doc != int(tr.Checks[0].Kept) {
			t.Errorf("%s: kept document: run wrote %+v, trail keeps %d", name, l, tr.Checks[0].Kept)
		}
	}
}
