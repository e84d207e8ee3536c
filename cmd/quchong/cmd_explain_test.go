package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/quchong/quchong/explain"
	"github.com/quchong/quchong/stage"
)

const seedPath = "../../testdata/seed.txt"

func seedID(line int) string { return fmt.Sprintf("%s:%d", seedPath, line) }

// runExplain runs quchong explain with args and returns the exit code and
// both outputs.
func runExplain(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(append([]string{"explain"}, args...), &out, &errOut)
	return code, out.String(), errOut.String()
}

// explainJSON runs explain --json and decodes its output.
func explainJSON(t *testing.T, args ...string) explain.Report {
	t.Helper()
	code, out, errOut := runExplain(t, append(args, "--json")...)
	if code != exitOK {
		t.Fatalf("explain %v: exit %d, stderr %s", args, code, errOut)
	}
	var e explain.Report
	if err := json.Unmarshal([]byte(out), &e); err != nil {
		t.Fatalf("explain %v --json: %v\n%s", args, err, out)
	}
	return e
}

func TestExplainSeed(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		merged bool
		reason string
	}{
		{"near duplicates, names masked", []string{seedID(16), seedID(19)}, true, stage.ReasonNearBySignature.String()},
		{"same pair, order swapped", []string{seedID(19), seedID(16)}, true, stage.ReasonNearBySignature.String()},
		{"unrelated", []string{seedID(1), seedID(2)}, false, stage.ReasonNotCandidate.String()},
		{"exact", []string{seedID(2), seedID(3)}, true, stage.ReasonExact.String()},
		// 0.82 estimate: borderline at 0.9 (accept needs 0.95), the text decides.
		{"confirmed on the text", []string{seedID(16), seedID(19), "--threshold", "0.9"}, true, stage.ReasonNearByText.String()},
		{"text below a high threshold", []string{seedID(16), seedID(19), "--threshold", "0.99", "--bands", "32", "--rows", "4"}, false, stage.ReasonBelowThreshold.String()},
		// One band of 128 rows collides only when the signatures are equal.
		{"LSH misses", []string{seedID(16), seedID(19), "--bands", "1", "--rows", "128"}, false, stage.ReasonNotCandidate.String()},
		{"too short", []string{seedID(16), seedID(19), "--min-length", "1000"}, false, stage.ReasonTooShort.String()},
		{"exact even when short", []string{seedID(2), seedID(3), "--min-length", "1000"}, true, stage.ReasonExact.String()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := explainJSON(t, append(tt.args, "--input", seedPath)...)
			if e.Merged != tt.merged || e.Reason != tt.reason {
				t.Fatalf("merged %v (%s), want %v (%s): %s", e.Merged, e.Reason, tt.merged, tt.reason, e.Detail)
			}
			if e.A.ID != tt.args[0] || e.B.ID != tt.args[1] {
				t.Errorf("ids %q, %q; want %q, %q", e.A.ID, e.B.ID, tt.args[0], tt.args[1])
			}
			if e.Detail == "" || e.Note == "" {
				t.Error("no detail or note")
			}
			// The trail ends where the verdict was settled: a linked pair
			// with the cluster decision's check, another with the grouping
			// step that refused it.
			if n := len(e.Trail); n == 0 || (e.Trail[n-1].Stage == "check") != tt.merged {
				t.Errorf("trail %+v for merged %v", e.Trail, tt.merged)
			}
		})
	}
}

// TestExplainRemoval checks the cluster decision explain reports for a
// linked pair: which one the keep rule keeps and whether the other goes.
func TestExplainRemoval(t *testing.T) {
	chain := "../../testdata/chain.txt"
	tests := []struct {
		name    string
		args    []string
		kept    string // "" when the pair is not linked
		removed bool
		reason  string
	}{
		{"first keeps 16", []string{seedID(16), seedID(19), "--input", seedPath}, "a", true, "near"},
		{"first keeps 16 whichever side it is", []string{seedID(19), seedID(16), "--input", seedPath}, "b", true, "near"},
		{"longest keeps 19", []string{seedID(16), seedID(19), "--input", seedPath, "--keep", "longest"}, "b", true, "near"},
		{"exact copies", []string{seedID(2), seedID(3), "--input", seedPath}, "a", true, "exact"},
		{"not linked", []string{seedID(1), seedID(2), "--input", seedPath}, "", false, ""},
		{"neighbours in a chain", []string{chain + ":1", chain + ":2", "--input", chain}, "a", true, "near"},
		{"ends of a chain", []string{chain + ":1", chain + ":3", "--input", chain}, "", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := explainJSON(t, tt.args...)
			r := e.Removal
			if tt.kept == "" {
				if r != nil {
					t.Fatalf("removal %+v for a pair not linked", r)
				}
				return
			}
			if r == nil {
				t.Fatalf("no removal for a linked pair (%s)", e.Reason)
			}
			if r.Kept != tt.kept || r.Removed != tt.removed || r.Reason != tt.reason || r.Detail == "" {
				t.Errorf("removal %+v, want kept %s, removed %v, reason %s", r, tt.kept, tt.removed, tt.reason)
			}
			if r.Removed && r.Similarity < e.Params.Threshold {
				t.Errorf("removed at %.4f, under the threshold", r.Similarity)
			}
		})
	}
	if code, _, errOut := runExplain(t, seedID(16), seedID(19), "--input", seedPath, "--keep", "max:date"); code != exitUsage || !strings.Contains(errOut, "reads no field") {
		t.Errorf("--keep max:date: exit %d, %s", code, errOut)
	}
}

// TestExplainSeedDetails checks the numbers and fills of the seed's (16, 19)
// pair: the same report with names masked.
func TestExplainSeedDetails(t *testing.T) {
	e := explainJSON(t, seedID(16), seedID(19), "--input", seedPath)
	if e.ExactEqual {
		t.Error("exact_equal for different texts")
	}
	if !(e.MaskAwareSimilarity > e.ShingleJaccard) {
		t.Errorf("mask-aware similarity %.4f not above the plain Jaccard %.4f: masks were not filled", e.MaskAwareSimilarity, e.ShingleJaccard)
	}
	if e.SignatureEstimate == nil || *e.SignatureEstimate < 0.65 {
		t.Errorf("signature estimate %v, want ≥ 0.65", e.SignatureEstimate)
	}
	if e.BandsCollided < 1 || e.BandsCollided > e.Params.Bands {
		t.Errorf("bands collided %d of %d", e.BandsCollided, e.Params.Bands)
	}
	if e.A.Masks != 2 || e.B.Masks != 5 {
		t.Errorf("masks %d, %d; want 2, 5", e.A.Masks, e.B.Masks)
	}
	fills := func(d *explain.Doc) []string {
		var out []string
		for _, f := range d.Fills {
			out = append(out, f.Fill)
		}
		return out
	}
	if got, want := fills(e.B), []string{"星泽美申麦", "立邦", "大鹏", "同兴", explain.MaskSymbol}; !slices.Equal(got, want) {
		t.Errorf("fills of B = %q, want %q", got, want)
	}
	if got := fills(e.A); len(got) != 2 || got[0] != "19" {
		t.Errorf("fills of A = %q, want 19 first", got)
	}
	if e.Deleted == 0 || e.Inserted == 0 || e.Equal < 300 {
		t.Errorf("diff counts: %d deleted, %d inserted, %d equal", e.Deleted, e.Inserted, e.Equal)
	}
	// The diff is a script from A's normalised text to B's.
	var a, b strings.Builder
	for _, op := range e.Diff {
		if op.Op != "insert" {
			a.WriteString(op.Text)
		}
		if op.Op != "delete" {
			b.WriteString(op.Text)
		}
	}
	if a.String() != e.A.Normalized || b.String() != e.B.Normalized {
		t.Error("the diff does not rebuild the two normalised texts")
	}
}

// TestExplainAgreesWithDedup runs dedup on the seed and checks every pair:
// a pair explain merges shares a cluster, and the two documents of every
// two-document cluster are merged by explain (larger clusters may be
// transitive).
func TestExplainAgreesWithDedup(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	var so, se bytes.Buffer
	if code := run([]string{"dedup", "--quiet", seedPath, "-o", out}, &so, &se); code != exitOK {
		t.Fatalf("dedup: exit %d: %s", code, se.String())
	}
	f, err := os.Open(filepath.Join(out, "clusters.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cluster := map[string]int{}
	members := map[int][]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var r struct {
			ID      string `json:"id"`
			Cluster int    `json:"cluster"`
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		cluster[r.ID] = r.Cluster
		members[r.Cluster] = append(members[r.Cluster], r.ID)
	}
	if len(members) == 0 {
		t.Fatal("dedup found no cluster in the seed")
	}
	for _, ids := range members {
		if len(ids) == 2 {
			if e := explainJSON(t, ids[0], ids[1], "--input", seedPath); !e.Merged {
				t.Errorf("dedup clustered %s and %s alone, explain says %s: %s", ids[0], ids[1], e.Reason, e.Detail)
			}
		}
	}
	// All 190 pairs, through explain itself with one Stages (the command
	// would rebuild the normalisation tables for each).
	st, err := stage.New(stage.DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	seed, err := os.ReadFile(seedPath)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(seed), "\n"), "\n")
	merged := 0
	for i := range lines {
		for j := i + 1; j < len(lines); j++ {
			a := &explain.Doc{ID: seedID(i + 1), Order: i, Text: []byte(lines[i])}
			b := &explain.Doc{ID: seedID(j + 1), Order: j, Text: []byte(lines[j])}
			e, err := explain.New(st, a, b)
			if err != nil {
				t.Fatal(err)
			}
			ci, oki := cluster[a.ID]
			cj, okj := cluster[b.ID]
			if e.Merged {
				merged++
				if !oki || !okj || ci != cj {
					t.Errorf("explain merges lines %d and %d (%s), dedup does not", i+1, j+1, e.Reason)
				}
			}
		}
	}
	if merged == 0 {
		t.Error("explain merges no pair of the seed")
	}
}

func TestExplainText(t *testing.T) {
	code, out, errOut := runExplain(t, seedID(16), seedID(19), "--input", seedPath)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"verdict  MERGED (near-by-signature)", "shingle Jaccard", "signature estimate",
		"mask-aware similarity", "LSH bands collided", "of 32", "“星泽美申麦”",
		"[-星泽美申麦-]{+◆+}", "only in A", "judges the pair alone",
		"how dedup decided, step by step:", "3. bands    candidate: 15 of the 32 LSH bands", "6. check    removed: B against A",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b[") {
		t.Error("colours on a non-terminal with --color auto")
	}
	_, colored, _ := runExplain(t, seedID(16), seedID(19), "--input", seedPath, "--color=always")
	if !strings.Contains(colored, "\x1b[1;31;9m星泽美申麦\x1b[0m") || strings.Contains(colored, "[-星") {
		t.Error("--color=always does not mark deletions with colour")
	}
	_, never, _ := runExplain(t, seedID(16), seedID(19), "--input", seedPath, "--color", "never")
	if never != out {
		t.Error("--color never differs from auto on a non-terminal")
	}
	_, unrelated, _ := runExplain(t, seedID(1), seedID(2), "--input", seedPath)
	if !strings.Contains(unrelated, "NOT MERGED (not-a-candidate)") {
		t.Errorf("lines 1, 2:\n%s", unrelated)
	}
}
