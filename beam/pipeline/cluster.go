package pipeline

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/quchong/quchong/stage"
)

// Clusters: connected components over accepted pairs (cc.go holds the
// algorithms) and the cluster decision.

// pairEdgesFn turns accepted pairs into edges.
type pairEdgesFn struct{}

func (f *pairEdgesFn) ProcessElement(raw []byte, emit func([]byte)) error {
	ps, err := dec[[]stage.Pair](raw)
	if err != nil {
		return err
	}
	es := make([]edge, len(ps))
	for i, p := range ps {
		es[i] = edge{p.A, p.B}
	}
	return emitOne(emit, es)
}

// countEdgesFn emits the number of edges of a batch.
type countEdgesFn struct{}

func (f *countEdgesFn) ProcessElement(raw []byte, emit func(int)) error {
	es, err := dec[[]edge](raw)
	if err != nil {
		return err
	}
	emit(len(es))
	return nil
}

// routeFn sends the edges to one worker's union-find when their total is at
// most Max, else into the large-star/small-star rounds, keyed by vertex
// shard in both directions.
type routeFn struct {
	Max    int64
	Shards int
}

func (f *routeFn) ProcessElement(ctx context.Context, raw []byte, counts func(*int) bool, emitSingle, emitStar func(int, []byte)) error {
	var total int64
	var n int
	for counts(&n) {
		total += int64(n)
	}
	if total <= f.Max {
		counter(ctx, "shuffle_cc_bytes", len(raw))
		emitSingle(0, raw)
		return nil
	}
	es, err := dec[[]edge](raw)
	if err != nil {
		return err
	}
	out := make(map[int][]edge)
	for _, e := range es {
		out[shardOf(uint64(e.A), f.Shards)] = append(out[shardOf(uint64(e.A), f.Shards)], e)
		out[shardOf(uint64(e.B), f.Shards)] = append(out[shardOf(uint64(e.B), f.Shards)], edge{e.B, e.A})
	}
	return emitShards(ctx, "cc", out, emitStar)
}

// unionFindFn labels the components of all edges on one worker.
type unionFindFn struct{}

func (f *unionFindFn) ProcessElement(_ int, vals func(*[]byte) bool, emit func([]byte)) error {
	all, err := decodeFlat[edge](vals)
	if err != nil {
		return err
	}
	labels := unionFindLabels(all)
	for len(labels) > 0 {
		n := min(len(labels), 1<<16)
		if err := emitOne(emit, labels[:n]); err != nil {
			return err
		}
		labels = labels[n:]
	}
	return nil
}

// starFn runs one large-star (Large) or small-star step on one vertex shard.
type starFn struct {
	Large  bool
	Shards int
}

func (f *starFn) ProcessElement(ctx context.Context, _ int, vals func(*[]byte) bool, emit func(int, []byte)) error {
	all, err := decodeFlat[edge](vals)
	if err != nil {
		return err
	}
	out := make(map[int][]edge)
	starStep(adjacency(all), f.Large, func(a, b uint32) {
		out[shardOf(uint64(a), f.Shards)] = append(out[shardOf(uint64(a), f.Shards)], edge{a, b})
		out[shardOf(uint64(b), f.Shards)] = append(out[shardOf(uint64(b), f.Shards)], edge{b, a})
	})
	return emitShards(ctx, "cc", out, emit)
}

// starLabelsFn reads the labels off a converged graph; it fails the run
// when the rounds were too few.
type starLabelsFn struct{ Rounds int }

func (f *starLabelsFn) ProcessElement(_ int, vals func(*[]byte) bool, emit func([]byte)) error {
	all, err := decodeFlat[edge](vals)
	if err != nil {
		return err
	}
	labels, ok := starLabels(adjacency(all))
	if !ok {
		return fmt.Errorf("connected components did not converge in %d large-star/small-star rounds: raise --cc-rounds", f.Rounds)
	}
	if len(labels) == 0 {
		return nil
	}
	return emitOne(emit, labels)
}

// labelsOutFn sends labels to the block join.
type labelsOutFn struct{}

func (f *labelsOutFn) ProcessElement(ctx context.Context, raw []byte, emitBlock func(int, []byte)) error {
	ls, err := dec[[]label](raw)
	if err != nil {
		return err
	}
	out := make(map[int]*blockIn)
	for _, l := range ls {
		blk := int(l.V >> blockShift)
		if out[blk] == nil {
			out[blk] = &blockIn{}
		}
		out[blk].Labels = append(out[blk].Labels, l)
	}
	return emitShards(ctx, "block_labels", out, emitBlock)
}

// pairIdxFn lists the documents of a batch of accepted pairs: the
// representatives whose texts the cluster decision may need.
type pairIdxFn struct{}

func (f *pairIdxFn) ProcessElement(raw []byte, emit func([]byte)) error {
	ps, err := dec[[]stage.Pair](raw)
	if err != nil {
		return err
	}
	return emitOne(emit, pairIndices(ps, func(p stage.Pair) (uint32, uint32) { return p.A, p.B }))
}

// blockFn joins, within one block of indices, the clustered documents'
// labels with their fingerprints, representatives, (for documents in
// candidate pairs) signatures and (for documents in accepted pairs)
// normalised texts, and sends each one to its cluster's shard.
type blockFn struct{ Shards, K int }

func (f *blockFn) ProcessElement(ctx context.Context, _ int, vals func(*[]byte) bool, emit func(int, []byte)) error {
	parts, err := decodeAll[blockIn](vals)
	if err != nil {
		return err
	}
	infos := make(map[uint32]*docInfo)
	reps := make(map[uint32]uint32)
	var labels []label
	sigs := make(map[uint32][]byte)
	texts := make(map[uint32][]rune)
	for i := range parts {
		p := &parts[i]
		for _, t := range p.Texts {
			texts[t.Idx] = t.Runes
		}
		if err := p.Sigs.check(f.K, false); err != nil {
			return err
		}
		for j, x := range p.Sigs.Idx {
			sigs[x] = p.Sigs.Sigs[j*4*f.K : (j+1)*4*f.K]
		}
		for j := range p.Infos {
			infos[p.Infos[j].Idx] = &p.Infos[j]
		}
		for _, r := range p.Reps {
			reps[r.A] = r.B
		}
		labels = append(labels, p.Labels...)
	}
	out := make(map[int][]member)
	for _, l := range labels {
		di, ok := infos[l.V]
		if !ok {
			return fmt.Errorf("no fingerprint for document %d", l.V)
		}
		rep, ok := reps[l.V]
		if !ok {
			rep = l.V
		}
		m := member{Idx: l.V, Label: l.L, Rep: rep, ID: di.ID, Length: di.Length, Masks: di.Masks, Value: di.Value}
		if sig, ok := sigs[l.V]; ok && rep == l.V && di.Signed {
			m.Sig = sigUnpack(sig)
		}
		if rep == l.V {
			m.Text = texts[l.V]
		}
		s := shardOf(uint64(l.L), f.Shards)
		out[s] = append(out[s], m)
	}
	return emitShards(ctx, "members", out, emit)
}

// clusterFn decides each component of a shard with stage.Decide (the keep
// rule, and every removal verified against the kept document, from the
// members' signatures and texts) and emits the clusters.jsonl lines, the
// removal decisions keyed by input file, and the counts.
type clusterFn struct {
	Cfg []byte
	e   *env
	off *offsets
}

func (f *clusterFn) Setup() (err error) { f.e, err = newEnv(f.Cfg); return err }

func (f *clusterFn) ProcessElement(ctx context.Context, _ int, vals, metas func(*[]byte) bool, emitLines func([]byte), emitDec func(int, []byte), emitStat func([]byte)) error {
	cfg := &f.e.cfg
	if f.off == nil {
		off, err := readOffsets(len(cfg.Files), metas)
		if err != nil {
			return err
		}
		f.off = off
	}
	parts, err := decodeAll[[]member](vals)
	if err != nil {
		return err
	}
	byLabel := make(map[uint32][]member)
	for _, p := range parts {
		for _, m := range p {
			byLabel[m.Label] = append(byLabel[m.Label], m)
		}
	}
	labels := make([]uint32, 0, len(byLabel))
	for l := range byLabel {
		labels = append(labels, l)
	}
	slices.Sort(labels)
	var lines []lineRec
	decs := make(map[int]*writeIn)
	var stat statPart
	cs := &stat.Clustering
	for _, l := range labels {
		ms := byLabel[l]
		slices.SortFunc(ms, func(x, y member) int { return cmp.Compare(x.Idx, y.Idx) })
		j := &stage.MemJudge{Stages: f.e.st, Sigs: map[uint32][]uint32{}, Masks: map[uint32]bool{}, Texts: map[uint32][]rune{}}
		members := make([]stage.Member, len(ms))
		ids := make(map[uint32]string, len(ms))
		for i, m := range ms {
			members[i] = stage.Member{Index: m.Idx, Rep: m.Rep, Length: m.Length, Masks: m.Masks, Value: m.Value}
			ids[m.Idx] = m.ID
			if m.Idx != m.Rep {
				continue
			}
			j.Masks[m.Idx] = m.Masks > 0
			if m.Sig != nil {
				j.Sigs[m.Idx] = m.Sig
			}
			if m.Text != nil {
				j.Texts[m.Idx] = m.Text
			}
		}
		d, err := f.e.st.Decide(members, j)
		if err != nil {
			return fmt.Errorf("component of document %d: %w", l, err)
		}
		cs.Add(d)
		stat.Clusters += int64(len(d.Clusters))
		for _, c := range d.Clusters {
			for i, m := range c.Members {
				line := lineRec{Key: c.Members[0], Idx: m, ID: ids[m], Kept: m == c.Kept, Exact: c.Exact[i], Sim: c.Similarity[i]}
				lines = append(lines, line)
				if m == c.Kept {
					continue
				}
				src := f.off.source(m)
				if decs[src] == nil {
					decs[src] = &writeIn{}
				}
				decs[src].Decisions = append(decs[src].Decisions, decision{Idx: m, Exact: c.Exact[i]})
			}
		}
	}
	if len(lines) > 0 {
		if err := emitOne(emitLines, lines); err != nil {
			return err
		}
	}
	if err := emitShards(ctx, "decisions", decs, emitDec); err != nil {
		return err
	}
	return emitOne(emitStat, stat)
}
