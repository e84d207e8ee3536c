package index

import (
	"encoding/binary"
	"errors"
	"fmt"

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
		Params: ix.st.Params(),
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
// hashes to its exact hash, it lies in the range of its version, and its
// exact and band postings exist; every posting points to a document that
// has that key; the head's totals match. It changes nothing.
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
	has := func(key []byte) (bool, error) {
		_, closer, err := snap.Get(key)
		if errors.Is(err, pebble.ErrNotFound) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		closer.Close()
		return true, nil
	}
	// Documents, and the postings they should have.
	docs := map[uint64]stage.Exact{}
	bands := map[uint64]map[uint32]bool{} // seq → its band prefixes
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
		docs[seq] = d.Exact
		texts += int64(d.TextBytes)
		if v, ok := versionOf[d.Version]; !ok || seq < v.FirstSeq || seq >= v.EndSeq {
			problem(k, "document %d claims version %d, whose range does not hold it", seq, d.Version)
		}
		if ok, err := has(exactKey(d.Exact, seq)); err != nil || !ok {
			problem(k, "document %d has no exact posting (%v)", seq, err)
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
		set := make(map[uint32]bool, len(keys))
		for _, bk := range keys {
			set[uint32(bk>>32)] = true
			if ok, err := has(bandKey(bk, seq)); err != nil || !ok {
				problem(k, "document %d has no posting for band key %x (%v)", seq, bk, err)
			}
		}
		bands[seq] = set
	}
	if err := errors.Join(it.Error(), it.Close()); err != nil {
		return rep, err
	}
	// Postings, each pointing to a document that has the key.
	if err := ix.scanKeys(snap, prefixExact, exactPrefixLen, func(k []byte, seq uint64) {
		rep.ExactPostings++
		e := stage.Exact{Hi: binary.BigEndian.Uint64(k[1:]), Lo: binary.BigEndian.Uint64(k[9:])}
		if got, ok := docs[seq]; !ok || got != e {
			problem(k, "exact posting for document %d, which does not have that hash", seq)
		}
	}, problem); err != nil {
		return rep, err
	}
	if err := ix.scanKeys(snap, prefixBand, bandPrefixLen, func(k []byte, seq uint64) {
		rep.BandPostings++
		if !bands[seq][binary.BigEndian.Uint32(k[1:])] {
			problem(k, "band posting for document %d, which does not have that key", seq)
		}
	}, problem); err != nil {
		return rep, err
	}
	if int64(rep.Docs) != h.Docs || texts != h.TextBytes {
		problem(keyHead, "head counts %d documents and %d text bytes; the index holds %d and %d", h.Docs, h.TextBytes, rep.Docs, texts)
	}
	return rep, nil
}

// scanKeys calls fn with every posting key under prefix, whose posting
// prefix is n bytes, and its seq; malformed keys are problems.
func (ix *Index) scanKeys(snap *pebble.Snapshot, prefix byte, n int, fn func([]byte, uint64), problem func([]byte, string, ...any)) error {
	it, err := snap.NewIter(&pebble.IterOptions{LowerBound: []byte{prefix}, UpperBound: []byte{prefix + 1}})
	if err != nil {
		return err
	}
	for it.First(); it.Valid(); it.Next() {
		seq, ok := postingSeq(it.Key(), n)
		if !ok {
			problem(it.Key(), "malformed posting key")
			continue
		}
		fn(it.Key(), seq)
	}
	return errors.Join(it.Error(), it.Close())
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
	b := ix.db.NewBatch()
	defer b.Close()
	removed := 0
	var keys []uint64
	var sc stage.Scratch
	sig := make([]uint32, ix.st.Params().K)
	for _, old := range vs {
		if old.Number <= v {
			continue
		}
		for seq := old.FirstSeq; seq < old.EndSeq; seq++ {
			d, err := ix.doc(seq)
			if err != nil {
				return 0, fmt.Errorf("rollback: %w", err)
			}
			if err := errors.Join(b.Delete(docKey(seq), nil), b.Delete(exactKey(d.Exact, seq), nil)); err != nil {
				return 0, err
			}
			if d.Signed {
				if err := d.sig(sig, ix.st, ix.codec, &sc); err != nil {
					return 0, fmt.Errorf("rollback: document %d: %w", seq, err)
				}
				keys = ix.st.BandKeys(keys[:0], sig)
				for _, k := range keys {
					if err := b.Delete(bandKey(k, seq), nil); err != nil {
						return 0, err
					}
				}
			}
			h.Docs--
			h.TextBytes -= int64(d.TextBytes)
			h.StoredTextBytes -= int64(d.StoredBytes)
			removed++
		}
		if err := b.Delete(versionKey(old.Number), nil); err != nil {
			return 0, err
		}
	}
	h.Version = v
	h.NextSeq = max(target.EndSeq, target.FirstSeq)
	if v == 0 {
		h.NextSeq = 0
	}
	if err := setJSON(b, keyHead, h); err != nil {
		return 0, err
	}
	if err := b.Commit(pebble.Sync); err != nil {
		return 0, fmt.Errorf("index %s: rollback to version %d: %w", ix.dir, v, err)
	}
	ix.head = h
	return removed, nil
}
