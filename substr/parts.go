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
	// View returns a read-only view of part k's text, which FindParts
	// reads at random while it merges the parts' suffix arrays (a mapped
	// file, say).
	View func(k int) (View, error)
	// Dir is where FindParts writes each part's sorted suffixes (4 bytes a
	// character); it removes them before it returns.
	Dir string
	// EvictEvery is how many windows FindParts reads from the views
	// between two calls of their Evict (0: never).
	EvictEvery int
}

// A View is a read-only view of one part's text.
type View interface {
	// Chars returns the part's text; it stays valid until Close.
	Chars() []int32
	// Evict lets go of the memory pages the view has read so far, where
	// it can (a mapped file's), so that they do not stay in the process's
	// resident memory; the view stays valid.
	Evict()
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
	chars := make([][]int32, ps.N)
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
		chars[k] = v.Chars()
		if len(chars[k]) != int(bounds[k][len(bounds[k])-1]) {
			return nil, fmt.Errorf("substr: part %d: view of %d characters, want %d", k, len(chars[k]), bounds[k][len(bounds[k])-1])
		}
		marks[k] = make([]uint64, (len(chars[k])+63)/64)
	}
	evict := func() {
		for _, v := range views {
			v.Evict()
		}
	}
	if err := mergeGroups(ps, saPaths, chars, L, evict, func(members []loc) {
		first := slices.MinFunc(members, loc.cmp)
		for _, m := range members {
			if !(opt.KeepFirst && m == first) {
				marks[m.part][m.pos>>6] |= 1 << (m.pos & 63)
			}
		}
	}); err != nil {
		return nil, err
	}
	evict()

	var spans []Span
	cnt := newCounter(L)
	base := 0
	for k := range ps.N {
		from := len(spans)
		spans = append(spans, extract(marks[k], bounds[k], L, base, nil)...)
		for s := from; s < len(spans); s++ {
			p := int(bounds[k][spans[s].Doc-base]) + spans[s].Start
			cnt.want(chars[k][p:p+L], s)
		}
		base += len(bounds[k]) - 1
		marks[k] = nil
	}
	// Count each span's first window in every part: one more reading.
	for k := 0; k < ps.N && len(spans) > 0; k++ {
		cnt.scan(chars[k], bounds[k], spans)
		views[k].Evict()
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

// mergeGroups merges the parts' sorted suffixes (files paths, texts chars)
// by their windows of L characters and calls each with every run of two or
// more equal windows. members is reused between calls.
func mergeGroups(ps Parts, paths []string, chars [][]int32, L int, evict func(), each func(members []loc)) error {
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
	window := func(l loc) []int32 { return chars[l.part][l.pos : l.pos+int32(L)] }
	less := func(a, b loc) bool {
		if c := slices.Compare(window(a), window(b)); c != 0 {
			return c < 0
		}
		return a.part < b.part
	}
	// A binary min-heap of each part's next position.
	heap := make([]loc, 0, len(paths))
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
	for k, r := range readers {
		p, ok, err := r.next()
		if err != nil {
			return err
		}
		if ok {
			heap = append(heap, loc{int32(k), p})
		}
	}
	for i := len(heap)/2 - 1; i >= 0; i-- {
		down(i)
	}
	var members []loc
	read := 0
	flush := func() {
		if len(members) > 1 {
			each(members)
		}
		members = members[:0]
	}
	for len(heap) > 0 {
		top := heap[0]
		if len(members) > 0 && !slices.Equal(window(members[len(members)-1]), window(top)) {
			flush()
		}
		members = append(members, top)
		p, ok, err := readers[top.part].next()
		if err != nil {
			return err
		}
		if ok {
			heap[0] = loc{top.part, p}
		} else {
			heap[0] = heap[len(heap)-1]
			heap = heap[:len(heap)-1]
		}
		down(0)
		if read++; ps.EvictEvery > 0 && read >= ps.EvictEvery {
			evict()
			read = 0
		}
	}
	flush()
	return nil
}
