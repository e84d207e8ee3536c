// Package minhash computes MinHash signatures of shingle sets by
// one-permutation hashing with optimal densification (Shrivastava,
// "Optimal Densification for Fast and Accurate Minwise Hashing", ICML 2017).
//
// Classic MinHash hashes every shingle K times and costs O(n·K) per
// document. One-permutation hashing hashes every shingle once: the hash
// picks one of K bins and the bin keeps the smallest value that lands in it,
// O(n + K) in all. Bins that no shingle reached are filled by optimal
// densification: an empty bin i draws bins from a hash of (i, attempt)
// until it meets one that a shingle reached, and copies that bin's value.
// Two documents with the same set of filled bins draw the same bins, so the
// fraction of equal slots stays an unbiased estimate of the Jaccard
// similarity. For sets of at least about K shingles its error is that of
// classic MinHash or lower (bins sample without replacement); for much
// smaller sets, where most bins are copies, it is somewhat higher: about
// 1.1× the binomial ideal at 50 shingles and 1.17× at 20, for K = 128 (see
// TestAccuracy).
//
// A signature is K uint32 values. Callers keep the signatures of many
// documents in one flat []uint32 of n×K values, signature j at
// [j*K : (j+1)*K].
package minhash

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
	"slices"
)

// EmptyValue fills every slot of the signature of a document without
// shingles. No shingle ever produces it (values are capped one below), so it
// never matches a real value.
const EmptyValue uint32 = math.MaxUint32

// MaxK is the largest number of slots a Signer supports.
const MaxK = 1024

// Signer computes signatures of K slots for one seed. Signatures are
// comparable only when made by Signers with the same K and seed. A Signer is
// immutable and safe for concurrent use.
type Signer struct {
	k    int
	seed uint64 // remixes shingle hashes
	fill uint64 // keys the densification draws
	// draws[i*drawRow+t] is the bin that empty bin i draws at attempt t,
	// precomputed for the first drawRow attempts.
	draws []uint16
	// draws8 is draws in bytes, for k = 128 (densify128); nil otherwise.
	draws8 []uint8
}

// drawRow is how many densification draws per bin are precomputed: with
// 15 % of the bins filled (20 shingles, K = 128) fewer than 1 % of the empty
// bins need more.
const drawRow = 32

// NewSigner returns a Signer of k slots, k in [1, MaxK]. The seed selects
// the hash function; the default pipeline uses a fixed seed so that
// signatures of separate runs can be compared.
func NewSigner(k int, seed uint64) (*Signer, error) {
	if k < 1 || k > MaxK {
		return nil, fmt.Errorf("minhash: signature length k = %d, want 1 to %d", k, MaxK)
	}
	s := &Signer{
		k:     k,
		seed:  splitmix(seed ^ 0x6a09e667f3bcc908),
		fill:  splitmix(seed ^ 0xbb67ae8584caa73b),
		draws: make([]uint16, k*drawRow),
	}
	for i := range k {
		state := s.drawStart(i)
		for t := range drawRow {
			state += drawStep
			s.draws[i*drawRow+t] = uint16(s.drawBin(state))
		}
	}
	if k == 128 {
		s.draws8 = make([]uint8, len(s.draws))
		for i, j := range s.draws {
			s.draws8[i] = uint8(j)
		}
	}
	return s, nil
}

// drawStep advances a densification draw sequence (the SplitMix64 gamma).
const drawStep uint64 = 0x9e3779b97f4a7c15

// drawStart is the state of empty bin i's draw sequence before its first
// draw; attempt t (from 0) draws drawBin(drawStart(i) + (t+1)·drawStep).
func (s *Signer) drawStart(i int) uint64 { return s.fill ^ uint64(i)<<40 }

// drawBin maps a draw state to a bin.
func (s *Signer) drawBin(state uint64) uint64 {
	return (splitmix(state) >> 32) * uint64(s.k) >> 32
}

// K returns the number of slots of the signatures s makes.
func (s *Signer) K() int { return s.k }

// splitmix is the output function of SplitMix64: a bijection with full
// avalanche.
func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// Sign writes the signature of the shingle hashes into dst and reports
// whether the document has one. dst must hold exactly K values; its previous
// contents do not matter. When shingles is empty, or len(dst) != K, Sign
// fills dst with EmptyValue (as far as it reaches) and returns false: such a
// document cannot be near-matched.
//
// The signature depends only on the set of hashes: neither their order nor
// duplicates change it. Sign does not allocate.
func (s *Signer) Sign(dst []uint32, shingles []uint64) bool {
	for i := range dst {
		dst[i] = EmptyValue
	}
	if len(shingles) == 0 || len(dst) != s.k {
		return false
	}
	s.Add(dst, shingles)
	s.densify(dst)
	return true
}

// Start begins a signature built in parts (Add, then Finish), for a
// document too large to hash all its shingles at once: the parts give the
// signature Sign gives their union.
func (s *Signer) Start(dst []uint32) {
	for i := range dst {
		dst[i] = EmptyValue
	}
}

// Finish completes a signature begun with Start and reports whether the
// document has one (some part had a shingle), as Sign does.
func (s *Signer) Finish(dst []uint32) bool {
	if len(dst) != s.k || !slices.ContainsFunc(dst, func(v uint32) bool { return v != EmptyValue }) {
		return false
	}
	s.densify(dst)
	return true
}

// Add adds shingle hashes to a signature begun with Start. dst must hold
// exactly K values.
func (s *Signer) Add(dst []uint32, shingles []uint64) {
	if len(dst) != s.k {
		return
	}
	if s.k == 128 {
		s.add128((*[128]uint32)(dst), shingles)
		return
	}
	s.addAny(dst, shingles)
}

// addAny is Add for any k.
func (s *Signer) addAny(dst []uint32, shingles []uint64) {
	k := uint64(s.k)
	for _, h := range shingles {
		// The remix is a bijection, so distinct shingles stay distinct; its
		// high 32 bits choose the bin (fastrange: no modulo bias) and the low
		// 32 bits are the value.
		x := splitmix(h ^ s.seed)
		bin := (x >> 32) * k >> 32
		v := min(uint32(x), EmptyValue-1)
		dst[bin] = min(dst[bin], v)
	}
}

// add128 is Add for the default k = 128: the bin (x>>32)·128>>32 is then
// x's top seven bits, and the signature an array, so the compiler drops
// the bounds check.
func (s *Signer) add128(dst *[128]uint32, shingles []uint64) {
	seed := s.seed
	for _, h := range shingles {
		x := splitmix(h ^ seed)
		bin := x >> 57
		v := min(uint32(x), EmptyValue-1)
		dst[bin] = min(dst[bin], v)
	}
}

// densify fills the empty bins of a signature with at least one filled bin.
// The draws for empty bin i are a SplitMix64 sequence started from the
// seed and i, fixed for the Signer, so two signatures with the same filled
// bins copy from the same bins. Draws look only at the bins filled by shingles,
// never at bins filled earlier by densification.
func (s *Signer) densify(dst []uint32) {
	if s.k == 128 {
		s.densify128((*[128]uint32)(dst))
		return
	}
	s.densifyAny(dst)
}

// densify128 is densify for the default k = 128: the signature an array
// and the empty bins a pair of words, so that neither the bins nor the
// draws need a bounds check (the draws are below k). An empty bin's draws
// are tested eight at a time without a branch each (a byte a bin says
// whether it is filled), and the first filled one of the eight taken:
// the draw that hits was a mispredicted branch for every empty bin, and
// most bins of a short document are empty.
func (s *Signer) densify128(dst *[128]uint32) {
	var (
		empty  [2]uint64
		filled [128]uint8
	)
	for w := range empty {
		var m uint64
		for b, v := range dst[w*64 : w*64+64] {
			// Without a branch, which a half-filled signature would
			// mispredict on every other bin: v+1 is 0 only for
			// EmptyValue, and 0-1 alone has the top bit.
			e := (uint64(v+1) - 1) >> 63
			m |= e << b
			filled[(w*64+b)&127] = uint8(e ^ 1)
		}
		empty[w] = m
	}
	switch bits.OnesCount64(empty[0]) + bits.OnesCount64(empty[1]) {
	case 0:
		return
	case 127, 128: // one filled bin, or none: as densifyAny does
		s.densifyAny(dst[:])
		return
	}
	draws := (*[128 * drawRow]uint8)(s.draws8)
	for w, bitsLeft := range empty {
	bins:
		for bitsLeft != 0 {
			i := w<<6 | bits.TrailingZeros64(bitsLeft)
			bitsLeft &= bitsLeft - 1
			row := (*[drawRow]uint8)(draws[(i&127)*drawRow:])
			for g := 0; g < drawRow; g += 8 {
				d := binary.LittleEndian.Uint64(row[g:])
				hit := uint32(filled[d&127]) | uint32(filled[d>>8&127])<<1 |
					uint32(filled[d>>16&127])<<2 | uint32(filled[d>>24&127])<<3 |
					uint32(filled[d>>32&127])<<4 | uint32(filled[d>>40&127])<<5 |
					uint32(filled[d>>48&127])<<6 | uint32(filled[d>>56&127])<<7
				if hit != 0 {
					j := d >> (8 * bits.TrailingZeros32(hit)) & 127
					dst[i&127] = dst[j]
					continue bins
				}
			}
			// Beyond the precomputed draws: go on drawing.
			skipped := uint64(drawRow) // a variable: the product wraps
			state := s.drawStart(i) + skipped*drawStep
			for {
				state += drawStep
				j := s.drawBin(state) & 127
				if empty[j>>6]&(1<<(j&63)) == 0 {
					dst[i&127] = dst[j]
					break
				}
			}
		}
	}
}

// densifyAny is densify for any k.
func (s *Signer) densifyAny(dst []uint32) {
	var empty [MaxK / 64]uint64
	filled, last := 0, 0
	for i, v := range dst {
		if v == EmptyValue {
			empty[i>>6] |= 1 << (i & 63)
		} else {
			filled++
			last = i
		}
	}
	if filled == len(dst) {
		return
	}
	if filled == 1 {
		// Every draw ends at the one filled bin.
		for i := range dst {
			dst[i] = dst[last]
		}
		return
	}
	for w, bitsLeft := range empty {
	bins:
		for bitsLeft != 0 {
			i := w<<6 | bits.TrailingZeros64(bitsLeft)
			bitsLeft &= bitsLeft - 1
			for _, j := range s.draws[i*drawRow : (i+1)*drawRow] {
				if empty[j>>6]&(1<<(j&63)) == 0 {
					dst[i] = dst[j]
					continue bins
				}
			}
			// Beyond the precomputed draws: go on drawing.
			skipped := uint64(drawRow) // a variable: the product wraps
			state := s.drawStart(i) + skipped*drawStep
			for {
				state += drawStep
				j := s.drawBin(state)
				if empty[j>>6]&(1<<(j&63)) == 0 {
					dst[i] = dst[j]
					break
				}
			}
		}
	}
}

// Similarity returns the fraction of slots in which a and b hold the same
// value: the estimate of the Jaccard similarity of the two shingle sets.
// Slots holding EmptyValue never count as equal, so documents without
// shingles are similar to nothing. It returns 0 when the lengths differ or
// are zero.
func Similarity(a, b []uint32) float64 {
	if len(a) != len(b) || len(a) == 0 {
		return 0
	}
	b = b[:len(a)]
	eq := 0
	for i, v := range a {
		if v == b[i] && v != EmptyValue {
			eq++
		}
	}
	return float64(eq) / float64(len(a))
}
