package index

import (
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/cockroachdb/pebble/v2"
	"github.com/quchong/quchong/stage"
)

// Stats describes an index.
type Stats struct {
	// Version is the current version; Versions counts the versions kept
	// (version 0, the empty index, included).
	Version  uint64 `json:"version"`
	Versions int    `json:"versions"`
	// Docs is the number of documents; Signed those that can match near.
	Docs int64 `json:"docs"`
	// TextBytes is the normalised texts' size; StoredTextBytes the same
	// compressed, as stored.
	TextBytes       int64 `json:"text_bytes"`
	StoredTextBytes int64 `json:"stored_text_bytes"`
	// DiskBytes is the database's size on disk, log files kept for reuse
	// included; LiveBytes the live data in it (sorted tables and the live
	// part of the log), and BytesPerDoc that beyond the stored texts, per
	// document.
	DiskBytes   uint64  `json:"disk_bytes"`
	LiveBytes   uint64  `json:"live_bytes"`
	BytesPerDoc float64 `json:"bytes_per_doc_beyond_texts"`
	// MemoryListBytes is the memory the large versions' posting lists
	// take in a process that checks (they are read when the index opens).
	MemoryListBytes int `json:"memory_list_bytes"`
	// Params are the parameters the index was built with.
	Params stage.Params `json:"params"`
}

// Stats returns the index's statistics.
func (ix *Index) Stats() (Stats, error) {
	vs, err := ix.Versions()
	if err != nil {
		return Stats{}, err
	}
	ix.mu.Lock()
	h := ix.head
	ix.mu.Unlock()
	m := ix.db.Metrics()
	s := Stats{
		Version: h.Version, Versions: len(vs), Docs: h.Docs,
		TextBytes: h.TextBytes, StoredTextBytes: h.StoredTextBytes,
		DiskBytes: m.DiskSpaceUsage(), LiveBytes: m.Table.Local.LiveSize + m.WAL.Size,
		Params:          ix.st.Params(),
		MemoryListBytes: ix.MemoryListBytes(),
	}
	if h.Docs > 0 {
		s.BytesPerDoc = (float64(s.LiveBytes) - float64(h.StoredTextBytes)) / float64(h.Docs)
	}
	return s, nil
}

// Problem is one inconsistency Verify found.
type Problem struct {
	Key string `json:"key"`
	Err string `json:"error"`
}

// VerifyReport is what Verify checked and found.
type VerifyReport struct {
	Docs, ExactPostings, BandPostings, Versions int
	Problems                                    []Problem
}

// maxProblems bounds the problems a report lists.
const maxProblems = 100

// Verify reads the whole index and checks that it is consistent: every
// document record decodes (checksum, format), its text decompresses and
// hashes to its exact hash, it lies in the range of its version, and each
// of its keys (exact hash, band keys) has its posting in its version's
// lists, once; every posting names a document of the list's version that
// has the key; the head's totals match. It changes nothing.
func (ix *Index) Verify() (VerifyReport, error) {
	var rep VerifyReport
	problem := func(key []byte, format string, args ...any) {
		if len(rep.Problems) < maxProblems {
			rep.Problems = append(rep.Problems, Problem{Key: fmt.Sprintf("%x", key), Err: fmt.Sprintf(format, args...)})
		}
	}
	vs, err := ix.Versions()
	if err != nil {
		return rep, err
	}
	rep.Versions = len(vs)
	ix.mu.Lock()
	h := ix.head
	ix.mu.Unlock()
	versionOf := make(map[uint64]Version, len(vs))
	for _, v := range vs {
		versionOf[v.Number] = v
	}
	if _, ok := versionOf[h.Version]; !ok {
		problem(keyHead, "head names version %d, which has no record", h.Version)
	}
	snap := ix.db.NewSnapshot()
	defer snap.Close()
	// Documents, and the postings they should have.
	type want struct {
		version    uint64
		exact      uint32
		bands      []uint32 // sorted, distinct
		exactFound int
		bandsFound int
	}
	docs := map[uint64]*want{}
	var texts int64
	it, err := snap.NewIter(&pebble.IterOptions{LowerBound: []byte{prefixDoc}, UpperBound: []byte{prefixDoc + 1}})
	if err != nil {
		return rep, err
	}
	var keys []uint64
	var sc stage.Scratch
	sig := make([]uint32, ix.st.Params().K)
	for it.First(); it.Valid(); it.Next() {
		rep.Docs++
		k := it.Key()
		if len(k) != 9 {
			problem(k, "malformed document key")
			continue
		}
		seq := binary.BigEndian.Uint64(k[1:])
		d, err := decode(it.Value())
		if err != nil {
			problem(k, "document %d: %v", seq, err)
			continue
		}
		w := &want{version: d.Version, exact: exact32(d.Exact)}
		docs[seq] = w
		texts += int64(d.TextBytes)
		if v, ok := versionOf[d.Version]; !ok || seq < v.FirstSeq || seq >= v.EndSeq {
			problem(k, "document %d claims version %d, whose range does not hold it", seq, d.Version)
		}
		if !d.Signed {
			continue
		}
		t, err := d.text(ix.codec)
		if err != nil {
			problem(k, "document %d: %v", seq, err)
			continue
		} else if e, ok := stage.ExactNormalized(t); ok && e != d.Exact {
			problem(k, "document %d: its text does not hash to its exact hash", seq)
		}
		if err := d.sig(sig, ix.st, ix.codec, &sc); err != nil {
			problem(k, "document %d: %v", seq, err)
			continue
		}
		keys = ix.st.BandKeys(keys[:0], sig)
		for _, bk := range keys {
			w.bands = append(w.bands, uint32(bk>>32))
		}
		slices.Sort(w.bands)
		w.bands = slices.Compact(w.bands)
	}
	if err := errors.Join(it.Error(), it.Close()); err != nil {
		return rep, err
	}
	// Postings, each naming a document of its version that has the key.
	for _, kind := range []byte{prefixBand, prefixExact} {
		it, err := snap.NewIter(&pebble.IterOptions{LowerBound: []byte{kind}, UpperBound: []byte{kind + 1}})
		if err != nil {
			return rep, err
		}
		for it.First(); it.Valid(); it.Next() {
			k := it.Key()
			_, b, hi, ver, ok := parseListKey(k)
			v, known := versionOf[ver]
			if !ok || !known || (kind == prefixBand && v.BucketBits != b) || (kind == prefixExact && v.ExactBits != b) {
				problem(k, "posting list of a version (%d) that has no record, or of another width (%v)", ver, ok)
				continue
			}
			err := decodeListAll(it.Value(), b, func(check uint32, seq uint64) bool {
				key32 := hi | check
				w := docs[seq]
				switch {
				case kind == prefixExact:
					rep.ExactPostings++
					if w == nil || w.version != ver || w.exact != key32 {
						problem(k, "exact posting for document %d, which does not have that hash in that version", seq)
						return true
					}
					w.exactFound++
				default:
					rep.BandPostings++
					if w == nil || w.version != ver {
						problem(k, "band posting for document %d, which is not in version %d", seq, ver)
						return true
					}
					if _, ok := slices.BinarySearch(w.bands, key32); !ok {
						problem(k, "band posting for document %d, which does not have that key", seq)
						return true
					}
					w.bandsFound++
				}
				return true
			})
			if err != nil {
				problem(k, "%v", err)
			}
		}
		if err := errors.Join(it.Error(), it.Close()); err != nil {
			return rep, err
		}
	}
	seqs := slices.Sorted(maps.Keys(docs))
	for _, seq := range seqs {
		w := docs[seq]
		if w.exactFound != 1 {
			problem(docKey(seq), "document %d has %d exact postings, want 1", seq, w.exactFound)
		}
		if w.bandsFound != len(w.bands) {
			problem(docKey(seq), "document %d has %d band postings, want %d (one for each of its band keys)", seq, w.bandsFound, len(w.bands))
		}
	}
	if int64(rep.Docs) != h.Docs || texts != h.TextBytes {
		problem(keyHead, "head counts %d documents and %d text bytes; the index holds %d and %d", h.Docs, h.TextBytes, rep.Docs, texts)
	}
	return rep, nil
}

// Rollback removes every version after v, and their documents, in one
// atomic, synced batch. It returns the number of documents removed.
func (ix *Index) Rollback(v uint64) (int, error) {
	if ix.readOnly {
		return 0, ErrReadOnly
	}
	vs, err := ix.Versions()
	if err != nil {
		return 0, err
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	var target *Version
	for i := range vs {
		if vs[i].Number == v {
			target = &vs[i]
		}
	}
	if target == nil {
		return 0, fmt.Errorf("index %s has no version %d", ix.dir, v)
	}
	h := ix.head
	h.Version = v
	h.NextSeq = max(target.EndSeq, target.FirstSeq)
	if v == 0 {
		h.NextSeq = 0
	}
	b := ix.db.NewBatch()
	defer b.Close()
	// The documents of later versions: numbered from h.NextSeq on.
	removed := 0
	it, err := ix.db.NewIter(&pebble.IterOptions{LowerBound: docKey(h.NextSeq), UpperBound: []byte{prefixDoc + 1}})
	if err != nil {
		return 0, err
	}
	for it.First(); it.Valid(); it.Next() {
		d, err := decode(it.Value())
		if err != nil {
			it.Close()
			return 0, fmt.Errorf("rollback: document %x: %w", it.Key(), err)
		}
		h.Docs--
		h.TextBytes -= int64(d.TextBytes)
		h.StoredTextBytes -= int64(d.StoredBytes)
		removed++
	}
	if err := errors.Join(it.Error(), it.Close()); err != nil {
		return 0, err
	}
	if err := b.DeleteRange(docKey(h.NextSeq), []byte{prefixDoc + 1}, nil); err != nil {
		return 0, err
	}
	// Their posting lists.
	it, err = ix.db.NewIter(&pebble.IterOptions{LowerBound: []byte{prefixBand}, UpperBound: []byte{prefixExact + 1}})
	if err != nil {
		return 0, err
	}
	for it.First(); it.Valid(); it.Next() {
		k := it.Key()
		if k[0] != prefixBand && k[0] != prefixExact {
			continue
		}
		if _, _, _, ver, ok := parseListKey(k); ok && ver > v {
			if err := b.Delete(k, nil); err != nil {
				it.Close()
				return 0, err
			}
		}
	}
	if err := errors.Join(it.Error(), it.Close()); err != nil {
		return 0, err
	}
	for _, old := range vs {
		if old.Number > v {
			if err := b.Delete(versionKey(old.Number), nil); err != nil {
				return 0, err
			}
		}
	}
	if err := setJSON(b, keyHead, h); err != nil {
		return 0, err
	}
	if err := b.Commit(pebble.Sync); err != nil {
		return 0, fmt.Errorf("index %s: rollback to version %d: %w", ix.dir, v, err)
	}
	ix.head = h
	return removed, ix.loadLookup()
}
