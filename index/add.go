package index

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/objstorage/objstorageprovider"
	"github.com/cockroachdb/pebble/v2/sstable"
	"github.com/cockroachdb/pebble/v2/vfs"
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
	// LoadText, when Text is nil, returns it: a check calls it only when
	// it verifies a candidate on the texts (most checks do not). Add
	// needs Text.
	LoadText func() ([]rune, error)
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
	// BucketBits is the width of its posting lists' buckets (see
	// postings.go); 0 for version 0, which has none.
	BucketBits uint8 `json:"bucket_bits,omitempty"`
	// ExactBits is that of its exact-hash lists.
	ExactBits uint8 `json:"exact_bits,omitempty"`
	// Note says what made it ("dedup run", "serve add", ...).
	Note string `json:"note,omitempty"`
}

// ErrReadOnly says that a write was asked of an index opened read-only.
var ErrReadOnly = errors.New("index opened read-only")

// Add adds the entries as one new version, atomically: one Pebble batch,
// synced, holds the documents, their postings, the version record and the
// new head (or, for many entries, sorted tables ingested in one step).
// They are visible to checks as soon as Add returns. Adding no entry
// makes no version and returns the current one.
func (ix *Index) Add(entries []Entry, note string) (Version, error) {
	w, err := ix.Begin(note)
	if err != nil {
		return Version{}, err
	}
	if err := w.AddBatch(entries); err != nil {
		w.Abort()
		return Version{}, err
	}
	return w.Commit()
}

// VersionWriter builds one version, document by document, for a writer
// that has too many to hold as entries (a dedup run's kept documents).
// Nothing is visible or durable before Commit; Abort drops it all. Other
// writes wait until the version is committed or aborted.
//
// The version's postings are held in memory (8 bytes each, 33 a
// document) and written as lists at Commit. Its records are held too, up
// to spillBytes; beyond, they are streamed to a sorted table, and Commit
// writes the lists and the version's records to tables too and ingests
// them all in one step (Pebble's Ingest: atomic, and no log, memtable or
// flush to go through).
type VersionWriter struct {
	ix     *Index
	h      head
	v      Version
	buf    []byte
	keys   []uint64
	bands  []uint64
	exacts []uint64
	// recs holds the records (seq FirstSeq + i ends at recEnds[i]) until
	// they are spilled to tw.
	recs    []byte
	recEnds []int
	tw      *sstable.Writer
	files   []string
	// mem are the version's lists to hold in memory (a large version's),
	// built as they are written.
	mem []*memLists
}

// spillBytes is the size of records beyond which a version is written as
// tables (Index.spillBytes; tests lower it).
const spillBytes = 16 << 20

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
	if h.Version+1 >= 1<<32 {
		ix.mu.Unlock()
		return nil, fmt.Errorf("index %s has 2³² versions, the most it can hold", ix.dir)
	}
	return &VersionWriter{
		ix: ix, h: h,
		v: Version{Number: h.Version + 1, FirstSeq: h.NextSeq, Note: note},
	}, nil
}

// Add adds one document to the version.
func (w *VersionWriter) Add(e Entry) error {
	if err := w.check(e); err != nil {
		return err
	}
	var d doc
	w.buf = w.encode(&d, e, w.buf[:0])
	return w.addEncoded(e, &d, w.buf)
}

// AddBatch adds documents to the version, in order, as Add does, their
// texts compressed on every core.
func (w *VersionWriter) AddBatch(es []Entry) error {
	for _, e := range es {
		if err := w.check(e); err != nil {
			return err
		}
	}
	ds := make([]doc, len(es))
	recs := make([][]byte, len(es))
	workers := min(runtime.GOMAXPROCS(0), (len(es)+63)/64)
	var wg sync.WaitGroup
	for g := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := g; i < len(es); i += workers {
				recs[i] = w.encode(&ds[i], es[i], nil)
			}
		}()
	}
	wg.Wait()
	for i, e := range es {
		if err := w.addEncoded(e, &ds[i], recs[i]); err != nil {
			return err
		}
	}
	return nil
}

func (w *VersionWriter) check(e Entry) error {
	if k := w.ix.st.Params().K; len(e.Sig) != k {
		return fmt.Errorf("add %q: signature of %d values, want %d", e.ID, len(e.Sig), k)
	}
	return nil
}

// encode appends the record of e, the version's next document but one
// (numbered later by addEncoded), to dst; it fills d.
func (w *VersionWriter) encode(d *doc, e Entry, dst []byte) []byte {
	*d = doc{Version: w.v.Number, ID: e.ID, Exact: e.Fingerprint.Exact, Masks: e.Fingerprint.Masks, Signed: e.Fingerprint.Signed}
	if d.Signed {
		d.Text = e.Text
	}
	return d.encode(dst, w.ix.codec)
}

// addEncoded adds e, whose record rec is encoded, as the next document.
func (w *VersionWriter) addEncoded(e Entry, d *doc, rec []byte) error {
	ix := w.ix
	seq := w.h.NextSeq
	off := seq - w.v.FirstSeq
	if off >= 1<<32-1 {
		return fmt.Errorf("add %q: a version holds at most 2³²−1 documents", e.ID)
	}
	if w.tw != nil {
		if err := w.tw.Set(docKey(seq), rec); err != nil {
			return fmt.Errorf("index %s: write version table: %w", ix.dir, err)
		}
	} else {
		w.recs = append(w.recs, rec...)
		w.recEnds = append(w.recEnds, len(w.recs))
		if len(w.recs) > ix.spillBytes {
			if err := w.spill(); err != nil {
				return err
			}
		}
	}
	w.exacts = append(w.exacts, posting(exact32(d.Exact), off))
	if d.Signed {
		w.keys = ix.st.BandKeys(w.keys[:0], e.Sig)
		for _, k := range w.keys {
			w.bands = append(w.bands, posting(uint32(k>>32), off))
		}
	}
	w.h.NextSeq++
	w.h.Docs++
	w.h.TextBytes += int64(d.TextBytes)
	w.h.StoredTextBytes += int64(d.StoredBytes)
	w.v.Docs++
	return nil
}

// exact32 is the key32 of an exact hash.
func exact32(e stage.Exact) uint32 { return uint32(e.Hi >> 32) }

// ingestDir holds the tables of a version being written.
func (ix *Index) ingestDir() string { return filepath.Join(ix.dir, "quchong-ingest") }

// table starts a sorted table for ingestion, named name.
func (w *VersionWriter) table(name string) (*sstable.Writer, error) {
	ix := w.ix
	if err := os.MkdirAll(ix.ingestDir(), 0o755); err != nil {
		return nil, fmt.Errorf("index %s: %w", ix.dir, err)
	}
	path := filepath.Join(ix.ingestDir(), name)
	f, err := vfs.Default.Create(path, vfs.WriteCategoryUnspecified)
	if err != nil {
		return nil, fmt.Errorf("index %s: %w", ix.dir, err)
	}
	w.files = append(w.files, path)
	wo := ix.popt.MakeWriterOptions(len(ix.popt.Levels)-1, ix.db.FormatMajorVersion().MaxTableFormat())
	return sstable.NewWriter(objstorageprovider.NewFileWritable(f), wo), nil
}

// spill moves the records held so far to a table, to which later ones go.
func (w *VersionWriter) spill() error {
	tw, err := w.table("records.sst")
	if err != nil {
		return err
	}
	w.tw = tw
	start := 0
	for i, end := range w.recEnds {
		if err := tw.Set(docKey(w.v.FirstSeq+uint64(i)), w.recs[start:end]); err != nil {
			return fmt.Errorf("index %s: write version table: %w", w.ix.dir, err)
		}
		start = end
	}
	w.recs, w.recEnds = nil, nil
	return nil
}

// Docs returns the number of documents added so far.
func (w *VersionWriter) Docs() int { return w.v.Docs }

// Commit writes the version, atomically and durably: one synced batch, or
// sorted tables ingested in one step. With no document added it writes
// nothing and returns the current version.
func (w *VersionWriter) Commit() (Version, error) {
	ix := w.ix
	defer ix.mu.Unlock()
	defer w.cleanup()
	if w.v.Docs == 0 {
		return Version{Number: ix.head.Version}, nil
	}
	w.v.Time = time.Now().UTC()
	w.v.EndSeq = w.h.NextSeq
	w.v.BucketBits = bucketBits(w.v.Docs)
	w.v.ExactBits = exactBucketBits(w.v.Docs)
	w.h.Version = w.v.Number
	var err error
	if w.tw == nil {
		err = w.commitBatch()
	} else {
		err = w.commitTables()
	}
	if err != nil {
		return Version{}, fmt.Errorf("index %s: commit version %d: %w", ix.dir, w.v.Number, err)
	}
	ix.head = w.h
	for _, m := range w.mem {
		m.finish()
	}
	ix.publish(w.v, w.mem)
	return w.v, nil
}

func (w *VersionWriter) commitBatch() error {
	ix := w.ix
	b := ix.db.NewBatch()
	defer b.Close()
	start := 0
	for i, end := range w.recEnds {
		if err := b.Set(docKey(w.v.FirstSeq+uint64(i)), w.recs[start:end], nil); err != nil {
			return err
		}
		start = end
	}
	put := func(k, v []byte) error { return b.Set(k, v, nil) }
	if err := errors.Join(
		writeLists(prefixBand, w.bands, w.v.BucketBits, w.v, w.keep(prefixBand, w.v.BucketBits, put)),
		writeLists(prefixExact, w.exacts, w.v.ExactBits, w.v, w.keep(prefixExact, w.v.ExactBits, put)),
		setJSON(b, versionKey(w.v.Number), w.v),
		setJSON(b, keyHead, w.h),
	); err != nil {
		return err
	}
	if err := b.Commit(pebble.Sync); err != nil {
		return err
	}
	if b.Len() > flushBatchBytes {
		// A large batch goes to sorted tables now rather than stay in the
		// log, which every open would replay.
		if err := ix.db.Flush(); err != nil {
			return fmt.Errorf("flush (committed): %w", err)
		}
	}
	return nil
}

// flushBatchBytes is the batch size beyond which a commit flushes.
const flushBatchBytes = 16 << 20

// commitTables writes the lists and the metadata as tables (the records'
// is written already) and ingests them. The tables' key ranges do not
// overlap: b…, d…, e…, m…v….
func (w *VersionWriter) commitTables() error {
	if err := w.tw.Close(); err != nil {
		return err
	}
	w.tw = nil
	for _, l := range []struct {
		kind byte
		ps   []uint64
		b    uint8
		name string
	}{{prefixBand, w.bands, w.v.BucketBits, "bands.sst"}, {prefixExact, w.exacts, w.v.ExactBits, "exact.sst"}} {
		if len(l.ps) == 0 {
			continue
		}
		tw, err := w.table(l.name)
		if err != nil {
			return err
		}
		err = writeLists(l.kind, l.ps, l.b, w.v, w.keep(l.kind, l.b, tw.Set))
		if err := errors.Join(err, tw.Close()); err != nil {
			return err
		}
	}
	w.bands, w.exacts = nil, nil
	tw, err := w.table("meta.sst")
	if err != nil {
		return err
	}
	hj, err1 := json.Marshal(w.h)
	vj, err2 := json.Marshal(w.v)
	if err := errors.Join(err1, err2); err != nil {
		tw.Close()
		return err
	}
	// keyHead ("mhead") sorts before the version keys ("v…").
	if err := errors.Join(tw.Set(keyHead, hj), tw.Set(versionKey(w.v.Number), vj), tw.Close()); err != nil {
		return err
	}
	return w.ix.db.Ingest(context.Background(), w.files)
}

// keep returns put, which also keeps the lists in memory when a version of
// width b has them there.
func (w *VersionWriter) keep(kind byte, b uint8, put listWriter) listWriter {
	if !inMemory(b) {
		return put
	}
	m := newMemLists(kind, b, w.v.Number)
	w.mem = append(w.mem, m)
	return func(k, v []byte) error {
		m.add(k, v)
		return put(k, v)
	}
}

// cleanup removes the version's tables, if any.
func (w *VersionWriter) cleanup() {
	if w.tw != nil {
		w.tw.Close()
		w.tw = nil
	}
	if len(w.files) > 0 {
		os.RemoveAll(w.ix.ingestDir())
	}
}

// Abort drops the version.
func (w *VersionWriter) Abort() {
	w.cleanup()
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
