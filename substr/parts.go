package substr

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/quchong/quchong/substr/internal/sais"
)

// PartBytesPerChar is the memory FindParts needs per character of its part
// size: one part (4 bytes, and a quarter more of capacity), its suffix
// array (4), SA-IS's scratch space (up to 2) and bits. Besides, it keeps
// one bit per character of the whole corpus, and each part's document
// bounds.
const PartBytesPerChar = 12

// Parts is a corpus too large to sort at once, held in parts, each a run of
// whole documents in corpus order.
type Parts struct {
	// N is the number of parts.
	N int
	// Load appends part k's text to dst and returns it with the part's
	// document bounds (starting at 0).
	Load func(k int, dst []int32) ([]int32, []int32, error)
	// View returns a read-only view of part k's text, from which the
	// merge of the parts' suffix arrays reads windows at random.
	View func(k int) (View, error)
	// Dir is where FindParts writes each part's sorted suffixes (4 bytes a
	// character); it removes them before it returns.
	Dir string
	// MaxLen, when not 0, is the longest part's length in characters:
	// FindParts then makes its buffers for the sorting once, at that
	// size, where growing them for a part longer than the ones before
	// would leave the shorter ones as garbage on top of the budget until
	// the collector runs.
	MaxLen int
}

// A View is a read-only view of one part's text: in memory, or a file read
// where asked (so that the text need not fit in memory, nor its pages
// count in the process's: a mapped file's pages would).
type View interface {
	// Chars returns the part of the text held in memory: all of it, its
	// first characters, or nothing.
	Chars() []int32
	// ReadAt fills dst with the characters from position p on.
	ReadAt(dst []int32, p int) error
	// Len is the number of characters.
	Len() int
	// Close releases the view.
	Close() error
}

// FindParts is Find for a corpus in parts, as the reference tool of Lee et
// al. does it: it sorts each part's suffixes on its own (one part in
// memory at a time) and writes those whose window of MinSpan characters
// lies inside a document to ps.Dir; then it merges the k sorted arrays in
// one streaming pass, comparing windows over the views of the parts' texts,
// so that the windows equal over MinSpan characters (adjacent suffixes
// whose common prefix is at least MinSpan long) arrive one after another,
// whatever part they are in. Spans are as Find's, with documents numbered
// across the parts, Count included (counted in two more readings of the
// views; see counter). Time grows as k log k parts' worth rather than k².
func FindParts(ps Parts, opt Options) ([]Span, error) {
	L := opt.MinSpan
	if L < 1 {
		return nil, fmt.Errorf("substr: MinSpan %d, want at least 1", L)
	}
	if ps.N == 0 {
		return nil, nil
	}
	bounds := make([][]int32, ps.N)
	saPaths := make([]string, ps.N)
	defer func() {
		for _, p := range saPaths {
			if p != "" {
				os.Remove(p)
			}
		}
	}()
	// Sort each part's suffixes.
	var buf, sa []int32
	if ps.MaxLen > 0 {
		buf, sa = make([]int32, 0, ps.MaxLen), make([]int32, ps.MaxLen)
	}
	for k := 0; k < ps.N; k++ {
		var err error
		if buf, bounds[k], err = ps.Load(k, buf[:0]); err != nil {
			return nil, err
		}
		if err := check(buf, bounds[k], L); err != nil {
			return nil, fmt.Errorf("part %d: %w", k, err)
		}
		saPaths[k] = filepath.Join(ps.Dir, fmt.Sprintf("sa-%06d.bin", k))
		if err := writeSorted(saPaths[k], buf, bounds[k], L, &sa); err != nil {
			return nil, err
		}
	}
	buf, sa = nil, nil

	views := make([]View, ps.N)
	defer func() {
		for _, v := range views {
			if v != nil {
				v.Close()
			}
		}
	}()
	marks := make([][]uint64, ps.N)
	for k := range views {
		v, err := ps.View(k)
		if err != nil {
			return nil, err
		}
		views[k] = v
		if n := int(bounds[k][len(bounds[k])-1]); v.Len() != n {
			return nil, fmt.Errorf("substr: part %d: view of %d characters, want %d", k, v.Len(), n)
		}
		marks[k] = make([]uint64, (v.Len()+63)/64)
	}
	if err := mergeGroups(saPaths, views, L, func(members []loc) {
		first := slices.MinFunc(members, loc.cmp)
		for _, m := range members {
			if !(opt.KeepFirst && m == first) {
				marks[m.part][m.pos>>6] |= 1 << (m.pos & 63)
			}
		}
	}); err != nil {
		return nil, err
	}

	var spans []Span
	first := make([]int, ps.N+1) // each part's first span
	base := 0
	for k := range ps.N {
		first[k] = len(spans)
		spans = append(spans, extract(marks[k], bounds[k], L, base, nil)...)
		base += len(bounds[k]) - 1
		marks[k] = nil
	}
	first[ps.N] = len(spans)
	if len(spans) == 0 {
		return spans, nil
	}
	cnt := newCounter(L, len(spans), views)
	base = 0
	w := make([]int32, L)
	for k := range ps.N {
		for s := first[k]; s < first[k+1]; s++ {
			p := int(bounds[k][spans[s].Doc-base]) + spans[s].Start
			if err := views[k].ReadAt(w, p); err != nil {
				return nil, err
			}
			cnt.want(w, loc{int32(k), int32(p)})
		}
		base += len(bounds[k]) - 1
	}
	// Count each span's first window in every part: one more reading of
	// the parts' texts, streamed from their views.
	for k := range ps.N {
		if err := cnt.scan(views[k], bounds[k], spans); err != nil {
			return nil, err
		}
	}
	return spans, nil
}

// loc is a position in a corpus in parts.
type loc struct {
	part int32
	pos  int32
}

// cmp orders positions in corpus order.
func (a loc) cmp(b loc) int {
	if a.part != b.part {
		return int(a.part - b.part)
	}
	return int(a.pos - b.pos)
}

// writeSorted sorts text's suffixes (ranking text in place) and writes to
// path, in their order, the positions whose window of L characters lies
// inside a document (little-endian 32-bit integers). *sa is scratch space,
// grown as needed.
func writeSorted(path string, text, bounds []int32, L int, sa *[]int32) (err error) {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("substr: %w", err)
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("substr: %w", cerr)
		}
	}()
	n := len(text)
	if n < L {
		return nil
	}
	valid := validWindows(bounds, L, n)
	if cap(*sa) < n {
		*sa = nil // let the smaller one go first
		*sa = make([]int32, n)
	}
	s := (*sa)[:n]
	sais.Sort(text, rank(text), s, nil)
	w := bufio.NewWriterSize(f, 1<<20)
	var b [4]byte
	for _, p := range s {
		if valid[p>>6]&(1<<(p&63)) != 0 {
			binary.LittleEndian.PutUint32(b[:], uint32(p))
			w.Write(b[:])
		}
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("substr: write %s: %w", path, err)
	}
	return nil
}

// saReader reads a file that writeSorted wrote.
type saReader struct {
	f    *os.File
	raw  []byte
	vals []int32
	i    int
}

// next returns the next position, or false at the end.
func (r *saReader) next() (int32, bool, error) {
	if r.i == len(r.vals) {
		n, err := io.ReadFull(r.f, r.raw)
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			err = nil
		}
		if err != nil {
			return 0, false, fmt.Errorf("substr: read %s: %w", r.f.Name(), err)
		}
		if n%4 != 0 {
			return 0, false, fmt.Errorf("substr: %s: truncated", r.f.Name())
		}
		r.vals = r.vals[:n/4]
		for k := range r.vals {
			r.vals[k] = int32(binary.LittleEndian.Uint32(r.raw[4*k:]))
		}
		r.i = 0
		if n == 0 {
			return 0, false, nil
		}
	}
	p := r.vals[r.i]
	r.i++
	return p, true, nil
}

// mergeGroups merges the parts' sorted suffixes (files paths, texts views)
// by their windows of L characters and calls each with every run of two or
// more equal windows. members is reused between calls.
func mergeGroups(paths []string, views []View, L int, each func(members []loc)) error {
	const block = 64 << 10 // positions read at a time, per part
	readers := make([]*saReader, len(paths))
	for k, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return fmt.Errorf("substr: %w", err)
		}
		defer f.Close()
		readers[k] = &saReader{f: f, raw: make([]byte, 4*block), vals: make([]int32, 0, block)}
	}
	// Each part's next position and its window: a slice of the text in
	// memory, or of the part's buffer, read from the view.
	type head struct {
		at  loc
		win []int32
	}
	bufs := make([][]int32, len(views))
	texts := make([][]int32, len(views))
	for k, v := range views {
		texts[k] = v.Chars()
		bufs[k] = make([]int32, L)
	}
	next := func(k int) (head, bool, error) {
		p, ok, err := readers[k].next()
		if !ok || err != nil {
			return head{}, false, err
		}
		if int(p)+L <= len(texts[k]) {
			return head{loc{int32(k), p}, texts[k][p : p+int32(L)]}, true, nil
		}
		if err := views[k].ReadAt(bufs[k], int(p)); err != nil {
			return head{}, false, err
		}
		return head{loc{int32(k), p}, bufs[k]}, true, nil
	}
	less := func(a, b head) bool {
		if c := slices.Compare(a.win, b.win); c != 0 {
			return c < 0
		}
		return a.at.part < b.at.part
	}
	// A binary min-heap of each part's next position.
	heap := make([]head, 0, len(paths))
	down := func(i int) {
		for {
			c := 2*i + 1
			if c >= len(heap) {
				return
			}
			if c+1 < len(heap) && less(heap[c+1], heap[c]) {
				c++
			}
			if !less(heap[c], heap[i]) {
				return
			}
			heap[i], heap[c] = heap[c], heap[i]
			i = c
		}
	}
	for k := range readers {
		h, ok, err := next(k)
		if err != nil {
			return err
		}
		if ok {
			heap = append(heap, h)
		}
	}
	for i := len(heap)/2 - 1; i >= 0; i-- {
		down(i)
	}
	var members []loc
	prev := make([]int32, L) // the window of members
	flush := func() {
		if len(members) > 1 {
			each(members)
		}
		members = members[:0]
	}
	for len(heap) > 0 {
		top := heap[0]
		if len(members) > 0 && !slices.Equal(prev, top.win) {
			flush()
		}
		if len(members) == 0 {
			copy(prev, top.win)
		}
		members = append(members, top.at)
		h, ok, err := next(int(top.at.part))
		if err != nil {
			return err
		}
		if ok {
			heap[0] = h
		} else {
			heap[0] = heap[len(heap)-1]
			heap = heap[:len(heap)-1]
		}
		down(0)
	}
	flush()
	return nil
}
