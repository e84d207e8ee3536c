package corpus

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/bits"
	"strconv"
	"sync"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/quchong/quchong/record"
)

// The JSONL extractor has two paths. The fast path scans the top-level object
// once, validating as it goes, remembers the raw bytes of the wanted values
// and skips everything else. It gives up (returns false) on anything it does
// not handle: escaped or non-UTF-8 keys, deep nesting, and every syntax error.
// The slow path is encoding/json, which then decides and words the error.
// Both paths hand their raw values to one interpretation step, so they can
// differ only in scanning and string decoding; FuzzJSONLExtract holds them
// equal.

// maxFastDepth bounds the nesting the fast path skips before it defers to
// encoding/json (which allows 10000 levels).
const maxFastDepth = 64

// jsonlExtractor pulls the text, id and extra fields out of JSONL lines. It
// reuses its buffers: a result is valid until the next call.
type jsonlExtractor struct {
	// keys are the wanted keys: 0 the text, 1 the id, then the extra fields.
	keys     []string
	raws     [][]byte
	text     unescaper // the decoded text, when it has escapes
	scratch2 []byte    // other decoded strings, copied at once
	idBuf    []byte    // the id
	// textEscaped and textASCII describe raws[0] when scan found it a
	// string: it holds escapes (decoded in text, by scan), it is all
	// ASCII (so valid UTF-8). Both are false after slow.
	textEscaped, textASCII bool
}

// jsonlRecord is what the extractor found in one line.
type jsonlRecord struct {
	reason Reason // "" when the line is a document
	detail string
	text   []byte // aliases the line or the extractor's scratch buffer
	id     []byte // the extractor's buffer: valid until the next call
	hasID  bool
	fields map[string]record.Value
}

func newJSONLExtractor(textKey, idKey string, fields []string) *jsonlExtractor {
	keys := append([]string{textKey, idKey}, fields...)
	return &jsonlExtractor{keys: keys, raws: make([][]byte, len(keys))}
}

// extract interprets one line (without its "\n").
func (x *jsonlExtractor) extract(line []byte) jsonlRecord {
	if isBlankASCII(line) {
		return jsonlRecord{reason: Empty, detail: "blank line"}
	}
	if x.scan(line) {
		return x.interpret(x.raws, x.unquoteFast)
	}
	return x.slow(line)
}

// slow is the encoding/json path.
func (x *jsonlExtractor) slow(line []byte) jsonlRecord {
	if i := skipWS(line, 0); i < len(line) && line[i] != '{' {
		return jsonlRecord{reason: MalformedJSON, detail: "not a JSON object"}
	}
	x.textEscaped, x.textASCII = false, false
	var m map[string]json.RawMessage
	if err := json.Unmarshal(line, &m); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return jsonlRecord{reason: MalformedJSON, detail: "not a JSON object"}
		}
		return jsonlRecord{reason: MalformedJSON, detail: err.Error()}
	}
	for k, key := range x.keys {
		raw, ok := m[key]
		if !ok {
			raw = nil
		}
		x.raws[k] = raw
	}
	return x.interpret(x.raws, unquoteStd)
}

// interpret turns the raw wanted values into a record. unquote decodes a raw
// JSON string literal (quotes included) known to be valid JSON; isText says
// it is the text, whose bytes are already known to be valid UTF-8 and whose
// decoding must survive later calls (other strings are copied at once).
func (x *jsonlExtractor) interpret(raws [][]byte, unquote func(raw []byte, isText bool) []byte) jsonlRecord {
	var rec jsonlRecord
	raw := raws[0]
	switch {
	case raw == nil || isNull(raw):
		return jsonlRecord{reason: MissingText, detail: fmt.Sprintf("no %q field", x.keys[0])}
	case raw[0] != '"':
		return jsonlRecord{reason: NonStringText, detail: fmt.Sprintf("%q is a JSON %s", x.keys[0], jsonKind(raw))}
	}
	if body := raw[1 : len(raw)-1]; !x.textASCII && !validUTF8(body) {
		return jsonlRecord{reason: InvalidUTF8, detail: fmt.Sprintf("at byte %d of the %q string", invalidUTF8Offset(body), x.keys[0])}
	}
	rec.text = unquote(raw, true)
	if isBlankText(rec.text) {
		return jsonlRecord{reason: Empty, detail: fmt.Sprintf("%q is empty or white space", x.keys[0])}
	}
	if raw := raws[1]; raw != nil {
		switch {
		case raw[0] == '"':
			x.idBuf = append(x.idBuf[:0], unquote(raw, false)...)
			rec.id, rec.hasID = x.idBuf, true
		case raw[0] == '-' || raw[0] >= '0' && raw[0] <= '9':
			x.idBuf = append(x.idBuf[:0], raw...)
			rec.id, rec.hasID = x.idBuf, true
		}
	}
	for k := 2; k < len(raws); k++ {
		raw := raws[k]
		if raw == nil {
			continue
		}
		var v record.Value
		switch c := raw[0]; {
		case c == '"':
			v = record.Value{Kind: record.String, Str: string(unquote(raw, false))}
		case c == 't':
			v = record.Value{Kind: record.Number, Num: 1}
		case c == 'f':
			v = record.Value{Kind: record.Number, Num: 0}
		case c == '-' || c >= '0' && c <= '9':
			// A valid JSON number always parses; out of range gives ±Inf.
			f, _ := strconv.ParseFloat(string(raw), 64)
			v = record.Value{Kind: record.Number, Num: f}
		default: // null, object, array: not a scalar
			continue
		}
		if rec.fields == nil {
			rec.fields = make(map[string]record.Value, len(raws)-2)
		}
		rec.fields[x.keys[k]] = v
	}
	return rec
}

func isNull(raw []byte) bool { return len(raw) == 4 && string(raw) == "null" }

// jsonKind names the JSON type of a raw value, for messages.
func jsonKind(raw []byte) string {
	switch raw[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	case '"':
		return "string"
	}
	return "number"
}

// unquoteStd decodes a JSON string literal with encoding/json.
func unquoteStd(raw []byte, _ bool) []byte {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil // unreachable: raw came out of a successful Unmarshal
	}
	return []byte(s)
}

// unquoteFast decodes a JSON string literal that the fast scanner validated.
// It matches encoding/json: escapes decoded, a lone or broken surrogate and
// each byte of invalid UTF-8 become U+FFFD. Without escapes or invalid bytes
// it returns the literal's own bytes. The text was decoded by scan already
// (into x.scratch, when it has escapes).
func (x *jsonlExtractor) unquoteFast(raw []byte, isText bool) []byte {
	body := raw[1 : len(raw)-1]
	if isText {
		if x.textEscaped {
			return x.text.b
		}
		return body
	}
	if bytes.IndexByte(body, '\\') < 0 && utf8.Valid(body) {
		return body
	}
	b := x.scratch2[:0]
	for i := 0; i < len(body); {
		switch c := body[i]; {
		case c == '\\':
			b, i = appendEscape(b, body, i)
		case c < utf8.RuneSelf:
			b = append(b, c)
			i++
		default:
			r, size := utf8.DecodeRune(body[i:])
			if r == utf8.RuneError && size == 1 {
				b = utf8.AppendRune(b, utf8.RuneError)
			} else {
				b = append(b, body[i:i+size]...)
			}
			i += size
		}
	}
	x.scratch2 = b
	return b
}

// appendEscape appends the decoding of the valid escape at s[i] (a
// backslash) to b and returns the index after it. As in encoding/json, a
// \u surrogate that does not pair with a following \u escape becomes U+FFFD;
// the pair is looked for within s, which the caller ends at the closing
// quote or after it (a quote is no hex digit).
func appendEscape(b, s []byte, i int) ([]byte, int) {
	switch e := s[i+1]; e {
	case 'b':
		b = append(b, '\b')
	case 'f':
		b = append(b, '\f')
	case 'n':
		b = append(b, '\n')
	case 'r':
		b = append(b, '\r')
	case 't':
		b = append(b, '\t')
	case 'u':
		r := hex4(s[i+2:])
		i += 6
		if utf16.IsSurrogate(r) {
			r2 := rune(-1)
			if i+6 <= len(s) && s[i] == '\\' && s[i+1] == 'u' {
				r2 = hex4(s[i+2:])
			}
			if dec := utf16.DecodeRune(r, r2); dec != unicode.ReplacementChar {
				r = dec
				i += 6
			} else {
				r = unicode.ReplacementChar
			}
		}
		return utf8.AppendRune(b, r), i
	default: // '"', '\\', '/'
		b = append(b, e)
	}
	return b, i + 2
}

// hex4 decodes four hex digits the scanner validated; -1 if they are short.
func hex4(s []byte) rune {
	if len(s) < 4 {
		return -1
	}
	var r rune
	for _, c := range s[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}

// scan is the fast path: it validates the line as one JSON object and
// records the raw values of the wanted keys in x.raws (last one wins, as in
// encoding/json). It returns false when it is not sure.
func (x *jsonlExtractor) scan(s []byte) bool {
	for k := range x.raws {
		x.raws[k] = nil
	}
	x.textEscaped, x.textASCII = false, false
	i := skipWS(s, 0)
	if i >= len(s) || s[i] != '{' {
		return false
	}
	i = skipWS(s, i+1)
	if i < len(s) && s[i] == '}' {
		return skipWS(s, i+1) == len(s)
	}
	for {
		if i >= len(s) || s[i] != '"' {
			return false
		}
		end, esc, ok := scanString(s, i)
		if !ok || esc {
			return false // escaped keys are rare: let encoding/json decode them
		}
		key := s[i+1 : end-1]
		if !isASCII(key) && !utf8.Valid(key) {
			return false
		}
		i = skipWS(s, end)
		if i >= len(s) || s[i] != ':' {
			return false
		}
		i = skipWS(s, i+1)
		start := i
		if string(key) == x.keys[0] && i < len(s) && s[i] == '"' {
			// The text: scanned, and decoded if it has escapes, at once.
			var flags int
			if i, flags, ok = scanStringInto(s, i, &x.text); !ok {
				return false
			}
			x.textEscaped, x.textASCII = flags&strEscaped != 0, flags&strNonASCII == 0
		} else if i, ok = skipValue(s, i, 1); !ok {
			return false
		}
		for k, want := range x.keys {
			if string(key) == want {
				x.raws[k] = s[start:i]
			}
		}
		i = skipWS(s, i)
		if i >= len(s) {
			return false
		}
		switch s[i] {
		case ',':
			i = skipWS(s, i+1)
		case '}':
			return skipWS(s, i+1) == len(s)
		default:
			return false
		}
	}
}

// skipValue validates and skips the JSON value at s[i], returning the index
// after it.
func skipValue(s []byte, i, depth int) (int, bool) {
	if i >= len(s) {
		return i, false
	}
	switch c := s[i]; {
	case c == '"':
		end, _, ok := scanString(s, i)
		return end, ok
	case c == '{':
		if depth >= maxFastDepth {
			return i, false
		}
		i = skipWS(s, i+1)
		if i < len(s) && s[i] == '}' {
			return i + 1, true
		}
		for {
			if i >= len(s) || s[i] != '"' {
				return i, false
			}
			end, _, ok := scanString(s, i)
			if !ok {
				return i, false
			}
			i = skipWS(s, end)
			if i >= len(s) || s[i] != ':' {
				return i, false
			}
			if i, ok = skipValue(s, skipWS(s, i+1), depth+1); !ok {
				return i, false
			}
			i = skipWS(s, i)
			if i >= len(s) {
				return i, false
			}
			switch s[i] {
			case ',':
				i = skipWS(s, i+1)
			case '}':
				return i + 1, true
			default:
				return i, false
			}
		}
	case c == '[':
		if depth >= maxFastDepth {
			return i, false
		}
		i = skipWS(s, i+1)
		if i < len(s) && s[i] == ']' {
			return i + 1, true
		}
		for {
			var ok bool
			if i, ok = skipValue(s, i, depth+1); !ok {
				return i, false
			}
			i = skipWS(s, i)
			if i >= len(s) {
				return i, false
			}
			switch s[i] {
			case ',':
				i = skipWS(s, i+1)
			case ']':
				return i + 1, true
			default:
				return i, false
			}
		}
	case c == 't':
		return i + 4, bytes.HasPrefix(s[i:], []byte("true"))
	case c == 'f':
		return i + 5, bytes.HasPrefix(s[i:], []byte("false"))
	case c == 'n':
		return i + 4, bytes.HasPrefix(s[i:], []byte("null"))
	case c == '-' || c >= '0' && c <= '9':
		return scanNumber(s, i)
	}
	return i, false
}

// scanNumber validates the JSON number at s[i].
func scanNumber(s []byte, i int) (int, bool) {
	if s[i] == '-' {
		i++
	}
	switch {
	case i >= len(s):
		return i, false
	case s[i] == '0':
		i++
	case s[i] >= '1' && s[i] <= '9':
		i = skipDigits(s, i+1)
	default:
		return i, false
	}
	if i < len(s) && s[i] == '.' {
		j := skipDigits(s, i+1)
		if j == i+1 {
			return j, false
		}
		i = j
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		j := skipDigits(s, i)
		if j == i {
			return j, false
		}
		i = j
	}
	return i, true
}

func skipDigits(s []byte, i int) int {
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}

// SWAR constants: a byte repeated eight times.
const (
	lsb8  = 0x0101010101010101
	msb8  = 0x8080808080808080
	quot8 = lsb8 * '"'
	bsl8  = lsb8 * '\\'
	ctl8  = lsb8 * 0x20
)

// specialBytes marks, in the high bit of each byte, the bytes of v that are
// '"', '\\' or below 0x20: the bytes that end a run of a JSON string. Bytes
// above a marked byte may be marked falsely (a borrow), never one below, so
// the lowest mark is exact.
func specialBytes(v uint64) uint64 {
	// (x-lsb8)&^x&msb8 marks the zero bytes of x, (v-ctl8)&^v&msb8 those
	// below 0x20; v^quot8 and v^bsl8 have v's high bits, so one &^v serves.
	return ((v ^ quot8 - lsb8) | (v ^ bsl8 - lsb8) | (v - ctl8)) &^ v & msb8
}

// What scanStringInto found in a string, besides its end.
const (
	strEscaped  = 1 << iota // it holds escapes
	strNonASCII             // it holds a byte >= 0x80
)

// scanString validates the JSON string literal starting at the quote s[i]
// and returns the index after its closing quote, and whether it holds
// escapes.
func scanString(s []byte, i int) (end int, escaped, ok bool) {
	end, flags, ok := scanStringInto(s, i, nil)
	return end, flags&strEscaped != 0, ok
}

// scanStringInto validates the JSON string literal starting at the quote
// s[i] and returns the index after its closing quote and what it holds
// (strEscaped, strNonASCII). When dst is not nil and the string holds
// escapes, dst.b is set to its decoded content (unquoteFast's result for
// bytes known to be valid UTF-8). It reads sixteen bytes a step and jumps
// straight to the first quote, backslash or control character of a load
// (the lowest mark of specialBytes); that is where the time goes on long
// texts.
func scanStringInto(s []byte, i int, dst *unescaper) (end, flags int, ok bool) {
	j := i + 1
	var hi uint64 // the bytes passed over, OR-ed: their high bits
	for {
		for j+16 <= len(s) {
			v, w := binary.LittleEndian.Uint64(s[j:j+8]), binary.LittleEndian.Uint64(s[j+8:j+16])
			if m := specialBytes(v); m != 0 {
				k := bits.TrailingZeros64(m) &^ 7 // 8 × the index of the byte
				hi |= v & (1<<k - 1)
				j += k >> 3
				goto special
			}
			if m := specialBytes(w); m != 0 {
				k := bits.TrailingZeros64(m) &^ 7
				hi |= v | w&(1<<k-1)
				j += 8 + k>>3
				goto special
			}
			hi |= v | w
			j += 16
		}
		for j+8 <= len(s) {
			v := binary.LittleEndian.Uint64(s[j : j+8])
			if m := specialBytes(v); m != 0 {
				k := bits.TrailingZeros64(m) &^ 7
				hi |= v & (1<<k - 1)
				j += k >> 3
				goto special
			}
			hi |= v
			j += 8
		}
		for j < len(s) && s[j] != '"' && s[j] != '\\' && s[j] >= 0x20 {
			hi |= uint64(s[j])
			j++
		}
	special:
		if j >= len(s) {
			return j, flags | nonASCII(hi), false
		}
		if c := s[j]; c != '\\' {
			if c != '"' { // a control character
				return j, flags | nonASCII(hi), false
			}
			if dst != nil && flags&strEscaped != 0 {
				dst.b = append(dst.b, s[dst.run:j]...)
			}
			return j + 1, flags | nonASCII(hi), true
		}
		var d byte
		if j+1 < len(s) {
			d = escapeByte[s[j+1]]
		}
		if d == 0 || d == 'u' && hex4(s[j+2:]) < 0 {
			return j, flags | strEscaped | nonASCII(hi), false
		}
		if flags&strEscaped == 0 && dst != nil {
			dst.b, dst.run = dst.b[:0], i+1
		}
		flags |= strEscaped
		switch {
		case dst == nil:
			j += 2
			if d == 'u' {
				j += 4
			}
		case d != 'u':
			dst.b = append(append(dst.b, s[dst.run:j]...), d)
			j += 2
			dst.run = j
		default:
			dst.b, j = appendEscape(append(dst.b, s[dst.run:j]...), s, j)
			dst.run = j
		}
	}
}

// unescaper holds the decoding of a string as scanStringInto goes.
type unescaper struct {
	b   []byte
	run int // where the run not yet copied to b begins
}

// nonASCII is strNonASCII if some byte OR-ed into hi has its high bit.
func nonASCII(hi uint64) int {
	if hi&msb8 != 0 {
		return strNonASCII
	}
	return 0
}

// escapeByte decodes the letter after a backslash: the byte it stands for,
// 'u' for \uXXXX, 0 for an invalid escape.
var escapeByte = [256]byte{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t', 'u': 'u'}

// skipWS skips JSON white space.
func skipWS(s []byte, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

func isASCII(s []byte) bool {
	for _, c := range s {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// isBlankASCII reports whether a line holds nothing but ASCII white space.
func isBlankASCII(s []byte) bool {
	for _, c := range s {
		if c != ' ' && c != '\t' && c != '\r' && c != '\v' && c != '\f' {
			return false
		}
	}
	return true
}

// isBlankText reports whether valid UTF-8 text is empty or only Unicode
// white space (such as U+3000, the ideographic space).
func isBlankText(s []byte) bool {
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if !unicode.IsSpace(rune(c)) {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		if !unicode.IsSpace(r) {
			return false
		}
		i += size
	}
	return true
}

// invalidUTF8Offset returns the offset of the first invalid byte in s, or -1.
func invalidUTF8Offset(s []byte) int {
	for i := 0; i < len(s); {
		if s[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return -1
}

// UTF-8 validation runs a shift-based DFA (one 64-bit table entry a byte,
// or a pair of bytes, holding every state's next state six bits each, a
// state being its own shift): one dependent shift a step and no branch on
// the data, so mixed CJK, ASCII and other text runs at one speed. The
// states:
const (
	u8Err   = 0  // invalid: absorbing
	u8Acc   = 6  // between characters
	u8Cont  = 12 // one continuation byte (80..BF) to go
	u8Two   = 18 // two to go
	u8Three = 24 // three to go
	u8E0    = 30 // after E0: A0..BF, then one
	u8ED    = 36 // after ED: 80..9F (no surrogates), then one
	u8F0    = 42 // after F0: 90..BF, then two
	u8F4    = 48 // after F4: 80..8F (up to U+10FFFF), then two
)

// utf8DFA is the transition table of validUTF8.
var utf8DFA = func() (t [256]uint64) {
	set := func(from uint64, lo, hi int, to uint64) {
		for c := lo; c <= hi; c++ {
			t[c] |= to << from
		}
	}
	set(u8Acc, 0x00, 0x7F, u8Acc)
	set(u8Acc, 0xC2, 0xDF, u8Cont)
	set(u8Acc, 0xE0, 0xE0, u8E0)
	set(u8Acc, 0xE1, 0xEC, u8Two)
	set(u8Acc, 0xED, 0xED, u8ED)
	set(u8Acc, 0xEE, 0xEF, u8Two)
	set(u8Acc, 0xF0, 0xF0, u8F0)
	set(u8Acc, 0xF1, 0xF3, u8Three)
	set(u8Acc, 0xF4, 0xF4, u8F4)
	set(u8Cont, 0x80, 0xBF, u8Acc)
	set(u8Two, 0x80, 0xBF, u8Cont)
	set(u8Three, 0x80, 0xBF, u8Two)
	set(u8E0, 0xA0, 0xBF, u8Cont)
	set(u8ED, 0x80, 0x9F, u8Cont)
	set(u8F0, 0x90, 0xBF, u8Two)
	set(u8F4, 0x80, 0x8F, u8Two)
	return t
}()

// utf8DFA2 is utf8DFA for two bytes at once, indexed by the pair read as a
// little-endian uint16: 512 KiB, built on first use (in a millisecond or
// two). Chinese text touches a few tens of KiB of it.
var utf8DFA2 = sync.OnceValue(func() *[1 << 16]uint64 {
	var t [1 << 16]uint64
	for p := range t {
		for s := uint64(0); s <= u8F4; s += 6 {
			n := utf8DFA[p&0xFF] >> s & 63
			t[p] |= (utf8DFA[p>>8] >> n & 63) << s
		}
	}
	return &t
})

// validUTF8 is utf8.Valid for long non-ASCII text: two bytes a step through
// the DFA (one table look-up and one dependent shift), but sixteen ASCII
// bytes between characters at a time.
func validUTF8(s []byte) bool {
	var t *[1 << 16]uint64 // fetched at the first non-ASCII step
	st := uint64(u8Acc)
	i := 0
	for i+16 <= len(s) {
		if st&63 == u8Acc {
			for i+16 <= len(s) && (binary.LittleEndian.Uint64(s[i:i+8])|binary.LittleEndian.Uint64(s[i+8:i+16]))&msb8 == 0 {
				i += 16
			}
			if i+16 > len(s) {
				break
			}
		}
		if t == nil {
			t = utf8DFA2()
		}
		b := s[i : i+16]
		st = t[binary.LittleEndian.Uint16(b[0:])] >> (st & 63)
		st = t[binary.LittleEndian.Uint16(b[2:])] >> (st & 63)
		st = t[binary.LittleEndian.Uint16(b[4:])] >> (st & 63)
		st = t[binary.LittleEndian.Uint16(b[6:])] >> (st & 63)
		st = t[binary.LittleEndian.Uint16(b[8:])] >> (st & 63)
		st = t[binary.LittleEndian.Uint16(b[10:])] >> (st & 63)
		st = t[binary.LittleEndian.Uint16(b[12:])] >> (st & 63)
		st = t[binary.LittleEndian.Uint16(b[14:])] >> (st & 63)
		i += 16
	}
	for ; i < len(s); i++ {
		st = utf8DFA[s[i]] >> (st & 63)
	}
	return st&63 == u8Acc
}
