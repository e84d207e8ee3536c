package local

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/quchong/quchong/cluster"
	"github.com/quchong/quchong/internal/units"
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
	var reps []uint32
	exactRuns(n, r.docs.exact, func(run []uint64) {
		first := uint32(run[0])
		for _, x := range run {
			g.rep[uint32(x)] = first
		}
		if len(run) > 1 {
			r.stats.Verification.ExactGroups++
		}
		if r.docs.fp(first).Signed {
			reps = append(reps, first)
		}
	})
	slices.Sort(reps)

	// Band keys: one pass over the signatures (in memory or read back
	// block by block) writes every representative's key for every band to
	// a band-major file, so a band is later one sequential read.
	lp := r.p.LSH()
	b := lp.Bands
	keysFile, err := r.bandKeys(reps)
	if err != nil {
		return &OutputError{err}
	}
	defer keysFile.Close()

	// One band at a time per worker: the band's (key, index) records,
	// radix-sorted, then each bucket screened with its members'
	// signatures. As many bands run at once as the memory budget allows; a
	// band too large for it is sorted in runs that are merged.
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
	parallelItems(b, concurrent, func(band int) {
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
		var sigs []uint32
		bandErrs[band] = bandBuckets(reps, readKeys, maxRecords, r.workDir, func(bucket []uint32) error {
			var err error
			if sigs, err = r.loadSigs(sigs, bucket); err != nil {
				return err
			}
			sig := func(i uint32) []uint32 {
				p, _ := slices.BinarySearch(bucket, i)
				return sigs[p*r.p.K : (p+1)*r.p.K]
			}
			r.st.Link(bucket, sig, masked, func(p stage.Pair) { out = append(out, p) })
			return nil
		})
		perBand[band] = out
	})
	if err := errors.Join(bandErrs...); err != nil {
		return &OutputError{err}
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

// confirm decides the borderline pairs on their texts.
func (r *run) confirm(ctx context.Context) error {
	var need []int
	for i, p := range r.groups.pairs {
		if p.Verdict == stage.NeedText {
			need = append(need, i)
		}
	}
	if len(need) == 0 {
		return nil
	}
	pairs := make([]pairKey, len(need))
	for j, i := range need {
		pairs[j] = pairKey{r.groups.pairs[i].A, r.groups.pairs[i].B}
	}
	sims, oks, err := r.textSimilarities(ctx, pairs)
	if err != nil {
		return err
	}
	for j, i := range need {
		p := &r.groups.pairs[i]
		p.Similarity = sims[j]
		p.Verdict = stage.Reject
		if r.groups.textSim == nil {
			r.groups.textSim = make(map[pairKey]float64, len(need))
		}
		r.groups.textSim[pairKey{p.A, p.B}] = sims[j]
		if oks[j] {
			p.Verdict = stage.Accept
			r.stats.Verification.AcceptedByText++
		}
	}
	r.stats.Verification.TextChecked = int64(len(need))
	r.prog.done(int64(len(need)), 0, "%s checked on their texts, %d accepted", units.Plural(len(need), "borderline pair", ""), r.stats.Verification.AcceptedByText)
	return nil
}

// textSimilarities reads back the texts of the documents in pairs from the
// text spill and returns each pair's true similarity and whether it reaches
// the threshold (stage.Confirm). Pairs are taken in chunks whose prepared
// texts (runes, and shingle sets of texts without masks) fit in a quarter
// of what the memory budget leaves; each text is normalised and hashed once
// per chunk, however many pairs it is in.
func (r *run) textSimilarities(ctx context.Context, pairs []pairKey) ([]float64, []bool, error) {
	sims := make([]float64, len(pairs))
	oks := make([]bool, len(pairs))
	limit := r.memoryLeft() / 4
	for lo := 0; lo < len(pairs); {
		needed := make(map[uint32]stage.Prepared)
		var bytes int64
		hi := lo
		for hi < len(pairs) && (hi == lo || bytes < limit) {
			for _, d := range [2]uint32{pairs[hi].a, pairs[hi].b} {
				if _, ok := needed[d]; !ok {
					needed[d] = stage.Prepared{}
					_, n := r.docs.text(d)
					bytes += int64(n) * 13 // text, runes and shingle hashes, at most
				}
			}
			hi++
		}
		if err := r.loadTexts(ctx, needed); err != nil {
			return nil, nil, err
		}
		chunk := pairs[lo:hi]
		parallelChunks(len(chunk), r.workers, func(a, b int) {
			sc := new(stage.Scratch)
			for j := a; j < b; j++ {
				sims[lo+j], oks[lo+j] = r.st.ConfirmPrepared(needed[chunk[j].a], needed[chunk[j].b], sc)
			}
		})
		lo = hi
	}
	return sims, oks, nil
}

// cluster links exact duplicates and accepted pairs into connected
// components, then decides each component with stage.Decide: the kept
// document by the keep rule, and the members removed in its place, each
// verified against it (or, with --cluster connected, every member). The
// components are decided in parallel; each decision depends only on its
// component, and the clusters are numbered by their smallest member, so the
// result does not depend on the workers.
func (r *run) cluster(ctx context.Context) error {
	n := r.docs.n
	u := cluster.New(n)
	for i, rep := range r.groups.rep {
		if rep != uint32(i) {
			u.Union(rep, uint32(i))
		}
	}
	for _, p := range r.groups.pairs {
		if p.Verdict == stage.Accept {
			u.Union(p.A, p.B)
		}
	}
	comps := u.Canonical().Members
	// Ids and keep-rule values of the documents in components, from the
	// side file: only these are ever needed again.
	var linked []uint32
	for _, members := range comps {
		linked = append(linked, members...)
	}
	linked = append(linked, r.priorDocs()...)
	side, err := r.docs.side.load(linked)
	if err != nil {
		return &OutputError{err}
	}
	r.side = side

	decisions := make([]stage.Decision, len(comps))
	errs := make([]error, len(comps))
	parallelItems(len(comps), r.workers, func(c int) {
		if ctx.Err() != nil {
			errs[c] = ctx.Err()
			return
		}
		members := make([]stage.Member, len(comps[c]))
		for j, m := range comps[c] {
			fp := r.docs.fp(m)
			members[j] = stage.Member{Index: m, Rep: r.groups.rep[m], Length: fp.Length, Masks: fp.Masks, Value: side.value(m)}
		}
		decisions[c], errs[c] = r.st.Decide(members, &judge{r: r, ctx: ctx})
	})
	if err := errors.Join(errs...); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return err
	}

	// The clusters, numbered in the order of their smallest member.
	var all []stage.Cluster
	cs := &r.stats.Clustering
	cs.Mode = r.p.Cluster.String()
	for _, d := range decisions {
		all = append(all, d.Clusters...)
		cs.Add(d)
	}
	slices.SortFunc(all, func(a, b stage.Cluster) int { return cmp.Compare(a.Members[0], b.Members[0]) })
	r.clusters = cluster.Clusters{Of: make([]int32, n), Members: make([][]uint32, len(all))}
	for i := range r.clusters.Of {
		r.clusters.Of[i] = -1
	}
	r.keptOf = make([]uint32, len(all))
	r.simToKept = make([]float64, len(side.docs))
	r.exactToKept = make([]bool, len(side.docs))
	for c, cl := range all {
		r.clusters.Members[c] = cl.Members
		r.keptOf[c] = cl.Kept
		for j, m := range cl.Members {
			r.clusters.Of[m] = int32(c)
			r.simToKept[side.find(m)] = cl.Similarity[j]
			r.exactToKept[side.find(m)] = cl.Exact[j]
		}
	}
	r.stats.Clusters = len(all) + r.fillPrior()
	r.prog.done(int64(n), 0, "%d clusters of two or more documents from %d components (%d split, %d documents kept that --cluster connected would remove)",
		len(all), len(comps), cs.ComponentsSplit, cs.DocumentsSaved)
	return ctx.Err()
}

// judge is the local engine's stage.Judge: signatures from the document
// table (resident or read back), texts from the text spill, and the text
// similarities the confirm stage already computed.
type judge struct {
	r    *run
	ctx  context.Context
	sigs map[uint32][]uint32
	// prepared caches the few texts in use: the kept document's, checked
	// against every other member of its round.
	prepared map[uint32]stage.Prepared
	sc       stage.Scratch
}

func (j *judge) Signature(rep uint32) ([]uint32, error) {
	if !j.r.docs.fp(rep).Signed {
		return nil, nil
	}
	if s, ok := j.sigs[rep]; ok {
		return s, nil
	}
	if j.sigs == nil {
		j.sigs = make(map[uint32][]uint32)
	}
	s, err := j.r.loadSigs(nil, []uint32{rep})
	if err != nil {
		return nil, &OutputError{err}
	}
	j.sigs[rep] = s
	return s, nil
}

func (j *judge) Masked(rep uint32) bool { return j.r.docs.fp(rep).Masks > 0 }

func (j *judge) TextSimilarity(a, b uint32) (float64, error) {
	if sim, ok := j.r.groups.textSim[pairKey{a, b}]; ok {
		return sim, nil
	}
	if len(j.prepared) > 8 {
		clear(j.prepared)
	}
	if j.prepared == nil {
		j.prepared = make(map[uint32]stage.Prepared)
	}
	var pa, pb stage.Prepared
	for _, x := range [2]struct {
		d   uint32
		dst *stage.Prepared
	}{{a, &pa}, {b, &pb}} {
		p, ok := j.prepared[x.d]
		if !ok {
			if err := j.ctx.Err(); err != nil {
				return 0, err
			}
			off, n := j.r.docs.text(x.d)
			text, err := j.r.texts.read(off, n, nil)
			if err != nil {
				return 0, &OutputError{err}
			}
			runes, _ := j.r.st.Normalize(nil, text)
			p = j.r.st.Prepare(runes)
			j.prepared[x.d] = p
		}
		*x.dst = p
	}
	sim, _ := j.r.st.ConfirmPrepared(pa, pb, &j.sc)
	return sim, nil
}

// simOf returns clustered document m's similarity to its cluster's kept
// document.
func (r *run) simOf(m uint32) float64 { return r.simToKept[r.side.find(m)] }

// exactOf reports whether clustered document m's reason is "exact".
func (r *run) exactOf(m uint32) bool { return r.exactToKept[r.side.find(m)] }

// parallelChunks runs fn over [0, n) split into contiguous chunks.
func parallelChunks(n, workers int, fn func(lo, hi int)) {
	if n == 0 {
		return
	}
	chunks := min(workers*4, n)
	var wg sync.WaitGroup
	next := make(chan int, chunks)
	for c := 0; c < chunks; c++ {
		next <- c
	}
	close(next)
	for w := 0; w < min(workers, chunks); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range next {
				fn(c*n/chunks, (c+1)*n/chunks)
			}
		}()
	}
	wg.Wait()
}

// parallelItems runs fn(i) for i in [0, n) on the workers.
func parallelItems(n, workers int, fn func(i int)) {
	parallelChunks(n, workers, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			fn(i)
		}
	})
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
