package pipeline

import (
	"cmp"
	"context"
	"slices"

	"github.com/quchong/quchong/stage"
)

// Grouping: exact duplicates and the candidate pairs' distinct set (the band
// shuffle itself is in band.go).

// exactFn groups one shard's exact hashes: the smallest index of each hash
// is the representative; it emits rep–member edges, each member's
// representative (to the block join) and the number of groups.
type exactFn struct {
	Cfg []byte
	e   *env
}

func (f *exactFn) Setup() (err error) { f.e, err = newEnv(f.Cfg); return err }

func (f *exactFn) ProcessElement(ctx context.Context, _ int, vals func(*[]byte) bool, emitEdges func([]byte), emitReps func(int, []byte), emitStat func([]byte)) error {
	recs, err := decodeFlat[exactRec](vals)
	if err != nil {
		return err
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
