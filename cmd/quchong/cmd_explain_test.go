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
	"time"

	"github.com/quchong/quchong/stage"
	"github.com/quchong/quchong/verify"
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
func explainJSON(t *testing.T, args ...string) explanation {
	t.Helper()
	code, out, errOut := runExplain(t, append(args, "--json")...)
	if code != exitOK {
		t.Fatalf("explain %v: exit %d, stderr %s", args, code, errOut)
	}
	var e explanation
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
		{"near duplicates, names masked", []string{seedID(16), seedID(19)}, true, reasonNearSignature},
		{"same pair, order swapped", []string{seedID(19), seedID(16)}, true, reasonNearSignature},
		{"unrelated", []string{seedID(1), seedID(2)}, false, reasonNotCandidate},
		{"exact", []string{seedID(2), seedID(3)}, true, reasonExact},
		// 0.82 estimate: borderline at 0.9 (accept needs 0.95), the text decides.
		{"confirmed on the text", []string{seedID(16), seedID(19), "--threshold", "0.9"}, true, reasonNearText},
		{"text below a high threshold", []string{seedID(16), seedID(19), "--threshold", "0.99", "--bands", "32", "--rows", "4"}, false, reasonBelowThreshold},
		// One band of 128 rows collides only when the signatures are equal.
		{"LSH misses", []string{seedID(16), seedID(19), "--bands", "1", "--rows", "128"}, false, reasonNotCandidate},
		{"too short", []string{seedID(16), seedID(19), "--min-length", "1000"}, false, reasonTooShort},
		{"exact even when short", []string{seedID(2), seedID(3), "--min-length", "1000"}, true, reasonExact},
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
	fills := func(d *explainDoc) []string {
		var out []string
		for _, f := range d.Fills {
			out = append(out, f.Fill)
		}
		return out
	}
	if got, want := fills(e.B), []string{"星泽美申麦", "立邦", "大鹏", "同兴", maskSymbol}; !slices.Equal(got, want) {
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
			a := &explainDoc{ID: seedID(i + 1), order: i, text: []byte(lines[i])}
			b := &explainDoc{ID: seedID(j + 1), order: j, text: []byte(lines[j])}
			e := explain(st, a, b)
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
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b[") {
		t.Error("colours on a non-terminal with --color auto")
	}
	_, colored, _ := runExplain(t, seedID(16), seedID(19), "--input", seedPath, "--color=always")
	if !strings.Contains(colored, styleDelete+"星泽美申麦"+styleReset) || strings.Contains(colored, "[-星") {
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

func TestExplainFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	long := strings.Repeat("项目是地方经济社会发展的不二王炸，招商引资工作是经济发展的先导。", 30)
	x := write("x.txt", "我镇某某家帮扶企业分别位于星火工业园区。"+long)
	y := write("y.txt", "我镇19家帮扶企业分别位于星火工业园区。"+long)
	s1 := write("s1.txt", "短文本一")
	s2 := write("s2.txt", "短文本二")

	e := explainJSON(t, "--files", x, y)
	if !e.Merged || e.A.ID != x || e.B.ID != y || len(e.A.Fills) != 1 || e.A.Fills[0].Fill != "19" {
		t.Errorf("x, y: merged %v (%s), ids %s %s, fills %+v", e.Merged, e.Reason, e.A.ID, e.B.ID, e.A.Fills)
	}
	if e := explainJSON(t, "--files", s1, s2); e.Merged || e.Reason != reasonTooShort || e.SignatureEstimate != nil {
		t.Errorf("short files: merged %v (%s), estimate %v", e.Merged, e.Reason, e.SignatureEstimate)
	}

	// Long texts are shortened unless --full.
	_, short, _ := runExplain(t, "--files", x, y)
	_, full, _ := runExplain(t, "--files", x, y, "--full")
	if !strings.Contains(short, "--full shows all") || !strings.Contains(short, " equal … ") {
		t.Errorf("long texts not shortened:\n%s", short)
	}
	if strings.Contains(full, "--full shows all") || strings.Contains(full, " equal … ") || len(full) <= len(short) {
		t.Error("--full still shortens")
	}
	if code, _, errOut := runExplain(t, "--files", x, filepath.Join(dir, "missing.txt")); code != exitInput || !strings.Contains(errOut, "missing.txt") {
		t.Errorf("missing file: exit %d, %s", code, errOut)
	}
	if code, _, errOut := runExplain(t, "--files", x, y, "--max-doc-bytes", "10"); code != exitInput || !strings.Contains(errOut, "max-doc-bytes") {
		t.Errorf("too large: exit %d, %s", code, errOut)
	}
	// Issue 19 item 10: a file whose size stat does not tell (a device
	// without end) is read only up to the limit.
	if _, err := os.Stat("/dev/zero"); err == nil {
		done := make(chan struct{})
		go func() {
			defer close(done)
			if code, _, errOut := runExplain(t, "--files", x, "/dev/zero", "--max-doc-bytes", "1000000"); code != exitInput || !strings.Contains(errOut, "max-doc-bytes") {
				t.Errorf("/dev/zero: exit %d, %s", code, errOut)
			}
		}()
		select {
		case <-done:
		case <-time.After(time.Minute):
			t.Fatal("explain --files /dev/zero did not stop at --max-doc-bytes")
		}
	}
}

func TestExplainInputs(t *testing.T) {
	dir := t.TempDir()
	j1 := filepath.Join(dir, "a.jsonl")
	j2 := filepath.Join(dir, "b.jsonl")
	body := strings.Repeat("招商引资工作是经济发展的先导，对接可行性高的项目。", 4)
	if err := os.WriteFile(j1, []byte(`{"id": "d1", "text": "`+body+`"}`+"\n"+`{"id": "d2", "text": ""}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(j2, []byte(`{"id": "d3", "text": "`+body+`！"}`+"\n"+`{"text": "no id"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// Inputs after the ids count too, as do repeated --input flags.
	for _, args := range [][]string{
		{"d1", "d3", "--input", j1, j2},
		{"d3", "--input", j1, "d1", "--input", j2},
	} {
		e := explainJSON(t, args...)
		if e.Reason != reasonExact || e.A.Path == e.B.Path {
			t.Errorf("%v: %s, paths %s %s", args, e.Reason, e.A.Path, e.B.Path)
		}
	}
	// A record without an id is PATH:LINE.
	if e := explainJSON(t, "d1", j2+":2", "--input", j1, j2); e.B.Record != 2 || e.Reason != reasonTooShort {
		t.Errorf("PATH:LINE id: record %d, %s", e.B.Record, e.Reason)
	}
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"d1", "nope", "--input", j1, j2}, exitInput, `id "nope" not found`},
		{[]string{"d1", j1 + ":2", "--input", j1}, exitInput, `:2" is a rejected record (` + j1 + ` line 2: empty`},
		{[]string{"d1", "d2", "--input", j1}, exitInput, `id "d2" not found in ` + j1 + ` (1 rejected record`},
		{[]string{"d1", "d1", "--input", j1}, exitUsage, "same id"},
		{[]string{"d1", "d3", "--input", filepath.Join(dir, "none.jsonl")}, exitInput, "none.jsonl"},
		{[]string{"d1", "d3"}, exitUsage, "--input"},
		{[]string{"d1"}, exitUsage, "two document ids"},
		{nil, exitUsage, "two document ids"},
		{[]string{"--files", j1}, exitUsage, "exactly two files"},
		{[]string{"--files", j1, j2, "--input", j1}, exitUsage, "no --input"},
		{[]string{"d1", "d3", "--input", j1, "--color", "sometimes"}, exitUsage, "--color"},
		{[]string{"d1", "d3", "--input", j1, "--threshold", "2"}, exitUsage, "threshold"},
		{[]string{"d1", "d3", "--input", j1, "--format", "csv"}, exitUsage, "csv"},
		{[]string{"d1", "d3", "--input", j1, "--bogus"}, exitUsage, "bogus"},
	}
	for _, tt := range tests {
		code, _, errOut := runExplain(t, tt.args...)
		if code != tt.code || !strings.Contains(errOut, tt.want) {
			t.Errorf("explain %q: exit %d, stderr %q; want exit %d mentioning %q", tt.args, code, errOut, tt.code, tt.want)
		}
	}
}

func TestExplainHelp(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"help", "explain"}, &out, &errOut); code != exitOK || !strings.Contains(out.String(), "--files") || !strings.Contains(out.String(), "-threshold") || errOut.Len() > 0 {
		t.Errorf("help explain: exit %d:\n%s\nstderr: %s", code, out.String(), errOut.String())
	}
	if strings.Count(out.String(), "Usage:") != 1 {
		t.Error("help printed more than once")
	}
}

// TestMaskFills checks the recovered fills against verify.Fill: putting
// each fill in place of its mask must give Fill's output.
func TestMaskFills(t *testing.T) {
	const m = verify.Mask
	tests := []struct {
		x, other string
		want     []string // fills; "" for unfilled with no mask facing it
	}{
		{"我镇\uE000家帮扶企业分别位于", "我镇19家帮扶企业分别位于", []string{"19"}},
		{"其中\uE000新材料将在今年", "其中星泽美申麦新材料将在今年", []string{"星泽美申麦"}},
		{"\uE000开头的文字很多很多", "张三开头的文字很多很多", []string{"张三"}},
		{"结尾的文字很多很多\uE000", "结尾的文字很多很多李四", []string{"李四"}},
		{"空的\uE000文字很多", "空的文字很多", []string{""}},
		{"甲乙丙丁\uE000戊己庚辛", "完全不同的另一段话", []string{""}},
		{"项目\uE000村的大棚", "项目\uE000村的大棚", []string{maskSymbol}},
		{"两个\uE000中间\uE000结尾", "两个张三中间李四结尾", []string{"张三", "李四"}},
		{"没有掩码", "没有掩码", nil},
	}
	st, err := stage.New(stage.DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	opt := st.Params().Verify
	for _, tt := range tests {
		x, other := []rune(tt.x), []rune(tt.other)
		filled := verify.Fill(nil, x, other, opt, nil)
		fills := maskFills(x, filled, other, opt)
		var got []string
		var rebuilt []rune
		k := 0
		for i := 0; i < len(x); i++ {
			if x[i] != m {
				rebuilt = append(rebuilt, x[i])
				continue
			}
			f := fills[k]
			k++
			got = append(got, f.Fill)
			if f.Filled {
				rebuilt = append(rebuilt, []rune(f.Fill)...)
			} else {
				rebuilt = append(rebuilt, m)
			}
		}
		if !slices.Equal(got, tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
			t.Errorf("maskFills(%q, %q) = %q, want %q", tt.x, tt.other, got, tt.want)
		}
		if string(rebuilt) != string(filled) {
			t.Errorf("fills of %q do not rebuild verify.Fill's %q: %q", tt.x, string(filled), string(rebuilt))
		}
	}
}

func TestRuneWidth(t *testing.T) {
	for _, tt := range []struct {
		r    rune
		want int
	}{{'a', 1}, {'中', 2}, {'，', 2}, {'가', 2}, {'◆', 1}, {'𠀀', 2}, {'é', 1}} {
		if got := runeWidth(tt.r); got != tt.want {
			t.Errorf("runeWidth(%q) = %d, want %d", tt.r, got, tt.want)
		}
	}
}

// rebuildFills puts each recovered fill in place of its mask run.
func rebuildFills(x []rune, fills []explainFill) ([]rune, bool) {
	var out []rune
	k := 0
	for i := 0; i < len(x); {
		if x[i] != verify.Mask {
			out = append(out, x[i])
			i++
			continue
		}
		j := i
		for j < len(x) && x[j] == verify.Mask {
			j++
		}
		if k >= len(fills) {
			return nil, false
		}
		if f := fills[k]; f.Filled {
			for _, c := range f.Fill {
				if string(c) == maskSymbol {
					c = verify.Mask
				}
				out = append(out, c)
			}
		} else {
			out = append(out, x[i:j]...)
		}
		k++
		i = j
	}
	return out, k == len(fills)
}

// FuzzMaskFills: the fills explain reports, put back in place, give exactly
// what verify.Fill computed. '#' in the inputs stands for a mask; runs of
// masks collapse to one, as in normalised text.
func FuzzMaskFills(f *testing.F) {
	for _, s := range [][2]string{
		{"我镇#家帮扶企业分别位于", "我镇19家帮扶企业分别位于"},
		{"两个#中间#结尾", "两个张三中间李四结尾"},
		{"项目#村的大棚", "项目#村的大棚"},
		{"abab#abab#ab", "ababxxababyab"},
		{"#", "anything"},
		{"aaaa#aaaa", "aaaaaaaaaaaa"},
	} {
		f.Add(s[0], s[1])
	}
	opt := verify.Options{MaxFill: 24, Context: 4}
	f.Fuzz(func(t *testing.T, xs, ys string) {
		toRunes := func(s string) []rune {
			var r []rune
			for _, c := range s {
				if c == '#' {
					c = verify.Mask
					if len(r) > 0 && r[len(r)-1] == c {
						continue
					}
				}
				r = append(r, c)
			}
			return r
		}
		x, y := toRunes(xs), toRunes(ys)
		if len(x) > 500 || len(y) > 500 {
			t.Skip()
		}
		filled := verify.Fill(nil, x, y, opt, nil)
		fills := maskFills(x, filled, y, opt)
		got, ok := rebuildFills(x, fills)
		if !ok || string(got) != string(filled) {
			t.Fatalf("x %q, other %q: fills %+v rebuild %q, verify.Fill gives %q", string(x), string(y), fills, string(got), string(filled))
		}
	})
}
