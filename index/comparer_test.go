package index

import (
	"bytes"
	"testing"
)

// TestPostingComparer checks the properties Pebble requires of a Split
// (pebble's base.Split documentation) on every kind of key the index
// writes, and the prefixes the checker seeks.
func TestPostingComparer(t *testing.T) {
	c := postingComparer()
	keys := [][]byte{keyParams, keyHead, docKey(0), docKey(1), docKey(1 << 40), versionKey(0), versionKey(7)}
	for _, kind := range []byte{prefixBand, prefixExact} {
		for _, b := range []uint8{8, 13, 17, 20, 24} {
			for _, k32 := range []uint32{0, 9, 1 << 20, 1<<20 + 1, 3 << 30, 1<<32 - 1} {
				keys = append(keys, listPrefix(kind, b, k32))
				for _, v := range []uint64{1, 2, 255, 256, 1<<32 - 1} {
					keys = append(keys, listKey(kind, b, k32, v))
				}
			}
		}
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
	for _, tc := range []struct {
		b    uint8
		want int
	}{{8, 3}, {13, 4}, {16, 4}, {17, 5}, {24, 5}} {
		if got := c.Split(listKey(prefixBand, tc.b, 7, 3)); got != tc.want {
			t.Errorf("a list of width %d splits at %d, want %d", tc.b, got, tc.want)
		}
		kind, b, hi, v, ok := parseListKey(listKey(prefixExact, tc.b, 0xdeadbeef, 3))
		if !ok || kind != prefixExact || b != tc.b || hi != 0xdeadbeef&^(1<<(32-tc.b)-1) || v != 3 {
			t.Errorf("width %d: parsed %c %d %x %d %v", tc.b, kind, b, hi, v, ok)
		}
	}
}
