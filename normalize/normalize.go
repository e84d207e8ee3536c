package normalize

import (
	"encoding/binary"
	"slices"
	"sync"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Mask is the rune that stands for a placeholder run in normalised text. It is
// the first private-use code point; input runes equal to Mask are dropped, so
// a Mask in the output always comes from a mask rule.
const Mask rune = '\uE000'

// Options selects the normalisation rules. Each rule is independent; the zero
// Options changes nothing except dropping input Mask runes and replacing
// invalid UTF-8 bytes by U+FFFD. Default turns on everything but WordBreaks.
type Options struct {
	// NFKC applies Unicode NFKC: full-width forms become half-width,
	// compatibility characters (ligatures, circled digits, …) their plain
	// equivalents. Default true.
	NFKC bool
	// Fold lower-cases every rune (unicode.ToLower). Default true.
	Fold bool
	// StripSpace drops white space and control characters (Cc), and format
	// characters (Cf, such as U+200B and U+FEFF). Default true.
	StripSpace bool
	// StripPunct drops punctuation (Unicode category P, so CJK punctuation
	// too: ，。、；：？！“”‘’（）《》【】…—·「」). Symbols (S*) stay. Default true.
	StripPunct bool
	// WordBreaks replaces every run of runes dropped by StripSpace or
	// StripPunct with one ASCII space instead of nothing, never at the start
	// or end of the output; format characters still vanish without a break.
	// Use it for word shingles. Default false.
	WordBreaks bool
	// Masks replaces placeholder runs (XX, *, 20**, ×××, 某某, ○○, …) by one
	// Mask rune; see the package documentation for the rules. Default true.
	Masks bool
	// T2S maps traditional Chinese characters to simplified ones with
	// OpenCC's character table (one character to one character, so
	// ambiguous characters such as 乾 take their first candidate). Default
	// true.
	T2S bool
}

// Default returns the options used for fingerprints: every rule on except
// WordBreaks.
func Default() Options {
	return Options{NFKC: true, Fold: true, StripSpace: true, StripPunct: true, Masks: true, T2S: true}
}

// Normalizer applies one set of Options. It holds lookup tables for the Basic
// Multilingual Plane (about 640 KiB), is immutable after New, and is safe for
// concurrent use.
type Normalizer struct {
	opt  Options
	nfkc *nfkcTables
	t2s  *t2sTables
	// in gives the whole pipeline's result for an input rune on its own.
	in [1 << 16]entry
	// out gives the entry of a rune of NFKC output (class, and the rune
	// after T2S, folding and removal).
	out [1 << 16]entry
	// asciiOut gives ascii's verdict on an ASCII byte: the rune it
	// emits, asciiDrop, asciiDigit, asciiX or asciiStop (its entry is
	// generic or joined to what precedes it); asciiJoins says some ASCII
	// entry is joined to what precedes it (then ascii looks at the entries
	// themselves).
	asciiOut [utf8.RuneSelf]rune
	// asciiChunk is asciiOut for asciiChunks: a digit's verdict is its
	// rune (ascii hands a run of digits at the end of the chunks back).
	asciiChunk [utf8.RuneSelf]rune
	asciiJoins bool
	// cjk3 gives cjk's verdict on a rune decoded from a three-byte
	// sequence: the rune it emits, cjkDrop, or cjkStop (its entry is
	// generic or joined to what precedes it, its output is not a BMP rune
	// above U+0001, or the sequence is overlong or a surrogate). Two bytes
	// a rune instead of n.in's four: the common Chinese characters' verdicts
	// take half the cache lines.
	cjk3 [1 << 16]uint16
	// pool holds *scratch for the slow path; it has no visible state.
	pool sync.Pool
}

// ascii's verdicts on a byte other than the rune it emits.
const (
	asciiDrop = -1
	asciiStop = -2
	// asciiDigit: a digit that is a mask candidate (Masks); a run of them
	// is plain text unless a '*' follows it.
	asciiDigit = -3
	// asciiX: an X or x that is a mask candidate (Masks); one that follows
	// an ASCII letter or digit is plain text.
	asciiX = -4
)

// cjk's verdicts on a three-byte rune other than the rune it emits.
const (
	cjkStop = 0
	cjkDrop = 1
)

// New builds a Normalizer for opt (about 2 ms). The first call in a process
// also builds the shared NFKC and T2S tables (under a millisecond).
func New(opt Options) *Normalizer {
	n := &Normalizer{opt: opt, nfkc: nfkcTable(), t2s: t2sTable()}
	props := bmpProps()
	for c := rune(0); c < 1<<16; c++ {
		n.out[c] = computeEntry(&n.opt, n.t2s, props, c)
	}
	for r := rune(0); r < 1<<16; r++ {
		if !opt.NFKC {
			n.in[r] = n.out[r]
			continue
		}
		ne := n.nfkc.tab[r]
		var e entry
		if ne&nfkcSeq != 0 || ne&runeMask >= 1<<16 {
			e = fGeneric
		} else {
			e = n.out[ne&runeMask]
		}
		if ne&nfkcNoBoundary != 0 {
			e |= fNoBoundary
		}
		n.in[r] = e
	}
	for b := range rune(utf8.RuneSelf) {
		e := n.in[b]
		switch {
		case e&fNoBoundary == 0 && e&fGeneric != 0 && opt.Masks && e.act() == actEmit && e.class() == clsDigit:
			n.asciiOut[b] = asciiDigit
		case e&fNoBoundary == 0 && e&fGeneric != 0 && opt.Masks && e.act() == actEmit && e.class() == clsX:
			n.asciiOut[b] = asciiX
		case e&(fGeneric|fNoBoundary) != 0:
			n.asciiOut[b] = asciiStop
		case e.act() != actEmit:
			n.asciiOut[b] = asciiDrop
		default:
			n.asciiOut[b] = e.out()
		}
		n.asciiJoins = n.asciiJoins || e&fNoBoundary != 0
		n.asciiChunk[b] = n.asciiOut[b]
		if n.asciiOut[b] == asciiDigit {
			n.asciiChunk[b] = e.out()
		}
	}
	for c := rune(0x800); c < 1<<16; c++ {
		e := n.in[c]
		switch {
		case c >= 0xD800 && c <= 0xDFFF, e&(fGeneric|fNoBoundary) != 0:
			// cjkStop
		case e.act() != actEmit:
			n.cjk3[c] = cjkDrop
		case e.out() > cjkDrop && e.out() < 1<<16:
			n.cjk3[c] = uint16(e.out())
		}
	}
	return n
}

// Options returns the options the Normalizer was built with.
func (n *Normalizer) Options() Options { return n.opt }

// String returns the normalised form of text as a string, Mask runes
// included as they are. It is a convenience for tests and tools; hot paths
// should use Append.
func (n *Normalizer) String(text string) string {
	out, _ := n.Append(nil, []byte(text))
	return string(out)
}

// Mask run states.
const (
	runNone   = iota
	runDigits // digits that a following '*' would absorb
	runStar   // a '*' run (already emitted as Mask) with its digits
	runX      // X or x letters
	runMulti  // ×, 某, ○, □
)

// state is the per-call state of the rule machine. Runes of a pending run
// are appended to dst tentatively; a run that turns out to be a mask is cut
// back to start and replaced by one Mask.
type state struct {
	base     int  // len(dst) at the start of the call
	brk      bool // a word break is pending (WordBreaks only)
	prev     int  // ctx of the previous NFKC rune
	run      int  // runNone or the kind of the pending run
	start    int  // where the pending run begins in dst
	count    int  // runes in the pending run
	leftOK   bool // the pending X run's left neighbour is no ASCII letter or digit
	leftCJK  bool // the pending X run's left neighbour is CJK
	masks    int  // Mask runes appended so far
	wordBrks bool // n.opt.WordBreaks
	low      int  // the shortest dst since offsets were last placed (AppendOffsets)
	lowMask  bool // the rune at low is the Mask that replaced a run: it keeps the run's offset
}

// Append appends the normalised runes of text to dst and returns the
// extended slice and the number of Mask runes it appended. Invalid UTF-8
// bytes count as U+FFFD, one per byte. Append does not allocate when dst has
// room for the output (the slow path's scratch space is pooled).
func (n *Normalizer) Append(dst []rune, text []byte) ([]rune, int) {
	dst, _, masks := n.appendOffsets(dst, nil, text, false)
	return dst, masks
}

// AppendOffsets is Append that also appends to offs, for each normalised
// rune it appends to dst, the byte offset in text of the input rune it came
// from: the first rune of a mask's placeholder run, the rune an NFKC
// expansion or a word-break space came from. Offsets never decrease, so the
// original text of a normalised span [a, b) starts at offs[a] and ends
// before offs[b] (or len(text) when b is the end). offs must be as long as
// dst on entry.
func (n *Normalizer) AppendOffsets(dst []rune, offs []int32, text []byte) ([]rune, []int32, int) {
	return n.appendOffsets(dst, offs, text, true)
}

func (n *Normalizer) appendOffsets(dst []rune, offs []int32, text []byte, track bool) ([]rune, []int32, int) {
	s := state{base: len(dst), wordBrks: n.opt.WordBreaks, low: len(dst)}
	var (
		r  rune
		sz int
		e  entry
	)
	if len(text) > 0 {
		r, sz, e = n.decode(text, 0)
	}
	fast := !track && !s.wordBrks
	for i := 0; i < len(text); {
		if sz == 1 && fast && i+1 < len(text) && text[i+1] < utf8.RuneSelf && s.run == runNone {
			// Plain ASCII (English) needs no decoding, no lookahead
			// and no rule state.
			var p int
			if dst, p = n.ascii(dst, text, i); p > i {
				s.prev = n.in[text[p-1]].ctx()
				i = p
				r, sz, e = rune(text[i]), 1, n.in[text[i]]
			}
		}
		if sz == 3 && fast && s.run == runNone && e&(fGeneric|fNoBoundary) == 0 {
			// A run of three-byte runes (CJK) that take the fast path
			// below, without its general lookahead.
			var (
				p    int
				prev int
			)
			if dst, p, prev = n.cjk(dst, text, i, r); p > i {
				s.prev = prev
				i = p
				if i < len(text) {
					r, sz, e = n.decode(text, i)
				}
				continue
			}
		}
		at := i
		j := i + sz
		var (
			r2  rune
			sz2 int
			e2  entry
		)
		if j < len(text) {
			b := text[j]
			switch {
			case b < utf8.RuneSelf:
				r2, sz2, e2 = rune(b), 1, n.in[b]
			case b >= 0xE0 && b < 0xF0 && j+2 < len(text):
				// decode's three-byte case (CJK), inline.
				b1, b2 := text[j+1], text[j+2]
				c := uint16(b&0x0F)<<12 | uint16(b1&0x3F)<<6 | uint16(b2&0x3F)
				if b1&0xC0 == 0x80 && b2&0xC0 == 0x80 && c >= 0x800 && (c < 0xD800 || c > 0xDFFF) {
					r2, sz2, e2 = rune(c), 3, n.in[c]
				} else {
					r2, sz2, e2 = n.decode(text, j)
				}
			default:
				r2, sz2, e2 = n.decode(text, j)
			}
		}
		if (e|e2)&fNoBoundary != 0 {
			// NFKC may join runes across this point: normalise the
			// whole segment, from r to the next rune that starts one.
			k := j
			for k < len(text) {
				_, sz3, e3 := n.decode(text, k)
				if e3&fNoBoundary == 0 {
					break
				}
				k += sz3
			}
			dst = n.segment(&s, dst, text[i:k])
			if track {
				offs = s.place(dst, offs, at)
			}
			i = k
			if i < len(text) {
				r, sz, e = n.decode(text, i)
			}
			continue
		}
		if e&fGeneric == 0 && s.run == runNone {
			switch e.act() {
			case actEmit:
				if s.brk {
					dst = append(dst, ' ')
					s.brk = false
				}
				dst = append(dst, e.out())
			case actBreak:
				if s.wordBrks && len(dst) > s.base {
					s.brk = true
				}
			}
			s.prev = e.ctx()
		} else {
			dst = n.generic(&s, dst, r, text[i:j])
		}
		if track {
			offs = s.place(dst, offs, at)
		}
		i, r, sz, e = j, r2, sz2, e2
	}
	dst = n.finish(&s, dst, clsOther)
	if track {
		offs = s.place(dst, offs, len(text))
	}
	return dst, offs, s.masks
}

// ascii appends the output of the bytes of text from i on that the main
// loop of appendOffsets would take on its fast path as plain ASCII runes:
// while a byte and the next are ASCII, the byte's entry is neither generic
// nor joined to a neighbour by NFKC, and the next byte's is not joined to
// it. It returns dst and where it stopped; the byte there is left to the
// main loop, in the rule state it has on entry (no pending run).
//
// When no ASCII entry is joined to what precedes it, it also takes two
// kinds of mask candidates whose rules cannot make a mask of them: a run
// of digits followed by an ASCII byte other than '*' (only a '*' turns
// digits into a mask), and an X or x that follows an ASCII letter or digit
// (an X run needs a left neighbour that is neither). Their runes are
// emitted as the rule machine would emit them, and the run they would
// have started ends with no mask, as it would at the next rune.
func (n *Normalizer) ascii(dst []rune, text []byte, i int) ([]rune, int) {
	p := i
	if n.asciiJoins {
		for ; p+1 < len(text); p++ {
			b, b2 := text[p], text[p+1]
			if b|b2 >= utf8.RuneSelf {
				break
			}
			e := n.in[b]
			if e&(fGeneric|fNoBoundary) != 0 || n.in[b2]&fNoBoundary != 0 {
				break
			}
			if e.act() == actEmit {
				dst = append(dst, e.out())
			}
		}
		return dst, p
	}
	// No ASCII rune is joined to what precedes it (always so: ASCII runes
	// all start NFKC segments), so only the byte's own verdict counts.
	tab := &n.asciiOut
	for {
		q := p
		dst, p = asciiChunks(&n.asciiChunk, dst, text, p)
		// The chunks take digits as plain runes; a run of them at
		// their end may be one that a '*' makes a mask of, so it is
		// handed back (one rune a digit) to the loop below, which looks
		// at what follows the run.
		for p > q && tab[text[p-1]&(utf8.RuneSelf-1)] == asciiDigit {
			p--
			dst = dst[:len(dst)-1]
		}
		// A byte at a time, to the end of the chunk at least.
		for end := p + 8; p < end; {
			if p+1 >= len(text) {
				return dst, p
			}
			b, b2 := text[p], text[p+1]
			if b|b2 >= utf8.RuneSelf {
				return dst, p
			}
			switch o := tab[b&(utf8.RuneSelf-1)]; o {
			case asciiDrop:
				p++
			case asciiDigit:
				q := p + 1
				for q < len(text) && text[q] < utf8.RuneSelf && tab[text[q]&(utf8.RuneSelf-1)] == asciiDigit {
					q++
				}
				if q >= len(text) || text[q] >= utf8.RuneSelf || tab[text[q]&(utf8.RuneSelf-1)] == asciiStop {
					return dst, p
				}
				for ; p < q; p++ {
					dst = append(dst, n.in[text[p]].out())
				}
			case asciiX:
				if p == i || !ctxAlnum(n.in[text[p-1]].ctx()) {
					return dst, p
				}
				dst = append(dst, n.in[b].out())
				p++
			case asciiStop:
				return dst, p
			default:
				dst = append(dst, o)
				p++
			}
		}
	}
}

// asciiChunks is ascii's loop over plain bytes, eight at a time without a
// branch a byte: it appends the runes of the bytes of text from p on, in
// chunks of eight whose bytes and the byte after them are ASCII and whose
// verdicts in tab are all runes or asciiDrop, and returns dst and where it
// stopped. Every verdict of a chunk is stored and the length advanced past
// runes only. It is a function of its own so that its few variables stay
// in registers.
func asciiChunks(tab *[utf8.RuneSelf]rune, dst []rune, text []byte, p int) ([]rune, int) {
	for p+8 < len(text) {
		w := binary.LittleEndian.Uint64(text[p:])
		if w&0x8080808080808080 != 0 || text[p+8] >= utf8.RuneSelf {
			break
		}
		o0, o1, o2, o3 := tab[w&0x7f], tab[w>>8&0x7f], tab[w>>16&0x7f], tab[w>>24&0x7f]
		o4, o5, o6, o7 := tab[w>>32&0x7f], tab[w>>40&0x7f], tab[w>>48&0x7f], tab[w>>56&0x7f]
		// Negative for any verdict but a rune or asciiDrop.
		if (o0+1)|(o1+1)|(o2+1)|(o3+1)|(o4+1)|(o5+1)|(o6+1)|(o7+1) < 0 {
			break
		}
		if cap(dst)-len(dst) < 8 {
			dst = slices.Grow(dst, 8)
		}
		out := (*[8]rune)(dst[len(dst) : len(dst)+8])
		// A verdict is a rune (kept: 1 added) or asciiDrop (0 added).
		k := 0
		out[0] = o0
		k += int(^uint32(o0) >> 31)
		out[k] = o1
		k += int(^uint32(o1) >> 31)
		out[k] = o2
		k += int(^uint32(o2) >> 31)
		out[k] = o3
		k += int(^uint32(o3) >> 31)
		out[k&7] = o4
		k += int(^uint32(o4) >> 31)
		out[k&7] = o5
		k += int(^uint32(o5) >> 31)
		out[k&7] = o6
		k += int(^uint32(o6) >> 31)
		out[k&7] = o7
		k += int(^uint32(o7) >> 31)
		dst = dst[:len(dst)+k]
		p += 8
	}
	return dst, p
}

// cjk appends the output of the three-byte runes of text from i on that
// the main loop of appendOffsets would take on its fast path: while a rune
// is a valid three-byte sequence whose verdict in n.cjk3 is not cjkStop
// (its entry is neither generic nor joined to a neighbour by NFKC, and
// its output a BMP rune) and the next rune is not joined to it. Single
// ASCII bytes between such runes (a line break or a space between two
// lines of a poem, a digit) that are plain runes, dropped or digits
// (their verdict in n.asciiOut; a digit that no '*' follows is a plain
// rune) are taken too. r is the rune at i. It returns dst, where it
// stopped (i if it took nothing), and the context of the last rune it
// took.
func (n *Normalizer) cjk(dst []rune, text []byte, i int, r rune) ([]rune, int, int) {
	v := n.cjk3[r&0xFFFF]
	if v == cjkStop {
		return dst, i, 0
	}
	p := i
	for {
		dst, p, v = cjkRun(&n.cjk3, dst, text, p, v)
		// cjkRun stops before the rune at p (verdict v) when the next
		// one is not another of its runes, or dst is full: the rune at p
		// is taken here unless the next one may be joined to it.
		q := p + 3
		if q < len(text) && n.entryAt(text, q)&fNoBoundary != 0 {
			break
		}
		if v != cjkDrop {
			dst = append(dst, rune(v))
		}
		p = q
		// An ASCII byte then a rune cjkRun takes, not joined to it (its
		// verdict is not cjkStop).
		if q+3 >= len(text) || text[q] >= utf8.RuneSelf || text[q+1]&0xF0 != 0xE0 {
			break
		}
		o := n.asciiOut[text[q]]
		if o == asciiDigit {
			// A digit that no '*' follows is a plain rune.
			o = n.in[text[q]].out()
		}
		if o < asciiDrop || text[q+2]&0xC0 != 0x80 || text[q+3]&0xC0 != 0x80 {
			break
		}
		c := uint16(text[q+1]&0x0F)<<12 | uint16(text[q+2]&0x3F)<<6 | uint16(text[q+3]&0x3F)
		if v = n.cjk3[c]; v == cjkStop {
			break
		}
		if o != asciiDrop {
			dst = append(dst, o)
		}
		p = q + 1
	}
	if p == i {
		return dst, i, 0
	}
	// The rune before p is an ASCII byte or a valid three-byte sequence.
	if b := text[p-1]; b < utf8.RuneSelf {
		return dst, p, n.in[b].ctx()
	}
	last := uint16(text[p-3]&0x0F)<<12 | uint16(text[p-2]&0x3F)<<6 | uint16(text[p-1]&0x3F)
	return dst, p, n.in[last].ctx()
}

// entryAt is the input entry of the rune at text[i].
func (n *Normalizer) entryAt(text []byte, i int) entry {
	_, _, e := n.decode(text, i)
	return e
}

// cjkRun is cjk's loop: v is the verdict in tab of the rune at p. It
// takes the rune at p while the next one is a valid three-byte sequence
// whose verdict is not cjkStop and dst has room, and returns dst, where
// it stopped and the verdict of the rune there (not taken). A verdict is
// stored whether the rune is emitted or dropped, and the output's length
// advanced past emitted runes only. It is a function of its own so that
// its few variables stay in registers.
func cjkRun(tab *[1 << 16]uint16, dst []rune, text []byte, p int, v uint16) ([]rune, int, uint16) {
	k := len(dst)
	out := dst[:cap(dst)]
	for p+5 < len(text) && k < len(out) {
		next := text[p+3 : p+6]
		w := uint32(next[0]) | uint32(next[1])<<8 | uint32(next[2])<<16
		if w&0xC0C0F0 != 0x8080E0 {
			break
		}
		v2 := tab[uint16(w&0x0F)<<12|uint16(w>>8&0x3F)<<6|uint16(w>>16&0x3F)]
		if v2 == cjkStop {
			break
		}
		out[k] = rune(v)
		// 1 added unless v is cjkDrop.
		k += int((uint32(v^cjkDrop) + 0xFFFF) >> 16)
		p += 3
		v = v2
	}
	return out[:k], p, v
}

// decode reads the rune at text[i] and its input entry. One-, two- and
// three-byte sequences (all of the BMP) are decoded inline; the rest goes
// to utf8.DecodeRune.
func (n *Normalizer) decode(text []byte, i int) (rune, int, entry) {
	b0 := text[i]
	if b0 < utf8.RuneSelf {
		return rune(b0), 1, n.in[b0]
	}
	if b0 >= 0xE0 && b0 < 0xF0 && i+2 < len(text) {
		b1, b2 := text[i+1], text[i+2]
		if b1&0xC0 == 0x80 && b2&0xC0 == 0x80 {
			r := uint16(b0&0x0F)<<12 | uint16(b1&0x3F)<<6 | uint16(b2&0x3F)
			if r >= 0x800 && (r < 0xD800 || r > 0xDFFF) {
				return rune(r), 3, n.in[r]
			}
		}
	} else if b0 >= 0xC2 && b0 < 0xE0 && i+1 < len(text) {
		if b1 := text[i+1]; b1&0xC0 == 0x80 {
			r := uint16(b0&0x1F)<<6 | uint16(b1&0x3F)
			return rune(r), 2, n.in[r]
		}
	}
	return n.decodeSlow(text[i:])
}

func (n *Normalizer) decodeSlow(text []byte) (rune, int, entry) {
	r, sz := utf8.DecodeRune(text)
	if r < 1<<16 {
		return r, sz, n.in[r]
	}
	e := fGeneric
	if n.opt.NFKC && !startsSegment(norm.NFKC.Properties(text)) {
		e |= fNoBoundary
	}
	return r, sz, e
}

// generic handles rune r (encoded as b, or an invalid byte when r is
// U+FFFD) that forms a normalisation segment on its own but cannot take the
// fast path.
func (n *Normalizer) generic(s *state, dst []rune, r rune, b []byte) []rune {
	switch {
	case !n.opt.NFKC:
		return n.step(s, dst, r)
	case r < 1<<16:
		ne := n.nfkc.tab[r]
		if ne&nfkcSeq == 0 {
			return n.step(s, dst, rune(ne&runeMask))
		}
		off, ln := int(ne&(1<<20-1)), int(ne>>20)&(1<<10-1)
		for _, c := range n.nfkc.seq[off : off+ln] {
			dst = n.step(s, dst, c)
		}
		return dst
	}
	if norm.NFKC.Properties(b).BoundaryAfter() { // inert: NFKC leaves it alone
		return n.step(s, dst, r)
	}
	return n.segment(s, dst, b)
}

// scratch is the working space of the slow path. x/text's normalisers keep
// their reorder buffer on the heap, so scratch values are pooled to keep
// Append free of allocations.
type scratch struct {
	it  norm.Iter
	src []byte
}

// segment normalises one NFKC segment with x/text and runs the rules over
// the result.
func (n *Normalizer) segment(s *state, dst []rune, seg []byte) []rune {
	if !n.opt.NFKC {
		for len(seg) > 0 {
			c, sz := utf8.DecodeRune(seg)
			dst = n.step(s, dst, c)
			seg = seg[sz:]
		}
		return dst
	}
	sc, _ := n.pool.Get().(*scratch)
	if sc == nil {
		sc = new(scratch)
	}
	src := seg
	if !utf8.Valid(seg) { // invalid bytes become U+FFFD, as in the fast path
		sc.src = sc.src[:0]
		for len(seg) > 0 {
			r, sz := utf8.DecodeRune(seg)
			sc.src = utf8.AppendRune(sc.src, r)
			seg = seg[sz:]
		}
		src = sc.src
	}
	sc.it.Init(norm.NFKC, src)
	for !sc.it.Done() {
		res := sc.it.Next()
		for len(res) > 0 {
			c, sz := utf8.DecodeRune(res)
			dst = n.step(s, dst, c)
			res = res[sz:]
		}
	}
	sc.it.Init(norm.NFKC, nil) // do not keep the caller's text alive
	if cap(sc.src) > 1<<10 {
		sc.src = nil
	}
	n.pool.Put(sc)
	return dst
}

// entryOf gives the output entry of NFKC rune c.
func (n *Normalizer) entryOf(c rune) entry {
	if c < 1<<16 {
		return n.out[c]
	}
	return computeEntry(&n.opt, n.t2s, nil, c)
}

// step feeds one NFKC rune through the mask rules, T2S, folding and removal.
func (n *Normalizer) step(s *state, dst []rune, c rune) []rune {
	e := n.entryOf(c)
	cls, ctx := e.class(), e.ctx()
	if cls == clsMaskIn {
		return dst
	}
	switch s.run {
	case runDigits:
		switch cls {
		case clsDigit:
			s.prev = ctx
			return append(dst, e.out())
		case clsStar:
			s.prev = ctx
			s.run = runStar
			return s.mask(dst[:s.start])
		}
	case runStar:
		if cls == clsDigit || cls == clsStar {
			s.prev = ctx
			return dst
		}
	case runX:
		if cls == clsX {
			s.prev = ctx
			s.count++
			return append(dst, e.out())
		}
	case runMulti:
		if cls == clsMulti {
			s.prev = ctx
			s.count++
			return append(dst, e.out())
		}
	}
	dst = n.finish(s, dst, ctx)
	if n.opt.Masks {
		switch cls {
		case clsStar:
			s.prev = ctx
			s.run = runStar
			return s.mask(dst)
		case clsDigit, clsX, clsMulti:
			// Candidate runes are never removed (tested), so the run
			// starts right after any pending break.
			s.leftOK = !ctxAlnum(s.prev)
			s.leftCJK = s.prev&ctxCJK != 0
			s.prev = ctx
			s.run = runDigits
			if cls == clsX {
				s.run = runX
			} else if cls == clsMulti {
				s.run = runMulti
			}
			s.count = 1
			dst = s.flush(dst)
			s.start = len(dst)
			return append(dst, e.out())
		}
	}
	s.prev = ctx
	switch e.act() {
	case actEmit:
		dst = s.flush(dst)
		dst = append(dst, e.out())
	case actBreak:
		if s.wordBrks && len(dst) > s.base {
			s.brk = true
		}
	}
	return dst
}

// finish ends the pending run, whose right neighbour has context right.
func (n *Normalizer) finish(s *state, dst []rune, right int) []rune {
	run := s.run
	s.run = runNone
	switch run {
	case runX:
		if s.leftOK && !ctxAlnum(right) && (s.count >= 2 || s.leftCJK || right&ctxCJK != 0) {
			return s.mask(dst[:s.start])
		}
	case runMulti:
		if s.count >= 2 {
			return s.mask(dst[:s.start])
		}
	}
	return dst
}

// place gives the runes appended to dst since the last call, while reading
// the input at byte at, that offset in offs; a Mask that replaced a run
// (s.low, s.lowMask) keeps the run's.
func (s *state) place(dst []rune, offs []int32, at int) []int32 {
	keep := s.low
	if s.lowMask {
		keep++
	}
	offs = offs[:min(len(offs), keep)]
	for len(offs) < len(dst) {
		offs = append(offs, int32(at))
	}
	s.low, s.lowMask = len(dst), false
	return offs
}

// flush writes a pending word break.
func (s *state) flush(dst []rune) []rune {
	if s.brk {
		s.brk = false
		dst = append(dst, ' ')
	}
	return dst
}

// mask appends a Mask unless the previous output rune already is one.
func (s *state) mask(dst []rune) []rune {
	if len(dst) < s.low {
		s.low, s.lowMask = len(dst), false
	}
	dst = s.flush(dst)
	if len(dst) > s.base && dst[len(dst)-1] == Mask {
		return dst
	}
	if len(dst) == s.low {
		s.lowMask = true
	}
	s.masks++
	return append(dst, Mask)
}
