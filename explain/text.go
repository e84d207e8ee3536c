package explain

import (
	"fmt"
	"io"
	"strings"

	"github.com/quchong/quchong/textdiff"
	"github.com/quchong/quchong/verify"
)

// Layout of the human output.
const (
	textWidth   = 76  // display columns of wrapped text, after the indent
	textHead    = 240 // characters shown at the start of a long text
	textTail    = 120 // and at its end
	diffContext = 30  // equal characters shown on each side of a difference
)

// ANSI styles.
const (
	styleDelete = "\x1b[1;31;9m" // bold red, struck through
	styleInsert = "\x1b[1;32m"   // bold green
	styleMask   = "\x1b[1;33m"   // bold yellow
	styleDim    = "\x1b[2m"
	styleReset  = "\x1b[0m"
)

// WriteText writes the report for people: the verdict, the measures, the
// decision step by step, the mask fills, the normalised texts and their
// differences. Long texts and equal stretches are shortened unless full;
// color marks differences with ANSI colours instead of brackets.
func (e *Report) WriteText(w io.Writer, full, color bool) error {
	ew := &errWriter{w: w}
	w = ew
	a, b := e.A, e.B
	p := e.Params
	verdict := "NOT MERGED"
	if e.Merged {
		verdict = "MERGED"
	}
	fmt.Fprintf(w, "A  %s\n", describe(a))
	fmt.Fprintf(w, "B  %s\n\n", describe(b))
	fmt.Fprintf(w, "verdict  %s (%s) at threshold %.2f\n", verdict, e.Reason, p.Threshold)
	wr := newWrapper(w, "         ", color)
	wr.prose(e.Detail)
	wr.end()
	if r := e.Removal; r != nil {
		what := "BOTH KEPT"
		if r.Removed {
			what = "REMOVED (" + r.Reason + ")"
		}
		other := "B"
		if r.Kept == "b" {
			other = "A"
		}
		fmt.Fprintf(w, "removal  %s kept, %s %s\n", strings.ToUpper(r.Kept), other, what)
		wr = newWrapper(w, "         ", color)
		wr.prose(r.Detail)
		wr.end()
	}
	fmt.Fprintln(w)

	yesNo := func(v bool) string {
		if v {
			return "yes"
		}
		return "no"
	}
	fmt.Fprintf(w, "%-26s %10s %10s\n", "", "A", "B")
	fmt.Fprintf(w, "%-26s %10d %10d\n", "characters", a.Length, b.Length)
	fmt.Fprintf(w, "%-26s %10d %10d\n", "normalised characters", a.NormalizedLength, b.NormalizedLength)
	fmt.Fprintf(w, "%-26s %10d %10d\n", "masks", a.Masks, b.Masks)
	fmt.Fprintf(w, "%-26s %10s %10s\n", "signed (can be near dup)", yesNo(a.Signed), yesNo(b.Signed))
	fmt.Fprintln(w)
	fmt.Fprintf(w, "%-26s %10s\n", "exact hash equal", yesNo(e.ExactEqual))
	fmt.Fprintf(w, "%-26s %10.4f   %d-%s shingles, masks ignored\n", "shingle Jaccard", e.ShingleJaccard, p.Ngram, strings.TrimSuffix(p.Tokens, "s"))
	if e.SignatureEstimate != nil {
		fmt.Fprintf(w, "%-26s %10.4f   MinHash, k = %d\n", "signature estimate", *e.SignatureEstimate, p.K)
	} else {
		fmt.Fprintf(w, "%-26s %10s   a document is too short to sign\n", "signature estimate", "n/a")
	}
	fmt.Fprintf(w, "%-26s %10.4f   each mask filled from the other text (at most %d characters)\n", "mask-aware similarity", e.MaskAwareSimilarity, p.MaskMaxFill)
	if e.SignatureEstimate != nil {
		fmt.Fprintf(w, "%-26s %10s   %d bands × %d rows; P(candidate) at this Jaccard = %.2f\n", "LSH bands collided",
			fmt.Sprintf("%d of %d", e.BandsCollided, p.Bands), p.Bands, p.Rows, e.CandidateProbability)
	} else {
		fmt.Fprintf(w, "%-26s %10s   unsigned documents are not banded\n", "LSH bands collided", "n/a")
	}
	fmt.Fprintln(w)

	fmt.Fprintln(w, "how dedup decided, step by step:")
	for i, st := range e.Trail {
		// The step's number and stage, then its words wrapped beside them.
		wr := newWrapper(w, strings.Repeat(" ", 15), false)
		wr.sb.Reset()
		wr.col, wr.hang = 0, 15
		wr.text(fmt.Sprintf("  %2d. %-8s ", i+1, st.Stage), "")
		wr.prose(st.Outcome + ": " + st.Detail)
		wr.end()
	}
	fmt.Fprintln(w)
	wr = newWrapper(w, "", false)
	wr.prose(e.Note)
	wr.end()
	fmt.Fprintln(w)

	for _, d := range []*Doc{a, b} {
		if len(d.Fills) == 0 {
			continue
		}
		other := "B"
		if d == b {
			other = "A"
		}
		fmt.Fprintf(w, "masks of %s, as filled from %s:\n", e.side(d), other)
		for _, f := range d.Fills {
			wr := newWrapper(w, "  ", color)
			wr.text(fmt.Sprintf("@%-5d …", f.Offset), "")
			wr.text(f.Before, "")
			wr.text(MaskSymbol, styleMask)
			wr.text(f.After+"…  → ", "")
			switch {
			case f.Filled:
				wr.text("“"+f.Fill+"”", styleInsert)
			case f.Fill != "":
				wr.text("unfilled: a mask in "+other+" too", styleDim)
			default:
				wr.text("unfilled: no span of "+other+" fits", styleDim)
			}
			wr.end()
		}
		fmt.Fprintln(w)
	}

	for _, d := range []*Doc{a, b} {
		fmt.Fprintf(w, "normalised text %s (%d characters):\n", e.side(d), d.NormalizedLength)
		wr := newWrapper(w, "  ", color)
		if full || len(d.norm) <= textHead+textTail+40 {
			wr.runes(d.norm, "")
		} else {
			wr.runes(d.norm[:textHead], "")
			wr.text(fmt.Sprintf(" … %d characters, --full shows all … ", len(d.norm)-textHead-textTail), styleDim)
			wr.runes(d.norm[len(d.norm)-textTail:], "")
		}
		wr.end()
	}
	fmt.Fprintln(w)

	fmt.Fprintf(w, "differences of the normalised texts, A → B: %d characters only in A, %d only in B, %d in both\n", e.Deleted, e.Inserted, e.Equal)
	if color {
		fmt.Fprintf(w, "  (%sstruck red%s only in A, %sgreen%s only in B, %s%s%s a mask)\n", styleDelete, styleReset, styleInsert, styleReset, styleMask, MaskSymbol, styleReset)
	} else {
		fmt.Fprintf(w, "  ([-…-] only in A, {+…+} only in B, %s a mask)\n", MaskSymbol)
	}
	wr = newWrapper(w, "  ", color)
	for i, op := range e.diffOps {
		switch op.Kind {
		case textdiff.Delete:
			wr.marked(op.Text, "[-", "-]", styleDelete)
		case textdiff.Insert:
			wr.marked(op.Text, "{+", "+}", styleInsert)
		default:
			t := op.Text
			first, last := i == 0, i == len(e.diffOps)-1
			if full || len(t) <= 2*diffContext+20 || (first && last) {
				wr.runes(t, "")
				continue
			}
			if !first {
				wr.runes(t[:diffContext], "")
			}
			skipped := len(t) - diffContext
			if !first && !last {
				skipped -= diffContext
			}
			wr.text(fmt.Sprintf(" … %d equal … ", skipped), styleDim)
			if !last {
				wr.runes(t[len(t)-diffContext:], "")
			}
		}
	}
	wr.end()
	return ew.err
}

// side names d as the report does: "A" or "B".
func (e *Report) side(d *Doc) string {
	if d == e.A {
		return "A"
	}
	return "B"
}

// errWriter keeps the first write error, so that WriteText can write
// freely and report it once.
type errWriter struct {
	w   io.Writer
	err error
}

func (ew *errWriter) Write(p []byte) (int, error) {
	if ew.err != nil {
		return 0, ew.err
	}
	n, err := ew.w.Write(p)
	ew.err = err
	return n, err
}

func describe(d *Doc) string {
	if d.Record == 0 {
		return d.ID
	}
	if d.ID == fmt.Sprintf("%s:%d", d.Path, d.Record) {
		return d.ID
	}
	return fmt.Sprintf("%s  (%s record %d)", d.ID, d.Path, d.Record)
}

// wrapper writes text wrapped at textWidth display columns, each line
// opened by indent, with optional ANSI styles that survive line breaks.
type wrapper struct {
	w      io.Writer
	indent string
	color  bool
	col    int
	// hang is the column a new line starts at: 0 when the indent is a
	// margin (lines of textWidth after it), its width when the first line
	// holds a label as wide (lines of textWidth in all).
	hang  int
	style string // the ANSI style in effect
	sb    strings.Builder
}

func newWrapper(w io.Writer, indent string, color bool) *wrapper {
	wr := &wrapper{w: w, indent: indent, color: color}
	wr.sb.WriteString(indent)
	return wr
}

// runes writes normalised runes, masks as MaskSymbol.
func (wr *wrapper) runes(r []rune, style string) {
	for _, c := range r {
		if c == verify.Mask {
			if style == "" || !wr.color {
				wr.rune('◆', styleMask)
			} else {
				wr.rune('◆', style)
			}
			continue
		}
		wr.rune(c, style)
	}
}

// marked writes an edit: in colour, styled; else between open and close.
func (wr *wrapper) marked(r []rune, open, close, style string) {
	if wr.color {
		wr.runes(r, style)
		return
	}
	wr.text(open, "")
	wr.runes(r, "")
	wr.text(close, "")
}

// prose writes plain text, breaking lines between words.
func (wr *wrapper) prose(s string) {
	for i, word := range strings.Fields(s) {
		n := 0
		for _, c := range word {
			n += runeWidth(c)
		}
		if i > 0 {
			if wr.col+1+n > textWidth {
				wr.col = textWidth // break before the word
			} else {
				wr.rune(' ', "")
			}
		}
		wr.text(word, "")
	}
}

func (wr *wrapper) text(s, style string) {
	for _, c := range s {
		wr.rune(c, style)
	}
}

func (wr *wrapper) rune(c rune, style string) {
	cw := runeWidth(c)
	if wr.col+cw > textWidth {
		wr.setStyle("") // no colour across the indent
		wr.sb.WriteString("\n")
		wr.sb.WriteString(wr.indent)
		wr.col = wr.hang
		if c == ' ' {
			return
		}
	}
	if wr.color {
		wr.setStyle(style)
	}
	wr.sb.WriteRune(c)
	wr.col += cw
}

// setStyle switches the ANSI style, writing codes only on a change.
func (wr *wrapper) setStyle(style string) {
	if style == wr.style {
		return
	}
	if wr.style != "" {
		wr.sb.WriteString(styleReset)
	}
	if style != "" {
		wr.sb.WriteString(style)
	}
	wr.style = style
}

// end finishes the last line and writes everything.
func (wr *wrapper) end() {
	wr.setStyle("")
	wr.sb.WriteString("\n")
	io.WriteString(wr.w, wr.sb.String())
}

// runeWidth is the display width of c in a terminal: 2 for East Asian wide
// and full-width characters, 1 otherwise (control characters never reach
// here: normalisation strips them).
func runeWidth(c rune) int {
	switch {
	case c >= 0x1100 && c <= 0x115F, c >= 0x2E80 && c <= 0x303E, c >= 0x3041 && c <= 0x33FF,
		c >= 0x3400 && c <= 0x4DBF, c >= 0x4E00 && c <= 0x9FFF, c >= 0xA000 && c <= 0xA4CF,
		c >= 0xAC00 && c <= 0xD7A3, c >= 0xF900 && c <= 0xFAFF, c >= 0xFE30 && c <= 0xFE4F,
		c >= 0xFF00 && c <= 0xFF60, c >= 0xFFE0 && c <= 0xFFE6, c >= 0x20000 && c <= 0x3FFFD:
		return 2
	}
	return 1
}
