// Package record holds the document record that flows between quchong's stages.
//
// A Document is what a corpus reader yields: the text to fingerprint plus
// enough provenance (source file and record number) to find the record again
// in a later streaming pass. Stages after fingerprinting carry only the dense
// Index, never the text.
package record

// Document is one input record.
type Document struct {
	// Index is the dense, 0-based position of the document in the whole run:
	// documents are numbered in input order across all sources. The engine
	// assigns it; readers leave it zero.
	Index uint64
	// Source is the position of the input file in the run's file list.
	Source int
	// Record is the 1-based line (text and JSONL) or row (Parquet) number of
	// the record inside its source.
	Record int64
	// ID is the record's id field when present, else "<path>:<record>".
	ID string
	// Text is the document text, valid UTF-8. Readers may reuse the backing
	// array after the next call to Next: copy it to keep it.
	Text []byte
	// Fields holds the values of extra fields the run asked for (for keep
	// rules such as max:FIELD), keyed by field name. Nil when none were asked
	// for or none were present.
	Fields map[string]Value
}

// Value is a scalar field value used by keep rules: a number or a string.
// The zero Value is "missing".
type Value struct {
	// Kind says which of Num or Str holds the value.
	Kind ValueKind
	Num  float64
	Str  string
}

// ValueKind tells what a Value holds.
type ValueKind uint8

const (
	// Missing means the field was absent or null.
	Missing ValueKind = iota
	// Number means Num holds the value (JSON number, numeric column, bool as 0/1).
	Number
	// String means Str holds the value.
	String
)
