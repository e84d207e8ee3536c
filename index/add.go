package index

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/quchong/quchong/stage"
)

// Entry is a document fingerprinted for the index (by Prepare): what Add
// stores and what Checker.CheckEntry looks up.
type Entry struct {
	// ID names the document in matches.
	ID string
	// Fingerprint is its exact hash, masks and whether it is signed.
	Fingerprint stage.Fingerprint
	// Sig is its MinHash signature (length K).
	Sig []uint32
	// Text is its normalised text.
	Text []rune
}

// Prepare fingerprints a document under the index's parameters. sc may be
// nil; a goroutine that prepares many documents passes its own.
func (ix *Index) Prepare(id string, text []byte, sc *stage.Scratch) Entry {
	if sc == nil {
		sc = new(stage.Scratch)
	}
	e := Entry{ID: id, Sig: make([]uint32, ix.st.Params().K)}
	e.Fingerprint = ix.st.Fingerprint(e.Sig, text, sc)
	e.Text = slices.Clone(sc.Normalized())
	return e
}

// Version is one version of the index: the documents one write added.
type Version struct {
	// Number counts versions from 0, the empty index.
	Number uint64 `json:"version"`
	// Time is when it was committed.
	Time time.Time `json:"time"`
	// Docs is the number of documents it added, numbered FirstSeq up to
	// (not including) EndSeq.
	Docs     int    `json:"docs"`
	FirstSeq uint64 `json:"first_seq"`
	EndSeq   uint64 `json:"end_seq"`
	// Note says what made it ("dedup run", "serve add", ...).
	Note string `json:"note,omitempty"`
}

// ErrReadOnly says that a write was asked of an index opened read-only.
var ErrReadOnly = errors.New("index opened read-only")

// Add adds the entries as one new version, atomically: one Pebble batch,
// synced, holds the documents, their postings, the version record and the
// new head. They are visible to checks as soon as Add returns. Adding no
// entry makes no version and returns the current one.
func (ix *Index) Add(entries []Entry, note string) (Version, error) {
	if ix.readOnly {
		return Version{}, ErrReadOnly
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if len(entries) == 0 {
		return Version{Number: ix.head.Version}, nil
	}
	h := ix.head
	v := Version{Number: h.Version + 1, Time: time.Now().UTC(), Docs: len(entries), FirstSeq: h.NextSeq, Note: note}
	b := ix.db.NewBatch()
	defer b.Close()
	var buf []byte
	var keys []uint64
	for i, e := range entries {
		if len(e.Sig) != ix.st.Params().K {
			return Version{}, fmt.Errorf("add %q: signature of %d values, want %d", e.ID, len(e.Sig), ix.st.Params().K)
		}
		seq := h.NextSeq + uint64(i)
		d := doc{Version: v.Number, ID: e.ID, Exact: e.Fingerprint.Exact, Masks: e.Fingerprint.Masks, Signed: e.Fingerprint.Signed}
		if d.Signed {
			d.Sig, d.Text = e.Sig, e.Text
		}
		buf = d.encode(buf[:0], ix.codec)
		if err := b.Set(docKey(seq), buf, nil); err != nil {
			return Version{}, err
		}
		if err := b.Set(exactKey(d.Exact, seq), nil, nil); err != nil {
			return Version{}, err
		}
		if d.Signed {
			keys = ix.st.BandKeys(keys[:0], e.Sig)
			for _, k := range keys {
				if err := b.Set(bandKey(k, seq), nil, nil); err != nil {
					return Version{}, err
				}
			}
		}
		h.TextBytes += int64(d.TextBytes)
		h.StoredTextBytes += int64(d.StoredBytes)
	}
	h.Version = v.Number
	h.NextSeq += uint64(len(entries))
	h.Docs += int64(len(entries))
	v.EndSeq = h.NextSeq
	if err := setJSON(b, versionKey(v.Number), v); err != nil {
		return Version{}, err
	}
	if err := setJSON(b, keyHead, h); err != nil {
		return Version{}, err
	}
	if err := b.Commit(pebble.Sync); err != nil {
		return Version{}, fmt.Errorf("index %s: commit version %d: %w", ix.dir, v.Number, err)
	}
	ix.head = h
	return v, nil
}

// Versions lists the versions, oldest first.
func (ix *Index) Versions() ([]Version, error) {
	it, err := ix.db.NewIter(&pebble.IterOptions{LowerBound: []byte{prefixVersion}, UpperBound: []byte{prefixVersion + 1}})
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var vs []Version
	for it.First(); it.Valid(); it.Next() {
		var v Version
		if err := jsonUnmarshal(it.Value(), &v); err != nil {
			return nil, fmt.Errorf("index %s: version record %x: %w", ix.dir, it.Key(), err)
		}
		vs = append(vs, v)
	}
	return vs, it.Error()
}
