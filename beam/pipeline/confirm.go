package pipeline

import (
	"context"
	"fmt"

	"github.com/quchong/quchong/corpus"
	"github.com/quchong/quchong/record"
	"github.com/quchong/quchong/stage"
)

// Confirmation: the texts of candidate pairs, gathered and verified.

// needIdxFn lists the documents whose texts a batch of pairs needs.
type needIdxFn struct{}

func (f *needIdxFn) ProcessElement(raw []byte, emit func([]byte)) error {
	ps, err := dec[[]tpair](raw)
	if err != nil {
		return err
	}
	return emitOne(emit, pairIndices(ps, func(p tpair) (uint32, uint32) { return p.A, p.B }))
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
	copt := cfg.Corpus
	copt.Name = spec.Path
	rd, err := corpus.Open(path, src, copt)
	if err != nil {
		return fmt.Errorf("input %s: %w", spec.Path, err)
	}
	out := make(map[int]*textIn)
	blocks := make(map[int]*blockIn)
	err = corpus.Reread(rd, int64(hi-lo), func(i int64, d record.Document) error {
		idx := lo + uint32(i)
		if !needed[idx] {
			return nil
		}
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
		return nil
	})
	if err != nil {
		return fmt.Errorf("input: %w", err)
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
