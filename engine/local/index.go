package local

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/quchong/quchong/index"
	"github.com/quchong/quchong/internal/units"
	"github.com/quchong/quchong/output"
	"github.com/quchong/quchong/stage"
)

// A run with Options.Index deduplicates its inputs against the index as
// well as against themselves, as if the indexed documents came first and
// were all kept:
//
//   - after grouping, every exact representative is checked against the
//     index (index.Checker: an exact hash, or a shared band key and
//     stage.AgainstKept, the rule a run removes a document by); a match
//     removes it and its exact copies, each in a cluster whose kept
//     document is the indexed one, and takes them out of the run's own
//     candidate pairs and exact groups, so that they neither keep nor
//     remove anything else;
//   - the rest is decided as in a plain run;
//   - after the outputs are committed, the kept documents are added to the
//     index as one version (not with IndexReadOnly or DryRun).

// priorState is what the index told the run.
type priorState struct {
	// match holds, for each document removed as a duplicate of an indexed
	// one, its best match.
	match map[uint32]index.Match
	// add is the version of the kept documents, prepared before the output
	// pass (while signatures and texts are at hand), committed after it.
	add *index.VersionWriter
	// Added is the version committed.
	added index.Version
}

// checkOptions refuses what an indexed run cannot do.
func (r *run) checkIndexOptions() error {
	ix := r.opt.Index
	if ix == nil {
		return nil
	}
	if r.opt.Resume {
		return &output.ConfigError{Err: errors.New("--resume cannot be used with --index: start the run again")}
	}
	if d := stage.DetectionDiff(ix.Params(), r.p); len(d) > 0 {
		return &output.ConfigError{Err: fmt.Errorf("index %s: %w: %v", ix.Dir(), index.ErrParams, d)}
	}
	return nil
}

// groupAndIndex is the group stage, followed, with an index, by the check
// of every exact representative against it.
func (r *run) groupAndIndex(ctx context.Context) error {
	if err := r.group(ctx); err != nil {
		return err
	}
	if r.opt.Index == nil {
		return nil
	}
	return r.checkIndex(ctx)
}

// checkIndex checks the exact representatives against the index and takes
// the documents it finds out of the run's groups.
func (r *run) checkIndex(ctx context.Context) error {
	g := r.groups
	var reps []uint32
	for i, rep := range g.rep {
		if rep == uint32(i) {
			reps = append(reps, rep)
		}
	}
	found := make([]index.Match, len(reps))
	hit := make([]bool, len(reps))
	var mu sync.Mutex
	var errs []error
	parallelChunks(len(reps), r.workers, func(lo, hi int) {
		c := r.opt.Index.NewChecker()
		var buf []byte
		var err error
		defer func() {
			if err != nil {
				mu.Lock()
				errs = append(errs, err)
				mu.Unlock()
			}
		}()
		for j := lo; j < hi; j++ {
			if ctx.Err() != nil {
				err = ctx.Err()
				return
			}
			// The text is read back and normalised only if a candidate
			// needs verifying on the texts.
			rep := reps[j]
			var e index.Entry
			if e, err = r.entryNoText(rep); err != nil {
				return
			}
			e.LoadText = func() ([]rune, error) {
				var t []rune
				var err error
				t, buf, err = r.entryText(rep, buf)
				return t, err
			}
			var ms []index.Match
			if ms, err = c.CheckEntry(e); err != nil {
				return
			}
			if len(ms) > 0 {
				found[j], hit[j] = ms[0], true
			}
		}
	})
	if err := errors.Join(errs...); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return &output.OutputError{Err: err}
	}
	p := &priorState{match: make(map[uint32]index.Match)}
	r.prior = p
	byRep := make(map[uint32]index.Match)
	for j, rep := range reps {
		if hit[j] {
			byRep[rep] = found[j]
		}
	}
	for i, rep := range g.rep {
		if m, ok := byRep[rep]; ok {
			p.match[uint32(i)] = m
			g.rep[i] = uint32(i) // out of its exact group: the index decided it
		}
	}
	g.pairs = slices.DeleteFunc(g.pairs, func(pr stage.Pair) bool {
		_, a := p.match[pr.A]
		_, b := p.match[pr.B]
		return a || b
	})
	r.prog.noteStage("index", "%s of the index %s (version %d)", units.Plural(len(p.match), "document duplicates one", "documents duplicate ones"), r.opt.Index.Dir(), r.indexVersion())
	return nil
}

func (r *run) indexVersion() uint64 { v, _ := r.opt.Index.Head(); return v }

// entry returns document i as the index stores it: fingerprint, signature
// and normalised text (read back from its input or the text spill).
func (r *run) entry(i uint32, buf []byte) (index.Entry, []byte, error) {
	e, err := r.entryNoText(i)
	if err != nil {
		return e, buf, err
	}
	e.Text, buf, err = r.entryText(i, buf)
	return e, buf, err
}

// entryNoText is entry without the text.
func (r *run) entryNoText(i uint32) (index.Entry, error) {
	fp := r.docs.fp(i)
	fp.Exact = r.docs.exact(i)
	e := index.Entry{Fingerprint: fp, Sig: make([]uint32, r.p.K)}
	return e, r.docs.copySig(e.Sig, i)
}

// entryText reads document i's text back (into buf) and normalises it.
func (r *run) entryText(i uint32, buf []byte) ([]rune, []byte, error) {
	text, err := r.readText(i, buf)
	if err != nil {
		return nil, text, err
	}
	t, _ := r.st.Normalize(nil, text)
	return t, text, nil
}

// priorDocs lists the documents the index removed.
func (r *run) priorDocs() []uint32 {
	if r.prior == nil {
		return nil
	}
	docs := make([]uint32, 0, len(r.prior.match))
	for d := range r.prior.match {
		docs = append(docs, d)
	}
	slices.Sort(docs)
	return docs
}

// clusterAndIndex is the cluster stage, followed, with an index that the
// run adds to, by the preparation of the kept documents' version.
func (r *run) clusterAndIndex(ctx context.Context) error {
	if err := r.cluster(ctx); err != nil {
		return err
	}
	if r.opt.Index == nil || r.opt.IndexReadOnly || r.opt.DryRun {
		return nil
	}
	return r.prepareIndexVersion(ctx)
}

// fillPrior gives the documents the index removed their similarity and
// reason, once the side table holds them, and returns the number of
// clusters they form (one per indexed document matched).
func (r *run) fillPrior() int {
	if r.prior == nil {
		return 0
	}
	indexed := make(map[uint64]bool)
	for d, m := range r.prior.match {
		r.simToKept[r.side.find(d)] = m.Similarity
		r.exactToKept[r.side.find(d)] = m.Exact
		indexed[m.Seq] = true
	}
	return len(indexed)
}

// markPrior marks the documents the index removed.
func (r *run) markPrior(removed []bool) {
	if r.prior == nil {
		return
	}
	for d := range r.prior.match {
		removed[d] = true
	}
}

// priorClusterLines are the lines of clusters.jsonl for the documents the
// index removed: one cluster per indexed document, its kept document the
// indexed one (by the id it was added with), numbered among the run's
// clusters by its smallest member.
func (r *run) priorClusterLines() []output.ClusterLine {
	if r.prior == nil {
		return nil
	}
	type group struct {
		key   uint32
		m     index.Match
		exact bool
	}
	groups := make(map[uint64]*group)
	var lines []output.ClusterLine
	for _, d := range r.priorDocs() {
		m := r.prior.match[d]
		g := groups[m.Seq]
		if g == nil {
			g = &group{key: d, m: m, exact: true}
			groups[m.Seq] = g
		}
		g.exact = g.exact && m.Exact
		lines = append(lines, output.ClusterLine{Key: g.key, Idx: d, ID: r.side.id(d), Exact: m.Exact, Sim: m.Similarity})
	}
	for _, g := range groups {
		lines = append(lines, output.ClusterLine{Key: g.key, Idx: g.key, ID: g.m.ID, Kept: true, Exact: g.exact, Sim: 1})
	}
	return lines
}

// prepareIndexVersion builds the version of the kept documents: every
// document neither removed by the run nor by the index, in input order.
func (r *run) prepareIndexVersion(ctx context.Context) error {
	removed := make([]bool, r.docs.n)
	for c, members := range r.clusters.Members {
		for _, m := range members {
			if m != r.keptOf[c] {
				removed[m] = true
			}
		}
	}
	r.markPrior(removed)
	var kept []uint32
	for i, rm := range removed {
		if !rm {
			kept = append(kept, uint32(i))
		}
	}
	w, err := r.opt.Index.Begin("dedup " + r.opt.OutDir)
	if err != nil {
		return &output.OutputError{Err: err}
	}
	const chunk = 4096
	entries := make([]index.Entry, chunk)
	for lo := 0; lo < len(kept); lo += chunk {
		part := kept[lo:min(lo+chunk, len(kept))]
		side, err := r.docs.side.load(part)
		if err != nil {
			w.Abort()
			return &output.OutputError{Err: err}
		}
		errs := make([]error, len(part))
		parallelChunks(len(part), r.workers, func(a, b int) {
			var buf []byte
			for j := a; j < b; j++ {
				entries[j], buf, errs[j] = r.entry(part[j], buf)
				entries[j].ID = side.id(part[j])
			}
		})
		if err := errors.Join(errs...); err != nil {
			w.Abort()
			return &output.OutputError{Err: err}
		}
		if err := w.AddBatch(entries[:len(part)]); err != nil {
			w.Abort()
			return &output.OutputError{Err: err}
		}
		if err := ctx.Err(); err != nil {
			w.Abort()
			return err
		}
	}
	if r.prior == nil {
		r.prior = &priorState{}
	}
	r.prior.add = w
	return nil
}

// commitIndex commits the version of the kept documents, once the outputs
// are in place.
func (r *run) commitIndex() error {
	if r.prior == nil || r.prior.add == nil {
		return nil
	}
	w := r.prior.add
	r.prior.add = nil
	v, err := w.Commit()
	if err != nil {
		return &output.OutputError{Err: fmt.Errorf("the outputs are written, but adding the kept documents to the index failed: %w", err)}
	}
	r.prior.added = v
	r.prog.noteStage("index", "%s added to %s as version %d", units.Plural(v.Docs, "document", ""), r.opt.Index.Dir(), v.Number)
	return nil
}

// abortIndex drops a prepared version that will not be committed.
func (r *run) abortIndex() {
	if r.prior != nil && r.prior.add != nil {
		r.prior.add.Abort()
		r.prior.add = nil
	}
}
