// Package shingle turns normalised text into shingle hashes: one 64-bit hash
// per window of N consecutive characters (the default, which suits Chinese)
// or N consecutive words (for space-delimited scripts).
//
// Shingling is on the hot path of every document, so it allocates nothing
// when the destination has room. For character windows of up to five runes
// it packs the window's 21-bit code points into 105 bits (two words), rolls
// the packed window one rune at a time and hashes it with two 64×64→128-bit
// multiplies folded to 64 bits (math/bits.Mul64). Longer windows and word
// windows roll a polynomial combination of per-unit hashes and finish it
// with the same kind of multiply.
//
// A window that contains the placeholder rune Mask is skipped: a mask stands
// for any anonymised span, so it is neither evidence for nor against a match.
// Duplicated shingles are kept; callers that need sets deduplicate.
package shingle

import (
	"math/bits"
	"slices"
	"strconv"
)

// Mask is the private-use rune the normaliser writes for a placeholder run
// such as "XXX" or "某某". It must equal normalize.Mask.
const Mask rune = '\uE000'

// DefaultN is the window length used when Options.N is less than 1.
const DefaultN = 5

// maxPacked is the longest character window hashed by packing code points.
const maxPacked = 5

// Mode says what a shingle's units are.
type Mode int

const (
	// Chars makes every rune a unit (the default; suits Chinese and other
	// scripts written without spaces).
	Chars Mode = iota
	// Words makes every word a unit; words are separated by ASCII spaces
	// (runs of spaces count as one separator). A word containing Mask is
	// a mask unit.
	Words
)

// String returns "chars" or "words".
func (m Mode) String() string {
	switch m {
	case Chars:
		return "chars"
	case Words:
		return "words"
	default:
		return "Mode(" + strconv.Itoa(int(m)) + ")"
	}
}

// Options configures Hashes. The zero value means 5-character shingles.
type Options struct {
	// N is the number of units per shingle; values below 1 mean DefaultN
	// (5). Larger N makes the Jaccard estimate stricter (a single edit
	// destroys N shingles); smaller N makes unrelated texts share more.
	N int
	// Mode selects characters (the default) or words as units. Unknown
	// values are treated as Chars.
	Mode Mode
}

// Keys of the packed-window hash and the unit and sequence hashes; odd,
// dense 64-bit constants (digits of π and e, and the golden ratio).
const (
	k0 = 0x243f6a8885a308d3
	k1 = 0x13198a2e03707344
	k2 = 0xa4093822299f31d0
	k3 = 0x9e3779b97f4a7c15
	k4 = 0xb7e151628aed2a6b
	// base is the multiplier of the rolling polynomial: odd, so that
	// multiplication by it is invertible modulo 2⁶⁴.
	base = 0x9fb21c651e98df25
	// shortKey separates the whole-text hash of a short text from window
	// hashes.
	shortKey = 0x452821e638d01377
)

// Hashes appends one 64-bit hash per shingle of the normalised runes to dst
// and returns the extended slice.
//
// With Chars every window of N consecutive runes is a shingle; with Words
// every window of N consecutive words. A window that contains Mask is
// skipped. When no window yields a shingle but the text has at least one
// unit that is not a mask (the text is shorter than N units, or masks
// break every window), Hashes appends exactly one shingle: the hash of the
// whole text with the masks left out, so short documents can still match.
// Text with no unit other than masks yields nothing.
//
// Duplicates are not removed. Hashes allocates only when dst lacks
// capacity (at most one shingle per rune).
func Hashes(dst []uint64, runes []rune, opt Options) []uint64 {
	start := len(dst)
	dst = Windows(dst, runes, opt)
	if len(dst) == start {
		dst = wholeText(dst, runes, opt.Mode == Words)
	}
	return dst
}

// Windows is Hashes without the whole-text shingle: it appends the hash of
// every window without a mask, and nothing else. With Chars, a window's hash
// depends only on its runes, so the windows of a slice of a text are
// exactly the text's windows that lie inside the slice.
func Windows(dst []uint64, runes []rune, opt Options) []uint64 {
	n := opt.N
	if n < 1 {
		n = DefaultN
	}
	switch {
	case opt.Mode == Words:
		return wordHashes(dst, runes, n)
	case n == maxPacked:
		return packed5(dst, runes)
	case n < maxPacked:
		return packedHashes(dst, runes, n)
	}
	return charHashes(dst, runes, n)
}

// mum multiplies a and b into 128 bits and folds the halves together: the
// mixing step of wyhash. With keyed operands its output bits each depend on
// all input bits.
func mum(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}

// fmix is MurmurHash3's 64-bit finaliser: a bijection with full avalanche.
func fmix(x uint64) uint64 {
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return x
}

// packedHashes hashes every window of n ≤ 5 runes by packing the runes'
// 21-bit code points into a 105-bit number (lo holds bits 0–63, hi the
// rest) that shifts by 21 bits per rune. The packing is injective, so
// distinct windows differ before hashing. A single mum of the two words is
// not enough: on structured input (all 4-grams over a small alphabet) its
// outputs are measurably more even than random ones, a sign that they are
// nearly linear in the input; the second mum removes that (see
// TestHashQuality).
func packedHashes(dst []uint64, runes []rune, n int) []uint64 {
	if len(runes) < n {
		return dst
	}
	width := uint(21 * n)
	loMask, hiMask := ^uint64(0), uint64(0)
	if width < 64 {
		loMask = 1<<width - 1
	} else {
		hiMask = 1<<(width-64) - 1
	}
	var lo, hi uint64
	// next is the first index at which a window ending there holds no mask.
	next := n - 1
	for i, r := range runes {
		if r == Mask {
			next = i + n
		}
		hi = (hi<<21 | lo>>43) & hiMask
		lo = (lo<<21 | uint64(r)&0x1fffff) & loMask
		if i >= next {
			dst = append(dst, mum(mum(lo^k0, hi^k1), k2))
		}
	}
	return dst
}

// packed5 is packedHashes for the default n = 5: lo then holds 64 bits of
// the 105 and hi the top 41, and the hashes are stored by index into room
// made once, so that the loop's few variables stay in registers (the
// generic loop keeps the packed window in memory, on the critical path).
func packed5(dst []uint64, runes []rune) []uint64 {
	const n = 5
	if len(runes) < n {
		return dst
	}
	dst = slices.Grow(dst, len(runes)-n+1)
	out := dst[len(dst):cap(dst)]
	j := 0
	var lo, hi uint64
	next := n - 1
	for i, r := range runes {
		if r == Mask {
			next = i + n
		}
		hi = (hi<<21 | lo>>43) & (1<<41 - 1)
		lo = lo<<21 | uint64(r)&0x1fffff
		if i >= next {
			out[j] = mum(mum(lo^k0, hi^k1), k2)
			j++
		}
	}
	return dst[:len(dst)+j]
}

// unitHash hashes one rune for the rolling polynomial.
func unitHash(r rune) uint64 {
	return fmix(uint64(uint32(r)) ^ k2)
}

// power returns base**n modulo 2⁶⁴.
func power(n int) uint64 {
	p, b := uint64(1), uint64(base)
	for ; n > 0; n >>= 1 {
		if n&1 != 0 {
			p *= b
		}
		b *= b
	}
	return p
}

// charHashes hashes every window of n runes with a rolling polynomial
// h = Σ u(rᵢ)·base^(n-1-i) mod 2⁶⁴ over per-rune hashes, finished by mum
// so that the linear structure does not show in the output.
func charHashes(dst []uint64, runes []rune, n int) []uint64 {
	if len(runes) < n {
		return dst
	}
	top := power(n)
	var h uint64
	next := n - 1
	for i, r := range runes {
		if r == Mask {
			next = i + n
		}
		h = h*base + unitHash(r)
		if i >= n {
			h -= top * unitHash(runes[i-n])
		}
		if i >= next {
			dst = append(dst, mum(h^k3, k4))
		}
	}
	return dst
}

// word scans the word starting at or after runes[i], skipping spaces. It
// returns the word's hash, whether it contains Mask, the index just past
// it, and ok = false when there is no further word.
func word(runes []rune, i int) (h uint64, masked bool, end int, ok bool) {
	for i < len(runes) && runes[i] == ' ' {
		i++
	}
	if i == len(runes) {
		return 0, false, i, false
	}
	h = k4
	for ; i < len(runes) && runes[i] != ' '; i++ {
		r := runes[i]
		if r == Mask {
			masked = true
		}
		h = mum(h^uint64(uint32(r)), k0)
	}
	return fmix(h), masked, i, true
}

// wordHashes hashes every window of n words with the same rolling
// polynomial as charHashes. The word leaving the window is hashed again
// rather than remembered, so that no buffer of n hashes is needed.
func wordHashes(dst []uint64, runes []rune, n int) []uint64 {
	top := power(n)
	var h uint64
	tail := 0 // index in runes where the oldest word of the window starts
	next := n - 1
	for i, pos := 0, 0; ; i++ {
		u, masked, end, ok := word(runes, pos)
		if !ok {
			break
		}
		pos = end
		if masked {
			next = i + n
		}
		h = h*base + u
		if i >= n {
			var out uint64
			out, _, tail, _ = word(runes, tail)
			h -= top * out
		}
		if i >= next {
			dst = append(dst, mum(h^k3, k4))
		}
	}
	return dst
}

// wholeText appends the hash of all non-mask units of runes, in order, or
// nothing when there are none.
func wholeText(dst []uint64, runes []rune, words bool) []uint64 {
	h, units := uint64(shortKey), 0
	if words {
		for pos := 0; ; {
			u, masked, end, ok := word(runes, pos)
			if !ok {
				break
			}
			pos = end
			if !masked {
				h = h*base + u
				units++
			}
		}
	} else {
		for _, r := range runes {
			if r != Mask {
				h = h*base + unitHash(r)
				units++
			}
		}
	}
	if units == 0 {
		return dst
	}
	return append(dst, mum(h^k3^uint64(units), shortKey))
}
