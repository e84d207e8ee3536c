package corpus

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
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
	scratch  []byte // the decoded text, when it has escapes
	scratch2 []byte // other decoded strings, copied at once
	idBuf    []byte // the id
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
	if body := raw[1 : len(raw)-1]; !validUTF8(body) {
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
// it returns the literal's own bytes.
func (x *jsonlExtractor) unquoteFast(raw []byte, isText bool) []byte {
	body := raw[1 : len(raw)-1]
	if bytes.IndexByte(body, '\\') < 0 && (isText || utf8.Valid(body)) {
		return body
	}
	b := x.scratch[:0]
	if !isText {
		b = x.scratch2[:0]
	}
	for i := 0; i < len(body); {
		c := body[i]
		if isText && c != '\\' {
			// Valid UTF-8 already: copy the run up to the next escape.
			j := bytes.IndexByte(body[i:], '\\')
			if j < 0 {
				j = len(body) - i
			}
			b = append(b, body[i:i+j]...)
			i += j
			continue
		}
		switch {
		case c == '\\':
			switch e := body[i+1]; e {
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
				r := hex4(body[i+2:])
				i += 6
				if utf16.IsSurrogate(r) {
					r2 := rune(-1)
					if i+6 <= len(body) && body[i] == '\\' && body[i+1] == 'u' {
						r2 = hex4(body[i+2:])
					}
					if dec := utf16.DecodeRune(r, r2); dec != unicode.ReplacementChar {
						r = dec
						i += 6
					} else {
						r = unicode.ReplacementChar
					}
				}
				b = utf8.AppendRune(b, r)
				continue
			default: // '"', '\\', '/'
				b = append(b, e)
			}
			i += 2
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
	if isText {
		x.scratch = b
	} else {
		x.scratch2 = b
	}
	return b
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
		if i, ok = skipValue(s, i, 1); !ok {
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

// scanString validates the JSON string literal starting at the quote s[i]
// and returns the index after its closing quote, and whether it holds
// escapes. It reads eight bytes at a time until it meets a quote, a backslash
// or a control character; that is where the time goes on long texts.
func scanString(s []byte, i int) (end int, escaped, ok bool) {
	j := i + 1
	for {
		for j+16 <= len(s) {
			v, w := binary.LittleEndian.Uint64(s[j:j+8]), binary.LittleEndian.Uint64(s[j+8:j+16])
			q, b, p, c := v^quot8, v^bsl8, w^quot8, w^bsl8
			if ((q-lsb8)&^q|(b-lsb8)&^b|(v-ctl8)&^v|(p-lsb8)&^p|(c-lsb8)&^c|(w-ctl8)&^w)&msb8 != 0 {
				break
			}
			j += 16
		}
		for j+8 <= len(s) {
			v := binary.LittleEndian.Uint64(s[j : j+8])
			q, b := v^quot8, v^bsl8
			// Each term is non-zero iff some byte is '"', '\\' or < 0x20.
			if ((q-lsb8)&^q|(b-lsb8)&^b|(v-ctl8)&^v)&msb8 != 0 {
				break
			}
			j += 8
		}
		for j < len(s) && s[j] != '"' && s[j] != '\\' && s[j] >= 0x20 {
			j++
		}
		if j >= len(s) || s[j] < 0x20 {
			return j, escaped, false
		}
		if s[j] == '"' {
			return j + 1, escaped, true
		}
		escaped = true
		if j+1 >= len(s) {
			return j, escaped, false
		}
		switch s[j+1] {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			j += 2
		case 'u':
			if hex4(s[j+2:]) < 0 {
				return j, escaped, false
			}
			j += 6
		default:
			return j, escaped, false
		}
	}
}

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

// validUTF8 is utf8.Valid tuned for CJK text, which is mostly runs of
// three-byte sequences: those are checked four bytes at a time (E0 and ED
// restrict their second byte, so they take the general path), ASCII eight
// bytes at a time, and everything else goes through utf8.DecodeRune.
func validUTF8(s []byte) bool {
	i, n := 0, len(s)
	for i < n {
		for i+4 <= n {
			v := binary.LittleEndian.Uint32(s[i : i+4])
			if v&0xC0C0F0 != 0x8080E0 || v&0x0F == 0 || v&0x0F == 0x0D {
				break
			}
			i += 3
		}
		for i+8 <= n && binary.LittleEndian.Uint64(s[i:i+8])&msb8 == 0 {
			i += 8
		}
		if i >= n {
			break
		}
		if s[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && size == 1 {
			return false
		}
		i += size
	}
	return true
}
