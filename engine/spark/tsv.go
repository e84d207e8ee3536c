package spark

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/quchong/quchong/record"
)

// Rows travel between Spark and the workers as lines of tab-separated
// fields (TRANSFORM's ROW FORMAT DELIMITED). Numbers are decimal; anything
// else (ids, signatures, texts, JSON) is base64, so no field holds a tab or
// a newline; "-" is an empty field.

const none = "-"

// tsvReader reads the rows of a worker's partition.
type tsvReader struct {
	r    *bufio.Reader
	line int
}

func newTSVReader(r io.Reader) *tsvReader { return &tsvReader{r: bufio.NewReaderSize(r, 1<<20)} }

// next returns the fields of the next row (want of them), or io.EOF.
func (t *tsvReader) next(want int) ([]string, error) {
	line, err := t.r.ReadString('\n')
	if err == io.EOF && line == "" {
		return nil, io.EOF
	}
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("read row: %w", err)
	}
	t.line++
	f := strings.Split(strings.TrimSuffix(line, "\n"), "\t")
	if len(f) != want {
		return nil, fmt.Errorf("row %d: %d fields, want %d: %.200q", t.line, len(f), want, line)
	}
	return f, nil
}

// tsvWriter writes rows.
type tsvWriter struct{ w *bufio.Writer }

func newTSVWriter(w io.Writer) *tsvWriter { return &tsvWriter{w: bufio.NewWriterSize(w, 1<<20)} }

func (t *tsvWriter) row(fields ...string) error {
	for i, f := range fields {
		if i > 0 {
			t.w.WriteByte('\t')
		}
		t.w.WriteString(f)
	}
	return t.w.WriteByte('\n')
}

func (t *tsvWriter) flush() error { return t.w.Flush() }

func itoa[T ~int | ~int32 | ~int64 | ~uint32 | ~uint16](v T) string {
	return strconv.FormatInt(int64(v), 10)
}

func ftoa(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

func atoi(s string) (int64, error) {
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("number field %q: %w", s, err)
	}
	return v, nil
}

// atou32 parses a document index.
func atou32(s string) (uint32, error) {
	v, err := strconv.ParseUint(s, 10, 32)
	if err != nil {
		return 0, fmt.Errorf("index field %q: %w", s, err)
	}
	return uint32(v), nil
}

func b64(b []byte) string {
	if len(b) == 0 {
		return none
	}
	return base64.RawStdEncoding.EncodeToString(b)
}

func unb64(s string) ([]byte, error) {
	if s == none || s == "" || s == `\N` {
		return nil, nil
	}
	b, err := base64.RawStdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("base64 field: %w", err)
	}
	return b, nil
}

// sigField packs a signature as 4-byte little-endian values, base64.
func sigField(sig []uint32) string {
	b := make([]byte, 0, 4*len(sig))
	for _, v := range sig {
		b = binary.LittleEndian.AppendUint32(b, v)
	}
	return b64(b)
}

// parseSig reverses sigField; nil for an empty field.
func parseSig(s string, k int) ([]uint32, error) {
	b, err := unb64(s)
	if err != nil || b == nil {
		return nil, err
	}
	if len(b) != 4*k {
		return nil, fmt.Errorf("signature of %d bytes, want %d", len(b), 4*k)
	}
	sig := make([]uint32, k)
	for j := range sig {
		sig[j] = binary.LittleEndian.Uint32(b[4*j:])
	}
	return sig, nil
}

// runesField packs normalised runes (masks included) as 4-byte values.
func runesField(r []rune) string {
	b := make([]byte, 0, 4*len(r))
	for _, v := range r {
		b = binary.LittleEndian.AppendUint32(b, uint32(v))
	}
	if len(b) == 0 {
		return "" // an empty text, distinct from no text
	}
	return b64(b)
}

// parseRunes reverses runesField; ok is false for "no text".
func parseRunes(s string) (r []rune, ok bool, err error) {
	if s == none || s == `\N` {
		return nil, false, nil
	}
	b, err := unb64(s)
	if err != nil {
		return nil, false, err
	}
	r = make([]rune, len(b)/4)
	for j := range r {
		r[j] = rune(binary.LittleEndian.Uint32(b[4*j:]))
	}
	return r, true, nil
}

// valueField encodes a keep-rule field value.
func valueField(v record.Value) string {
	if v.Kind == record.Missing {
		return none
	}
	b, _ := json.Marshal(v)
	return b64(b)
}

func parseValue(s string) (record.Value, error) {
	var v record.Value
	b, err := unb64(s)
	if err != nil || b == nil {
		return v, err
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return v, fmt.Errorf("value field: %w", err)
	}
	return v, nil
}

// jsonField encodes any value as base64 JSON.
func jsonField(v any) (string, error) {
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	if err := e.Encode(v); err != nil {
		return "", err
	}
	return b64(bytes.TrimSuffix(b.Bytes(), []byte("\n"))), nil
}

func parseJSON[T any](s string) (T, error) {
	var v T
	b, err := unb64(s)
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return v, fmt.Errorf("json field: %w", err)
	}
	return v, nil
}
