package sub

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/quchong/quchong/corpus"
	"github.com/quchong/quchong/normalize"
	"github.com/quchong/quchong/stage"
	"github.com/zeebo/xxh3"
)

// realDocs reads the first n documents of the shared 10 MB mix, or skips.
func realDocs(t *testing.T, n int) []string {
	t.Helper()
	if _, err := os.Stat(benchCorpus); err != nil {
		t.Skipf("shared corpus missing: %v", err)
	}
	r, err := corpus.Open(benchCorpus, 0, corpus.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var docs []string
	for len(docs) < n {
		d, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, string(d.Text))
	}
	return docs
}

// TestPlantedReal plants masked footers and a repeated 64-character passage
// in real Chinese documents and measures what lines and substr remove:
// every planted copy must go (recall 1); for substr every other removal
// must be a true repeat, checked by plain string search on the normalised
// texts (precision 1).
func TestPlantedReal(t *testing.T) {
	docs := realDocs(t, 1500)
	rng := rand.New(rand.NewPCG(9, 10))
	masks := []string{"XX", "×××", "某某", "ＸＸ", "xx"}
	passage := "本文由某某新闻网独家发布，未经书面授权不得转载、摘编或以其他方式使用，违者将依法追究其法律责任，特此声明。欢迎关注本网官方账号。"
	footer := map[int]bool{}
	quoted := map[int]bool{}
	for k := range docs {
		if rng.IntN(10) == 0 {
			r := []rune(docs[k])
			at := rng.IntN(len(r) + 1)
			docs[k] = string(r[:at]) + passage + string(r[at:])
			quoted[k] = true
		}
		if rng.IntN(5) == 0 {
			docs[k] += "\n责任编辑：" + masks[rng.IntN(len(masks))]
			footer[k] = true
		}
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "in.jsonl")
	writeJSONL(t, in, docs)

	t.Run("lines", func(t *testing.T) {
		p := stage.DefaultSubParams()
		p.MinDocs, p.MinUnit = 50, 5
		out := filepath.Join(dir, "lines")
		st, err := Lines(context.Background(), Options{Inputs: []string{in}, OutDir: out, Params: p})
		if err != nil {
			t.Fatal(err)
		}
		checkAccounting(t, out, st)
		var planted, other int
		for _, r := range readRemovals(t, out) {
			if strings.HasPrefix(r.Text, "责任编辑：") {
				planted++
			} else {
				other++
			}
		}
		t.Logf("lines --min-docs 50: %d of %d planted footers removed, %d other units (natural boilerplate)", planted, len(footer), other)
		if planted != len(footer) {
			t.Errorf("recall %d/%d", planted, len(footer))
		}
	})

	t.Run("substr", func(t *testing.T) {
		p := stage.DefaultSubParams()
		out := filepath.Join(dir, "substr")
		st, err := Substr(context.Background(), Options{Inputs: []string{in}, OutDir: out, Params: p})
		if err != nil {
			t.Fatal(err)
		}
		checkAccounting(t, out, st)
		n := normalize.New(p.Normalize)
		// Where each window of MinSpan normalised characters first occurs
		// (document, position), by a map of the windows' hashes: an
		// implementation independent of the suffix array.
		type at struct{ doc, pos int }
		firstAt := map[uint64]at{}
		L := p.MinSpan
		norm := make([][]rune, len(docs))
		for k, d := range docs {
			norm[k] = []rune(n.String(d))
			for i := 0; i+L <= len(norm[k]); i++ {
				h := xxh3.HashString(string(norm[k][i : i+L]))
				if _, ok := firstAt[h]; !ok {
					firstAt[h] = at{k, i}
				}
			}
		}
		first := -1
		for k := range docs {
			if quoted[k] {
				first = k
				break
			}
		}
		np := n.String(passage)
		found := map[int]bool{}
		var other, wrong int
		for _, r := range readRemovals(t, out) {
			var k int
			fmt.Sscanf(r.ID, "d%d", &k)
			k--
			if r.Reason != "span" {
				continue
			}
			nr := n.String(r.Text)
			if quoted[k] && strings.Contains(nr, np) {
				found[k] = true
			} else {
				other++
			}
			// Precision: every window of the span occurs earlier in the
			// corpus (an earlier document, or earlier in this one).
			idx := len([]rune(string(norm[k])[:strings.LastIndex(string(norm[k]), nr)]))
			rn := []rune(nr)
			for i := 0; i+L <= len(rn); i++ {
				f := firstAt[xxh3.HashString(string(rn[i:i+L]))]
				if !(f.doc < k || f.doc == k && f.pos < idx+i) {
					wrong++
					t.Errorf("doc %d: removed %q, whose window at %d does not occur before", k+1, r.Text, i)
					break
				}
			}
		}
		t.Logf("substr --min-span 50: passage removed from %d of %d later copies; %d other spans (natural repeats), %d not a true earlier repeat", len(found), len(quoted)-1, other, wrong)
		if len(found) != len(quoted)-1 || found[first] {
			t.Errorf("recall %d/%d (first copy removed: %v)", len(found), len(quoted)-1, found[first])
		}
	})
}
