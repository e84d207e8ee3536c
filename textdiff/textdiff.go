// Package textdiff computes character-level differences between two texts,
// for people: quchong explain uses it to show what separates two
// near-duplicate documents.
//
// Runes returns an edit script (Equal, Delete and Insert operations) that
// turns one rune sequence into the other. It uses Myers' O(ND) algorithm in
// its linear-space form (Myers 1986, "An O(ND) Difference Algorithm and Its
// Variations", section 4b): a common prefix and suffix are stripped, the
// middle snake splits the rest in two, and each half is solved the same way.
// The script is minimal while the edit distance stays small. Once a
// subproblem needs more than a bounded number of edits, the search stops at
// the furthest point it reached and splits there instead, as GNU diff does
// for "too expensive" inputs: the script stays correct (applying it to a
// always yields b) but may no longer be minimal. The bound is chosen from the
// input size so that the work stays near O((N+M)·bound), which keeps huge,
// dissimilar inputs fast.
//
// Cleanup then trades minimality for readability, as diff-match-patch's
// semantic cleanup does: a short equality wedged between larger edits
// (one shared character inside a rewritten clause) becomes part of them.
//
// Scripts returned by this package are normalised: no operation is empty,
// no two adjacent operations have the same kind, and within a run of edits
// between two equalities the Delete comes before the Insert.
package textdiff

import "slices"

// Kind is the kind of an edit operation.
type Kind uint8

// Edit operation kinds.
const (
	// Equal: the text is in both a and b.
	Equal Kind = iota
	// Insert: the text is in b only.
	Insert
	// Delete: the text is in a only.
	Delete
)

// String names the kind: "equal", "insert" or "delete".
func (k Kind) String() string {
	switch k {
	case Equal:
		return "equal"
	case Insert:
		return "insert"
	case Delete:
		return "delete"
	}
	return "unknown"
}

// Op is one operation of an edit script.
type Op struct {
	Kind Kind
	// Text is the runes the operation keeps, inserts or deletes. It may
	// share memory with the inputs of Runes.
	Text []rune
}

// Budget bounds for Runes.
const (
	// budget is the approximate work, in diagonal steps, that Runes allows
	// itself before it stops looking for a minimal script.
	budget = 1 << 26
	// minLimit and maxLimit clamp the edit count per subproblem beyond which
	// the search splits heuristically.
	minLimit = 64
	maxLimit = 4096
)

// Runes returns a normalised edit script that turns a into b. It is minimal (fewest inserted plus deleted runes) for inputs whose
// edit distance is small; for huge or very different inputs it is a correct
// but coarser script found in bounded time.
func Runes(a, b []rune) []Op {
	n := len(a) + len(b)
	limit := maxLimit
	if n > 0 {
		limit = min(maxLimit, max(minLimit, budget/n))
	}
	return RunesLimit(a, b, limit)
}

// RunesLimit is Runes with an explicit bound on the number of edits the
// search explores per subproblem before it splits heuristically. A larger
// limit gives smaller scripts at the cost of up to O((N+M)·limit) time; a
// limit below 1 is taken as 1.
func RunesLimit(a, b []rune, limit int) []Op {
	d := differ{limit: max(limit, 1)}
	d.diff(a, b)
	return normalise(d.ops)
}

// differ holds the state of one diff: the script so far and the reusable
// V arrays of the middle-snake search.
type differ struct {
	limit  int
	ops    []Op
	v1, v2 []int
}

func (d *differ) emit(k Kind, text []rune) {
	if len(text) > 0 {
		d.ops = append(d.ops, Op{Kind: k, Text: text})
	}
}

// diff appends the script from a to b.
func (d *differ) diff(a, b []rune) {
	p := commonPrefix(a, b)
	d.emit(Equal, a[:p])
	a, b = a[p:], b[p:]
	s := commonSuffix(a, b)
	suffix := a[len(a)-s:]
	a, b = a[:len(a)-s], b[:len(b)-s]
	switch {
	case len(a) == 0:
		d.emit(Insert, b)
	case len(b) == 0:
		d.emit(Delete, a)
	default:
		x, y, ok := d.split(a, b)
		// Guard against a degenerate split, which would recurse forever.
		if !ok || (x == 0 && y == 0) || (x == len(a) && y == len(b)) {
			d.emit(Delete, a)
			d.emit(Insert, b)
		} else {
			d.diff(a[:x], b[:y])
			d.diff(a[x:], b[y:])
		}
	}
	d.emit(Equal, suffix)
}

func commonPrefix(a, b []rune) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}

func commonSuffix(a, b []rune) int {
	n := min(len(a), len(b))
	for i := 1; i <= n; i++ {
		if a[len(a)-i] != b[len(b)-i] {
			return i - 1
		}
	}
	return n
}

// split finds a point (x, y) through which a shortest edit path from (0, 0)
// to (len(a), len(b)) passes: the end of the middle snake, found by running
// the search forward from the start and backward from the end until the two
// meet. After limit rounds it gives up on minimality and returns the
// forward search's furthest point. a and b are non-empty and share neither
// their first nor their last rune. ok is false when no split was found.
func (d *differ) split(a, b []rune) (x, y int, ok bool) {
	n, m := len(a), len(b)
	maxD := (n + m + 1) / 2
	rounds := min(maxD, d.limit)
	off := rounds + 1
	size := 2*rounds + 3
	if cap(d.v1) < size {
		d.v1 = make([]int, size)
		d.v2 = make([]int, size)
	}
	v1, v2 := d.v1[:size], d.v2[:size]
	for i := range v1 {
		v1[i], v2[i] = -1, -1
	}
	v1[off+1], v2[off+1] = 0, 0
	delta := n - m
	front := delta%2 != 0 // which search detects the overlap
	// k1start/k1end (k2start/k2end) skip diagonals that ran off the grid.
	k1start, k1end, k2start, k2end := 0, 0, 0, 0
	for e := 0; e < rounds; e++ {
		for k1 := -e + k1start; k1 <= e-k1end; k1 += 2 {
			i := off + k1
			var x1 int
			if k1 == -e || (k1 != e && v1[i-1] < v1[i+1]) {
				x1 = v1[i+1]
			} else {
				x1 = v1[i-1] + 1
			}
			y1 := x1 - k1
			for x1 < n && y1 < m && a[x1] == b[y1] {
				x1++
				y1++
			}
			v1[i] = x1
			switch {
			case x1 > n:
				k1end += 2
			case y1 > m:
				k1start += 2
			case front:
				j := off + delta - k1
				if j >= 0 && j < size && v2[j] != -1 && x1 >= n-v2[j] {
					return x1, y1, true
				}
			}
		}
		for k2 := -e + k2start; k2 <= e-k2end; k2 += 2 {
			i := off + k2
			var x2 int
			if k2 == -e || (k2 != e && v2[i-1] < v2[i+1]) {
				x2 = v2[i+1]
			} else {
				x2 = v2[i-1] + 1
			}
			y2 := x2 - k2
			for x2 < n && y2 < m && a[n-x2-1] == b[m-y2-1] {
				x2++
				y2++
			}
			v2[i] = x2
			switch {
			case x2 > n:
				k2end += 2
			case y2 > m:
				k2start += 2
			case !front:
				j := off + delta - k2
				if j >= 0 && j < size && v1[j] != -1 {
					x1 := v1[j]
					y1 := x1 - (j - off)
					if x1 >= n-x2 {
						return x1, y1, true
					}
				}
			}
		}
	}
	if rounds == maxD {
		return 0, 0, false // the texts share nothing that could be aligned
	}
	// Too expensive: split at the forward search's furthest point on the
	// grid, the one with the largest x+y.
	best := -1
	for k := -rounds + 1; k <= rounds-1; k++ {
		x1 := v1[off+k]
		y1 := x1 - k
		if x1 < 0 || x1 > n || y1 < 0 || y1 > m {
			continue
		}
		if x1+y1 > best {
			best, x, y = x1+y1, x1, y1
		}
	}
	return x, y, best > 0
}

// normalise merges adjacent operations of one kind and puts each run of
// edits in Delete, Insert order. It never writes into the operations' text,
// which may share memory with the caller's input.
func normalise(ops []Op) []Op {
	var out []Op
	var eq, del, ins [][]rune
	flushEdits := func() {
		if len(del) > 0 {
			out = append(out, Op{Kind: Delete, Text: concat(del)})
		}
		if len(ins) > 0 {
			out = append(out, Op{Kind: Insert, Text: concat(ins)})
		}
		del, ins = del[:0], ins[:0]
	}
	flushEqual := func() {
		if len(eq) > 0 {
			out = append(out, Op{Kind: Equal, Text: concat(eq)})
		}
		eq = eq[:0]
	}
	for _, op := range ops {
		if len(op.Text) == 0 {
			continue
		}
		switch op.Kind {
		case Delete:
			flushEqual()
			del = append(del, op.Text)
		case Insert:
			flushEqual()
			ins = append(ins, op.Text)
		default:
			flushEdits()
			eq = append(eq, op.Text)
		}
	}
	flushEdits()
	flushEqual()
	return out
}

// concat joins segments, reusing the only one when there is one.
func concat(segs [][]rune) []rune {
	if len(segs) == 1 {
		return segs[0]
	}
	n := 0
	for _, s := range segs {
		n += len(s)
	}
	out := make([]rune, 0, n)
	for _, s := range segs {
		out = append(out, s...)
	}
	return out
}

// Apply applies an edit script to a and returns the result. It reports
// false when the script does not fit a: an Equal or Delete whose text is not
// the next text of a, or text of a left over at the end.
func Apply(a []rune, ops []Op) ([]rune, bool) {
	var out []rune
	i := 0
	for _, op := range ops {
		switch op.Kind {
		case Insert:
			out = append(out, op.Text...)
		case Equal, Delete:
			if len(op.Text) > len(a)-i || !slices.Equal(a[i:i+len(op.Text)], op.Text) {
				return nil, false
			}
			if op.Kind == Equal {
				out = append(out, op.Text...)
			}
			i += len(op.Text)
		default:
			return nil, false
		}
	}
	return out, i == len(a)
}

// Count returns the number of runes the script keeps, inserts and deletes.
func Count(ops []Op) (equal, inserted, deleted int) {
	for _, op := range ops {
		switch op.Kind {
		case Equal:
			equal += len(op.Text)
		case Insert:
			inserted += len(op.Text)
		case Delete:
			deleted += len(op.Text)
		}
	}
	return equal, inserted, deleted
}

// Cleanup returns a script that makes the same change as ops but reads
// better: every equality that is no longer than the larger edit on each of
// its sides (the inserted or deleted text, whichever is longer) is dissolved
// into those edits, repeatedly, as in diff-match-patch's semantic cleanup.
// Equalities at either end are kept. The result is normalised, whether ops
// was or not.
func Cleanup(ops []Op) []Op {
	ops = normalise(ops)
	for range 32 { // each pass can enable another; a few always suffice in practice
		changed := false
		out := make([]Op, 0, len(ops))
		runDel, runIns := 0, 0 // the edit run at the end of out
		for i, op := range ops {
			switch op.Kind {
			case Delete:
				runDel += len(op.Text)
				out = append(out, op)
				continue
			case Insert:
				runIns += len(op.Text)
				out = append(out, op)
				continue
			}
			if i > 0 && i < len(ops)-1 {
				n := len(op.Text)
				if before, after := max(runDel, runIns), editSize(ops[i+1:]); n <= before && n <= after {
					out = append(out, Op{Kind: Delete, Text: op.Text}, Op{Kind: Insert, Text: op.Text})
					runDel += n
					runIns += n
					changed = true
					continue
				}
			}
			out = append(out, op)
			runDel, runIns = 0, 0
		}
		ops = normalise(out)
		if !changed {
			break
		}
	}
	return ops
}

// editSize returns the larger of the deleted and inserted sizes of the run
// of edits that opens ops.
func editSize(ops []Op) int {
	del, ins := 0, 0
	for _, op := range ops {
		switch op.Kind {
		case Delete:
			del += len(op.Text)
		case Insert:
			ins += len(op.Text)
		default:
			return max(del, ins)
		}
	}
	return max(del, ins)
}
