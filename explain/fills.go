package explain

import (
	"slices"
	"strings"

	"github.com/quchong/quchong/verify"
)

// showRunes renders normalised runes, masks as MaskSymbol.
func showRunes(r []rune) string {
	var sb strings.Builder
	for _, c := range r {
		if c == verify.Mask {
			sb.WriteString(MaskSymbol)
		} else {
			sb.WriteRune(c)
		}
	}
	return sb.String()
}

// maskFills recovers what each mask run of x stood for, by aligning x with
// filled, the result of verify.Fill(x, other). Runes outside masks are
// copied unchanged by Fill, and a filled span ends just before the first
// occurrence of the mask's right context (the next Context runes of x, up to
// the next mask), so the first place the right context reappears in filled
// marks the span's end. It returns nil when x has no mask, and stops at the
// first mask it cannot align (which would mean Fill changed behaviour).
func maskFills(x, filled, other []rune, opt verify.Options) []Fill {
	c := opt.Context
	if c <= 0 {
		c = 4 // verify's default
	}
	var out []Fill
	p := 0 // position in filled
	for i := 0; i < len(x); {
		if x[i] != verify.Mask {
			if p >= len(filled) || filled[p] != x[i] {
				return out
			}
			i++
			p++
			continue
		}
		j := i
		for j < len(x) && x[j] == verify.Mask {
			j++
		}
		nextMask := j
		for nextMask < len(x) && x[nextMask] != verify.Mask {
			nextMask++
		}
		right := x[j:min(nextMask, j+c)]
		end := -1
		if len(right) == 0 {
			end = len(filled) // the mask closes the text
		} else {
			for q := p; q+len(right) <= len(filled); q++ {
				if slices.Equal(filled[q:q+len(right)], right) {
					end = q
					break
				}
			}
		}
		if end < 0 {
			return out
		}
		span := filled[p:end]
		f := Fill{
			Offset: i,
			Before: showRunes(x[max(0, i-8):i]),
			After:  showRunes(x[j:min(len(x), j+8)]),
		}
		switch {
		case !allMasks(span):
			f.Filled, f.Fill = true, showRunes(span)
		case facesMask(x[max(0, i-c):i], other):
			f.Fill = MaskSymbol
		}
		out = append(out, f)
		p = end
		i = j
	}
	return out
}

// facesMask reports whether other holds left followed by a mask: a mask
// whose fill was a mask of the other text.
func facesMask(left, other []rune) bool {
	for q := 0; q+len(left) < len(other); q++ {
		if other[q+len(left)] == verify.Mask && slices.Equal(other[q:q+len(left)], left) {
			return true
		}
	}
	return false
}

func allMasks(r []rune) bool {
	for _, c := range r {
		if c != verify.Mask {
			return false
		}
	}
	return len(r) > 0
}
