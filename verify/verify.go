// Package verify computes the true similarity of a candidate pair of
// normalised texts, the check that decides whether two documents that LSH
// put together really are near duplicates.
//
// The measure is the Jaccard similarity of the two texts' shingle sets, made
// mask-aware: a placeholder mask (normalize.Mask, standing for "XX", "*",
// "某某" and the like) may stand for any short span of the other text. Before
// shingling, each mask in one text is filled with the span of the other text
// that sits between the same left and right context, when that span is at
// most Options.MaxFill characters long. A report and its re-anonymised copy
// then score as the same document, while two texts without masks score
// exactly their shingle Jaccard similarity.
package verify

import (
	"bytes"
	"slices"
	"unsafe"

	"github.com/quchong/quchong/radix"
	"github.com/quchong/quchong/shingle"
)

// Mask is the placeholder rune of normalised text (normalize.Mask).
const Mask = shingle.Mask

// Options configures the similarity.
type Options struct {
	// Shingle must be the shingling used for the signatures.
	Shingle shingle.Options
	// MaxFill is the longest span, in runes, that one mask may stand for.
	// 0 means 24: enough for a company or a person's full name.
	MaxFill int
	// Context is the number of runes on each side of a mask that must match
	// the other text for the mask to be filled. 0 means 4.
	Context int
}

func (o Options) maxFill() int {
	if o.MaxFill <= 0 {
		return 24
	}
	return o.MaxFill
}

func (o Options) context() int {
	if o.Context <= 0 {
		return 4
	}
	return o.Context
}

// Scratch holds reusable buffers. A Scratch must not be used by two
// goroutines at once; the zero value is ready to use.
type Scratch struct {
	ha, hb []uint64
	fa, fb []rune
	// The window indexes of the last two texts masks were filled from,
	// idx[last] the newer: SimilarityPrepared compares one text with
	// many, and the index of a prepared text (whose runes never change)
	// is built once for consecutive pairs that fill from it.
	idx   [2]windowIndex
	last  int
	spans [][2]int
	// The tables of the prepared sets last compared, and the one that
	// deduplicates a text's windows as it is prepared.
	sets  tables
	dedup table
	// The windows around each text's fills, and what counting the
	// intersection of the sets they extend needs.
	extra, extraB []uint64
	ext           extScratch
	ends          []int    // fill's candidate ends of a left context
	runs          []int32  // mask runs of a text prepared or filled
	win           []uint64 // a text's windows, as it is prepared
	tmp           []uint64 // sort scratch
	// keep is the most elements a buffer keeps from call to call
	// (0: keepElems); a test lowers it.
	keep int
}

// keepElems is the most elements (runes, hashes, slots) one of a Scratch's
// buffers keeps after a call: a huge text's buffers are let go rather than
// held by a goroutine for the rest of the run. The tables of prepared sets
// are bounded by hashFrom already.
const keepElems = 1 << 20

// shrink drops the buffers a huge text grew past s.keep elements.
func (s *Scratch) shrink() {
	n := s.keep
	if n <= 0 {
		n = keepElems
	}
	for _, b := range [...]*[]uint64{&s.ha, &s.hb, &s.extra, &s.extraB, &s.win, &s.tmp, &s.ext.plus, &s.ext.extra} {
		if cap(*b) > n {
			*b = nil
		}
	}
	for _, b := range [...]*[]rune{&s.fa, &s.fb} {
		if cap(*b) > n {
			*b = nil
		}
	}
	if cap(s.spans) > n {
		s.spans = nil
	}
	if cap(s.ends) > n {
		s.ends = nil
	}
	if cap(s.runs) > n {
		s.runs = nil
	}
	for k := range s.idx {
		if ix := &s.idx[k]; cap(ix.next) > n || cap(ix.head) > n {
			*ix = windowIndex{}
		}
	}
	for _, t := range [...]*table{&s.dedup, &s.ext.dedup, &s.ext.flags.table} {
		if cap(t.slots) > n {
			*t = table{}
		}
	}
	if cap(s.ext.flags.flags) > n {
		s.ext.flags = flagTable{}
	}
	for k := range s.sets.tab {
		if t := &s.sets.tab[k]; cap(t.slots) > n {
			*t = table{}
		}
	}
}

// windowIndex indexes the c-rune windows of a text by their keys
// (windowKey): head[b] is one more than the last window position in
// bucket b, next[p] one more than the position before p in its bucket (0
// ends both).
type windowIndex struct {
	head  []int32
	next  []int32
	shift uint
	// of is the prepared text indexed, when the index may be reused for
	// it (nil otherwise), and c the window length.
	of []rune
	c  int
}

// Similarity returns the mask-aware shingle Jaccard similarity of two
// normalised texts, in [0, 1]. s may be nil.
func Similarity(a, b []rune, opt Options, s *Scratch) float64 {
	if s == nil {
		s = new(Scratch)
	}
	if slices.Contains(a, Mask) || slices.Contains(b, Mask) {
		s.fa = Fill(s.fa[:0], a, b, opt, s)
		s.fb = Fill(s.fb[:0], b, a, opt, s)
		a, b = s.fa, s.fb
	}
	sim := jaccard(a, b, opt.Shingle, s)
	s.shrink()
	return sim
}

// Jaccard returns the plain shingle Jaccard similarity of two normalised
// texts (masks are not filled; shingles that contain one are ignored).
func Jaccard(a, b []rune, opt Options) float64 {
	return jaccard(a, b, opt.Shingle, new(Scratch))
}

func jaccard(a, b []rune, opt shingle.Options, s *Scratch) float64 {
	s.ha = sortUnique(shingle.Hashes(s.ha[:0], a, opt), &s.tmp)
	s.hb = sortUnique(shingle.Hashes(s.hb[:0], b, opt), &s.tmp)
	return setJaccard(mergeCount(s.ha, s.hb), len(s.ha), len(s.hb), a, b)
}

// Prepared is a normalised text made ready to be compared with many others:
// its runes and the set of its shingle hashes, so that each comparison
// counts the shingles two sets share instead of hashing both texts again.
type Prepared struct {
	Runes []rune
	// set is the set of the text's shingle hashes (shingle.Hashes, masked
	// windows left out).
	set   shingleSet
	plain bool // no mask
	// masks holds the start and end of each run of masks, in turn (nil
	// without masks): fill reads them instead of looking for the masks in
	// every comparison.
	masks []int32
	// windows says set holds real windows (not the whole-text shingle of a
	// text too short for one) of character shingles: then the set of the
	// text with its masks filled is set plus the windows around the fills.
	windows bool
}

// Prepare readies a normalised text for SimilarityPrepared.
func Prepare(a []rune, opt Options) Prepared { return PrepareWith(a, opt, nil) }

// PrepareWith is Prepare with s's buffers (nil: new ones) for the text's
// windows, the table that deduplicates them and the sort scratch, so that
// preparing many texts does not allocate and clear them for each.
func PrepareWith(a []rune, opt Options, s *Scratch) Prepared {
	return prepare(a, opt, s, hashFrom)
}

// prepare is PrepareWith: the windows of a text of fewer than hashFrom
// windows are deduplicated in a hash table, those of a longer one sorted.
func prepare(a []rune, opt Options, s *Scratch, hashFrom int) Prepared {
	if s == nil {
		s = new(Scratch)
	}
	p := Prepared{Runes: a}
	if s.runs = appendMaskRuns(s.runs[:0], a); len(s.runs) > 0 {
		p.masks = slices.Clone(s.runs)
	}
	p.plain = p.masks == nil
	// The windows go to scratch; the set keeps a copy of the distinct ones
	// only (not cleared first, and about a third smaller).
	w := shingle.Windows(slices.Grow(s.win[:0], len(a)), a, opt.Shingle)
	s.win = w
	var keys []uint64
	switch {
	case len(w) == 0:
		s.win = shingle.Hashes(w, a, opt.Shingle)
		keys = sortUnique(s.win, &s.tmp)
		p.set.sorted = true
	case len(w) < hashFrom:
		keys = s.dedup.dedupe(w)
	default:
		keys = sortUnique(w, &s.tmp)
		p.set.sorted = true
	}
	p.set.keys = append([]uint64(nil), keys...)
	if !p.set.sorted {
		// The table that deduplicated the windows holds the set: it
		// becomes the set's table for the comparisons that follow (a text
		// read back is compared at once), in place of the older one.
		s.sets.adopt(&s.dedup, p.set.keys)
	}
	p.windows = len(w) > 0 && opt.Shingle.Mode == shingle.Chars
	s.shrink()
	return p
}

// SimilarityPrepared is Similarity of two prepared texts, with the same
// result.
func SimilarityPrepared(a, b Prepared, opt Options, s *Scratch) float64 {
	if s == nil {
		s = new(Scratch)
	}
	switch {
	case a.plain && b.plain:
		sim := setJaccard(s.sets.intersection(&a.set, &b.set), len(a.set.keys), len(b.set.keys), a.Runes, b.Runes)
		s.shrink()
		return sim
	case !a.windows || !b.windows:
		return Similarity(a.Runes, b.Runes, opt, s)
	}
	// Fill as Similarity does, then extend each prepared set with the
	// windows that overlap a fill, instead of hashing the filled texts
	// whole. A text without masks is its own filled text.
	fa, fb := a.Runes, b.Runes
	var ea, eb []uint64
	if !a.plain {
		s.spans = s.spans[:0]
		s.fa = fill(s.fa[:0], a.Runes, b.Runes, opt, s, &s.spans, true, a.masks)
		fa = s.fa
		s.extra = fillWindows(s.extra[:0], fa, s.spans, opt.Shingle)
		ea = s.extra
	}
	if !b.plain {
		s.spans = s.spans[:0]
		s.fb = fill(s.fb[:0], b.Runes, a.Runes, opt, s, &s.spans, true, b.masks)
		fb = s.fb
		s.extraB = fillWindows(s.extraB[:0], fb, s.spans, opt.Shingle)
		eb = s.extraB
	}
	inter, na, nb := s.sets.extendedCounts(&a.set, ea, &b.set, eb, &s.ext)
	sim := setJaccard(inter, na, nb, fa, fb)
	s.shrink()
	return sim
}

// fillWindows appends to dst the hashes of the windows of filled that
// overlap the spans: with the windows of the text before filling, the
// windows of the filled text.
func fillWindows(dst []uint64, filled []rune, spans [][2]int, opt shingle.Options) []uint64 {
	n := opt.N
	if n < 1 {
		n = shingle.DefaultN
	}
	for _, sp := range spans {
		lo, hi := max(0, sp[0]-n+1), min(len(filled), sp[1]+n-1)
		dst = shingle.Windows(dst, filled[lo:hi], opt)
	}
	return dst
}

// setJaccard is the Jaccard similarity of two sets of shingle hashes, of
// nx and ny hashes with inter in common, of the texts a and b; two texts
// without shingles are similar (1) only when they are equal.
func setJaccard(inter, nx, ny int, a, b []rune) float64 {
	if nx == 0 && ny == 0 {
		if slices.Equal(a, b) {
			return 1
		}
		return 0
	}
	return float64(inter) / float64(nx+ny-inter)
}

// radixFrom is the size from which sortUnique sorts with six radix passes:
// below it one pass on the top bits and insertion sorts are faster (radix
// BenchmarkSortSet).
const radixFrom = 1 << 16

// sortUnique sorts h and drops repeats, in place. tmp holds the sort's
// scratch from call to call (nil: a new one each time).
func sortUnique(h []uint64, tmp *[]uint64) []uint64 {
	var t []uint64
	if tmp != nil && cap(*tmp) >= len(h) {
		t = (*tmp)[:len(h)]
	} else {
		t = make([]uint64, len(h))
		if tmp != nil {
			*tmp = t
		}
	}
	if len(h) >= radixFrom {
		radix.Sort(h, t)
	} else {
		radix.SortTop(h, t)
	}
	return slices.Compact(h)
}

// Fill appends to dst the text x with each run of masks replaced by the span
// of other that lies between the same context, when one is found and is at
// most MaxFill runes long; masks with no such span are kept. When the context
// occurs several times in other, the occurrence nearest to the mask's relative
// position is used. s may be nil.
func Fill(dst, x, other []rune, opt Options, s *Scratch) []rune {
	if s == nil {
		s = new(Scratch)
	}
	s.runs = appendMaskRuns(s.runs[:0], x)
	return fill(dst, x, other, opt, s, nil, false, s.runs)
}

// fill is Fill; when spans is not nil it also records where in dst each
// filled span went, [start, end). prepared says other is a prepared text,
// whose runes never change, so that its window index may be reused. runs
// holds the start and end of each run of masks in x, in turn
// (appendMaskRuns).
func fill(dst, x, other []rune, opt Options, s *Scratch, spans *[][2]int, prepared bool, runs []int32) []rune {
	c, maxFill := opt.context(), opt.maxFill()
	var ix *windowIndex
	// linear says the contexts are looked for by scanning other, not in
	// its window index: for a few mask runs, cheaper than building the
	// index. Both find the same occurrences, in the same order.
	linear := false
	prevEnd := 0 // end of the previous mask run: contexts never cross a mask
	if len(runs) == 0 {
		return append(dst, x...)
	}
	dst = append(dst, x[:runs[0]]...)
	for r := 0; r < len(runs); r += 2 {
		i, j := int(runs[r]), int(runs[r+1]) // x[i:j] is a run of masks
		nextMask := len(x)
		if r+2 < len(runs) {
			nextMask = int(runs[r+2])
		}
		left := x[max(prevEnd, i-c):i]
		right := x[j:min(nextMask, j+c)]
		if ix == nil && !linear {
			if ix = s.cached(other, c, prepared); ix == nil {
				if linear = len(runs)/2 <= linearRuns; !linear {
					ix = s.index(other, c, prepared)
				}
			}
		}
		var span []rune
		ok := false
		if len(left) > 0 || len(right) > 0 { // else no context to place a span by
			var ends []int
			if linear {
				ends = occurrences(s.ends[:0], other, left)
			} else {
				ends = ix.occurrences(s.ends[:0], other, left, c)
			}
			span, ok = nearestSpan(ends, other, right, maxFill, float64(i)/float64(len(x)))
			s.ends = ends[:0]
		}
		if ok {
			if spans != nil { // empty spans too: windows across the join are new
				*spans = append(*spans, [2]int{len(dst), len(dst) + len(span)})
			}
			dst = append(dst, span...)
		} else {
			dst = append(dst, x[i:j]...)
		}
		dst = append(dst, x[j:nextMask]...)
		prevEnd = j
	}
	return dst
}

// windowKey is the key of a window of runes: the low 16 bits of each of
// its last four runes, packed. Equal windows have equal keys, and windows
// of up to four runes of the Basic Multilingual Plane differ in theirs; the
// index compares the runes of windows whose keys are equal.
func windowKey(w []rune) uint64 {
	var k uint64
	for _, r := range w {
		k = k<<16 | uint64(uint16(r))
	}
	return k
}

// linearRuns is the most mask runs a text may have for fill to look for
// their contexts by scanning the other text instead of building its window
// index: a scan costs about a comparison a rune, a build several times
// that.
const linearRuns = 2

// appendMaskRuns appends to dst the start and end of each run of masks in
// x, in turn. It looks for the byte 0xE0 of Mask's code point (U+E000) in
// x's memory with bytes.IndexByte, many runes a step, and checks the rune
// that holds it (other runes hold that byte too, 'à' or U+30E0).
func appendMaskRuns(dst []int32, x []rune) []int32 {
	if len(x) == 0 {
		return dst
	}
	b := unsafe.Slice((*byte)(unsafe.Pointer(&x[0])), 4*len(x))
	for off := 0; ; {
		k := bytes.IndexByte(b[off:], byte(Mask>>8))
		if k < 0 {
			return dst
		}
		i := (off + k) / 4
		if x[i] != Mask {
			off += k + 1
			continue
		}
		j := i + 1
		for j < len(x) && x[j] == Mask {
			j++
		}
		dst = append(dst, int32(i), int32(j))
		off = 4 * j
	}
}

// cached returns the window index of y when it is one of the last two
// built, for the same prepared text (same runes in memory, which the index
// keeps alive), else nil.
func (s *Scratch) cached(y []rune, c int, prepared bool) *windowIndex {
	if prepared && len(y) > 0 {
		for k := range s.idx {
			ix := &s.idx[k]
			if ix.c == c && len(ix.of) == len(y) && &ix.of[0] == &y[0] {
				s.last = k
				return ix
			}
		}
	}
	return nil
}

// index returns the window index of y: one of the last two (cached), or
// one built again in the older one's arrays.
func (s *Scratch) index(y []rune, c int, prepared bool) *windowIndex {
	if ix := s.cached(y, c, prepared); ix != nil {
		return ix
	}
	s.last = 1 - s.last
	ix := &s.idx[s.last]
	ix.build(y, c)
	ix.of, ix.c = nil, c
	if prepared {
		ix.of = y
	}
	return ix
}

// build indexes every c-rune window of y by its key, in arrays that are
// reused from call to call (a map of slices allocated per window), in one
// pass that rolls the keys one rune at a time (windowKey of each window)
// and lists each position at the head of its bucket. There are about half
// as many buckets as windows: fewer cache lines written, and the few
// lookups (one a mask run) walk a few more positions.
func (s *windowIndex) build(y []rune, c int) {
	n := max(len(y)-c+1, 0)
	k := uint(1)
	for 1<<k < n/2 {
		k++
	}
	s.shift = 64 - k
	s.head = slices.Grow(s.head[:0], 1<<k)[:1<<k]
	clear(s.head)
	s.next = slices.Grow(s.next[:0], n)[:n]
	head, next, shift := s.head, s.next, s.shift
	mask := ^uint64(0)
	if c < 4 {
		mask = 1<<(16*c) - 1
	}
	var key uint64
	for i, r := range y {
		key = key<<16 | uint64(uint16(r))
		if p := i - c + 1; p >= 0 {
			b := ((key & mask) * 0x9e3779b97f4a7c15) >> shift
			next[p], head[b] = head[b], int32(p+1)
		}
	}
}

// bucket maps a window key to its bucket.
func (s *windowIndex) bucket(key uint64) uint64 { return (key * 0x9e3779b97f4a7c15) >> s.shift }

// occurrences appends to ends the candidate ends of the left context in y,
// increasing, found in the index (y's) when left is a whole window: its
// bucket lists them last first, among other windows whose keys share it.
func (s *windowIndex) occurrences(ends []int, y, left []rune, c int) []int {
	if len(left) != c || len(left) == 0 {
		return occurrences(ends, y, left)
	}
	from := len(ends)
	for q := s.head[s.bucket(windowKey(left))]; q > 0; q = s.next[q-1] {
		p := int(q - 1)
		if slices.Equal(y[p:p+c], left) {
			ends = append(ends, p+c)
		}
	}
	slices.Reverse(ends[from:])
	return ends
}

// occurrences appends to ends the candidate ends of the left context in y,
// increasing, by scanning y; an empty left context (the mask opens the
// text) ends at 0. The scan rolls the key of y's windows as long as left
// (windowKey) one rune at a time and compares the runes where it equals
// left's: one branch a rune, and rarely taken.
func occurrences(ends []int, y, left []rune) []int {
	if len(left) == 0 {
		return append(ends, 0)
	}
	mask := ^uint64(0)
	if len(left) < 4 {
		mask = 1<<(16*len(left)) - 1
	}
	want := windowKey(left) & mask
	var key uint64
	for i, r := range y {
		key = key<<16 | uint64(uint16(r))
		if key&mask == want && i+1 >= len(left) && slices.Equal(y[i+1-len(left):i+1], left) {
			ends = append(ends, i+1)
		}
	}
	return ends
}

// nearestSpan returns, of the candidate ends of the left context in y
// (increasing), the one followed by right within maxFill runes (or by the
// end of y, when right is empty) nearest to the relative position relPos,
// the first of those at the same distance, and the runes between; none
// without either context. It tries the ends from the nearest outwards and
// stops at the first followed by right, instead of trying them all.
func nearestSpan(ends []int, y, right []rune, maxFill int, relPos float64) ([]rune, bool) {
	n := float64(max(len(y), 1))
	dist := func(e int) float64 {
		d := float64(e)/n - relPos
		if d < 0 {
			d = -d
		}
		return d
	}
	// Ends before relPos lie in ends[:k], farther from it the smaller they
	// are; the others in ends[k:], farther the larger.
	k, _ := slices.BinarySearchFunc(ends, relPos, func(e int, p float64) int {
		if float64(e)/n-p < 0 {
			return -1
		}
		return 1
	})
	l, r := k-1, k
	for l >= 0 || r < len(ends) {
		var e int
		if r == len(ends) || l >= 0 && dist(ends[l]) <= dist(ends[r]) { // the earlier of two as near
			e = ends[l]
			l--
		} else {
			e = ends[r]
			r++
		}
		// Two ends on the same side of relPos are never as near (their
		// relative positions differ by 1/len(y) at least, far more than
		// subtracting relPos rounds), so the first followed by right is the
		// one.
		if span, ok := spanTo(e, y, right, maxFill); ok {
			return span, true
		}
	}
	return nil, false
}

// spanTo returns the runes of y from e to the first occurrence of right
// within maxFill runes (to the end of y, when right is empty and the end
// is that near).
func spanTo(e int, y, right []rune, maxFill int) ([]rune, bool) {
	if len(right) == 0 { // the mask closes the text
		if len(y)-e <= maxFill {
			return y[e:], true
		}
		return nil, false
	}
	first := right[0]
	for d := 0; d <= maxFill && e+d+len(right) <= len(y); d++ {
		if y[e+d] == first && slices.Equal(y[e+d:e+d+len(right)], right) {
			return y[e : e+d], true
		}
	}
	return nil, false
}
