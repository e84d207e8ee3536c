package index

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/cockroachdb/pebble/v2"
	"github.com/quchong/quchong/stage"
)

// Match is an indexed document that a checked one duplicates.
type Match struct {
	// Seq numbers the indexed document; ID is the id it was added with.
	Seq uint64 `json:"-"`
	ID  string `json:"id"`
	// Similarity is 1 for an exact duplicate, otherwise the true,
	// mask-aware similarity of the normalised texts.
	Similarity float64 `json:"similarity"`
	// Exact says the normalised texts are equal (reason "exact"); otherwise
	// the match is near (reason "near").
	Exact bool `json:"-"`
	// Version is the index version that added the document.
	Version uint64 `json:"-"`
}

// Reason is "exact" or "near".
func (m Match) Reason() string {
	if m.Exact {
		return "exact"
	}
	return "near"
}

// Checker finds the indexed documents a document duplicates, by the rules
// of a deduplication run: an exact duplicate has the same exact hash; a
// near one shares an LSH band key with the document and passes
// stage.AgainstKept (signature screen, then the true mask-aware similarity
// of the texts at or above the threshold), the rule by which a run removes
// a document in place of a kept one. A Checker holds buffers: one per
// goroutine; they are cheap.
type Checker struct {
	ix   *Index
	sc   stage.Scratch
	keys []uint64
	sig  []uint32 // a candidate's signature
	// ckeys are a candidate's band keys.
	ckeys []uint64
	seen  map[uint64]bool
	found []uint64 // documents a list lookup found
}

// NewChecker returns a checker over ix.
func (ix *Index) NewChecker() *Checker { return &Checker{ix: ix} }

// Prepare is Index.Prepare with the checker's buffers.
func (c *Checker) Prepare(id string, text []byte) Entry { return c.ix.Prepare(id, text, &c.sc) }

// Check fingerprints text and returns its matches (see CheckEntry).
func (c *Checker) Check(text []byte) ([]Match, error) {
	e := c.ix.Prepare("", text, &c.sc)
	return c.CheckEntry(e)
}

// CheckEntry returns the indexed documents e duplicates: the exact ones
// first, then the near ones by decreasing similarity, ties by increasing
// number (the oldest first). None when e duplicates nothing.
func (c *Checker) CheckEntry(e Entry) ([]Match, error) {
	ix := c.ix
	var matches []Match
	clear(c.seen)
	if c.seen == nil {
		c.seen = make(map[uint64]bool)
	}
	// The lookup (lists in memory, widths of those in Pebble) holds every
	// version published (Add returned) before now; one iterator over the
	// lists in Pebble, when there are some, serves the whole check.
	look := ix.look.Load()
	var it *pebble.Iterator
	if len(look.band)+len(look.exact) > 0 {
		var err error
		it, err = ix.db.NewIter(&pebble.IterOptions{LowerBound: []byte{prefixBand}, UpperBound: []byte{prefixExact + 1}})
		if err != nil {
			return nil, fmt.Errorf("index %s: %w", ix.dir, err)
		}
		defer it.Close()
	}
	// Exact: every document under the hash's key32, whose record has the
	// whole hash.
	var exact []uint64
	e32 := exact32(e.Fingerprint.Exact)
	addExact := func(seq uint64) {
		if !c.seen[seq] {
			c.seen[seq] = true
			exact = append(exact, seq)
		}
	}
	for _, m := range look.mem {
		if m.kind == prefixExact {
			var err error
			if c.found, err = m.scan(e32, c.found[:0]); err != nil {
				return nil, fmt.Errorf("index %s: %w", ix.dir, err)
			}
			for _, seq := range c.found {
				addExact(seq)
			}
		}
	}
	for _, b := range look.exact {
		if err := scanList(it, prefixExact, b, e32, addExact); err != nil {
			return nil, fmt.Errorf("index %s: %w", ix.dir, err)
		}
	}
	slices.Sort(exact)
	for _, seq := range exact {
		d, err := ix.doc(seq)
		if err != nil {
			return nil, err
		}
		if d.Exact != e.Fingerprint.Exact {
			delete(c.seen, seq) // it may still share a band key
			continue
		}
		matches = append(matches, Match{Seq: seq, ID: d.ID, Similarity: 1, Exact: true, Version: d.Version})
	}
	if !e.Fingerprint.Signed {
		return matches, nil
	}
	// Near: the candidates that share a band key.
	c.keys = ix.st.BandKeys(c.keys[:0], e.Sig)
	slices.Sort(c.keys) // forward seeks
	var cands []uint64
	addCand := func(seq uint64) {
		if !c.seen[seq] {
			c.seen[seq] = true
			cands = append(cands, seq)
		}
	}
	for _, m := range look.mem {
		if m.kind != prefixBand {
			continue
		}
		c.found = c.found[:0]
		for _, k := range c.keys {
			var err error
			if c.found, err = m.scan(uint32(k>>32), c.found); err != nil {
				return nil, fmt.Errorf("index %s: %w", ix.dir, err)
			}
		}
		for _, seq := range c.found {
			addCand(seq)
		}
	}
	for _, b := range look.band {
		prev := uint64(1 << 63)
		for _, k := range c.keys {
			if k>>32 == prev {
				continue
			}
			prev = k >> 32
			if err := scanList(it, prefixBand, b, uint32(k>>32), addCand); err != nil {
				return nil, fmt.Errorf("index %s: %w", ix.dir, err)
			}
		}
	}
	slices.Sort(cands)
	if len(c.sig) != len(e.Sig) {
		c.sig = make([]uint32, len(e.Sig))
	}
	for _, seq := range cands {
		d, err := ix.doc(seq)
		if err != nil {
			return nil, err
		}
		// The signature screen needs the candidate's signature: recomputed
		// from its text (the index does not store it), which also leaves
		// the text decoded for the verification.
		var sigK []uint32
		if d.Signed {
			if err := d.sig(c.sig, ix.st, ix.codec, &c.sc); err != nil {
				return nil, fmt.Errorf("index %s document %d: %w", ix.dir, seq, err)
			}
			sigK = c.sig
			// A posting holds a band key's high bits only: drop a
			// candidate that shares no whole band key with e.
			if !c.sharesBand(sigK) {
				continue
			}
		}
		text := func() (float64, error) {
			t, err := d.text(ix.codec)
			if err != nil {
				return 0, fmt.Errorf("index %s document %d: %w", ix.dir, seq, err)
			}
			if e.Text == nil && e.LoadText != nil {
				if e.Text, err = e.LoadText(); err != nil {
					return 0, err
				}
			}
			// The indexed document came first: it is the first text, as a
			// run passes the earlier document first.
			sim, _ := ix.st.Confirm(t, e.Text, &c.sc)
			return sim, nil
		}
		sim, dup, _, err := ix.st.AgainstKept(sigK, e.Sig, d.Masks > 0 || e.Fingerprint.Masks > 0, text)
		if err != nil {
			return nil, err
		}
		if dup {
			matches = append(matches, Match{Seq: seq, ID: d.ID, Similarity: sim, Version: d.Version})
		}
	}
	slices.SortStableFunc(matches, func(a, b Match) int {
		if a.Exact != b.Exact {
			if a.Exact {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(b.Similarity, a.Similarity), cmp.Compare(a.Seq, b.Seq))
	})
	return matches, nil
}

// scanList calls fn with the number of every document in the lists of
// key32's bucket at width b (one a version) whose entry has key32's check
// bits.
func scanList(it *pebble.Iterator, kind byte, b uint8, key32 uint32, fn func(seq uint64)) error {
	prefix := listPrefix(kind, b, key32)
	want := checkBits(key32, b)
	var found []uint64
	for ok := it.SeekPrefixGE(prefix); ok && bytes.HasPrefix(it.Key(), prefix); ok = it.Next() {
		v, err := it.ValueAndErr()
		if err != nil {
			return err
		}
		if found, err = decodeList(v, b, want, found[:0]); err != nil {
			return fmt.Errorf("posting list %x: %w", it.Key(), err)
		}
		for _, seq := range found {
			fn(seq)
		}
	}
	return it.Error()
}

// sharesBand says whether signature sig has one of the band keys in c.keys
// (sorted).
func (c *Checker) sharesBand(sig []uint32) bool {
	c.ckeys = c.ix.st.BandKeys(c.ckeys[:0], sig)
	for _, k := range c.ckeys {
		if _, ok := slices.BinarySearch(c.keys, k); ok {
			return true
		}
	}
	return false
}

// doc reads document seq.
func (ix *Index) doc(seq uint64) (*doc, error) {
	val, closer, err := ix.db.Get(docKey(seq))
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, fmt.Errorf("index %s: document %d has a posting but no record", ix.dir, seq)
	}
	if err != nil {
		return nil, fmt.Errorf("index %s: read document %d: %w", ix.dir, seq, err)
	}
	defer closer.Close()
	d, err := decode(val)
	if err != nil {
		return nil, fmt.Errorf("index %s: document %d: %w", ix.dir, seq, err)
	}
	return d, nil
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
