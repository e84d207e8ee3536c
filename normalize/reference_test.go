package normalize

import (
	"sync"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// reference is the slow, obviously-correct definition the Normalizer must
// match exactly: x/text NFKC over the whole text, then each rule as a pass
// over a rune slice, in the documented order. It shares no code with the
// fast path except the T2S data.
func reference(opt Options, text []byte) ([]rune, int) {
	// Invalid bytes → U+FFFD, one per byte (string → []rune conversion).
	s := string([]rune(string(text)))
	if opt.NFKC {
		s = norm.NFKC.String(s)
	}
	var rs []rune
	for _, r := range s {
		if r != Mask {
			rs = append(rs, r)
		}
	}
	marked := make([]bool, len(rs))
	if opt.Masks {
		refMark(rs, marked)
	}

	const brk = -1 // a removed rune that leaves a word break
	var toks []rune
	t2s := refT2SMap()
	for i, r := range rs {
		if marked[i] {
			if i == 0 || !marked[i-1] {
				toks = append(toks, Mask)
			}
			continue
		}
		if opt.T2S {
			if v, ok := t2s[r]; ok {
				r = v
			}
		}
		if opt.Fold {
			r = unicode.ToLower(r)
		}
		switch {
		case opt.StripSpace && unicode.Is(unicode.Cf, r):
			continue
		case opt.StripSpace && (unicode.IsSpace(r) || unicode.IsControl(r)),
			opt.StripPunct && unicode.IsPunct(r):
			toks = append(toks, brk)
			continue
		}
		toks = append(toks, r)
	}

	// Removal: breaks vanish, or (WordBreaks) each run becomes one space
	// between kept runes.
	last := -1
	for i, t := range toks {
		if t != brk {
			last = i
		}
	}
	var out []rune
	for i, t := range toks {
		switch {
		case t != brk:
			out = append(out, t)
		case opt.WordBreaks && len(out) > 0 && i < last && toks[i-1] != brk:
			out = append(out, ' ')
		}
	}

	// Adjacent masks merge.
	var res []rune
	masks := 0
	for i, r := range out {
		if r == Mask {
			if i > 0 && out[i-1] == Mask {
				continue
			}
			masks++
		}
		res = append(res, r)
	}
	return res, masks
}

func refASCIIAlnum(r rune) bool {
	return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
}

func refCJK(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul, unicode.Bopomofo)
}

// refMark marks the runes that the mask rules replace.
func refMark(rs []rune, marked []bool) {
	runs := func(in func(rune) bool, f func(i, j int)) {
		for i := 0; i < len(rs); {
			if !in(rs[i]) {
				i++
				continue
			}
			j := i
			for j < len(rs) && in(rs[j]) {
				j++
			}
			f(i, j)
			i = j
		}
	}
	set := func(i, j int) {
		for k := i; k < j; k++ {
			marked[k] = true
		}
	}
	// Rule 1: '*' runs with the digits next to them.
	runs(func(r rune) bool { return r == '*' || '0' <= r && r <= '9' }, func(i, j int) {
		for _, r := range rs[i:j] {
			if r == '*' {
				set(i, j)
				return
			}
		}
	})
	// Rule 2: X/x runs not glued to ASCII letters or digits, long or next to CJK.
	runs(func(r rune) bool { return r == 'X' || r == 'x' }, func(i, j int) {
		var left, right rune = -1, -1
		if i > 0 {
			left = rs[i-1]
		}
		if j < len(rs) {
			right = rs[j]
		}
		if refASCIIAlnum(left) || refASCIIAlnum(right) {
			return
		}
		if j-i >= 2 || left >= 0 && refCJK(left) || right >= 0 && refCJK(right) {
			set(i, j)
		}
	})
	// Rule 3: runs of two or more of × 某 ○ □.
	runs(func(r rune) bool { return r == '×' || r == '某' || r == '○' || r == '□' }, func(i, j int) {
		if j-i >= 2 {
			set(i, j)
		}
	})
}

// refT2SMap parses the generated table into a map.
var refT2SMap = sync.OnceValue(func() map[rune]rune {
	m := map[rune]rune{}
	rs := []rune(t2sPairs)
	for i := 0; i+1 < len(rs); i += 2 {
		m[rs[i]] = rs[i+1]
	}
	return m
})
