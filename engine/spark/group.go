package spark

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/quchong/quchong/stage"
)

// ---- link: bucket members in, candidate pairs out ----
//
// In: band, key, idx, h, masks, sig (members of distinct buckets of ≥ 2)
// Out: a, b, verdict, similarity

func (w *worker) link() error {
	rows, err := w.all(6)
	if err != nil {
		return err
	}
	type ref struct {
		band, key string
		idx       uint32
		h         string
		masked    bool
		sig       string
	}
	refs := make([]ref, len(rows))
	for i, r := range rows {
		idx, err := atou32(r[2])
		if err != nil {
			return err
		}
		refs[i] = ref{band: r[0], key: r[1], idx: idx, h: r[3], masked: r[4] != "0", sig: r[5]}
	}
	rows = nil
	slices.SortFunc(refs, func(x, y ref) int {
		return cmp.Or(cmp.Compare(x.band, y.band), cmp.Compare(x.key, y.key), cmp.Compare(x.idx, y.idx))
	})
	k := w.cfg.Params.K
	sigs := make(map[uint32][]uint32)
	masked := make(map[uint32]bool)
	var bucket []uint32
	seen := make(map[string]bool)
	emit := func(p stage.Pair) {
		if err == nil {
			err = w.out.row(itoa(p.A), itoa(p.B), itoa(int(p.Verdict)), ftoa(p.Similarity))
		}
	}
	for j := 0; j < len(refs); {
		e := j + 1
		for e < len(refs) && refs[e].band == refs[j].band && refs[e].key == refs[j].key {
			e++
		}
		// The local engine buckets exact-duplicate representatives only:
		// all copies of a text share its band keys, so the bucket holds
		// each exact group whole, and its smallest index represents it.
		bucket = bucket[:0]
		clear(seen)
		clear(sigs)
		clear(masked)
		for _, r := range refs[j:e] {
			if seen[r.h] {
				continue
			}
			seen[r.h] = true
			sig, perr := parseSig(r.sig, k)
			if perr != nil {
				return perr
			}
			if sig == nil {
				return fmt.Errorf("bucket member %d has no signature", r.idx)
			}
			sigs[r.idx], masked[r.idx] = sig, r.masked
			bucket = append(bucket, r.idx)
		}
		w.st.Link(bucket, func(i uint32) []uint32 { return sigs[i] }, func(i uint32) bool { return masked[i] }, emit)
		if err != nil {
			return err
		}
		j = e
	}
	return nil
}
