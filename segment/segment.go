// Package segment splits a document's text into the units that line,
// paragraph and sentence deduplication match: lines, paragraphs (blocks
// between blank lines) and sentences (Chinese 。！？； as well as .!?;),
// each with its byte offsets in the original text, so that a unit found to
// repeat can be cut out of the text exactly where it stands.
//
// Splitting is sequential and allocation-free given room in dst; it never
// changes the text. Leading and trailing white space is not part of a unit:
// a unit's content is Text[Start:End], and Text[End:Next] is what separates
// it from the next unit (a line's "\r\n", a sentence's trailing spaces, a
// paragraph's blank lines).
package segment

import (
	"bytes"
	"fmt"
	"unicode"
	"unicode/utf8"
)

// Unit is a kind of unit.
type Unit int

// The kinds of unit.
const (
	// Line is the text between "\n"s ("\r\n" too); blank lines are no unit.
	Line Unit = iota
	// Paragraph is a block of non-blank lines between blank lines (lines of
	// only white space) or the text's ends.
	Paragraph
	// Sentence ends after a run of terminators (。！？；!?; and … and, when
	// a space or the end follows, '.'), with any closing quotes or brackets
	// after them, or at a line break.
	Sentence
)

// ParseUnit reads "line", "paragraph" or "sentence".
func ParseUnit(s string) (Unit, error) {
	switch s {
	case "line":
		return Line, nil
	case "paragraph":
		return Paragraph, nil
	case "sentence":
		return Sentence, nil
	}
	return 0, fmt.Errorf("unknown unit %q (want line, paragraph or sentence)", s)
}

// String returns the unit's name as ParseUnit reads it.
func (u Unit) String() string {
	switch u {
	case Line:
		return "line"
	case Paragraph:
		return "paragraph"
	case Sentence:
		return "sentence"
	}
	return fmt.Sprintf("Unit(%d)", int(u))
}

// Span is one unit: its content is text[Start:End], without surrounding
// white space, and the next unit (or the end of the text) starts at Next.
// Offsets are in bytes.
type Span struct {
	Start, End, Next int
}

// Split appends the units of text to dst, in order, and returns it. Units
// never overlap and never hold only white space; the first one's Start is
// after any leading white space.
func Split(dst []Span, text []byte, u Unit) []Span {
	switch u {
	case Line:
		return lines(dst, text)
	case Paragraph:
		return paragraphs(dst, text)
	default:
		return sentences(dst, text)
	}
}

// trim narrows text[a:b] to its content without surrounding white space;
// a == b when there is none.
func trim(text []byte, a, b int) (int, int) {
	for a < b {
		r, sz := utf8.DecodeRune(text[a:b])
		if !unicode.IsSpace(r) {
			break
		}
		a += sz
	}
	for b > a {
		r, sz := utf8.DecodeLastRune(text[a:b])
		if !unicode.IsSpace(r) {
			break
		}
		b -= sz
	}
	return a, b
}

// add appends the unit text[a:b] (trimmed), ending the previous unit's
// separator where it starts.
func add(dst []Span, text []byte, a, b int) []Span {
	a, b = trim(text, a, b)
	if a == b {
		return dst
	}
	if n := len(dst); n > 0 {
		dst[n-1].Next = a
	}
	return append(dst, Span{Start: a, End: b, Next: len(text)})
}

// lineEnd returns the index of the first '\n' at or after a, or len(text).
func lineEnd(text []byte, a int) int {
	if k := bytes.IndexByte(text[a:], '\n'); k >= 0 {
		return a + k
	}
	return len(text)
}

func lines(dst []Span, text []byte) []Span {
	for a := 0; a < len(text); {
		b := lineEnd(text, a)
		dst = add(dst, text, a, b)
		a = b + 1
	}
	return dst
}

func paragraphs(dst []Span, text []byte) []Span {
	start := -1 // where the current paragraph's first line begins
	for a := 0; a <= len(text); {
		b := lineEnd(text, a)
		if s, e := trim(text, a, b); s == e { // a blank line ends a paragraph
			if start >= 0 {
				dst = add(dst, text, start, a)
				start = -1
			}
		} else if start < 0 {
			start = a
		}
		a = b + 1
	}
	if start >= 0 {
		dst = add(dst, text, start, len(text))
	}
	return dst
}

// isTerminator reports whether r ends a sentence wherever it stands.
func isTerminator(r rune) bool {
	switch r {
	case '。', '！', '？', '；', '!', '?', ';', '…', '｡', '﹗', '﹖', '﹔':
		return true
	}
	return false
}

// isCloser reports whether r closes a quotation or bracket, and so belongs
// to the sentence whose terminator it follows.
func isCloser(r rune) bool {
	switch r {
	case '"', '\'', ')', ']', '”', '’', '」', '』', '）', '】', '》', '〉', '］':
		return true
	}
	return false
}

func sentences(dst []Span, text []byte) []Span {
	a := 0
	for i := 0; i < len(text); {
		r, sz := utf8.DecodeRune(text[i:])
		switch {
		case r == '\n':
			dst = add(dst, text, a, i)
			i += sz
			a = i
			continue
		case isTerminator(r) || r == '.' && dotEnds(text, i+sz):
			j := i + sz
			for j < len(text) {
				r2, sz2 := utf8.DecodeRune(text[j:])
				if !isTerminator(r2) && r2 != '.' && !isCloser(r2) {
					break
				}
				j += sz2
			}
			dst = add(dst, text, a, j)
			i, a = j, j
			continue
		}
		i += sz
	}
	return add(dst, text, a, len(text))
}

// dotEnds reports whether a '.' before text[i:] ends a sentence: the text
// ends, or white space or a closing quote follows (so 3.14 and a.b do not).
func dotEnds(text []byte, i int) bool {
	if i >= len(text) {
		return true
	}
	r, _ := utf8.DecodeRune(text[i:])
	return unicode.IsSpace(r) || isCloser(r) || r == '.'
}
