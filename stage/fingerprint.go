package stage

import (
	"unicode/utf8"
	"unsafe"

	"github.com/quchong/quchong/keep"
	"github.com/quchong/quchong/shingle"
	"github.com/zeebo/xxh3"
)

// Exact is the 128-bit hash of a document's normalised text. Documents with
// equal Exact hashes are exact duplicates. A text that normalises to nothing
// but masks or to nothing at all ("？？？", "……", "XX") is hashed as written
// instead, so two such documents are duplicates only when byte-identical.
type Exact struct{ Hi, Lo uint64 }

// Fingerprint is what the fingerprint stage knows of one document, besides
// its signature.
type Fingerprint struct {
	// Exact hashes the normalised text.
	Exact Exact
	// Length is the original text's length in characters, counted only
	// when the keep rule needs it (longest); 0 otherwise: counting costs
	// as much as hashing the shingles.
	Length int
	// Masks counts placeholder masks in the normalised text.
	Masks int
	// Signed is false when the document is shorter than MinLength or has no
	// shingle to sign (nothing but masks): it can be an exact duplicate but
	// never a near one.
	Signed bool
}

// Normalize appends the normalised runes of text to dst. A nil dst is
// first given room for as many runes as text has, so that the runes are
// not copied again and again as they grow.
func (s *Stages) Normalize(dst []rune, text []byte) ([]rune, int) {
	if dst == nil {
		dst = make([]rune, 0, utf8.RuneCount(text))
	}
	return s.norm.Append(dst, text)
}

// Fingerprint normalises text, hashes it and writes its MinHash signature
// into sig, which must have length K. It allocates nothing once sc's buffers
// have grown.
func (s *Stages) Fingerprint(sig []uint32, text []byte, sc *Scratch) Fingerprint {
	var fp Fingerprint
	if len(text) > bigText && cap(sc.runes) < len(text)/4 {
		// Size the runes once for a large text rather than let append
		// double them (NFKC rarely expands a text by more than the slack).
		n := utf8.RuneCount(text)
		sc.runes = make([]rune, 0, n+n/16)
	}
	defer sc.shrink()
	sc.runes, fp.Masks = s.norm.Append(sc.runes[:0], text)
	if s.p.Keep.Kind == keep.Longest {
		fp.Length = utf8.RuneCount(text)
	}
	if hasContent(sc.runes) {
		fp.Exact = hashRunes(sc.runes)
	} else {
		h := xxh3.Hash128Seed(text, rawSeed)
		fp.Exact = Exact{h.Hi, h.Lo}
	}
	fp.Signed = s.sign(sig, sc.runes, sc)
	return fp
}

// SignNormalized writes into sig (length K) the MinHash signature of an
// already normalised text and reports whether it is signed: the signature
// and Signed that Fingerprint gives the text whose normalised runes these
// are. The index stores normalised texts and recomputes their signatures
// with it rather than store them.
func (s *Stages) SignNormalized(sig []uint32, runes []rune, sc *Scratch) bool {
	defer sc.shrink()
	return s.sign(sig, runes, sc)
}

// sign is Fingerprint's signature of the normalised runes.
func (s *Stages) sign(sig []uint32, runes []rune, sc *Scratch) bool {
	if len(runes) < s.p.MinLength {
		s.signer.Sign(sig, nil) // the empty signature
		return false
	}
	if s.p.Shingle.Mode == shingle.Chars && len(runes) > shingleChunk {
		return s.signChunks(sig, runes, sc)
	}
	sc.shingles = shingle.Hashes(sc.shingles[:0], runes, s.p.Shingle)
	return s.signer.Sign(sig, sc.shingles)
}

// A text of more than bigText bytes gets its runes sized in advance; one of
// more than shingleChunk runes is shingled in parts of that many, so that
// its shingle hashes (8 bytes a character) never exist all at once.
const (
	bigText      = 1 << 20
	shingleChunk = 1 << 20
)

// signChunks signs runes in parts: with character shingles, the
// windows of a slice are exactly the text's windows inside it, so parts
// that overlap by N-1 runes give every window once, and the signature of
// their union is the signature of the whole.
func (s *Stages) signChunks(sig []uint32, runes []rune, sc *Scratch) bool {
	n := max(s.p.Shingle.N, 1)
	s.signer.Start(sig)
	found := false
	for i := 0; i < len(runes); i += shingleChunk {
		part := runes[i:min(i+shingleChunk+n-1, len(runes))]
		sc.shingles = shingle.Windows(sc.shingles[:0], part, s.p.Shingle)
		s.signer.Add(sig, sc.shingles)
		found = found || len(sc.shingles) > 0
		if i+shingleChunk+n-1 >= len(runes) {
			break
		}
	}
	if !found {
		// No window without a mask: the whole-text shingle, as Hashes gives.
		sc.shingles = shingle.Hashes(sc.shingles[:0], runes, s.p.Shingle)
		s.signer.Add(sig, sc.shingles)
	}
	return s.signer.Finish(sig)
}

// shrink drops buffers a large document grew, so that a worker does not
// keep them for the rest of the run.
func (sc *Scratch) shrink() {
	if cap(sc.runes) > 4*shingleChunk {
		sc.runes = nil
	}
	if cap(sc.shingles) > 2*shingleChunk {
		sc.shingles = nil
	}
}

// rawSeed keeps hashes of raw texts apart from hashes of normalised runes.
const rawSeed = 0x5851f42d4c957f2d

// hasContent reports whether normalised runes hold anything but masks.
func hasContent(r []rune) bool {
	for _, x := range r {
		if x != shingle.Mask {
			return true
		}
	}
	return false
}

// hashRunes hashes the runes' in-memory (little-endian on every platform Go
// supports but s390x and some MIPS/PPC) representation.
func hashRunes(r []rune) Exact {
	if len(r) == 0 {
		h := xxh3.Hash128(nil)
		return Exact{h.Hi, h.Lo}
	}
	b := unsafe.Slice((*byte)(unsafe.Pointer(&r[0])), len(r)*4)
	h := xxh3.Hash128(b)
	return Exact{h.Hi, h.Lo}
}
