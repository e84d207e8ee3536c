// Package corpus reads and rewrites the input corpora of a deduplication run,
// streaming and in bounded memory.
//
// # Formats
//
//   - Text (.txt): one document per line. The document is the line without
//     its "\n" or "\r\n" terminator.
//   - JSONL (.jsonl, .json): one JSON object per line; the document text is a
//     string field (Options.TextField, default "text"). Every other field is
//     carried through unchanged when the input is rewritten.
//   - Parquet (.parquet): one document per row; the text is a top-level
//     string column (Options.TextField, default "text").
//
// Text and JSONL files may be compressed with gzip (.gz) or zstd (.zst);
// Parquet files compress their columns internally and are never wrapped.
// Options.Format overrides detection by extension.
//
// # Identity
//
// Records are numbered from 1: the line number for text and JSONL (every
// line counts, including rejected ones), the row number for Parquet. A
// document's ID is its id field or column (Options.IDField, default "id"; a
// string, or a number's literal text) and, when there is none,
// "<path>:<record>".
//
// # Rejects
//
// A record that cannot be a document is reported by Reader.Next as a
// *RejectError with one of these reasons, and the reader moves on:
//
//   - invalid-utf8: the text is not valid UTF-8;
//   - malformed-json: the JSONL line is not a JSON object;
//   - missing-text: the text field is absent or null;
//   - non-string-text: the text field is not a string;
//   - empty: the line, or the text, is empty or only white space;
//   - too-large: the document is larger than Options.MaxDocBytes (or a
//     JSONL line longer than that allows, see Options.MaxDocBytes).
//
// Every other error (a truncated or corrupt gzip or zstd stream, a corrupt
// Parquet file, an I/O error) ends the file: it names the path and the last
// good record.
//
// # Second pass
//
// Partition copies the records of an input to a kept and a removed output in
// the input's own format and compression, byte for byte for text and JSONL
// lines and with the input's schema for Parquet, so that every field survives
// deduplication.
package corpus

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strings"
)

// Format is the record format of an input file.
type Format int

const (
	// Auto detects the format from the file name's extension.
	Auto Format = iota
	// Text holds one document per line.
	Text
	// JSONL holds one JSON object per line.
	JSONL
	// Parquet holds one document per row.
	Parquet
)

// String returns the format's name as ParseFormat accepts it.
func (f Format) String() string {
	switch f {
	case Auto:
		return "auto"
	case Text:
		return "text"
	case JSONL:
		return "jsonl"
	case Parquet:
		return "parquet"
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// ParseFormat parses a format name: "txt" or "text", "jsonl" or "json",
// "parquet", and "" or "auto". Case does not matter.
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "auto":
		return Auto, nil
	case "txt", "text":
		return Text, nil
	case "jsonl", "json":
		return JSONL, nil
	case "parquet":
		return Parquet, nil
	}
	return Auto, fmt.Errorf("unknown format %q (want text, jsonl, parquet or auto)", s)
}

// Compression is the stream compression wrapped around a text or JSONL file.
type Compression int

const (
	// None is an uncompressed file.
	None Compression = iota
	// Gzip is a gzip stream (.gz); concatenated members are read as one.
	Gzip
	// Zstd is a zstd stream (.zst).
	Zstd
)

// String returns "none", "gzip" or "zstd".
func (c Compression) String() string {
	switch c {
	case None:
		return "none"
	case Gzip:
		return "gzip"
	case Zstd:
		return "zstd"
	}
	return fmt.Sprintf("Compression(%d)", int(c))
}

// Detect tells a file's format and compression from its name: .txt, .jsonl,
// .json or .parquet, the first three optionally followed by .gz or .zst.
// Case does not matter. An unknown extension is an error that names the path.
func Detect(path string) (Format, Compression, error) {
	comp, rest := detectCompression(path)
	switch strings.ToLower(filepath.Ext(rest)) {
	case ".txt":
		return Text, comp, nil
	case ".jsonl", ".json":
		return JSONL, comp, nil
	case ".parquet":
		if comp != None {
			return Auto, None, fmt.Errorf("%s: Parquet files are never wrapped in %s (Parquet compresses its columns itself)", path, comp)
		}
		return Parquet, None, nil
	}
	return Auto, None, fmt.Errorf("%s: cannot tell the format from the extension (want .txt, .jsonl, .json or .parquet, optionally + .gz or .zst); name it with --format", path)
}

// detectCompression splits a .gz or .zst suffix off path.
func detectCompression(path string) (Compression, string) {
	ext := strings.ToLower(filepath.Ext(path))
	switch ext {
	case ".gz":
		return Gzip, path[:len(path)-len(ext)]
	case ".zst", ".zstd":
		return Zstd, path[:len(path)-len(ext)]
	}
	return None, path
}

// resolve applies Options.Format to path: the forced format with the
// compression of the name's suffix, or full detection.
func resolve(path string, f Format) (Format, Compression, error) {
	switch f {
	case Auto:
		return Detect(path)
	case Text, JSONL:
		comp, _ := detectCompression(path)
		return f, comp, nil
	case Parquet:
		if comp, _ := detectCompression(path); comp != None {
			return Auto, None, fmt.Errorf("%s: Parquet files are never wrapped in %s", path, comp)
		}
		return Parquet, None, nil
	}
	return Auto, None, fmt.Errorf("%s: unknown format %v", path, f)
}

// DefaultMaxDocBytes is the document size limit when Options.MaxDocBytes is 0.
const DefaultMaxDocBytes = 64 << 20

// Options says how to read an input. The zero value reads by extension with
// the default field names.
type Options struct {
	// Format forces the record format; Auto (the default) detects it from the
	// extension. Compression is always taken from a .gz or .zst suffix.
	Format Format
	// TextField is the JSONL key or Parquet column holding the text.
	// Default "text".
	TextField string
	// IDField is the JSONL key or Parquet column holding the document id.
	// Default "id". When a record has none, its id is "<path>:<record>".
	IDField string
	// Fields are extra scalar fields to extract into doc.Document.Fields, for
	// keep rules such as max:FIELD. Ignored for text files.
	Fields []string
	// LazyID leaves doc.Document.ID empty: Reader.AppendID gives each
	// record's id instead, sparing a string allocation per document to
	// callers that copy ids elsewhere.
	LazyID bool
	// MaxDocBytes rejects larger documents as too-large. For text it bounds
	// the line; for JSONL and Parquet the decoded text, and a JSONL line may
	// be up to twice as long plus 1 MiB (escapes such as \u4e2d double a
	// text's size; the other fields need room too): a longer line is
	// rejected without being held in memory. Default 64 MiB: the reader's
	// memory is bounded by about this much (a JSONL line) per open file.
	MaxDocBytes int
	// Level is the compression level of Partition's gzip and zstd outputs.
	// The zero value, LevelFast, trades about 8 % of size (zstd, against
	// LevelDefault) for about a third less compression time: outputs of a
	// deduplication are usually read again soon.
	Level Level
	// Concurrency is how many goroutines a zstd output's encoder may use:
	// 1 costs about 8 % less CPU, 2 (the default, for 0) overlaps
	// compression with the copy when few files are written at once.
	Concurrency int
	// Output is the compression of Partition's outputs of text and JSONL
	// inputs: the zero value keeps each input's; Parquet outputs always keep
	// their column codecs. OutputName gives the matching file name.
	Output OutputCompression
	// Name is what records and messages call the file (ids are
	// "<Name>:<record>") and what its format is detected from, when the
	// file is read from another path than the one the user named (a copy
	// of standard input or of a pipe). Default: the path.
	Name string
	// Salvage makes Partition keep what it copied when the input ends in a
	// *ReadFault (a truncated or corrupt file): the records before the fault
	// are committed to the outputs, and the fault is still returned.
	// Without it, a fault leaves no output at all.
	Salvage bool
}

// OutputCompression chooses the compression of the outputs: the input's
// (SameCompression, the zero value) or a fixed one.
type OutputCompression int

// Output compressions.
const (
	SameCompression OutputCompression = iota
	OutputNone
	OutputGzip
	OutputZstd
)

var outputCompressionNames = [...]string{"same", "none", "gzip", "zstd"}

// String returns the choice's name.
func (o OutputCompression) String() string {
	if o >= 0 && int(o) < len(outputCompressionNames) {
		return outputCompressionNames[o]
	}
	return fmt.Sprintf("OutputCompression(%d)", int(o))
}

// ParseOutputCompression reads same, none, gzip or zstd.
func ParseOutputCompression(s string) (OutputCompression, error) {
	for i, n := range outputCompressionNames {
		if s == n {
			return OutputCompression(i), nil
		}
	}
	return 0, fmt.Errorf("output compression %q: want same, none, gzip or zstd", s)
}

// For returns the compression of the output of an input of format f
// compressed with in.
func (o OutputCompression) For(f Format, in Compression) Compression {
	if o == SameCompression || f == Parquet {
		return in
	}
	return [...]Compression{None, None, Gzip, Zstd}[o]
}

// OutputName returns the name under which the output of the input named
// name (of format f, compressed with in) is written: name itself, or, when
// opt.Output changes the compression, name with its ".gz" or ".zst" suffix
// replaced by the output's.
func OutputName(name string, f Format, in Compression, opt Options) string {
	out := opt.Output.For(f, in)
	if out == in {
		return name
	}
	if c, rest := detectCompression(name); c == in {
		name = rest
	}
	switch out {
	case Gzip:
		return name + ".gz"
	case Zstd:
		return name + ".zst"
	}
	return name
}

// Level is an output compression level.
type Level int

// Compression levels: gzip 1, 6, 7 and 9; zstd fastest, default, better and
// best.
const (
	LevelFast Level = iota
	LevelDefault
	LevelBetter
	LevelBest
)

var levelNames = [...]string{"fast", "default", "better", "best"}

// String returns the level's name.
func (l Level) String() string {
	if l >= 0 && int(l) < len(levelNames) {
		return levelNames[l]
	}
	return fmt.Sprintf("Level(%d)", int(l))
}

// ParseLevel reads a level name: fast, default, better or best.
func ParseLevel(s string) (Level, error) {
	for i, n := range levelNames {
		if s == n {
			return Level(i), nil
		}
	}
	return 0, fmt.Errorf("compression level %q: want fast, default, better or best", s)
}

// lineLimit is the longest line a reader of format f holds (see
// MaxDocBytes); opt has its defaults.
func (o Options) lineLimit(f Format) int {
	if f != JSONL {
		return o.MaxDocBytes
	}
	return min(2*o.MaxDocBytes+1<<20, math.MaxInt32)
}

// withDefaults fills in the documented defaults.
func (o Options) withDefaults() Options {
	if o.TextField == "" {
		o.TextField = "text"
	}
	if o.IDField == "" {
		o.IDField = "id"
	}
	if o.MaxDocBytes <= 0 {
		o.MaxDocBytes = DefaultMaxDocBytes
	}
	return o
}

// Reason says why a record was rejected. The values are stable and meant
// for statistics and logs.
type Reason string

// The reasons a record can be rejected.
const (
	InvalidUTF8   Reason = "invalid-utf8"
	MalformedJSON Reason = "malformed-json"
	MissingText   Reason = "missing-text"
	NonStringText Reason = "non-string-text"
	Empty         Reason = "empty"
	TooLarge      Reason = "too-large"
)

// Reasons lists every Reason, in a fixed order (for statistics tables).
func Reasons() []Reason {
	return []Reason{InvalidUTF8, MalformedJSON, MissingText, NonStringText, Empty, TooLarge}
}

// phrase is the human wording of a reason in error messages.
func (r Reason) phrase() string {
	switch r {
	case InvalidUTF8:
		return "invalid UTF-8"
	case MalformedJSON:
		return "malformed JSON"
	case MissingText:
		return "missing text"
	case NonStringText:
		return "text is not a string"
	case Empty:
		return "empty document"
	case TooLarge:
		return "document too large"
	}
	return string(r)
}

// RejectError reports one record that is not a usable document. The reader
// that returned it can go on with the next record.
type RejectError struct {
	// Path is the input file.
	Path string
	// Record is the 1-based line or row number.
	Record int64
	// Reason is the kind of problem.
	Reason Reason
	// Detail says more, for people (may be empty).
	Detail string
	// row is true for Parquet, where records are rows, not lines.
	row bool
}

// Error returns, for example, "data/a.jsonl line 17: malformed JSON: ...".
func (e *RejectError) Error() string {
	unit := "line"
	if e.row {
		unit = "row"
	}
	if e.Detail == "" {
		return fmt.Sprintf("%s %s %d: %s", e.Path, unit, e.Record, e.Reason.phrase())
	}
	return fmt.Sprintf("%s %s %d: %s: %s", e.Path, unit, e.Record, e.Reason.phrase(), e.Detail)
}

// IsReject reports whether err is (or wraps) a *RejectError, that is,
// whether reading may continue after it.
func IsReject(err error) bool {
	var re *RejectError
	return errors.As(err, &re)
}

// Route says where Partition sends a record.
type Route int

const (
	// Drop writes the record nowhere (for example, a rejected record).
	Drop Route = iota
	// Keep writes the record to the kept output.
	Keep
	// Remove writes the record to the removed output.
	Remove
)

// String returns "drop", "keep" or "remove".
func (r Route) String() string {
	switch r {
	case Drop:
		return "drop"
	case Keep:
		return "keep"
	case Remove:
		return "remove"
	}
	return fmt.Sprintf("Route(%d)", int(r))
}
