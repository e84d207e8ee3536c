package index

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"slices"
)

// Posting lists. A posting says that a document has a key: one of its LSH
// band keys, or its exact hash. Only the key's high 32 bits are kept (its
// "key32"; documents whose keys share them without being equal are read
// as candidates and dropped by the checker, which compares whole keys).
//
// A version's postings are grouped into lists, one Pebble key each:
//
//	b <bits> <bucket> <version>   band postings
//	e <bits> <bucket> <version>   exact-hash postings
//
// where bits (1 byte) is the version's bucket width B, bucket the key32's
// high B bits (big-endian, in ⌈B/8⌉ bytes) and version 4 bytes big-endian.
// The value lists the version's documents that have a key in the bucket:
// for each, its key32's low 32−B bits (the check bits) and its number,
// combined as x = check<<sbits | (seq−first) and sorted, then written as
// the Golomb–Rice codes of the gaps between consecutive x:
//
//	uvarint first, uvarint n, sbits byte, bit stream
//
// The Rice parameter follows from n and the widths (riceParam). A large
// version has wide buckets (lists of about targetListLen documents), so
// that its postings cost a few bytes each rather than a Pebble key each;
// its exact-hash lists, one posting a document rather than 32, have
// buckets 32 times fewer. A small version (fewer than largeVersionDocs
// documents, a service's add) has buckets of smallBucketBits, so that a
// check, which reads every list of its buckets across versions, reads few
// of them. Versions never change once written, so neither do their lists.
const (
	prefixBand  = 'b'
	prefixExact = 'e'

	largeVersionDocs = 4096
	targetListLen    = 64
	minBucketBits    = 8
	smallBucketBits  = 24
)

// bucketBits is the bucket width of the band lists of a version of n
// documents.
func bucketBits(n int) uint8 { return width(n, 32) }

// exactBucketBits is the bucket width of its exact-hash lists.
func exactBucketBits(n int) uint8 { return width(n, 1) }

func width(n, perDoc int) uint8 {
	if n < largeVersionDocs {
		return smallBucketBits
	}
	b := bits.Len64(uint64(n) * uint64(perDoc) / targetListLen)
	return uint8(min(max(b, minBucketBits), smallBucketBits))
}

// riceParam is the Rice parameter of a list of n values below
// 2^(checkBits+sbits): the logarithm of their mean gap.
func riceParam(n int, b uint8, sbits uint) uint {
	space := uint(32-b) + sbits
	if space >= 64 {
		space = 63
	}
	if m := (uint64(1) << space) / uint64(n); m > 1 {
		return uint(bits.Len64(m) - 1)
	}
	return 0
}

// listPrefix is the key prefix of key32's bucket at width b.
func listPrefix(kind byte, b uint8, key32 uint32) []byte {
	nb := (int(b) + 7) / 8
	k := make([]byte, 2, 2+nb+4)
	k[0], k[1] = kind, b
	bucket := uint64(key32>>(32-b)) << (8*nb - int(b)) // left-aligned in nb bytes
	for i := nb - 1; i >= 0; i-- {
		k = append(k, byte(bucket>>(8*i)))
	}
	return k
}

// listKey is the key of the list of key32's bucket in a version.
func listKey(kind byte, b uint8, key32 uint32, version uint64) []byte {
	return binary.BigEndian.AppendUint32(listPrefix(kind, b, key32), uint32(version))
}

// listPrefixLen is the length of a list key's prefix (its bucket), or
// len(k) for any other key.
func listPrefixLen(k []byte) int {
	if len(k) > 2 && (k[0] == prefixBand || k[0] == prefixExact) {
		if n := 2 + (int(k[1])+7)/8; len(k) > n {
			return n
		}
	}
	return len(k)
}

// parseListKey returns a list key's kind, width, bucket (as the high bits
// of a key32) and version.
func parseListKey(k []byte) (kind byte, b uint8, hi uint32, version uint64, ok bool) {
	if len(k) < 3 || k[1] == 0 || k[1] > 32 {
		return 0, 0, 0, 0, false
	}
	kind, b = k[0], k[1]
	nb := (int(b) + 7) / 8
	if len(k) != 2+nb+4 {
		return 0, 0, 0, 0, false
	}
	var bucket uint64
	for _, c := range k[2 : 2+nb] {
		bucket = bucket<<8 | uint64(c)
	}
	bucket >>= 8*nb - int(b)
	hi = uint32(bucket << (32 - b))
	return kind, b, hi, uint64(binary.BigEndian.Uint32(k[2+nb:])), true
}

// checkBits is the part of key32 a list entry keeps at width b.
func checkBits(key32 uint32, b uint8) uint32 {
	if b >= 32 {
		return 0
	}
	return key32 & (1<<(32-b) - 1)
}

// posting packs a key32 and a document's number within its version into
// one sortable value.
func posting(key32 uint32, off uint64) uint64 { return uint64(key32)<<32 | off }

// encodeList appends the list of postings ps (sorted, one bucket, offsets
// relative to base) to dst.
func encodeList(dst []byte, ps []uint64, b uint8, base uint64) []byte {
	lo, hi := uint64(1<<32-1), uint64(0)
	for _, p := range ps {
		lo, hi = min(lo, uint64(uint32(p))), max(hi, uint64(uint32(p)))
	}
	sbits := uint(bits.Len64(hi - lo))
	xs := make([]uint64, len(ps))
	for i, p := range ps {
		xs[i] = uint64(checkBits(uint32(p>>32), b))<<sbits | (uint64(uint32(p)) - lo)
	}
	slices.Sort(xs)
	rice := int(riceParam(len(xs), b, sbits))
	dst = binary.AppendUvarint(dst, base+lo)
	dst = binary.AppendUvarint(dst, uint64(len(xs)))
	dst = append(dst, byte(sbits))
	var w bitWriter
	w.buf = dst
	prev := uint64(0)
	for _, x := range xs {
		g := x - prev
		prev = x
		for q := g >> rice; q > 0; q-- {
			w.bit(1)
		}
		w.bit(0)
		w.bits(g, rice)
	}
	return w.flush()
}

// bitWriter appends bits, least significant first.
type bitWriter struct {
	buf  []byte
	acc  uint64
	nacc uint
}

func (w *bitWriter) bit(v uint64) { w.bits(v, 1) }

func (w *bitWriter) bits(v uint64, n int) {
	for n > 0 {
		take := min(n, 32)
		w.acc |= (v & (1<<take - 1)) << w.nacc
		w.nacc += uint(take)
		v >>= take
		n -= take
		for w.nacc >= 8 {
			w.buf = append(w.buf, byte(w.acc))
			w.acc >>= 8
			w.nacc -= 8
		}
	}
}

func (w *bitWriter) flush() []byte {
	if w.nacc > 0 {
		w.buf = append(w.buf, byte(w.acc))
	}
	return w.buf
}

var errList = errors.New("malformed posting list")

// decodeList appends to dst the number of each entry of list v (of width
// b) whose check bits are want, in increasing order. It is decodeListAll
// without a call an entry, and stops after the entries with want.
func decodeList(v []byte, b uint8, want uint32, dst []uint64) ([]uint64, error) {
	first, n1 := binary.Uvarint(v)
	if n1 <= 0 {
		return dst, errList
	}
	count, n2 := binary.Uvarint(v[n1:])
	if n2 <= 0 || len(v) < n1+n2+1 || count == 0 || count > uint64(len(v))*8 {
		return dst, errList
	}
	sbits := uint(v[n1+n2])
	if sbits > 32 {
		return dst, errList
	}
	rice := riceParam(int(count), b, sbits)
	r := bitReader{p: v[n1+n2+1:]}
	end := uint(len(r.p)) * 8
	mask := uint64(1)<<sbits - 1
	lo, hi := uint64(want)<<sbits, (uint64(want)+1)<<sbits
	start := len(dst)
	x := uint64(0)
	for i := uint64(0); i < count; i++ {
		w := r.peek()
		ones := uint(bits.TrailingZeros64(^w))
		q := uint64(ones)
		if ones >= 57 {
			return decodeListSlow(v, b, want, dst[:start])
		}
		r.pos += ones + 1
		if r.pos+rice > end {
			return dst, errList
		}
		rem := r.peek() & (1<<rice - 1)
		r.pos += rice
		x += q<<rice | rem
		if x >= hi {
			break
		}
		if x >= lo {
			dst = append(dst, first+x&mask)
		}
	}
	return dst, nil
}

// decodeListSlow is decodeList for a list with a long unary code.
func decodeListSlow(v []byte, b uint8, want uint32, dst []uint64) ([]uint64, error) {
	err := decodeListAll(v, b, func(check uint32, seq uint64) bool {
		if check == want {
			dst = append(dst, seq)
		}
		return check <= want
	})
	return dst, err
}

// decodeListAll calls fn with the check bits and number of each entry of
// list v (of width b), in increasing order of check bits, until fn
// returns false.
func decodeListAll(v []byte, b uint8, fn func(check uint32, seq uint64) bool) error {
	first, n1 := binary.Uvarint(v)
	if n1 <= 0 {
		return errList
	}
	count, n2 := binary.Uvarint(v[n1:])
	if n2 <= 0 || len(v) < n1+n2+1 || count == 0 || count > uint64(len(v))*8 {
		return errList
	}
	sbits := uint(v[n1+n2])
	if sbits > 32 {
		return errList
	}
	rice := riceParam(int(count), b, sbits)
	r := bitReader{p: v[n1+n2+1:]}
	end := uint(len(r.p)) * 8
	mask := uint64(1)<<sbits - 1
	x := uint64(0)
	for i := uint64(0); i < count; i++ {
		// The quotient, in unary: ones ended by a zero.
		q := uint64(0)
		for {
			w := r.peek()
			ones := uint(bits.TrailingZeros64(^w))
			if ones < 57 {
				q += uint64(ones)
				r.pos += ones + 1
				if r.pos > end {
					return errList
				}
				break
			}
			q += 57
			r.pos += 57
			if r.pos >= end {
				return errList
			}
		}
		if r.pos+rice > end {
			return errList
		}
		rem := r.peek() & (1<<rice - 1)
		r.pos += rice
		x += q<<rice | rem
		if !fn(uint32(x>>sbits), first+x&mask) {
			return nil
		}
	}
	return nil
}

// bitReader reads bits, least significant first.
type bitReader struct {
	p   []byte
	pos uint
}

// peek returns at least 57 bits from pos on (zeros beyond the end).
func (r *bitReader) peek() uint64 {
	i := r.pos >> 3
	var w uint64
	if i+8 <= uint(len(r.p)) {
		w = binary.LittleEndian.Uint64(r.p[i:])
	} else {
		for j := uint(0); i+j < uint(len(r.p)); j++ {
			w |= uint64(r.p[i+j]) << (8 * j)
		}
	}
	return w >> (r.pos & 7)
}

// listWriter receives a version's lists in key order.
type listWriter func(key, value []byte) error

// writeLists groups ps (key32<<32 | offset; sorted in place) into the
// lists of a version at width b and passes each to put, in key order.
func writeLists(kind byte, ps []uint64, b uint8, v Version, put listWriter) error {
	slices.Sort(ps)
	ps = slices.Compact(ps)
	var val []byte
	for i := 0; i < len(ps); {
		bucket := uint32(ps[i]>>32) >> (32 - b)
		j := i + 1
		for j < len(ps) && uint32(ps[j]>>32)>>(32-b) == bucket {
			j++
		}
		val = encodeList(val[:0], ps[i:j], b, v.FirstSeq)
		if err := put(listKey(kind, b, uint32(ps[i]>>32), v.Number), val); err != nil {
			return fmt.Errorf("write posting list: %w", err)
		}
		i = j
	}
	return nil
}
