package index

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/cockroachdb/pebble/v2"
	"github.com/quchong/quchong/stage"
)

// TestVersionFormatRefused: an index written in another layout (format 1
// stored signatures in the records) is refused with a message that says
// so, not misread.
func TestVersionFormatRefused(t *testing.T) {
	p := stage.DefaultParams()
	p, err := p.Resolve()
	if err != nil {
		t.Fatal(err)
	}
	// Formats 1 and 2 had their own posting comparers (Pebble records
	// their names); a params record of format 2 under today's comparer is
	// refused too.
	v1, v2 := postingComparer(), postingComparer()
	v1.Name, v2.Name = "quchong.index.postings.v1", "quchong.index.postings.v2"
	for _, tc := range []struct {
		c    *pebble.Comparer
		want int
	}{{v1, 1}, {v2, 2}, {postingComparer(), 2}} {
		c := tc.c
		dir := t.TempDir()
		db, err := pebble.Open(dir, &pebble.Options{Comparer: c, Logger: quietLogger{}})
		if err != nil {
			t.Fatal(err)
		}
		js, err := json.Marshal(paramsRecord{Format: tc.want, Params: p})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Set(keyParams, js, pebble.Sync); err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		for _, ro := range []bool{false, true} {
			_, err := Open(dir, Options{ReadOnly: ro, Params: &p})
			if want := fmt.Sprintf("format %d;", tc.want); err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "rebuild") {
				t.Errorf("%s, read-only %v: open of a format-%d index: %v, want a refusal naming it", c.Name, ro, tc.want, err)
			}
		}
	}
}

// TestCheckRecomputedSignature: the signature a check recomputes from a
// stored document's normalised text is the one Prepare computed from the
// raw text, for every seed line (so the screen decides as before).
func TestCheckRecomputedSignature(t *testing.T) {
	dir := t.TempDir()
	ix := openNew(t, dir)
	defer ix.Close()
	lines := seedLines(t)
	var ids []string
	for i := range lines {
		ids = append(ids, string(rune('a'+i)))
	}
	addTexts(t, ix, "seed", ids, lines)
	sig := make([]uint32, ix.Params().K)
	c := ix.NewChecker()
	signed := 0
	for i, s := range lines {
		e := ix.Prepare(ids[i], []byte(s), nil)
		d, err := ix.doc(uint64(i))
		if err != nil {
			t.Fatal(err)
		}
		if d.Signed != e.Fingerprint.Signed {
			t.Fatalf("line %d: stored signed %v, prepared %v", i+1, d.Signed, e.Fingerprint.Signed)
		}
		if !d.Signed {
			continue
		}
		signed++
		if err := d.sig(sig, ix.st, ix.codec, &c.sc); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		if !slices.Equal(sig, e.Sig) {
			t.Errorf("line %d: recomputed signature differs from the prepared one", i+1)
		}
	}
	if signed < 10 {
		t.Fatalf("only %d seed lines signed", signed)
	}
}

// TestCheckDropsTruncatedBandCollisions: a band posting keeps its key's
// high 32 bits only, so a document can sit under a query's band prefix
// without sharing the whole band key; the check must then not report it,
// even when the texts are similar enough, since a run would not have
// compared them. The test finds such a pair (similar, no shared band key),
// indexes the first and files it under every band prefix of the second.
func TestCheckDropsTruncatedBandCollisions(t *testing.T) {
	dir := t.TempDir()
	ix := openNew(t, dir)
	defer ix.Close()
	st := ix.Stages()
	k := ix.Params().K
	rng := rand.New(rand.NewPCG(1, 2))
	base := []rune(strings.Repeat(seedLines(t)[0], 3))
	var x, q string
	var xe, qe Entry
	for try := 0; try < 20000 && x == ""; try++ {
		a, b := slices.Clone(base), slices.Clone(base)
		edits := len(base) / (25 + try%100)
		for _, r := range [][]rune{a, b} {
			for n := 0; n < edits; n++ {
				r[rng.IntN(len(r))] = rune('a' + rng.IntN(26))
			}
		}
		ea, eb := ix.Prepare("x", []byte(string(a)), nil), ix.Prepare("q", []byte(string(b)), nil)
		if !ea.Fingerprint.Signed || !eb.Fingerprint.Signed {
			t.Fatal("the test's texts are not signed")
		}
		ka, kb := st.BandKeys(nil, ea.Sig), st.BandKeys(nil, eb.Sig)
		shares := slices.ContainsFunc(ka, func(v uint64) bool { return slices.Contains(kb, v) })
		var sc stage.Scratch
		_, dup, _, err := st.AgainstKept(ea.Sig, eb.Sig, false, func() (float64, error) {
			s, _ := st.Confirm(ea.Text, eb.Text, &sc)
			return s, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if dup && !shares {
			x, q, xe, qe = string(a), string(b), ea, eb
		}
	}
	if x == "" {
		t.Skip("no similar pair without a shared band key found")
	}
	if len(xe.Sig) != k {
		t.Fatal("bad signature length")
	}
	addTexts(t, ix, "x", []string{"x"}, []string{x})
	c := ix.NewChecker()
	m, err := c.Check([]byte(q))
	if err != nil || len(m) != 0 {
		t.Fatalf("before the collision: %v, %v; want no match", m, err)
	}
	// File document 0 (x) under the high bits of every band key of q, in
	// version 1's lists, as documents whose band keys share q's high bits
	// would be.
	b := bucketBits(1)
	for _, bk := range st.BandKeys(nil, qe.Sig) {
		k32 := uint32(bk >> 32)
		if err := ix.db.Set(listKey(prefixBand, b, k32, 1), encodeList(nil, []uint64{posting(k32, 0)}, b, 0), nil); err != nil {
			t.Fatal(err)
		}
	}
	if m, err = c.Check([]byte(q)); err != nil || len(m) != 0 {
		t.Errorf("a document under q's band prefixes but with none of its band keys: %v, %v; want no match", m, err)
	}
	if m, err = c.Check([]byte(x)); err != nil || len(m) != 1 || !m[0].Exact {
		t.Errorf("x itself: %v, %v; want one exact match", m, err)
	}
}
