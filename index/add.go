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
	w, err := ix.Begin(note)
	if err != nil {
		return Version{}, err
	}
	for _, e := range entries {
		if err := w.Add(e); err != nil {
			w.Abort()
			return Version{}, err
		}
	}
	return w.Commit()
}

// VersionWriter builds one version, document by document, for a writer
// that has too many to hold as entries (a dedup run's kept documents).
// Nothing is visible or durable before Commit; Abort drops it all. Other
// writes wait until the version is committed or aborted.
type VersionWriter struct {
	ix   *Index
	b    *pebble.Batch
	h    head
	v    Version
	buf  []byte
	keys []uint64
}

// Begin starts a new version; the caller must Commit or Abort it.
func (ix *Index) Begin(note string) (*VersionWriter, error) {
	if ix.readOnly {
		return nil, ErrReadOnly
	}
	ix.mu.Lock()
	if ix.closed {
		ix.mu.Unlock()
		return nil, fmt.Errorf("index %s is closed", ix.dir)
	}
	h := ix.head
	return &VersionWriter{
		ix: ix, b: ix.db.NewBatch(), h: h,
		v: Version{Number: h.Version + 1, FirstSeq: h.NextSeq, Note: note},
	}, nil
}

// Add adds one document to the version.
func (w *VersionWriter) Add(e Entry) error {
	ix, b := w.ix, w.b
	if len(e.Sig) != ix.st.Params().K {
		return fmt.Errorf("add %q: signature of %d values, want %d", e.ID, len(e.Sig), ix.st.Params().K)
	}
	seq := w.h.NextSeq
	d := doc{Version: w.v.Number, ID: e.ID, Exact: e.Fingerprint.Exact, Masks: e.Fingerprint.Masks, Signed: e.Fingerprint.Signed}
	if d.Signed {
		d.Text = e.Text
	}
	w.buf = d.encode(w.buf[:0], ix.codec)
	if err := b.Set(docKey(seq), w.buf, nil); err != nil {
		return err
	}
	if err := b.Set(exactKey(d.Exact, seq), nil, nil); err != nil {
		return err
	}
	if d.Signed {
		w.keys = ix.st.BandKeys(w.keys[:0], e.Sig)
		for _, k := range w.keys {
			if err := b.Set(bandKey(k, seq), nil, nil); err != nil {
				return err
			}
		}
	}
	w.h.NextSeq++
	w.h.Docs++
	w.h.TextBytes += int64(d.TextBytes)
	w.h.StoredTextBytes += int64(d.StoredBytes)
	w.v.Docs++
	return nil
}

// Docs returns the number of documents added so far.
func (w *VersionWriter) Docs() int { return w.v.Docs }

// Commit writes the version: one synced batch. With no document added it
// writes nothing and returns the current version.
func (w *VersionWriter) Commit() (Version, error) {
	ix := w.ix
	defer ix.mu.Unlock()
	defer w.b.Close()
	if w.v.Docs == 0 {
		return Version{Number: ix.head.Version}, nil
	}
	w.v.Time = time.Now().UTC()
	w.v.EndSeq = w.h.NextSeq
	w.h.Version = w.v.Number
	if err := setJSON(w.b, versionKey(w.v.Number), w.v); err != nil {
		return Version{}, err
	}
	if err := setJSON(w.b, keyHead, w.h); err != nil {
		return Version{}, err
	}
	if err := w.b.Commit(pebble.Sync); err != nil {
		return Version{}, fmt.Errorf("index %s: commit version %d: %w", ix.dir, w.v.Number, err)
	}
	ix.head = w.h
	if w.b.Len() > flushBatchBytes {
		// A large version (a dedup run's) goes to sorted tables now rather
		// than stay in the log, which every open would replay.
		if err := ix.db.Flush(); err != nil {
			return w.v, fmt.Errorf("index %s: flush version %d (committed): %w", ix.dir, w.v.Number, err)
		}
	}
	return w.v, nil
}

// flushBatchBytes is the batch size beyond which a commit flushes.
const flushBatchBytes = 16 << 20

// Abort drops the version.
func (w *VersionWriter) Abort() {
	w.b.Close()
	w.ix.mu.Unlock()
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
