package local

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/quchong/quchong/internal/units"
	"github.com/quchong/quchong/output"
	"github.com/quchong/quchong/radix"
	"github.com/quchong/quchong/stage"
)

// pairKey packs an ordered pair of indices.
type pairKey struct{ a, b uint32 }

// groupState is what grouping hands to the later stages.
type groupState struct {
	rep   []uint32 // each document's exact-duplicate representative (smallest index)
	pairs []stage.Pair
	// textSim holds the similarities Confirm computed from the texts of
	// borderline pairs, for the cluster decision to reuse (not kept by the
	// checkpoint: after a resume those are computed again, with the same
	// result).
	textSim map[pairKey]float64
}

// exactRuns calls fn once for every set of documents among 0..n-1 with
// equal exact hashes, singletons included, with the set's indices
// (in the low 32 bits of each value) in increasing order. It radix-sorts
// packed (hash prefix, index) keys, 16 bytes a document with the sort's
// scratch; the rare runs whose prefixes are equal but whose full hashes are
// not are then ordered by full hash.
func exactRuns(n int, exact func(uint32) stage.Exact, fn func(run []uint64)) {
	keys := make([]uint64, n)
	for i := range keys {
		keys[i] = exact(uint32(i)).Hi&^(1<<32-1) | uint64(i)
	}
	radix.SortFrom(keys, make([]uint64, n), 32)
	for j := 0; j < len(keys); {
		k := j + 1
		for k < len(keys) && keys[k]>>32 == keys[j]>>32 {
			k++
		}
		run := keys[j:k]
		h := exact(uint32(run[0]))
		if !slices.ContainsFunc(run[1:], func(x uint64) bool { return exact(uint32(x)) != h }) {
			fn(run)
		} else {
			slices.SortStableFunc(run, func(x, y uint64) int {
				hx, hy := exact(uint32(x)), exact(uint32(y))
				return cmp.Or(cmp.Compare(hx.Hi, hy.Hi), cmp.Compare(hx.Lo, hy.Lo))
			})
			for a := 0; a < len(run); {
				b := a + 1
				for b < len(run) && exact(uint32(run[b])) == exact(uint32(run[a])) {
					b++
				}
				fn(run[a:b])
				a = b
			}
		}
		j = k
	}
}

// group finds exact duplicates by sorting exact hashes, then near-duplicate
// candidates by sorting LSH band keys, band by band, screening each bucket.
func (r *run) group(ctx context.Context) error {
	n := r.docs.n
	g := &groupState{rep: make([]uint32, n)}
	r.groups = g

	// Exact duplicates: the first of each set of equal hashes (the
	// smallest index) is the representative.
	exactRuns(n, r.docs.exact, func(run []uint64) {
		first := uint32(run[0])
		for _, x := range run {
			g.rep[uint32(x)] = first
		}
		if len(run) > 1 {
			r.stats.Verification.ExactGroups++
		}
	})
	// The representatives with a signature, in index order: one scan
	// instead of a sort of those the runs give in hash order.
	var reps []uint32
	for i := range uint32(n) {
		if g.rep[i] == i && r.docs.fp(i).Signed {
			reps = append(reps, i)
		}
	}

	// Band keys: one pass over the signatures (in memory or read back
	// block by block) writes every representative's key for every band to
	// a band-major file, so a band is later one sequential read.
	lp := r.p.LSH()
	b := lp.Bands
	keysFile, err := r.bandKeys(reps)
	if err != nil {
		return &output.OutputError{Err: err}
	}
	defer keysFile.Close()

	// One band at a time per worker: the band's repeated keys found in
	// key order (radix.Repeats), then each bucket screened with its
	// members' signatures. As many bands run at once as the memory budget
	// allows; a band too large for it is sorted in runs that are merged.
	masked := func(i uint32) bool { return r.docs.fp(i).Masks > 0 }
	avail := r.memoryLeft()
	maxRecords := int(min(avail/bandRecordBytes, int64(len(reps))))
	if r.opt.bandRecords > 0 {
		maxRecords = r.opt.bandRecords
	}
	concurrent := r.workers
	if maxRecords < len(reps) {
		concurrent = 1
		r.bandRuns = (len(reps) + maxRecords - 1) / maxRecords
		r.prog.note("grouping: each band is sorted in %d runs of %d records, merged from the work directory (the --memory budget leaves %s)", r.bandRuns, maxRecords, units.Bytes(avail))
	} else if perBand := int64(len(reps)) * bandRecordBytes; perBand > 0 {
		concurrent = int(max(1, min(int64(r.workers), avail/perBand)))
	}
	perBand := make([][]stage.Pair, b)
	bandErrs := make([]error, b)
	scratch := make(chan *bandScratch, concurrent) // one a band in flight
	for range concurrent {
		scratch <- new(bandScratch)
	}
	parallelItems(b, concurrent, func(band int) {
		sc := <-scratch
		defer func() { scratch <- sc }()
		readKeys := func(dst []uint64, lo int) error {
			if len(dst) == 0 {
				return nil
			}
			if _, err := keysFile.ReadAt(u64bytes(dst), (int64(band)*int64(len(reps))+int64(lo))*8); err != nil {
				return fmt.Errorf("work directory: band keys: %w", err)
			}
			return nil
		}
		var out []stage.Pair
		sigs := newBucketSigs(r.p.K, r.docs.copySig)
		bandErrs[band] = bandBuckets(reps, readKeys, maxRecords, r.workDir, sc, func(bucket []uint32) error {
			if err := sigs.load(bucket); err != nil {
				return err
			}
			r.st.Link(bucket, sigs.sig, masked, func(p stage.Pair) { out = append(out, p) })
			return sigs.Err()
		})
		perBand[band] = out
	})
	if err := errors.Join(bandErrs...); err != nil {
		return &output.OutputError{Err: err}
	}

	// Merge the bands' pairs: sort and drop repeats (a pair's verdict does
	// not depend on the band that found it).
	all := stage.DistinctPairs(perBand)
	g.pairs = all
	for _, p := range all {
		if p.Verdict == stage.Accept {
			r.stats.Verification.AcceptedBySignature++
		}
	}
	r.stats.Verification.CandidatePairs = int64(len(all))
	r.prog.done(int64(len(reps)), 0, "%s, %s (%d bands × %d rows)", units.Plural(r.stats.Verification.ExactGroups, "exact group", ""), units.Plural(len(all), "candidate pair", ""), lp.Bands, lp.Rows)
	return ctx.Err()
}

// loadSigs returns the signatures of docs, one after the other, in buf.
func (r *run) loadSigs(buf []uint32, docs []uint32) ([]uint32, error) {
	k := r.p.K
	buf = slices.Grow(buf[:0], len(docs)*k)[:len(docs)*k]
	for j, d := range docs {
		if err := r.docs.copySig(buf[j*k:(j+1)*k], d); err != nil {
			return buf, err
		}
	}
	return buf, nil
}

// bandKeys writes the LSH key of every representative for every band to
// the work directory's bands.bin, band-major: band b's keys, in the order of
// reps, start at b × len(reps) × 8. Chunks of representatives run on the
// workers; each reads the signature blocks it needs once.
func (r *run) bandKeys(reps []uint32) (*os.File, error) {
	bands := r.p.Bands
	f, err := os.Create(filepath.Join(r.workDir, "bands.bin"))
	if err != nil {
		return nil, fmt.Errorf("work directory: %w", err)
	}
	const chunk = 1 << 14
	n := len(reps)
	chunks := (n + chunk - 1) / chunk
	errs := make([]error, chunks)
	parallelItems(chunks, r.workers, func(c int) {
		lo, hi := c*chunk, min(n, (c+1)*chunk)
		keys := make([]uint64, bands*(hi-lo)) // band-major within the chunk
		var buf, block []uint32
		bi := -1
		for j := lo; j < hi; j++ {
			d := reps[j]
			if int(d>>blockShift) != bi {
				bi = int(d >> blockShift)
				var berr error
				if block, buf, berr = r.docs.blockSigs(bi, buf); berr != nil {
					errs[c] = berr
					return
				}
			}
			o := int(d&(blockSize-1)) * r.p.K
			sig := block[o : o+r.p.K]
			for band := 0; band < bands; band++ {
				keys[band*(hi-lo)+j-lo] = r.st.BandKey(sig, band)
			}
		}
		for band := 0; band < bands; band++ {
			seg := keys[band*(hi-lo) : (band+1)*(hi-lo)]
			if _, err := f.WriteAt(u64bytes(seg), (int64(band)*int64(n)+int64(lo))*8); err != nil {
				errs[c] = fmt.Errorf("work directory: band keys: %w", err)
				return
			}
		}
	})
	if err := errors.Join(errs...); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}
