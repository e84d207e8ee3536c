package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/quchong/quchong/corpus"
	"github.com/quchong/quchong/output"
	"github.com/quchong/quchong/stage"
)

// keyZeroFn keys every element by 0, to gather it on one worker.
type keyZeroFn struct{}

func (f *keyZeroFn) ProcessElement(raw []byte, emit func(int, []byte)) { emit(0, raw) }

// writeClustersFn writes clusters.jsonl (output.EncodeClusters orders it).
type writeClustersFn struct{ OutDir string }

func (f *writeClustersFn) ProcessElement(ctx context.Context, _ int, vals func(*[]byte) bool) error {
	lines, err := decodeFlat[lineRec](vals)
	if err != nil {
		return err
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
// by its dense index.
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
		return output.EncodeStats(w, s)
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
