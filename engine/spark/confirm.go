package spark

import (
	"cmp"
	"fmt"
	"io"
	"slices"

	"github.com/quchong/quchong/corpus"
	"github.com/quchong/quchong/record"
	"github.com/quchong/quchong/stage"
)

// ---- texts: (file, its first index, its count, a needed index) in, normalised texts out ----
//
// In: src, first, count, idx
// Out: idx, runes

func (w *worker) texts() error {
	rows, err := w.all(4)
	if err != nil {
		return err
	}
	type want struct {
		src          int
		first, count uint32
		idx          uint32
	}
	ws := make([]want, len(rows))
	for i, r := range rows {
		var v [4]int64
		for j := range v {
			if v[j], err = atoi(r[j]); err != nil {
				return err
			}
		}
		ws[i] = want{int(v[0]), uint32(v[1]), uint32(v[2]), uint32(v[3])}
	}
	slices.SortFunc(ws, func(x, y want) int { return cmp.Or(cmp.Compare(x.src, y.src), cmp.Compare(x.idx, y.idx)) })
	for j := 0; j < len(ws); {
		e := j + 1
		for e < len(ws) && ws[e].src == ws[j].src {
			e++
		}
		needed := make(map[uint32]bool, e-j)
		for _, x := range ws[j:e] {
			needed[x.idx] = true
		}
		if err := w.rereadFile(ws[j].src, ws[j].first, ws[j].first+ws[j].count, needed); err != nil {
			return err
		}
		j = e
	}
	return nil
}

// rereadFile reads input src again and emits the normalised texts of the
// needed documents (indices lo ≤ i < hi).
func (w *worker) rereadFile(src int, lo, hi uint32, needed map[uint32]bool) error {
	if src < 0 || src >= len(w.cfg.Files) {
		return fmt.Errorf("input file number %d of %d", src, len(w.cfg.Files))
	}
	spec := w.cfg.Files[src]
	rd, err := corpus.Open(spec.Path, src, w.cfg.Corpus)
	if err != nil {
		return fmt.Errorf("input %s: %w", spec.Path, err)
	}
	var runes []rune
	err = corpus.Reread(rd, int64(hi-lo), func(i int64, d record.Document) error {
		idx := lo + uint32(i)
		if !needed[idx] {
			return nil
		}
		runes, _ = w.st.Normalize(runes[:0], d.Text)
		return w.out.row(itoa(idx), runesField(runes))
	})
	if err != nil {
		return fmt.Errorf("input: %w", err)
	}
	return nil
}

// ---- confirm: borderline pairs with both texts in, true similarities out ----
//
// In: a, b, text a, text b
// Out: a, b, ok (similarity ≥ threshold), similarity

func (w *worker) confirm() error {
	sc := new(stage.Scratch)
	for {
		r, err := w.in.next(4)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		ta, okA, err := parseRunes(r[2])
		if err != nil {
			return err
		}
		tb, okB, err := parseRunes(r[3])
		if err != nil {
			return err
		}
		if !okA || !okB {
			return fmt.Errorf("no text for pair %s, %s", r[0], r[1])
		}
		sim, ok := w.st.Confirm(ta, tb, sc)
		flag := "0"
		if ok {
			flag = "1"
		}
		if err := w.out.row(r[0], r[1], flag, ftoa(sim)); err != nil {
			return err
		}
	}
}
