package pipeline

import (
	"context"
	"fmt"
	"slices"

	"github.com/quchong/quchong/corpus"
	"github.com/quchong/quchong/output"
	"github.com/quchong/quchong/record"
	"github.com/quchong/quchong/stage"
)

// Pass 1: read each input file and fingerprint its documents.

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
	var acct corpus.Account
	// The reading rules (rejects, faults, Strict) are corpus.ReadAccounted's, as
	// in every engine: without Strict, a file that cannot be opened or read
	// to its end is recorded as faulty and keeps the documents read before.
	report := func(format corpus.Format) error {
		meta.Reading = output.NewReading(spec.Path, format, acct)
		counter(ctx, "documents", int(meta.Count))
		return emitOne(emitMeta, meta)
	}
	path, cleanup, err := localFile(ctx, spec.Path)
	if err != nil {
		if err := acct.Failed(err, cfg.Strict); err != nil {
			return fmt.Errorf("input %s: %w", spec.Path, err)
		}
		return report(spec.Format)
	}
	defer cleanup()
	copt := cfg.Corpus
	copt.Name = spec.Path // messages and ids name the input, not a local copy
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
	acct, format, err := corpus.ReadFile(path, src, copt, spec.Format, cfg.Strict, func(d record.Document) error {
		n := len(b.IDs)
		b.Sigs = slices.Grow(b.Sigs, k)[:(n+1)*k]
		fp := f.e.st.Fingerprint(b.Sigs[n*k:(n+1)*k], d.Text, sc)
		b.IDs = append(b.IDs, d.ID)
		b.Hi = append(b.Hi, fp.Exact.Hi)
		b.Lo = append(b.Lo, fp.Exact.Lo)
		b.Length = append(b.Length, fp.Length)
		b.Masks = append(b.Masks, fp.Masks)
		b.Signed = append(b.Signed, fp.Signed)
		if cfg.Field != "" {
			b.Values = append(b.Values, d.Fields[cfg.Field])
		}
		meta.Count++
		textBytes += len(d.Text)
		if len(b.IDs) >= batchDocs || textBytes >= batchBytes {
			return flush()
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("input: %w", err)
	}
	if err := flush(); err != nil {
		return err
	}
	return report(format)
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
