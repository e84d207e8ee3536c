package index

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/cockroachdb/pebble/v2"
)

// TestVersionFormatRefused: an index written in another layout (format 1
// stored signatures in the records) is refused with a message that says
// so, not misread.
func TestVersionFormatRefused(t *testing.T) {
	dir := t.TempDir()
	ix := openNew(t, dir)
	p := ix.Params()
	if err := ix.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := pebble.Open(dir, &pebble.Options{Comparer: postingComparer(), Logger: quietLogger{}})
	if err != nil {
		t.Fatal(err)
	}
	js, err := json.Marshal(paramsRecord{Format: 1, Params: p})
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
		_, err := Open(dir, Options{ReadOnly: ro})
		if err == nil || !strings.Contains(err.Error(), "format 1") || !strings.Contains(err.Error(), "rebuild") {
			t.Errorf("read-only %v: open of a format-1 index: %v, want a refusal naming format 1", ro, err)
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
