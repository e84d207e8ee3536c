package local

import (
	"cmp"
	"context"
	"errors"
	"slices"

	"github.com/quchong/quchong/cluster"
	"github.com/quchong/quchong/output"
	"github.com/quchong/quchong/stage"
)

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
		return &output.OutputError{Err: err}
	}
	r.side = side

	decisions := make([]stage.Decision, len(comps))
	errs := make([]error, len(comps))
	parallelChunks(len(comps), r.workers, func(lo, hi int) {
		// One scratch and judge a goroutine: their buffers serve every
		// component.
		sc := r.scratches.get()
		defer r.scratches.put(sc)
		j := &judge{r: r, ctx: ctx, sc: sc}
		for c := lo; c < hi; c++ {
			if ctx.Err() != nil {
				errs[c] = ctx.Err()
				continue
			}
			members := make([]stage.Member, len(comps[c]))
			for j, m := range comps[c] {
				fp := r.docs.fp(m)
				members[j] = stage.Member{Index: m, Rep: r.groups.rep[m], Length: fp.Length, Masks: fp.Masks, Value: side.value(m)}
			}
			j.reset()
			decisions[c], errs[c] = r.st.Decide(members, j)
		}
	})
	r.prepared = nil // the confirm stage's texts are done with
	r.scratches.drop()
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
// table (resident or read back), texts the confirm stage prepared or read
// back (from the inputs or the text spill), and the text similarities the
// confirm stage already computed.
type judge struct {
	r    *run
	ctx  context.Context
	sigs map[uint32][]uint32
	// prepared caches the few texts in use: the kept document's, checked
	// against every other member of its round.
	prepared map[uint32]stage.Prepared
	sc       *stage.Scratch // the deciding goroutine's
	buf      []byte         // a text read back
}

// reset readies j for the next component: what it holds of the previous
// one is not used again (the maps keep their memory).
func (j *judge) reset() {
	clear(j.sigs)
	clear(j.prepared)
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
		return nil, &output.OutputError{Err: err}
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
		p, ok := j.r.prepared[x.d]
		if !ok {
			p, ok = j.prepared[x.d]
		}
		if !ok {
			if err := j.ctx.Err(); err != nil {
				return 0, err
			}
			text, err := j.r.readText(x.d, j.buf)
			if err != nil {
				return 0, err
			}
			j.buf = text[:0] // the runes are a copy
			runes, _ := j.r.st.Normalize(nil, text)
			p = j.r.st.PrepareWith(runes, j.sc)
			j.prepared[x.d] = p
		}
		*x.dst = p
	}
	sim, _ := j.r.st.ConfirmPrepared(pa, pb, j.sc)
	return sim, nil
}

// simOf returns clustered document m's similarity to its cluster's kept
// document.
func (r *run) simOf(m uint32) float64 { return r.simToKept[r.side.find(m)] }

// exactOf reports whether clustered document m's reason is "exact".
func (r *run) exactOf(m uint32) bool { return r.exactToKept[r.side.find(m)] }
