package normalize

//go:generate go run ./internal/gen -out t2s_table.go
//go:generate go test . -run TestNFKCTable -update-nfkc

import (
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Rune classes, as seen by the mask rules. The class of a rune is taken on the
// NFKC form (before T2S and case folding), as the rules order requires.
const (
	clsOther  = iota // anything else, and "no rune" at either end of the text
	clsCJK           // Han, Hiragana, Katakana, Hangul, Bopomofo
	clsAlnum         // ASCII letter other than X and x
	clsDigit         // ASCII digit
	clsStar          // '*'
	clsX             // 'X' or 'x'
	clsMulti         // '×', '某', '○', '□': masks only in runs of two or more
	clsMaskIn        // the Mask rune itself in the input: dropped
)

// Actions on a rune after T2S and case folding.
const (
	actEmit   = iota // append the rune
	actSilent        // drop it, leaving no word break (format characters)
	actBreak         // drop it; with WordBreaks the run of such runes becomes one space
)

// An entry packs what the hot loop needs to know about one rune.
//
//	bits  0-20  output rune (after T2S and case folding)
//	bits 21-22  action
//	bits 24-26  class
//	bit  27     the rune is CJK (classes other than clsCJK can be CJK too: 某)
//	bit  28     generic: the rune needs the general path (mask candidate,
//	            Mask in the input, NFKC to other than one BMP rune)
//	bit  29     noBoundary: NFKC may combine the rune with what precedes it
//	            (input table only)
type entry uint32

const (
	runeMask    = 1<<21 - 1
	actShift    = 21
	clsShift    = 24
	fGeneric    = entry(1) << 28
	fNoBoundary = entry(1) << 29
)

func (e entry) out() rune  { return rune(e & runeMask) }
func (e entry) act() int   { return int(e>>actShift) & 3 }
func (e entry) class() int { return int(e>>clsShift) & 7 }

// ctx is what a neighbouring X run needs to know about the rune: its class
// and, in bit ctxCJK, whether it is CJK.
func (e entry) ctx() int { return int(e>>clsShift) & 15 }

const ctxCJK = 8

// ctxAlnum reports whether a neighbour context is an ASCII letter or digit.
func ctxAlnum(ctx int) bool {
	c := ctx & 7
	return c == clsAlnum || c == clsDigit || c == clsX
}

// The NFKC table maps each BMP rune to the NFKC normal form of the rune on
// its own. It is valid wherever the rune and the rune after it both start a
// normalisation segment (norm.Properties.BoundaryBefore); elsewhere the
// normaliser hands the whole segment to x/text.
//
//	bit  31     noBoundary (BoundaryBefore is false)
//	bit  30     seq: the form is not one rune; bits 0-19 offset into
//	            nfkcTables.seq, bits 20-29 length (possibly 0)
//	otherwise   bits 0-20 hold the single rune of the form
type nfkcEntry uint32

const (
	nfkcNoBoundary = nfkcEntry(1) << 31
	nfkcSeq        = nfkcEntry(1) << 30
)

type nfkcTables struct {
	tab [1 << 16]nfkcEntry
	seq []rune
}

// nfkcTable is built once, on first use, and never changed: decoded from
// nfkc_table.go, which TestNFKCTable checks against x/text (computeNFKC)
// and rewrites with -update-nfkc; computing it from x/text takes about
// 10 ms, a run's fixed cost.
var nfkcTable = sync.OnceValue(decodeNFKC)

// decodeNFKC builds the NFKC table from nfkc_table.go's strings: every
// BMP rune but the surrogates is its own form and starts a segment, but
// those the strings list.
func decodeNFKC() *nfkcTables {
	t := new(nfkcTables)
	for r := range rune(1 << 16) {
		if r < 0xD800 || r > 0xDFFF { // surrogates never come out of the decoder
			t.tab[r] = nfkcEntry(r)
		}
	}
	for s := nfkcSingles; len(s) > 0; {
		from, n := utf8.DecodeRuneInString(s)
		to, m := utf8.DecodeRuneInString(s[n:])
		s = s[n+m:]
		t.tab[from] = nfkcEntry(to)
	}
	for s := nfkcSeqs; len(s) > 0; {
		from, n := utf8.DecodeRuneInString(s)
		count, m := utf8.DecodeRuneInString(s[n:])
		s = s[n+m:]
		off := len(t.seq)
		for range count {
			c, k := utf8.DecodeRuneInString(s)
			s = s[k:]
			t.seq = append(t.seq, c)
		}
		t.tab[from] = nfkcSeq | nfkcEntry(off) | nfkcEntry(count)<<20
	}
	for _, r := range nfkcNoBoundaries {
		t.tab[r] |= nfkcNoBoundary
	}
	return t
}

// startsSegment reports whether NFKC can never join the rune with p's
// properties to what precedes it. BoundaryBefore alone is not enough: a
// compatibility character can decompose to a rune that combines backward
// (U+3161 ㅡ becomes the vowel jamo U+1173, which composes with a preceding
// leading jamo), so the first rune of the decomposition must start a
// segment too.
func startsSegment(p norm.Properties) bool {
	if !p.BoundaryBefore() {
		return false
	}
	d := p.Decomposition()
	if len(d) == 0 {
		return true
	}
	return norm.NFKC.Properties(d).BoundaryBefore()
}

// t2sTables holds the traditional→simplified character table.
type t2sTables struct {
	bmp [1 << 16]uint32 // 0 when the rune has no mapping
	hi  map[rune]rune   // keys outside the BMP
}

var t2sTable = sync.OnceValue(func() *t2sTables {
	t := &t2sTables{hi: map[rune]rune{}}
	s := t2sPairs
	for len(s) > 0 {
		from, n := utf8.DecodeRuneInString(s)
		to, m := utf8.DecodeRuneInString(s[n:])
		s = s[n+m:]
		if from < 1<<16 {
			t.bmp[from] = uint32(to)
		} else {
			t.hi[from] = to
		}
	}
	return t
})

func (t *t2sTables) lookup(r rune) rune {
	if r < 1<<16 {
		if s := t.bmp[r]; s != 0 {
			return rune(s)
		}
		return r
	}
	if s, ok := t.hi[r]; ok {
		return s
	}
	return r
}

// classOf gives the mask class of an NFKC rune; p answers whether it is
// CJK.
func classOf(p *runeProps, r rune) int {
	switch {
	case r == Mask:
		return clsMaskIn
	case r == '*':
		return clsStar
	case r == 'X' || r == 'x':
		return clsX
	case '0' <= r && r <= '9':
		return clsDigit
	case 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z':
		return clsAlnum
	case r == '×' || r == '某' || r == '○' || r == '□':
		return clsMulti
	case r >= 0x2EA && p.isCJK(r): // U+02EA is the first Bopomofo rune
		return clsCJK
	}
	return clsOther
}

var cjkTables = []*unicode.RangeTable{unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul, unicode.Bopomofo}

func isCJK(r rune) bool { return unicode.IsOneOf(cjkTables, r) }

// bmpSet is a set of BMP runes, one bit each.
type bmpSet [1 << 16 / 64]uint64

func (s *bmpSet) has(r rune) bool { return s[r>>6]&(1<<(r&63)) != 0 }

func (s *bmpSet) addRange(lo, hi, stride rune) {
	for r := lo; r <= hi && r < 1<<16; r += stride {
		s[r>>6] |= 1 << (r & 63)
	}
}

func (s *bmpSet) addTable(t *unicode.RangeTable) {
	for _, rg := range t.R16 {
		s.addRange(rune(rg.Lo), rune(rg.Hi), rune(rg.Stride))
	}
	for _, rg := range t.R32 {
		s.addRange(rune(rg.Lo), rune(rg.Hi), rune(rg.Stride))
	}
}

// runeProps answers the Unicode questions computeEntry asks (CJK, white
// space, Cc, Cf, punctuation, lower case) for a BMP rune from bitsets built
// once by walking the range tables, where asking package unicode costs a
// search per rune: New asks them for all 65,536 runes. The answers are
// unicode's own: below U+0100 and outside the BMP it asks unicode, and a
// rune outside every case range is its own lower case. A nil *runeProps
// asks unicode every time.
type runeProps struct {
	cjk, space, cc, cf, punct, cased bmpSet
}

var bmpProps = sync.OnceValue(func() *runeProps {
	p := new(runeProps)
	for _, t := range cjkTables {
		p.cjk.addTable(t)
	}
	p.space.addTable(unicode.White_Space)
	p.cc.addTable(unicode.Cc)
	p.cf.addTable(unicode.Cf)
	p.punct.addTable(unicode.P)
	for _, cr := range unicode.CaseRanges {
		p.cased.addRange(rune(cr.Lo), rune(cr.Hi), 1)
	}
	return p
})

// fast says whether r is answered from the bitsets.
func (p *runeProps) fast(r rune) bool { return p != nil && r >= 0x100 && r < 1<<16 }

func (p *runeProps) isCJK(r rune) bool {
	if p.fast(r) {
		return p.cjk.has(r)
	}
	return isCJK(r)
}

func (p *runeProps) isSpace(r rune) bool {
	if p.fast(r) {
		return p.space.has(r)
	}
	return unicode.IsSpace(r)
}

func (p *runeProps) isCc(r rune) bool {
	if p.fast(r) {
		return p.cc.has(r)
	}
	return unicode.Is(unicode.Cc, r)
}

func (p *runeProps) isCf(r rune) bool {
	if p.fast(r) {
		return p.cf.has(r)
	}
	return unicode.Is(unicode.Cf, r)
}

func (p *runeProps) isPunct(r rune) bool {
	if p.fast(r) {
		return p.punct.has(r)
	}
	return unicode.IsPunct(r)
}

func (p *runeProps) toLower(r rune) rune {
	if p.fast(r) && !p.cased.has(r) {
		return r
	}
	return unicode.ToLower(r)
}

// computeEntry works out the entry of an NFKC rune under opt; p answers
// the Unicode questions (nil: package unicode).
func computeEntry(opt *Options, t2s *t2sTables, p *runeProps, c rune) entry {
	cls := classOf(p, c)
	e := entry(cls) << clsShift
	if cls == clsCJK || cls == clsMulti && p.isCJK(c) {
		e |= ctxCJK << clsShift
	}
	switch {
	case cls == clsMaskIn:
		return e | fGeneric
	case opt.Masks && (cls == clsDigit || cls == clsStar || cls == clsX || cls == clsMulti):
		e |= fGeneric
	}
	o := c
	if opt.T2S {
		o = t2s.lookup(o)
	}
	if opt.Fold {
		o = p.toLower(o)
	}
	act := actEmit
	switch {
	case opt.StripSpace && (p.isSpace(o) || p.isCc(o)):
		act = actBreak
	case opt.StripSpace && p.isCf(o):
		act = actSilent
	case opt.StripPunct && p.isPunct(o):
		act = actBreak
	}
	return e | entry(act)<<actShift | entry(o)
}
