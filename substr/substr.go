// Package substr finds repeated substrings in a corpus of normalised texts,
// as exact-substring deduplication needs (Lee et al. 2022, "Deduplicating
// Training Data Makes Language Models Better"): every span of at least
// MinSpan characters that occurs more than once.
//
// The corpus is one []int32 of characters (normalised runes), documents end
// to end, with their boundaries; no span crosses a boundary. A suffix array
// (SA-IS, linear time, 4 bytes per character) sorts every suffix; suffixes
// whose first MinSpan characters are equal are adjacent in it, so one scan
// finds each window of MinSpan characters that repeats, and which occurrence
// comes first in corpus order. A character is removed when a repeated window
// covers it: with KeepFirst, a window that occurred earlier; otherwise every
// occurrence of a repeated window. The spans returned are the unions of the
// removed windows, per document.
//
// Why a suffix array over the characters, not hashes of windows: it is exact
// (no collision can remove text) and its memory is fixed in advance (8 bytes
// per character with the text), which is what a --memory budget needs.
// The standard library's index/suffixarray sorts bytes and hides the array;
// its SA-IS over int32 is copied in internal/sais (see THIRD_PARTY.md).
package substr

import (
	"fmt"
	"slices"

	"github.com/quchong/quchong/substr/internal/sais"
)

// Options configure a Finder.
type Options struct {
	// MinSpan is the shortest repeated span, in characters, that is
	// removed. Lee et al. use 50 tokens; 50 characters of Chinese is about
	// two sentences.
	MinSpan int
	// KeepFirst keeps each repeated span's first occurrence, in corpus
	// order, and removes the later ones; false removes every occurrence.
	KeepFirst bool
}

// Span is a removed span of one document, in characters from the start of
// the document's normalised text: [Start, End). Count is how many times the
// span's first MinSpan characters occur in the corpus.
type Span struct {
	Doc        int
	Start, End int
	Count      int
}

// BytesPerChar is the memory Find needs per character of the corpus, with
// its caller's array grown by appending: the text (4 bytes, and up to a
// quarter more of unused capacity), its suffix array (4), SA-IS's scratch
// space in its recursion (up to 2) and two bits.
const BytesPerChar = 12

// Find returns the removed spans of the corpus text, whose documents are
// text[bounds[d]:bounds[d+1]], in document and position order. It
// rewrites text in place (characters become dense ranks); the caller must
// not use it afterwards. len(text) must be below 2³¹.
func Find(text []int32, bounds []int32, opt Options) ([]Span, error) {
	L := opt.MinSpan
	if err := check(text, bounds, L); err != nil {
		return nil, err
	}
	n := len(text)
	if n < L {
		return nil, nil
	}
	sa := sortSuffixes(text)
	valid := validWindows(bounds, L, n)
	isValid := func(p int32) bool { return valid[p>>6]&(1<<(p&63)) != 0 }
	marked := make([]uint64, (n+63)/64)
	groups(text, sa, L, isValid, nil, func(members []int32) {
		markWithin(marked, members, opt.KeepFirst)
	})
	return extract(marked, bounds, L, 0, func(p int32) int { return occurrences(text, sa, p, L, isValid) }), nil
}

// counter counts, for FindParts, the occurrences in the corpus of the first
// window of each removed span, a part at a time, reading the parts' texts
// as a stream through their views (a part not held in memory is not loaded
// whole: it would come on top of the held ones). It keeps each span's
// window hash and where the window is, and an open-addressing table of the
// spans by hash: 16 bytes a span and 8 to 16 of table, not the window's 4L
// bytes (a corpus can have a million removed spans); every hash hit is
// verified character by character against the window read back from its
// part, so counts are exact.
type counter struct {
	L      int
	pow    uint64   // rollBase^(L-1)
	hashes []uint64 // each span's first window's hash
	at     []loc    // each span's first window
	table  []int32  // span index + 1 at slot (hash × fibMul) >> shift, probing on; 0: empty
	shift  uint
	views  []View  // the parts' texts, where the windows are read back
	w      []int32 // a window read back
	buf    []int32 // a chunk of a part's text read from its view
	chunk  int     // window starts read at a time (scanChunk)
}

// rollBase is the multiplier of the rolling hash (an odd 64-bit constant;
// arithmetic modulo 2⁶⁴).
const rollBase = 0x9E3779B97F4A7C15

// fibMul spreads a rolling hash over the table's slots by its product's
// high bits (the rolling hash's low bits depend on few of the characters'
// bits).
const fibMul = 0xD6E8FEB86659FD93

// scanChunk is how many window starts scan reads from a view at a time.
const scanChunk = 64 << 10

// newCounter returns a counter for n spans, whose windows are registered
// with want, in order, before the first scan.
func newCounter(L, n int, views []View) *counter {
	pow := uint64(1)
	for range L - 1 {
		pow *= rollBase
	}
	return &counter{L: L, pow: pow, hashes: make([]uint64, 0, n), at: make([]loc, 0, n), views: views, w: make([]int32, L), chunk: scanChunk}
}

func (c *counter) hash(w []int32) uint64 {
	h := uint64(0)
	for _, x := range w {
		h = h*rollBase + uint64(uint32(x))
	}
	return h
}

// want registers the next span, whose first window is w, at position at.
func (c *counter) want(w []int32, at loc) {
	c.hashes = append(c.hashes, c.hash(w))
	c.at = append(c.at, at)
}

// index builds the table of the registered spans: at least twice as many
// slots as spans, so that a probe for a window no span has (most of them)
// ends after about one and a half slots.
func (c *counter) index() {
	bits := uint(3)
	for 1<<bits < 2*len(c.hashes) {
		bits++
	}
	c.shift = 64 - bits
	c.table = make([]int32, 1<<bits)
	mask := uint64(len(c.table) - 1)
	for s, h := range c.hashes {
		i := (h * fibMul) >> c.shift
		for c.table[i] != 0 {
			i = (i + 1) & mask
		}
		c.table[i] = int32(s + 1)
	}
}

// scan adds to the spans' Count the windows of one part (documents
// [bounds[d], bounds[d+1]) of view v) equal to their first windows.
func (c *counter) scan(v View, bounds []int32, spans []Span) error {
	if c.table == nil {
		c.index()
	}
	L := c.L
	held := v.Chars()
	mask := uint64(len(c.table) - 1)
	for d := 0; d+1 < len(bounds); d++ {
		lo, hi := int(bounds[d]), int(bounds[d+1])
		// The windows starting in [start, start+c.chunk), a chunk at a
		// time, each read with the L-1 characters after it.
		for start := lo; start+L <= hi; start += c.chunk {
			end := min(start+c.chunk+L-1, hi)
			var text []int32
			if end <= len(held) {
				text = held[start:end]
			} else {
				if cap(c.buf) < end-start {
					c.buf = make([]int32, c.chunk+L-1)
				}
				text = c.buf[:end-start]
				if err := v.ReadAt(text, start); err != nil {
					return err
				}
			}
			h := c.hash(text[:L])
			for p := 0; ; p++ {
				for i := (h * fibMul) >> c.shift; c.table[i] != 0; i = (i + 1) & mask {
					s := c.table[i] - 1
					if c.hashes[s] != h {
						continue
					}
					at := c.at[s]
					if err := c.views[at.part].ReadAt(c.w, int(at.pos)); err != nil {
						return err
					}
					if slices.Equal(c.w, text[p:p+L]) {
						spans[s].Count++
					}
				}
				if p+L >= len(text) {
					break
				}
				h = (h-uint64(uint32(text[p]))*c.pow)*rollBase + uint64(uint32(text[p+L]))
			}
		}
	}
	return nil
}

// check validates a corpus's bounds.
func check(text, bounds []int32, L int) error {
	if L < 1 {
		return fmt.Errorf("substr: MinSpan %d, want at least 1", L)
	}
	if len(bounds) == 0 || bounds[0] != 0 || int(bounds[len(bounds)-1]) != len(text) {
		return fmt.Errorf("substr: bounds do not cover the text")
	}
	return nil
}

// sortSuffixes ranks text in place and returns its suffix array.
func sortSuffixes(text []int32) []int32 {
	textMax := rank(text)
	sa := make([]int32, len(text))
	sais.Sort(text, textMax, sa, nil)
	return sa
}

// validWindows returns the bits of the positions whose window of L
// characters lies inside one document.
func validWindows(bounds []int32, L, n int) []uint64 {
	valid := make([]uint64, (n+63)/64)
	for d := 0; d+1 < len(bounds); d++ {
		for p := int(bounds[d]); p+L <= int(bounds[d+1]); p++ {
			valid[p>>6] |= 1 << (p & 63)
		}
	}
	return valid
}

// groups calls each with the valid members of every run of suffixes whose
// first L characters are equal (a window and all its occurrences), when
// there are two or more. members is reused between calls.
func groups(text, sa []int32, L int, isValid func(int32) bool, members []int32, each func(members []int32)) {
	n := len(sa)
	for k := 0; k < n; {
		j := k + 1
		for j < n && sameWindow(text, sa[j-1], sa[j], L) {
			j++
		}
		if j-k > 1 {
			members = members[:0]
			for _, p := range sa[k:j] {
				if isValid(p) {
					members = append(members, p)
				}
			}
			if len(members) > 1 {
				each(members)
			}
		}
		k = j
	}
}

// markWithin marks the occurrences of one window that are removed when all
// of them lie in one text: all but the first, or all.
func markWithin(marked []uint64, members []int32, keepFirst bool) {
	first := slices.Min(members)
	for _, p := range members {
		if !(keepFirst && p == first) {
			marked[p>>6] |= 1 << (p & 63)
		}
	}
}

// extract returns the unions of the marked windows, document by document,
// numbering documents from base; count gives a span's Count (nil: 0).
func extract(marked []uint64, bounds []int32, L, base int, count func(p int32) int) []Span {
	var spans []Span
	add := func(d, lo, start, end int) {
		c := 0
		if count != nil {
			c = count(int32(start))
		}
		spans = append(spans, Span{Doc: base + d, Start: start - lo, End: end - lo, Count: c})
	}
	for d := 0; d+1 < len(bounds); d++ {
		lo, hi := int(bounds[d]), int(bounds[d+1])
		cur := -1 // the open span's start, or -1
		end := 0  // where the open span ends
		for p := lo; p+L <= hi; p++ {
			if marked[p>>6]&(1<<(p&63)) == 0 {
				continue
			}
			if cur >= 0 && p <= end {
				end = p + L
				continue
			}
			if cur >= 0 {
				add(d, lo, cur, end)
			}
			cur, end = p, p+L
		}
		if cur >= 0 {
			add(d, lo, cur, end)
		}
	}
	return spans
}

// rank replaces each character by its rank among the distinct characters of
// text and returns how many there are, so that SA-IS's buckets are few.
func rank(text []int32) int {
	maxc := int32(0)
	for _, c := range text {
		maxc = max(maxc, c)
	}
	ids := make([]int32, int(maxc)+1)
	for _, c := range text {
		ids[c] = 1
	}
	next := int32(0)
	for c, seen := range ids {
		if seen != 0 {
			ids[c] = next
			next++
		}
	}
	for k, c := range text {
		text[k] = ids[c]
	}
	return int(next)
}

// sameWindow reports whether the L characters at a and at b are equal (both
// present).
func sameWindow(text []int32, a, b int32, L int) bool {
	n := int32(len(text))
	if a+int32(L) > n || b+int32(L) > n {
		return false
	}
	return slices.Equal(text[a:a+int32(L)], text[b:b+int32(L)])
}

// occurrences counts the valid windows equal to the one at p, finding their
// run in the suffix array by binary search.
func occurrences(text, sa []int32, p int32, L int, isValid func(int32) bool) int {
	w := text[p : p+int32(L)]
	prefix := func(q int32) []int32 { return text[q:min(int(q)+L, len(text))] }
	lo, _ := slices.BinarySearchFunc(sa, w, func(q int32, w []int32) int { return slices.Compare(prefix(q), w) })
	count := 0
	for k := lo; k < len(sa) && slices.Equal(prefix(sa[k]), w); k++ {
		if isValid(sa[k]) {
			count++
		}
	}
	return count
}
