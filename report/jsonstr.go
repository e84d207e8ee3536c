package report

import (
	"encoding/binary"
	"unicode/utf8"
)

// SWAR constants: one byte value repeated in each of the eight bytes of a
// word.
const (
	lsb8 = 0x0101010101010101
	msb8 = 0x8080808080808080
)

// appendJSONString appends s as a JSON string, byte for byte what
// encoding/json's Marshal gives a string (HTML characters escaped, invalid
// UTF-8 as \ufffd, U+2028 and U+2029 escaped), without its allocations:
// the report embeds megabytes of cluster texts, and Marshal's byte loop,
// with a copy per call, was most of what writing a report cost.
// TestAppendJSONString compares the two.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start, i := 0, 0
	for i < len(s) {
		// Eight plain ASCII bytes at a time: none of them is at or above
		// 0x80, below 0x20, or one of " \ < > &.
		for i+8 <= len(s) && plain8(binary.LittleEndian.Uint64([]byte(s[i:i+8]))) {
			i += 8
		}
		if i >= len(s) {
			break
		}
		b := s[i]
		if b < utf8.RuneSelf {
			if htmlSafe(b) {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		// Valid three-byte sequences whose lead byte allows any
		// continuation (all of CJK) need no decoding; U+2028 and U+2029
		// (E2 80 A8, E2 80 A9) are escaped below.
		if (b >= 0xE1 && b <= 0xEC || b >= 0xEE) && b <= 0xEF && i+2 < len(s) &&
			s[i+1]&0xC0 == 0x80 && s[i+2]&0xC0 == 0x80 && (b != 0xE2 || s[i+1] != 0x80 || s[i+2]&0xFE != 0xA8) {
			i += 3
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i++
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

const hexDigits = "0123456789abcdef"

// htmlSafe reports whether ASCII byte b goes into a JSON string as it is
// when HTML characters are escaped (encoding/json's htmlSafeSet).
func htmlSafe(b byte) bool {
	return b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&'
}

// plain8 reports whether the eight bytes of v are all htmlSafe ASCII.
func plain8(v uint64) bool {
	// (x - lsb8) &^ x has a top bit set iff some byte of x is zero; for a
	// byte value c, x = v ^ c·lsb8 has a zero byte where v has c. Bytes of
	// v below 0x20: v - 0x20·lsb8 borrows into their top bit (a borrow
	// only ever adds a match above a real one). Bytes at or above 0x80
	// have their own top bit. Written out so that it inlines.
	q, b, l, g, a := v^('"'*lsb8), v^('\\'*lsb8), v^('<'*lsb8), v^('>'*lsb8), v^('&'*lsb8)
	t := (q-lsb8)&^q | (b-lsb8)&^b | (l-lsb8)&^l | (g-lsb8)&^g | (a-lsb8)&^a | (v - 0x20*lsb8) | v
	return t&msb8 == 0
}
