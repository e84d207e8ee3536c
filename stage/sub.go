package stage

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"unicode/utf8"
	"unsafe"

	"github.com/zeebo/xxh3"

	"github.com/quchong/quchong/normalize"
	"github.com/quchong/quchong/segment"
	"github.com/quchong/quchong/substr"
)

// SubParams are the parameters of the two methods below the document:
// unit deduplication (quchong lines: repeated lines, paragraphs or
// sentences) and exact-substring deduplication (quchong substr). Both match
// on the normalised text, masks folded, and cut the original text.
type SubParams struct {
	// Normalize selects the normalisation rules a unit or span is matched
	// on. Default normalize.Default(): "责任编辑：XX" and "责任编辑：×××"
	// are one unit.
	Normalize normalize.Options
	// Unit is what lines splits a document into. Default segment.Line.
	Unit segment.Unit
	// MinDocs: lines removes a unit from every document when it occurs in
	// at least MinDocs documents (boilerplate). 0 turns the policy off;
	// exactly one of MinDocs and KeepFirst is set for lines.
	MinDocs int
	// KeepFirst: lines keeps a unit in the first document (in input order)
	// that has it and removes it from every later one (CCNet). substr keeps
	// a repeated span's first occurrence unless RemoveAll.
	KeepFirst bool
	// MinUnit: units shorter than this many normalised characters are never
	// removed (a "谢谢。" or a date line repeats without being boilerplate).
	// Default 10.
	MinUnit int
	// MinSpan is the shortest repeated span substr removes, in normalised
	// characters. Default 50.
	MinSpan int
	// RemoveAll makes substr remove every occurrence of a repeated span,
	// the first too.
	RemoveAll bool
	// MinLength: a document left with fewer normalised characters than this
	// after removal is dropped (one left with none always is). Default 0.
	MinLength int
}

// DefaultSubParams returns the defaults documented in README.md (lines:
// --keep-first is not set, so a run must choose its policy).
func DefaultSubParams() SubParams {
	return SubParams{Normalize: normalize.Default(), Unit: segment.Line, MinUnit: 10, MinSpan: 50}
}

// Sub holds what unit and substring deduplication need: the normaliser and
// the parameters. It is immutable and safe for concurrent use; buffers live
// in a SubScratch.
type Sub struct {
	p    SubParams
	norm *normalize.Normalizer
}

// SubScratch is one goroutine's buffers for Sub.
type SubScratch struct {
	runes []rune
	offs  []int32
	spans []segment.Span
}

// NewSub checks p and builds the stage. lines says which method runs:
// true for unit deduplication, false for substrings.
func NewSub(p SubParams, lines bool) (*Sub, error) {
	var errs []error
	if p.MinUnit < 0 || p.MinLength < 0 {
		errs = append(errs, fmt.Errorf("min-unit %d and min-length %d must not be negative", p.MinUnit, p.MinLength))
	}
	if lines {
		switch {
		case p.MinDocs < 0:
			errs = append(errs, fmt.Errorf("min-docs %d must not be negative", p.MinDocs))
		case p.MinDocs > 0 && p.KeepFirst:
			errs = append(errs, errors.New("min-docs and keep-first are two policies: choose one"))
		case p.MinDocs == 0 && !p.KeepFirst:
			errs = append(errs, errors.New("choose a policy: min-docs N (N ≥ 2) or keep-first"))
		case p.MinDocs == 1:
			errs = append(errs, errors.New("min-docs 1 would remove every unit: use 2 or more"))
		}
		if p.Unit < segment.Line || p.Unit > segment.Sentence {
			errs = append(errs, fmt.Errorf("unknown unit %d", int(p.Unit)))
		}
	} else if p.MinSpan < 1 {
		errs = append(errs, fmt.Errorf("min-span %d must be at least 1", p.MinSpan))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &Sub{p: p, norm: normalize.New(p.Normalize)}, nil
}

// Params returns the parameters the stage was built with.
func (s *Sub) Params() SubParams { return s.p }

// UnitKey is one unit of a document: where it stands, the hash of its
// normalised text, and that text's length in characters.
type UnitKey struct {
	segment.Span
	Key uint64
	Len int
}

// Eligible reports whether the unit may be removed: it is at least MinUnit
// normalised characters long (and not empty once normalised).
func (s *Sub) Eligible(u UnitKey) bool { return u.Len > 0 && u.Len >= s.p.MinUnit }

// Units appends the units of text to dst, each with the 64-bit hash of its
// normalised, mask-folded text.
func (s *Sub) Units(dst []UnitKey, text []byte, sc *SubScratch) []UnitKey {
	sc.spans = segment.Split(sc.spans[:0], text, s.p.Unit)
	for _, sp := range sc.spans {
		sc.runes, _ = s.norm.Append(sc.runes[:0], text[sp.Start:sp.End])
		dst = append(dst, UnitKey{Span: sp, Key: unitHash(sc.runes), Len: len(sc.runes)})
	}
	return dst
}

// unitHash is the 64-bit xxh3 hash of runes' memory (four bytes a rune,
// in the machine's byte order): keys live for one run on one machine, so
// they need not be portable, and the runes need no encoding first.
func unitHash(runes []rune) uint64 {
	if len(runes) == 0 {
		return xxh3.Hash(nil)
	}
	return xxh3.Hash(unsafe.Slice((*byte)(unsafe.Pointer(&runes[0])), 4*len(runes)))
}

// Spans appends the units of text to dst without their keys (Key and Len
// zero), for a caller that kept the keys Units gave for the same text.
func (s *Sub) Spans(dst []UnitKey, text []byte, sc *SubScratch) []UnitKey {
	sc.spans = segment.Split(sc.spans[:0], text, s.p.Unit)
	for _, sp := range sc.spans {
		dst = append(dst, UnitKey{Span: sp})
	}
	return dst
}

// DocKeys appends to dst the distinct keys of a document's eligible units,
// sorted: what the document adds to the count of documents per unit.
func (s *Sub) DocKeys(dst []uint64, units []UnitKey) []uint64 {
	start := len(dst)
	for _, u := range units {
		if s.Eligible(u) {
			dst = append(dst, u.Key)
		}
	}
	slices.Sort(dst[start:])
	return append(dst[:start], slices.Compact(dst[start:])...)
}

// RemovableDocs is the fewest documents a unit must occur in for RemoveUnit
// ever to remove it: MinDocs, or 2 under KeepFirst (a unit of one document
// is in its first).
func (s *Sub) RemovableDocs() uint32 {
	if s.p.KeepFirst {
		return 2
	}
	return uint32(min(s.p.MinDocs, math.MaxUint32))
}

// RemoveUnit decides one eligible unit of document doc, given the number of
// documents the unit occurs in and the first of them (documents are
// numbered in input order): with MinDocs, whether it is in enough
// documents; with KeepFirst, whether an earlier document has it.
func (s *Sub) RemoveUnit(docs uint32, first, doc uint64) bool {
	if s.p.KeepFirst {
		return first < doc
	}
	return int(docs) >= s.p.MinDocs
}

// Cut is one removal from a document's text: the bytes [Start, End) go;
// [From, To), inside them, is the removed unit or span itself (without the
// separators that go with it), and Count how many documents (lines) or
// occurrences (substr) it has.
type Cut struct {
	Start, End int
	From, To   int
	Count      int
}

// UnitCuts appends to dst the cuts that remove the units remove says,
// with how many documents each occurs in: each unit with the separator
// after it and, when the removed units run to the end of the text, the
// separator before them too, so that no blank line or stray space is left
// where they stood.
func UnitCuts(dst []Cut, units []UnitKey, textLen int, remove func(k int) (bool, int)) []Cut {
	start := len(dst)
	run := -1 // the first unit of the current run of removed units
	for k, u := range units {
		rm, count := remove(k)
		if !rm {
			run = -1
			continue
		}
		if run < 0 {
			run = k
		}
		dst = append(dst, Cut{Start: u.Start, End: u.Next, From: u.Start, To: u.End, Count: count})
	}
	if n := len(dst); n > start && run > 0 && units[len(units)-1].Next == textLen && dst[n-1].End == textLen {
		// The run reaches the end: take the separator before it.
		for i := n - 1; i >= start; i-- {
			if dst[i].From == units[run].Start {
				dst[i].Start = units[run-1].End
				break
			}
		}
	}
	return dst
}

// Apply appends to dst the text without the cuts, which must be in order of
// Start; overlapping cuts remove their union.
func Apply(dst, text []byte, cuts []Cut) []byte {
	at := 0
	for _, c := range cuts {
		if c.Start > at {
			dst = append(dst, text[at:c.Start]...)
		}
		at = max(at, c.End)
	}
	return append(dst, text[at:]...)
}

// KeepDoc reports whether a document whose text after removal is text is
// kept: it still has at least MinLength normalised characters, and one.
func (s *Sub) KeepDoc(text []byte, sc *SubScratch) bool {
	sc.runes, _ = s.norm.Append(sc.runes[:0], text)
	return len(sc.runes) > 0 && len(sc.runes) >= s.p.MinLength
}

// Normalize appends the normalised text substr matches on to dst.
func (s *Sub) Normalize(dst []rune, text []byte) []rune {
	dst, _ = s.norm.Append(dst, text)
	return dst
}

// FindSpans finds the spans substr removes in a corpus of normalised texts
// laid end to end (documents text[bounds[d]:bounds[d+1]]); it overwrites
// text. See package substr.
func (s *Sub) FindSpans(text []rune, bounds []int32) ([]substr.Span, error) {
	return substr.Find(text, bounds, substr.Options{MinSpan: s.p.MinSpan, KeepFirst: !s.p.RemoveAll})
}

// SpanCuts appends to dst the cuts of the original text that remove spans,
// found on its normalised text (spans of one document, in order). A span
// starts at its first character's original rune (a mask at its placeholder
// run's start) and ends after its last one, without the white space and
// punctuation that normalisation dropped after it.
func (s *Sub) SpanCuts(dst []Cut, text []byte, spans []substr.Span, sc *SubScratch) []Cut {
	if len(spans) == 0 {
		return dst
	}
	sc.runes, sc.offs, _ = s.norm.AppendOffsets(sc.runes[:0], sc.offs[:0], text)
	for _, sp := range spans {
		start := int(sc.offs[sp.Start])
		end := len(text)
		if sp.End < len(sc.offs) {
			end = int(sc.offs[sp.End])
		}
		// Give back what normalisation dropped after the span's last rune.
		for end > start {
			r, sz := utf8.DecodeLastRune(text[start:end])
			var one [utf8.UTFMax]byte
			if out, _ := s.norm.Append(sc.runes[len(sc.runes):], one[:utf8.EncodeRune(one[:], r)]); len(out) > 0 {
				break
			}
			end -= sz
		}
		dst = append(dst, Cut{Start: start, End: end, From: start, To: end, Count: sp.Count})
	}
	return dst
}

// Span is a repeated span substr removes from one document (see
// substr.Span).
type Span = substr.Span

// SpanBytesPerChar is the memory FindSpans needs per normalised character
// of the corpus.
const SpanBytesPerChar = substr.BytesPerChar

// SpanPartBytesPerChar is the memory FindSpanParts needs per character of
// its part size (see substr.FindParts).
const SpanPartBytesPerChar = substr.PartBytesPerChar

// SpanParts is a corpus held in parts, as FindSpanParts reads it: its
// parts' texts, loaded one at a time, and views of them for the merge.
type SpanParts = substr.Parts

// SpanView is a read-only view of one part's text (see SpanParts).
type SpanView = substr.View

// FindSpanParts is FindSpans for a corpus held in parts: each part is
// sorted on its own and the sorted arrays are merged on disk, so memory is
// bounded by one part. See substr.FindParts.
func (s *Sub) FindSpanParts(ps SpanParts) ([]Span, error) {
	return substr.FindParts(ps, substr.Options{MinSpan: s.p.MinSpan, KeepFirst: !s.p.RemoveAll})
}
