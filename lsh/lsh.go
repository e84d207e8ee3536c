// Package lsh splits MinHash signatures into bands whose hashes are the
// grouping keys of locality-sensitive hashing, and chooses the banding for
// a similarity threshold.
//
// A signature of K slots is cut into Bands bands of Rows slots each. Two
// documents become a candidate pair when all Rows slots of at least one band
// agree, which for documents of Jaccard similarity s happens with
// probability P(s) = 1 − (1 − s^r)^b: an S-curve that rises around
// (1/b)^(1/r). Optimal picks b and r the way datasketch's MinHashLSH does,
// minimising a weighted sum of the false-positive area (∫₀ᵗ P) and the
// false-negative area (∫ₜ¹ 1−P). Candidates are checked afterwards, so the
// pipeline favours recall: P(t) should be near 1.
//
// Choices for K = 128 (TestOptimalTable prints this table with -v):
//
//	threshold  weights FP/FN  bands × rows  P(threshold)
//	0.5        0.5/0.5        25 × 5        0.5478
//	0.5        0.1/0.9        32 × 4        0.8732
//	0.6        0.5/0.5        18 × 7        0.4001
//	0.6        0.1/0.9        25 × 5        0.8678
//	0.7        0.5/0.5        14 × 9        0.4382
//	0.7        0.1/0.9        20 × 6        0.9182
//	0.8        0.5/0.5         9 × 13       0.3988
//	0.8        0.1/0.9        14 × 9        0.8670
//
// With equal weights P(t) is only 0.4–0.55: about half of the pairs exactly
// at the threshold are missed. Weighting false negatives 9:1 lifts P(t) to
// about 0.87–0.92 at the cost of more candidates.
package lsh

import (
	"fmt"
	"math"
	"math/bits"
)

// Params is a banding: Bands bands of Rows signature slots each. A Params
// uses the first Bands×Rows slots of a signature.
type Params struct {
	Bands, Rows int
}

// String formats p as "bands×rows".
func (p Params) String() string {
	return fmt.Sprintf("%d×%d", p.Bands, p.Rows)
}

// integrationSteps is the number of Simpson steps per integral (even).
const integrationSteps = 200

// Optimal returns the banding with Bands×Rows ≤ k that minimises
// wFP·∫₀ᵗ P(s) ds + wFN·∫ₜ¹ (1 − P(s)) ds, with the weights normalised to sum
// to 1, as datasketch's _optimal_param does (its scan order: bands
// ascending, then rows ascending; the first minimum wins). The integrals
// use Simpson's rule with 200 steps. It fails when t is not in (0, 1), k < 1,
// or a weight is negative, not finite, or both are zero. The searches of
// quchong's usual settings are precomputed (known).
func Optimal(t float64, k int, wFP, wFN float64) (Params, error) {
	if !(t > 0 && t < 1) {
		return Params{}, fmt.Errorf("lsh: threshold %v is not in (0, 1)", t)
	}
	if k < 1 {
		return Params{}, fmt.Errorf("lsh: signature length %d < 1", k)
	}
	sum := wFP + wFN
	if !(wFP >= 0 && wFN >= 0) || math.IsInf(sum, 0) || sum == 0 {
		return Params{}, fmt.Errorf("lsh: weights %v (false positive) and %v (false negative): want non-negative, finite, not both zero", wFP, wFN)
	}
	for _, kn := range known {
		if kn.t == t && kn.k == k && kn.wFP == wFP && kn.wFN == wFN {
			return kn.p, nil
		}
	}
	return search(t, k, wFP/sum, wFN/sum), nil
}

// search is Optimal's search over every banding, with valid arguments and
// the weights normalised.
func search(t float64, k int, wFP, wFN float64) Params {
	// s^r at the integration points of [0, t] and [t, 1], for every r: the
	// same for every number of bands, so computed once (the objective is
	// exactly that of Probability integrated with Simpson's rule).
	lo, hi := newGrid(0, t), newGrid(t, 1)
	powLo, powHi := make([][]float64, k+1), make([][]float64, k+1)
	for r := 1; r <= k; r++ {
		powLo[r], powHi[r] = lo.pow(r), hi.pow(r)
	}
	best, bestErr := Params{}, math.Inf(1)
	for b := 1; b <= k; b++ {
		bands := float64(b)
		for r := 1; r <= k/b; r++ {
			p := Params{Bands: b, Rows: r}
			pl, ph := powLo[r], powHi[r]
			fp := lo.simpson(func(i int) float64 { return 1 - math.Pow(1-pl[i], bands) })
			fn := hi.simpson(func(i int) float64 { return 1 - (1 - math.Pow(1-ph[i], bands)) })
			if e := wFP*fp + wFN*fn; e < bestErr {
				best, bestErr = p, e
			}
		}
	}
	return best
}

// grid is the points of Simpson's rule on [a, b]: x[0] = a, x[i] = a + i·h,
// x[integrationSteps] = b.
type grid struct {
	h float64
	x [integrationSteps + 1]float64
}

func newGrid(a, b float64) *grid {
	g := &grid{h: (b - a) / integrationSteps}
	g.x[0], g.x[integrationSteps] = a, b
	for i := 1; i < integrationSteps; i++ {
		g.x[i] = a + float64(i)*g.h
	}
	return g
}

// pow returns x^r, x clamped to [0, 1] as Probability clamps it, at every
// point.
func (g *grid) pow(r int) []float64 {
	out := make([]float64, len(g.x))
	for i, x := range g.x {
		out[i] = math.Pow(min(max(x, 0), 1), float64(r))
	}
	return out
}

// simpson integrates the function whose value at point i is f(i) with
// Simpson's rule.
func (g *grid) simpson(f func(i int) float64) float64 {
	sum := f(0) + f(integrationSteps)
	for i := 1; i < integrationSteps; i++ {
		w := 2.0
		if i%2 == 1 {
			w = 4
		}
		sum += w * f(i)
	}
	return sum * g.h / 3
}

// Probability returns the probability 1 − (1 − s^Rows)^Bands that two
// documents of Jaccard similarity s share at least one band key. s is
// clamped to [0, 1]; a Params with no bands or rows gives 0.
func (p Params) Probability(s float64) float64 {
	if p.Bands < 1 || p.Rows < 1 {
		return 0
	}
	s = min(max(s, 0), 1)
	return 1 - math.Pow(1-math.Pow(s, float64(p.Rows)), float64(p.Bands))
}

// Keys appends one 64-bit key per band of sig to dst and returns the
// extended slice. The key of band i hashes i and the band's Rows values, so
// equal values in different bands give different keys, and the keys of two
// signatures agree in band i exactly when their values in band i agree (up
// to 64-bit hash collisions). Bands that do not fit in sig are left out, as
// is everything when Rows < 1.
func (p Params) Keys(dst []uint64, sig []uint32) []uint64 {
	if p.Rows < 1 || p.Bands < 1 {
		return dst
	}
	bands := min(p.Bands, len(sig)/p.Rows)
	for i := range bands {
		dst = append(dst, p.key(sig, i))
	}
	return dst
}

// Key returns the key of one band: Keys(nil, sig)[band], without computing
// the others. It returns 0 for a band that does not fit in sig.
func (p Params) Key(sig []uint32, band int) uint64 {
	if p.Rows < 1 || band < 0 || band >= p.Bands || (band+1)*p.Rows > len(sig) {
		return 0
	}
	return p.key(sig, band)
}

func (p Params) key(sig []uint32, i int) uint64 {
	band := sig[i*p.Rows : (i+1)*p.Rows]
	h := mum(uint64(i)^k0, uint64(p.Rows)^k1)
	for len(band) >= 2 {
		h = mum(h^uint64(band[0])^uint64(band[1])<<32, k2)
		band = band[2:]
	}
	if len(band) == 1 {
		h = mum(h^uint64(band[0]), k3)
	}
	return mum(h^k0, k1)
}

// Keys of the band hash: odd, dense constants (digits of π).
const (
	k0 = 0x243f6a8885a308d3
	k1 = 0x13198a2e03707344
	k2 = 0xa4093822299f31d0 | 1
	k3 = 0x082efa98ec4e6c89
)

// mum multiplies a and b into 128 bits and folds the halves together.
func mum(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}
