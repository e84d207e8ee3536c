package index

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cockroachdb/pebble/v2"
	"github.com/quchong/quchong/stage"
)

// seedLines returns the seed corpus's paragraphs: lines 2 and 3 are
// identical, line 19 is line 16 re-anonymised, no other pair duplicates.
func seedLines(t testing.TB) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "seed.txt"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimRight(string(b), "\n"), "\n")
}

func openNew(t testing.TB, dir string) *Index {
	t.Helper()
	p := stage.DefaultParams()
	ix, err := Open(dir, Options{Params: &p, Create: true})
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

func addTexts(t testing.TB, ix *Index, note string, ids []string, texts []string) Version {
	t.Helper()
	var es []Entry
	for i, s := range texts {
		es = append(es, ix.Prepare(ids[i], []byte(s), nil))
	}
	v, err := ix.Add(es, note)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestCheckSeed(t *testing.T) {
	lines := seedLines(t)
	if len(lines) < 20 {
		t.Fatalf("seed has %d lines, want 20", len(lines))
	}
	dir := t.TempDir()
	ix := openNew(t, dir)
	// Index every line but 3 and 19, the two duplicates.
	var ids, texts []string
	for i, s := range lines {
		if i+1 == 3 || i+1 == 19 {
			continue
		}
		ids = append(ids, fmt.Sprintf("seed:%d", i+1))
		texts = append(texts, s)
	}
	addTexts(t, ix, "seed", ids, texts)
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	ix, err := Open(dir, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	c := ix.NewChecker()
	tests := []struct {
		line   int
		want   string // the id matched; "" for none
		reason string
	}{
		{3, "seed:2", "exact"},
		{19, "seed:16", "near"},
		{16, "seed:16", "exact"},
		{7, "seed:7", "exact"},
	}
	for _, tc := range tests {
		ms, err := c.Check([]byte(lines[tc.line-1]))
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) != 1 || ms[0].ID != tc.want || ms[0].Reason() != tc.reason {
			t.Errorf("line %d: matches %+v, want one %s match with %s", tc.line, ms, tc.reason, tc.want)
		}
		if tc.reason == "near" && !(ms[0].Similarity >= ix.Params().Threshold && ms[0].Similarity < 1) {
			t.Errorf("line %d: near similarity %v", tc.line, ms[0].Similarity)
		}
	}
	for _, s := range []string{"完全不同的一段文字，和种子语料中的任何段落都没有关系，讲的是天气和海洋。", "短"} {
		ms, err := c.Check([]byte(s))
		if err != nil || len(ms) != 0 {
			t.Errorf("%q: matches %+v, %v; want none", s, ms, err)
		}
	}
}

func TestCheckShortTextsMatchOnlyExactly(t *testing.T) {
	ix := openNew(t, t.TempDir())
	defer ix.Close()
	addTexts(t, ix, "", []string{"a"}, []string{"今天天气很好。"})
	c := ix.NewChecker()
	for _, tc := range []struct {
		text string
		n    int
	}{{"今天天气很好!", 1}, {"今天天气很好吗", 0}} {
		ms, err := c.Check([]byte(tc.text))
		if err != nil || len(ms) != tc.n {
			t.Errorf("%q: %+v, %v; want %d matches", tc.text, ms, err, tc.n)
		}
	}
}

func TestParamsRefused(t *testing.T) {
	dir := t.TempDir()
	openNew(t, dir).Close()
	tests := []struct {
		name   string
		change func(*stage.Params)
		err    bool
	}{
		{"same", func(*stage.Params) {}, false},
		{"other keep rule", func(p *stage.Params) { p.Cluster = stage.Connected }, false},
		{"other threshold", func(p *stage.Params) { p.Threshold = 0.8 }, true},
		{"other k", func(p *stage.Params) { p.K = 64 }, true},
	}
	for _, tc := range tests {
		p := stage.DefaultParams()
		tc.change(&p)
		ix, err := Open(dir, Options{Params: &p})
		if tc.err != (err != nil) || (err != nil && !errors.Is(err, ErrParams)) {
			t.Errorf("%s: err %v", tc.name, err)
		}
		if err == nil {
			ix.Close()
		}
	}
	if _, err := Open(t.TempDir(), Options{}); !errors.Is(err, ErrNotIndex) {
		t.Errorf("open an empty directory: %v, want ErrNotIndex", err)
	}
}

func TestVersionsAndRollback(t *testing.T) {
	lines := seedLines(t)
	ix := openNew(t, t.TempDir())
	defer ix.Close()
	v1 := addTexts(t, ix, "first", []string{"a", "b"}, lines[:2])
	v2 := addTexts(t, ix, "second", []string{"c", "d", "e"}, lines[3:6])
	if v1.Number != 1 || v2.Number != 2 || v2.FirstSeq != 2 || v2.EndSeq != 5 {
		t.Fatalf("versions %+v, %+v", v1, v2)
	}
	vs, err := ix.Versions()
	if err != nil || len(vs) != 3 || vs[2].Note != "second" || vs[2].Docs != 3 {
		t.Fatalf("Versions = %+v, %v", vs, err)
	}
	verifyClean(t, ix, 5)
	c := ix.NewChecker()
	if ms, _ := c.Check([]byte(lines[4])); len(ms) != 1 || ms[0].Version != 2 {
		t.Fatalf("before rollback: %+v", ms)
	}
	n, err := ix.Rollback(1)
	if err != nil || n != 3 {
		t.Fatalf("Rollback(1) = %d, %v; want 3 removed", n, err)
	}
	if ms, _ := c.Check([]byte(lines[4])); len(ms) != 0 {
		t.Errorf("after rollback, a removed document still matches: %+v", ms)
	}
	if ms, _ := c.Check([]byte(lines[1])); len(ms) != 1 {
		t.Errorf("after rollback, a kept document no longer matches: %+v", ms)
	}
	verifyClean(t, ix, 2)
	v, docs := ix.Head()
	if v != 1 || docs != 2 {
		t.Errorf("head %d, %d docs; want 1, 2", v, docs)
	}
	if v3 := addTexts(t, ix, "again", []string{"f"}, lines[6:7]); v3.Number != 2 || v3.FirstSeq != 2 {
		t.Errorf("version after rollback: %+v", v3)
	}
	verifyClean(t, ix, 3)
	if _, err := ix.Rollback(9); err == nil {
		t.Error("rollback to a missing version: no error")
	}
}

func verifyClean(t *testing.T, ix *Index, docs int) {
	t.Helper()
	rep, err := ix.Verify()
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Problems) > 0 || rep.Docs != docs {
		t.Fatalf("Verify: %d docs, problems %+v; want %d docs, none", rep.Docs, rep.Problems, docs)
	}
}

func TestVerifyFindsDamage(t *testing.T) {
	lines := seedLines(t)
	tests := []struct {
		name   string
		damage func(ix *Index) error
		want   string
	}{
		{"flipped byte in a record", func(ix *Index) error {
			val, closer, err := ix.db.Get(docKey(1))
			if err != nil {
				return err
			}
			bad := append([]byte(nil), val...)
			closer.Close()
			bad[len(bad)/2] ^= 0x40
			return ix.db.Set(docKey(1), bad, nil)
		}, "checksum"},
		{"lost posting", func(ix *Index) error {
			d, err := ix.doc(0)
			if err != nil {
				return err
			}
			return ix.db.Delete(listKey(prefixExact, exactBucketBits(3), exact32(d.Exact), 1), nil)
		}, "0 exact postings, want 1"},
		{"lost band list", func(ix *Index) error {
			it, err := ix.db.NewIter(&pebble.IterOptions{LowerBound: []byte{prefixBand}, UpperBound: []byte{prefixBand + 1}})
			if err != nil {
				return err
			}
			defer it.Close()
			if !it.First() {
				return errors.New("no band list")
			}
			return ix.db.Delete(it.Key(), nil)
		}, "band postings, want"},
		{"stray posting", func(ix *Index) error {
			b := bucketBits(3)
			return ix.db.Set(listKey(prefixBand, b, 42, 1), encodeList(nil, []uint64{posting(42, 1)}, b, 0), nil)
		}, "which does not have that key"},
		{"posting in another version", func(ix *Index) error {
			d, err := ix.doc(0)
			if err != nil {
				return err
			}
			b := exactBucketBits(3)
			return ix.db.Set(listKey(prefixExact, b, exact32(d.Exact), 7), encodeList(nil, []uint64{posting(exact32(d.Exact), 0)}, b, 0), nil)
		}, "no record"},
		{"lost document", func(ix *Index) error { return ix.db.Delete(docKey(2), nil) }, "head counts"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ix := openNew(t, t.TempDir())
			defer ix.Close()
			addTexts(t, ix, "", []string{"a", "b", "c"}, lines[:3])
			if err := tc.damage(ix); err != nil {
				t.Fatal(err)
			}
			rep, err := ix.Verify()
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, p := range rep.Problems {
				found = found || strings.Contains(p.Err, tc.want)
			}
			if !found {
				t.Errorf("problems %+v, want one saying %q", rep.Problems, tc.want)
			}
		})
	}
}

func TestReadOnlyRefusesWrites(t *testing.T) {
	dir := t.TempDir()
	openNew(t, dir).Close()
	ix, err := Open(dir, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if _, err := ix.Add([]Entry{ix.Prepare("x", []byte("某个文档的文字内容足够长可以签名了吧我想是的"), nil)}, ""); !errors.Is(err, ErrReadOnly) {
		t.Errorf("Add on a read-only index: %v", err)
	}
	if _, err := ix.Rollback(0); !errors.Is(err, ErrReadOnly) {
		t.Errorf("Rollback on a read-only index: %v", err)
	}
}
