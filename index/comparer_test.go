package index

import (
	"bytes"
	"testing"

	"github.com/quchong/quchong/stage"
)

// TestPostingComparer checks the properties Pebble requires of a Split
// (pebble's base.Split documentation) on every kind of key the index
// writes, and the prefixes the checker seeks.
func TestPostingComparer(t *testing.T) {
	c := postingComparer()
	e1, e2 := stage.Exact{Hi: 1, Lo: 2}, stage.Exact{Hi: 1, Lo: 3}
	keys := [][]byte{
		keyParams, keyHead, docKey(0), docKey(1), docKey(1 << 40), versionKey(0), versionKey(7),
		exactKey(e1, 0), exactKey(e1, 5), exactKey(e2, 1), exactPrefix(e1), exactKey(e1, 300), exactKey(e2, 1<<40),
		bandKey(9, 0), bandKey(9, 3), bandKey(10, 1), bandKey(1<<63, 2), bandPrefix(9), bandKey(9<<32, 200), bandKey(9<<32, 1<<40), bandKey(1<<32, 127), bandKey(1<<32, 128),
	}
	prefix := func(k []byte) []byte { return k[:c.Split(k)] }
	for _, a := range keys {
		if n := c.Split(a); n < len(a) && c.Compare(prefix(a), a) >= 0 {
			t.Errorf("%x: its prefix does not sort before it", a)
		}
		for _, b := range keys {
			if c.Compare(a, b) <= 0 && c.Compare(prefix(a), prefix(b)) > 0 {
				t.Errorf("%x ≤ %x but their prefixes are not", a, b)
			}
			if c.Compare(prefix(a), prefix(b)) < 0 && c.Compare(a, b) >= 0 {
				t.Errorf("prefix %x < %x but the keys are not", a, b)
			}
			if bytes.Equal(prefix(a), prefix(b)) && c.Compare(a, b) != c.ComparePointSuffixes(a[c.Split(a):], b[c.Split(b):]) {
				t.Errorf("%x, %x: same prefix, but the suffixes order them otherwise", a, b)
			}
		}
	}
	if got := c.Split(bandKey(9, 3)); got != 5 {
		t.Errorf("a band posting splits at %d, want 5", got)
	}
	if got := c.Split(exactKey(e1, 5)); got != 17 {
		t.Errorf("an exact posting splits at %d, want 17", got)
	}
}
