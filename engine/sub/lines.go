package sub

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/quchong/quchong/output"
	"github.com/quchong/quchong/stage"
)

// unitTally is what pass 1 knows of one unit (by the hash of its normalised
// text): how many documents have it, and the first of them in input order.
type unitTally struct {
	docs  uint32
	first uint64
}

// docIndex numbers a document by input order: file, then record.
func docIndex(file int, record int64) uint64 { return uint64(file)<<40 | uint64(record) }

// Lines removes repeated units (lines, paragraphs or sentences, by
// opt.Params.Unit) from the documents of the inputs: with MinDocs, units
// that occur in at least that many documents; with KeepFirst, every
// occurrence after the first document that has the unit.
//
// Pass 1 counts, for each distinct eligible unit, the documents it occurs
// in and the first of them, in a unitTable of 32 to 64 bytes per distinct
// unit (a 64-bit hash of the normalised text is the key: two distinct
// units collide with a probability of about n²/2⁶⁵). Pass 2 keeps only the
// units that may go, and rewrites each input.
func Lines(ctx context.Context, opt Options) (*output.SubStats, error) {
	r, lock, err := prepare(opt, true)
	if err != nil {
		return nil, err
	}
	defer lock.Release()
	defer os.RemoveAll(r.work) // a failed run leaves no work files either

	t0 := r.begin("count units", r.readTotal())
	r.window = true
	tally := newUnitTable(0)
	var mu sync.Mutex
	err = r.eachFile(ctx, func(i int) error {
		local := newUnitTable(0)
		var (
			sc    stage.SubScratch
			units []stage.UnitKey
			keys  []uint64
		)
		cache, err := newKeyWriter(r.keyFile(i))
		if err != nil {
			return err
		}
		err = r.read(ctx, i, func(record int64, text []byte) error {
			doc := docIndex(i, record)
			units = r.sub.Units(units[:0], text, &sc)
			cache.add(record, len(text), units)
			keys = r.sub.DocKeys(keys[:0], units)
			for _, k := range keys {
				local.add(k, 1, doc)
			}
			return nil
		})
		if cerr := cache.close(); err == nil {
			err = cerr
		}
		mu.Lock()
		defer mu.Unlock()
		if tally.len() == 0 { // the first file done (the only one, often): no copy
			tally, local = local, tally
		}
		tally.merge(local) // sums and minima: the order of files does not matter
		return err
	})
	r.window = false
	if err != nil {
		return nil, err
	}
	// Pass 2 needs only the units that may go: those in fewer documents
	// than the policy asks are never removed (most of them, as a rule), and
	// a lookup in the smaller table stays in the processor's caches.
	distinct := tally.len()
	tally = tally.keep(r.sub.RemovableDocs())
	r.timed("count units", t0)

	t0 = r.begin("rewrite", r.inputBytes)
	results := make([]fileResult, len(r.files))
	err = r.eachFile(ctx, func(i int) error {
		cache, err := openKeyReader(r.keyFile(i))
		if err != nil {
			return err
		}
		defer cache.close()
		var (
			cur      keyDoc // the next document pass 1 read
			have     bool   // cur holds it
			cacheErr error
		)
		fail := func(record int64, err error) {
			if cacheErr == nil {
				cacheErr = fmt.Errorf("%s record %d: %w", r.files[i].Path, record, err)
			}
		}
		fetch := func(record int64) bool {
			if !have {
				ok, err := cache.next(&cur)
				if err != nil {
					fail(record, err)
				}
				have = ok && err == nil
			}
			return have && cur.record == record
		}
		remove := func(doc uint64) func(k int) (bool, int) {
			return func(k int) (bool, int) {
				u := cur.units[k]
				if !r.sub.Eligible(u) {
					return false, 0
				}
				t := tally.get(u.Key)
				if t.docs == 0 { // not in the table: in too few documents
					return false, 0
				}
				return r.sub.RemoveUnit(t.docs, t.first, doc), int(t.docs)
			}
		}
		// A document pass 1 read, none of whose units goes, is copied
		// as it is, without parsing it again.
		same := func(record int64) bool {
			if !fetch(record) {
				return false // rejected in pass 1 (and again now)
			}
			rm := remove(docIndex(i, record))
			for k := range cur.units {
				if gone, _ := rm(k); gone {
					return false
				}
			}
			have = false
			return true
		}
		err = r.rewrite(ctx, i, &results[i], same, func(record int64, text []byte, sc *stage.SubScratch, cuts []stage.Cut) ([]stage.Cut, string) {
			// The units and keys pass 1 found, not split and normalised again.
			if !fetch(record) {
				fail(record, errors.New("a document the first reading did not have: the input changed during the run"))
				return cuts, "unit"
			}
			have = false
			if cur.textLen != len(text) {
				fail(record, fmt.Errorf("%d bytes of text, %d on the first reading: the input changed during the run", len(text), cur.textLen))
				return cuts, "unit"
			}
			return stage.UnitCuts(cuts, cur.units, len(text), remove(docIndex(i, record))), "unit"
		})
		if err == nil {
			err = cacheErr
		}
		if err == nil && (have || func() bool { ok, _ := cache.next(&cur); return ok }()) {
			err = fmt.Errorf("%s: fewer documents than on the first reading: the input changed during the run", r.files[i].Path)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	r.timed("rewrite", t0)
	return r.finish(results, func(st *output.SubStats) {
		st.DistinctUnits = int64(distinct)
		st.DecodedOnce = int(r.once.Load())
	})
}
