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

// BytesPerChar is the memory Find needs per character of the corpus: the
// text and its suffix array (4 bytes each), and two bits per character.
const BytesPerChar = 8.25

// Find returns the removed spans of the corpus text, whose documents are
// text[bounds[d]:bounds[d+1]], in document and position order. It
// rewrites text in place (characters become dense ranks); the caller must
// not use it afterwards. len(text) must be below 2³¹.
func Find(text []int32, bounds []int32, opt Options) ([]Span, error) {
	L := opt.MinSpan
	if L < 1 {
		return nil, fmt.Errorf("substr: MinSpan %d, want at least 1", L)
	}
	if len(bounds) == 0 || bounds[0] != 0 || int(bounds[len(bounds)-1]) != len(text) {
		return nil, fmt.Errorf("substr: bounds do not cover the text")
	}
	n := len(text)
	if n < L {
		return nil, nil
	}
	textMax := rank(text)
	sa := make([]int32, n)
	sais.Sort(text, textMax, sa, nil)

	// valid: the window at p lies inside one document.
	valid := make([]uint64, (n+63)/64)
	for d := 0; d+1 < len(bounds); d++ {
		for p := int(bounds[d]); p+L <= int(bounds[d+1]); p++ {
			valid[p>>6] |= 1 << (p & 63)
		}
	}
	isValid := func(p int32) bool { return valid[p>>6]&(1<<(p&63)) != 0 }
	marked := make([]uint64, (n+63)/64)
	mark := func(p int32) { marked[p>>6] |= 1 << (p & 63) }

	// Scan runs of suffixes with equal first L characters.
	for k := 0; k < n; {
		j := k + 1
		for j < n && sameWindow(text, sa[j-1], sa[j], L) {
			j++
		}
		if j-k > 1 {
			first, count := int32(-1), 0
			for _, p := range sa[k:j] {
				if isValid(p) {
					count++
					if first < 0 || p < first {
						first = p
					}
				}
			}
			if count > 1 {
				for _, p := range sa[k:j] {
					if isValid(p) && !(opt.KeepFirst && p == first) {
						mark(p)
					}
				}
			}
		}
		k = j
	}

	// The union of the marked windows, document by document.
	var spans []Span
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
				spans = append(spans, Span{Doc: d, Start: cur - lo, End: end - lo, Count: occurrences(text, sa, int32(cur), L, isValid)})
			}
			cur, end = p, p+L
		}
		if cur >= 0 {
			spans = append(spans, Span{Doc: d, Start: cur - lo, End: end - lo, Count: occurrences(text, sa, int32(cur), L, isValid)})
		}
	}
	return spans, nil
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
