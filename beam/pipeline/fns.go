package pipeline

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/quchong/quchong/corpus"
	"github.com/quchong/quchong/output"
	"github.com/quchong/quchong/stage"
)

// env is what every DoFn rebuilds in Setup from its serialised Config.
type env struct {
	cfg Config
	st  *stage.Stages
}

func newEnv(b []byte) (*env, error) {
	cfg, err := dec[Config](b)
	if err != nil {
		return nil, err
	}
	st, err := stage.New(cfg.Params)
	if err != nil {
		return nil, fmt.Errorf("parameters: %w", err)
	}
	return &env{cfg: cfg, st: st}, nil
}

// offsets gives each file's first dense index, from the file metas.
type offsets struct {
	first, count []uint32
}

func readOffsets(nfiles int, metas func(*[]byte) bool) (*offsets, error) {
	ms, err := decodeAll[fileMeta](metas)
	if err != nil {
		return nil, err
	}
	o := &offsets{first: make([]uint32, nfiles), count: make([]uint32, nfiles)}
	for _, m := range ms {
		if m.Source < 0 || m.Source >= nfiles {
			return nil, fmt.Errorf("file meta for source %d of %d", m.Source, nfiles)
		}
		o.count[m.Source] = m.Count
	}
	var total uint64
	for i, c := range o.count {
		o.first[i] = uint32(total)
		total += uint64(c)
	}
	if total >= 1<<32-1 {
		return nil, fmt.Errorf("more than %d documents: split the run", uint32(1<<32-1))
	}
	return o, nil
}

// source returns the file holding index i.
func (o *offsets) source(i uint32) int {
	return sort.Search(len(o.first), func(s int) bool { return o.first[s]+o.count[s] > i })
}

// counter adds n to a Beam counter of the quchong namespace.
func counter(ctx context.Context, name string, n int) {
	beam.NewCounter("quchong", name).Inc(ctx, int64(n))
}

// emitShards encodes and emits one batch per non-empty shard, in shard
// order, counting the bytes against the named shuffle counter.
func emitShards[T any](ctx context.Context, name string, parts map[int]T, emit func(int, []byte)) error {
	keys := make([]int, 0, len(parts))
	for k := range parts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		b, err := enc(parts[k])
		if err != nil {
			return err
		}
		counter(ctx, "shuffle_"+name+"_bytes", len(b))
		emit(k, b)
	}
	return nil
}

func emitOne[T any](emit func([]byte), v T) error {
	b, err := enc(v)
	if err != nil {
		return err
	}
	emit(b)
	return nil
}

// ---- pass 1: read and fingerprint ----

// readFn reads one input file (the element is its position in the file
// list), fingerprints its documents and emits its fileMeta and docBatches.
type readFn struct {
	Cfg []byte
	e   *env
}

func (f *readFn) Setup() (err error) { f.e, err = newEnv(f.Cfg); return err }

const (
	batchDocs  = 2048
	batchBytes = 8 << 20
)

func (f *readFn) ProcessElement(ctx context.Context, src int, emitMeta, emitDocs func([]byte)) error {
	cfg := &f.e.cfg
	spec := cfg.Files[src]
	meta := fileMeta{Source: src}
	// Without Strict, a file that cannot be opened or read to its end is
	// recorded as faulty and keeps the documents read before the fault, as
	// in the local engine.
	fault := func(err error, path string) error {
		if cfg.Strict {
			return fmt.Errorf("input %s: %w", spec.Path, err)
		}
		meta.Fault = err.Error()
		if path != "" && path != spec.Path {
			meta.Fault = strings.ReplaceAll(meta.Fault, path, spec.Path)
		}
		var rf *corpus.ReadFault
		if errors.As(err, &rf) {
			meta.FaultAfter = rf.After
		}
		return nil
	}
	path, cleanup, err := localFile(ctx, spec.Path)
	if err != nil {
		if err := fault(err, ""); err != nil {
			return err
		}
		return emitOne(emitMeta, meta)
	}
	defer cleanup()
	rd, err := corpus.Open(path, src, cfg.Corpus)
	if err != nil {
		if err := fault(err, path); err != nil {
			return err
		}
		return emitOne(emitMeta, meta)
	}
	defer rd.Close()
	k := cfg.Params.K
	sc := new(stage.Scratch)
	var b docBatch
	textBytes := 0
	flush := func() error {
		if len(b.IDs) == 0 {
			return nil
		}
		if err := emitOne(emitDocs, b); err != nil {
			return err
		}
		b = docBatch{Source: src, First: meta.Count}
		textBytes = 0
		return nil
	}
	b = docBatch{Source: src}
	for {
		d, err := rd.Next()
		if err == io.EOF {
			break
		}
		var rej *corpus.RejectError
		if errors.As(err, &rej) {
			meta.Counts.Read++
			if cfg.Strict {
				return fmt.Errorf("input: %w", err)
			}
			meta.Counts.Reject(string(rej.Reason))
			meta.Rejected = append(meta.Rejected, rej.Record)
			meta.Rejects = append(meta.Rejects, output.NewRejection(spec.Path, rd.Format(), rej))
			continue
		}
		if err != nil {
			if err := fault(err, path); err != nil {
				return err
			}
			break
		}
		meta.Counts.Read++
		n := len(b.IDs)
		b.Sigs = slices.Grow(b.Sigs, k)[:(n+1)*k]
		fp := f.e.st.Fingerprint(b.Sigs[n*k:(n+1)*k], d.Text, sc)
		b.IDs = append(b.IDs, fixID(d.ID, path, spec.Path, d.Record))
		b.Hi = append(b.Hi, fp.Exact.Hi)
		b.Lo = append(b.Lo, fp.Exact.Lo)
		b.Length = append(b.Length, fp.Length)
		b.Masks = append(b.Masks, fp.Masks)
		b.Signed = append(b.Signed, fp.Signed)
		if cfg.Field != "" {
			b.Values = append(b.Values, d.Fields[cfg.Field])
		}
		meta.Count++
		if meta.Count == 1<<32-1 {
			return fmt.Errorf("%s: more than %d documents: split the file", spec.Path, uint32(1<<32-2))
		}
		textBytes += len(d.Text)
		if len(b.IDs) >= batchDocs || textBytes >= batchBytes {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	meta.Counts.InputBytes = rd.InputBytes()
	if err := rd.Close(); err != nil && meta.Fault == "" {
		return fmt.Errorf("input %s: %w", spec.Path, err)
	}
	if err := flush(); err != nil {
		return err
	}
	counter(ctx, "documents", int(meta.Count))
	return emitOne(emitMeta, meta)
}

// fanFn gives a docBatch its dense indices and fans it out: exact hashes,
// band records (band, key, index: no signatures) by key shard, signatures
// once per document to the signature join, and what clustering needs to
// the block join.
type fanFn struct {
	Cfg []byte
	e   *env
	off *offsets
}

func (f *fanFn) Setup() (err error) { f.e, err = newEnv(f.Cfg); return err }

func (f *fanFn) ProcessElement(ctx context.Context, raw []byte, metas func(*[]byte) bool, emitExact, emitBand, emitSig, emitInfo func(int, []byte)) error {
	if f.off == nil {
		off, err := readOffsets(len(f.e.cfg.Files), metas)
		if err != nil {
			return err
		}
		f.off = off
	}
	b, err := dec[docBatch](raw)
	if err != nil {
		return err
	}
	cfg := &f.e.cfg
	k, shards := cfg.Params.K, cfg.Shards
	if len(b.Sigs) != len(b.IDs)*k {
		return fmt.Errorf("document batch: %d documents, %d signature values", len(b.IDs), len(b.Sigs))
	}
	base := f.off.first[b.Source] + b.First
	exact := make(map[int][]exactRec)
	bands := make(map[int][]byte)
	prev := make(map[int]*uint32)
	sigs := make(map[int]*sigJoinIn)
	info := make(map[int]*blockIn)
	keys := make([]uint64, 0, cfg.Params.Bands)
	var packed []byte
	for j := range b.IDs {
		idx := base + uint32(j)
		exact[int(b.Lo[j]%uint64(shards))] = append(exact[int(b.Lo[j]%uint64(shards))], exactRec{b.Hi[j], b.Lo[j], idx})
		di := docInfo{Idx: idx, ID: b.IDs[j], Length: b.Length[j], Masks: b.Masks[j], Signed: b.Signed[j]}
		if b.Values != nil {
			di.Value = b.Values[j]
		}
		blk := int(idx >> blockShift)
		if info[blk] == nil {
			info[blk] = &blockIn{}
		}
		info[blk].Infos = append(info[blk].Infos, di)
		if !b.Signed[j] {
			continue
		}
		sig := b.Sigs[j*k : (j+1)*k]
		ss := sigShard(idx, shards)
		if sigs[ss] == nil {
			sigs[ss] = &sigJoinIn{}
		}
		packed = sigPack(packed[:0], sig)
		sigs[ss].Docs.add(idx, b.Hi[j], b.Lo[j], b.Masks[j] > 0, packed, true)
		keys = f.e.st.BandKeys(keys[:0], sig)
		for band, key := range keys {
			s := shardOf(key, shards)
			if prev[s] == nil {
				prev[s] = new(uint32)
			}
			bands[s] = bandPack(bands[s], prev[s], idx, band, key)
		}
	}
	if err := emitShards(ctx, "exact", exact, emitExact); err != nil {
		return err
	}
	if err := emitShards(ctx, "band", bands, emitBand); err != nil {
		return err
	}
	if err := emitShards(ctx, "sigs", sigs, emitSig); err != nil {
		return err
	}
	return emitShards(ctx, "block_info", info, emitInfo)
}

// ---- exact duplicates ----

// exactFn groups one shard's exact hashes: the smallest index of each hash
// is the representative; it emits rep–member edges, each member's
// representative (to the block join) and the number of groups.
type exactFn struct {
	Cfg []byte
	e   *env
}

func (f *exactFn) Setup() (err error) { f.e, err = newEnv(f.Cfg); return err }

func (f *exactFn) ProcessElement(ctx context.Context, _ int, vals func(*[]byte) bool, emitEdges func([]byte), emitReps func(int, []byte), emitStat func([]byte)) error {
	parts, err := decodeAll[[]exactRec](vals)
	if err != nil {
		return err
	}
	var recs []exactRec
	for _, p := range parts {
		recs = append(recs, p...)
	}
	slices.SortFunc(recs, func(x, y exactRec) int {
		if c := cmp.Compare(x.Hi, y.Hi); c != 0 {
			return c
		}
		if c := cmp.Compare(x.Lo, y.Lo); c != 0 {
			return c
		}
		return cmp.Compare(x.Idx, y.Idx)
	})
	var edges []edge
	reps := make(map[int]*blockIn)
	var groups int64
	for j := 0; j < len(recs); {
		k := j + 1
		for k < len(recs) && recs[k].Hi == recs[j].Hi && recs[k].Lo == recs[j].Lo {
			k++
		}
		if k-j > 1 {
			groups++
			rep := recs[j].Idx
			for _, x := range recs[j+1 : k] {
				edges = append(edges, edge{rep, x.Idx})
				blk := int(x.Idx >> blockShift)
				if reps[blk] == nil {
					reps[blk] = &blockIn{}
				}
				reps[blk].Reps = append(reps[blk].Reps, edge{x.Idx, rep})
			}
		}
		j = k
	}
	if len(edges) > 0 {
		if err := emitOne(emitEdges, edges); err != nil {
			return err
		}
	}
	if err := emitShards(ctx, "block_reps", reps, emitReps); err != nil {
		return err
	}
	return emitOne(emitStat, statPart{ExactGroups: groups})
}

// ---- candidate pairs (see band.go) ----

// distinctFn drops repeated pairs (found in several bands) and splits them
// into accepted pairs and pairs whose texts must decide.
type distinctFn struct{}

func (f *distinctFn) ProcessElement(_ int, vals func(*[]byte) bool, emitAccepted, emitNeed, emitStat func([]byte)) error {
	parts, err := decodeAll[[]stage.Pair](vals)
	if err != nil {
		return err
	}
	all := stage.DistinctPairs(parts)
	var acc []stage.Pair
	var need []tpair
	for _, p := range all {
		switch p.Verdict {
		case stage.Accept:
			acc = append(acc, p)
		case stage.NeedText:
			need = append(need, tpair{A: p.A, B: p.B, Pair: p})
		}
	}
	if len(acc) > 0 {
		if err := emitOne(emitAccepted, acc); err != nil {
			return err
		}
	}
	if len(need) > 0 {
		if err := emitOne(emitNeed, need); err != nil {
			return err
		}
	}
	return emitOne(emitStat, statPart{CandidatePairs: int64(len(all)), AcceptedBySig: int64(len(acc))})
}

// ---- texts of pairs ----

// needIdxFn lists the documents whose texts a batch of pairs needs.
type needIdxFn struct{}

func (f *needIdxFn) ProcessElement(raw []byte, emit func([]byte)) error {
	ps, err := dec[[]tpair](raw)
	if err != nil {
		return err
	}
	idx := make([]uint32, 0, 2*len(ps))
	for _, p := range ps {
		idx = append(idx, p.A, p.B)
	}
	slices.Sort(idx)
	return emitOne(emit, slices.Compact(idx))
}

// rereadFn reads one input file again and emits the normalised texts of the
// documents some pair needs, keyed by index shard (textIn) or, with
// ByBlock, by block of indices for the block join (blockIn); it skips files
// that hold none.
type rereadFn struct {
	Cfg     []byte
	ByBlock bool
	e       *env
}

func (f *rereadFn) Setup() (err error) { f.e, err = newEnv(f.Cfg); return err }

func (f *rereadFn) ProcessElement(ctx context.Context, src int, metas, need func(*[]byte) bool, emit func(int, []byte)) error {
	cfg := &f.e.cfg
	off, err := readOffsets(len(cfg.Files), metas)
	if err != nil {
		return err
	}
	lists, err := decodeAll[[]uint32](need)
	if err != nil {
		return err
	}
	lo, hi := off.first[src], off.first[src]+off.count[src]
	needed := make(map[uint32]bool)
	for _, l := range lists {
		for _, i := range l {
			if i >= lo && i < hi {
				needed[i] = true
			}
		}
	}
	if len(needed) == 0 {
		return nil
	}
	spec := cfg.Files[src]
	path, cleanup, err := localFile(ctx, spec.Path)
	if err != nil {
		return fmt.Errorf("input %s: %w", spec.Path, err)
	}
	defer cleanup()
	rd, err := corpus.Open(path, src, cfg.Corpus)
	if err != nil {
		return fmt.Errorf("input %s: %w", spec.Path, err)
	}
	defer rd.Close()
	out := make(map[int]*textIn)
	blocks := make(map[int]*blockIn)
	idx := lo
	for {
		d, err := rd.Next()
		if err == io.EOF {
			break
		}
		if corpus.IsReject(err) {
			continue
		}
		if err != nil && idx == hi {
			break // a fault after the documents of the first pass (recorded there)
		}
		if err != nil {
			return fmt.Errorf("input: %w", err)
		}
		if needed[idx] {
			runes, _ := f.e.st.Normalize(nil, d.Text)
			t := textRec{Idx: idx, Runes: runes}
			if f.ByBlock {
				b := int(idx >> blockShift)
				if blocks[b] == nil {
					blocks[b] = &blockIn{}
				}
				blocks[b].Texts = append(blocks[b].Texts, t)
			} else {
				s := shardOf(uint64(idx), cfg.Shards)
				if out[s] == nil {
					out[s] = &textIn{}
				}
				out[s].Texts = append(out[s].Texts, t)
			}
		}
		idx++
	}
	if idx != hi {
		return fmt.Errorf("%s changed during the run: %d documents on the first pass, %d now", spec.Path, hi-lo, idx-lo)
	}
	if f.ByBlock {
		return emitShards(ctx, "block_texts", blocks, emit)
	}
	return emitShards(ctx, "texts", out, emit)
}

// keyPairsFn keys pairs by the shard of their first (A) document.
type keyPairsFn struct{ Shards int }

func (f *keyPairsFn) ProcessElement(ctx context.Context, raw []byte, emit func(int, []byte)) error {
	ps, err := dec[[]tpair](raw)
	if err != nil {
		return err
	}
	out := make(map[int]*textIn)
	for _, p := range ps {
		s := shardOf(uint64(p.A), f.Shards)
		if out[s] == nil {
			out[s] = &textIn{}
		}
		out[s].Pairs = append(out[s].Pairs, p)
	}
	return emitShards(ctx, "text_pairs", out, emit)
}

// attachFn joins pairs with texts in one index shard. In the first join it
// attaches A's text and re-keys the pair by B; in the second (Second) it
// compares A's text with B's and emits the pair with its similarity.
type attachFn struct {
	Cfg    []byte
	Second bool
	e      *env
}

func (f *attachFn) Setup() (err error) { f.e, err = newEnv(f.Cfg); return err }

func (f *attachFn) ProcessElement(ctx context.Context, _ int, vals func(*[]byte) bool, emitKV func(int, []byte), emitDone func([]byte)) error {
	parts, err := decodeAll[textIn](vals)
	if err != nil {
		return err
	}
	texts := make(map[uint32][]rune)
	var pairs []tpair
	for _, p := range parts {
		for _, t := range p.Texts {
			texts[t.Idx] = t.Runes
		}
		pairs = append(pairs, p.Pairs...)
	}
	if !f.Second {
		out := make(map[int]*textIn)
		for _, p := range pairs {
			t, ok := texts[p.A]
			if !ok {
				return fmt.Errorf("no text for document %d", p.A)
			}
			p.TA = t
			s := shardOf(uint64(p.B), f.e.cfg.Shards)
			if out[s] == nil {
				out[s] = &textIn{}
			}
			out[s].Pairs = append(out[s].Pairs, p)
		}
		return emitShards(ctx, "text_pairs", out, emitKV)
	}
	sc := new(stage.Scratch)
	for i := range pairs {
		p := &pairs[i]
		t, ok := texts[p.B]
		if !ok {
			return fmt.Errorf("no text for document %d", p.B)
		}
		p.Sim, _ = f.e.st.Confirm(p.TA, t, sc)
		p.TA = nil
	}
	if len(pairs) == 0 {
		return nil
	}
	return emitOne(emitDone, pairs)
}

// confirmFn turns text-checked pairs into accepted pairs and counts.
type confirmFn struct {
	Threshold float64
}

func (f *confirmFn) ProcessElement(raw []byte, emitAccepted, emitStat func([]byte)) error {
	ps, err := dec[[]tpair](raw)
	if err != nil {
		return err
	}
	var acc []stage.Pair
	for _, p := range ps {
		if p.Sim >= f.Threshold {
			q := p.Pair
			q.Similarity, q.Verdict = p.Sim, stage.Accept
			acc = append(acc, q)
		}
	}
	if len(acc) > 0 {
		if err := emitOne(emitAccepted, acc); err != nil {
			return err
		}
	}
	return emitOne(emitStat, statPart{TextChecked: int64(len(ps)), AcceptedByText: int64(len(acc))})
}

// ---- connected components ----

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
	parts, err := decodeAll[[]edge](vals)
	if err != nil {
		return err
	}
	var all []edge
	for _, p := range parts {
		all = append(all, p...)
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
	parts, err := decodeAll[[]edge](vals)
	if err != nil {
		return err
	}
	var all []edge
	for _, p := range parts {
		all = append(all, p...)
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
	parts, err := decodeAll[[]edge](vals)
	if err != nil {
		return err
	}
	var all []edge
	for _, p := range parts {
		all = append(all, p...)
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
	idx := make([]uint32, 0, 2*len(ps))
	for _, p := range ps {
		idx = append(idx, p.A, p.B)
	}
	slices.Sort(idx)
	return emitOne(emit, slices.Compact(idx))
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

// keyZeroFn keys every element by 0, to gather it on one worker.
type keyZeroFn struct{}

func (f *keyZeroFn) ProcessElement(raw []byte, emit func(int, []byte)) { emit(0, raw) }

// writeClustersFn writes clusters.jsonl in the local engine's order: by
// cluster, the kept document first, then the removed ones by index.
type writeClustersFn struct{ OutDir string }

func (f *writeClustersFn) ProcessElement(ctx context.Context, _ int, vals func(*[]byte) bool) error {
	parts, err := decodeAll[[]lineRec](vals)
	if err != nil {
		return err
	}
	var lines []lineRec
	for _, p := range parts {
		lines = append(lines, p...)
	}
	return writeClusters(ctx, f.OutDir, lines)
}

func writeClusters(ctx context.Context, outDir string, lines []lineRec) error {
	return writeOutput(ctx, joinPath(outDir, "clusters.jsonl"), func(w io.Writer) error {
		return output.EncodeClusters(w, lines)
	})
}

// fileKVFn makes sure every input file reaches the write join.
type fileKVFn struct{}

func (f *fileKVFn) ProcessElement(src int, emit func(int, []byte)) error {
	b, err := enc(writeIn{})
	if err != nil {
		return err
	}
	emit(src, b)
	return nil
}

// writeFn copies one input file to kept/ (and removed/), routing each record
// by its dense index as the local engine's writeFile does.
type writeFn struct {
	Cfg []byte
	e   *env
}

func (f *writeFn) Setup() (err error) { f.e, err = newEnv(f.Cfg); return err }

func (f *writeFn) ProcessElement(ctx context.Context, src int, vals, metas func(*[]byte) bool, emitStat func([]byte)) error {
	cfg := &f.e.cfg
	parts, err := decodeAll[writeIn](vals)
	if err != nil {
		return err
	}
	ms, err := decodeAll[fileMeta](metas)
	if err != nil {
		return err
	}
	var meta *fileMeta
	var first uint64
	counts := make([]uint32, len(cfg.Files))
	for i := range ms {
		counts[ms[i].Source] = ms[i].Count
		if ms[i].Source == src {
			meta = &ms[i]
		}
	}
	if meta == nil {
		return fmt.Errorf("no metadata for input %d", src)
	}
	for s := 0; s < src; s++ {
		first += uint64(counts[s])
	}
	removed := make(map[uint32]bool) // index → exact copy of the kept document
	for _, p := range parts {
		for _, d := range p.Decisions {
			removed[d.Idx] = d.Exact
		}
	}
	spec := cfg.Files[src]
	if meta.Fault != "" && meta.Count == 0 && len(meta.Rejected) == 0 {
		// Nothing could be read: there is nothing to write.
		return emitOne(emitStat, statPart{Write: &writeCounts{Source: src}})
	}
	in, cleanup, err := localFile(ctx, spec.Path)
	if err != nil {
		return fmt.Errorf("input %s: %w", spec.Path, err)
	}
	defer cleanup()
	keptPath := joinPath(cfg.OutDir, filepath.Join("kept", spec.Output))
	removedPath := ""
	if cfg.WriteRemoved {
		removedPath = joinPath(cfg.OutDir, filepath.Join("removed", spec.Output))
	}
	localKept, localRemoved := keptPath, removedPath
	var tmp string
	if IsRemote(cfg.OutDir) {
		tmp, err = os.MkdirTemp("", "quchong-beam-out-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		localKept = filepath.Join(tmp, "kept", filepath.Base(spec.Output))
		if removedPath != "" {
			localRemoved = filepath.Join(tmp, "removed", filepath.Base(spec.Output))
		}
	}
	rt := &stage.Router{
		First: uint32(first), Count: meta.Count, Rejected: meta.Rejected,
		Faulted: meta.Fault != "", FaultAfter: meta.FaultAfter,
		Fate: func(i uint32) (bool, bool) { exact, ok := removed[i]; return ok, exact },
	}
	copt := cfg.Corpus
	copt.Salvage = meta.Fault != ""
	if err := corpus.Partition(in, copt, localKept, localRemoved, rt.Route); err != nil {
		var rf *corpus.ReadFault
		if meta.Fault == "" || !errors.As(err, &rf) {
			return fmt.Errorf("input %s: %w", spec.Path, err)
		}
		// The fault of the first pass, at the same place (checked below).
	}
	if err := rt.Check(spec.Path); err != nil {
		return err
	}
	if tmp != "" {
		if err := copyFile(ctx, localKept, keptPath); err != nil {
			return err
		}
		if removedPath != "" {
			if err := copyFile(ctx, localRemoved, removedPath); err != nil {
				return err
			}
		}
	}
	return emitOne(emitStat, statPart{Write: &writeCounts{Source: src, Kept: rt.Kept, RmExact: rt.RemovedExact, RmNear: rt.RemovedNear}})
}

// statsFn assembles stats.json and rejected.jsonl from the pieces.
type statsFn struct {
	Cfg []byte
	e   *env
}

func (f *statsFn) Setup() (err error) { f.e, err = newEnv(f.Cfg); return err }

func (f *statsFn) ProcessElement(ctx context.Context, _ int, vals func(*[]byte) bool) error {
	parts, err := decodeAll[statPart](vals)
	if err != nil {
		return err
	}
	s := assembleStats(&f.e.cfg, parts)
	if err := writeOutput(ctx, joinPath(f.e.cfg.OutDir, "stats.json"), func(w io.Writer) error {
		e := json.NewEncoder(w)
		e.SetIndent("", "  ")
		e.SetEscapeHTML(false)
		return e.Encode(s)
	}); err != nil {
		return err
	}
	var rejects []output.Rejection
	metas := make([]*fileMeta, len(f.e.cfg.Files))
	for _, p := range parts {
		if p.Meta != nil {
			metas[p.Meta.Source] = p.Meta
		}
	}
	for _, m := range metas {
		if m != nil {
			rejects = append(rejects, m.Rejects...)
		}
	}
	return writeOutput(ctx, joinPath(f.e.cfg.OutDir, "rejected.jsonl"), func(w io.Writer) error {
		return output.EncodeRejections(w, rejects)
	})
}

// metaStatFn wraps a fileMeta as a statPart.
type metaStatFn struct{}

func (f *metaStatFn) ProcessElement(raw []byte, emit func([]byte)) error {
	m, err := dec[fileMeta](raw)
	if err != nil {
		return err
	}
	return emitOne(emit, statPart{Meta: &m})
}
