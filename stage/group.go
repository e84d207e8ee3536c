package stage

import (
	"cmp"
	"slices"
)

// Pair is a candidate pair of documents that survived screening, by dense
// index, A < B.
type Pair struct {
	A, B uint32
	// Similarity is the signature estimate, or the true similarity once
	// confirmed.
	Similarity float64
	Verdict    Verdict
}

// DistinctPairs merges the pairs found by several bands (or shards) into
// one list ordered by (A, B), each pair once: a pair's verdict does not
// depend on where it was found.
func DistinctPairs(parts [][]Pair) []Pair {
	var all []Pair
	for _, p := range parts {
		all = append(all, p...)
	}
	slices.SortFunc(all, func(x, y Pair) int {
		return cmp.Or(cmp.Compare(x.A, y.A), cmp.Compare(x.B, y.B))
	})
	return slices.CompactFunc(all, func(x, y Pair) bool { return x.A == y.A && x.B == y.B })
}

// BandKey returns a signature's LSH key for one band, as BandKeys does.
func (s *Stages) BandKey(sig []uint32, band int) uint64 { return s.p.LSH().Key(sig, band) }

// BandKeys appends the LSH band keys of a signature: one per band, distinct
// across bands.
func (s *Stages) BandKeys(dst []uint64, sig []uint32) []uint64 {
	return s.p.LSH().Keys(dst, sig)
}

// maxCentres bounds the work in one bucket to maxCentres × its size.
const maxCentres = 8

// Link screens the members of one LSH bucket, the documents that share a band
// key, given in increasing index order. Each member is screened against the
// bucket's centres in order, starting with the smallest index (a star), until
// one accepts it; a borderline verdict (NeedText) emits the pair for the texts
// to decide but keeps trying the other centres, since the texts may reject
// it. A member no centre accepts becomes a new centre, up to eight. emit
// receives each pair not rejected.
//
// The result depends only on the bucket's content, so engines may group
// buckets in any order or place.
func (s *Stages) Link(bucket []uint32, sig func(uint32) []uint32, masked func(uint32) bool, emit func(Pair)) {
	s.link(bucket, sig, masked, emit, nil)
}

// link is Link; screened, when not nil, receives every screen it makes, in
// order (Explain's trail).
func (s *Stages) link(bucket []uint32, sig func(uint32) []uint32, masked func(uint32) bool, emit func(Pair), screened func(c, d uint32, sg Screening)) {
	if len(bucket) < 2 {
		return
	}
	var centres [maxCentres]uint32
	nc := 0
	centres[nc] = bucket[0]
	nc++
	for _, d := range bucket[1:] {
		accepted := false
		for _, c := range centres[:nc] {
			sg := s.screen(sig(c), sig(d), masked(c) || masked(d))
			if screened != nil {
				screened(c, d, sg)
			}
			if sg.Verdict != Reject {
				emit(Pair{A: min(c, d), B: max(c, d), Similarity: sg.Estimate, Verdict: sg.Verdict})
			}
			if sg.Verdict == Accept {
				accepted = true
				break
			}
		}
		if !accepted && nc < maxCentres {
			centres[nc] = d
			nc++
		}
	}
}
