// Package eval scores a deduplication run against labelled document pairs.
//
// A label file holds one JSON object per line (optionally zstd- or
// gzip-compressed, by the .zst or .gz suffix):
//
//	{"a": "doc-1", "b": "doc-2", "label": 1, "difficulty": "easy"}
//
// label 1 (or true) means the two documents should end in one cluster, 0 (or
// false) that they must not. A pair labelled null, or with a graded score
// written as any other number (STS-B's 0.0 to 5.0: similarity of meaning, not
// duplication), is left out of the scores and counted as excluded. The pair's
// stratum is the first of the fields difficulty, stratum, category and
// dataset that is present, else "all". Pair files that carry
// their texts inline (a_text and b_text instead of a and b) name their
// documents "<line>-a" and "<line>-b", line being the 1-based line number in
// the pair file; WriteInlineCorpus writes such texts out as a JSONL corpus
// with exactly those ids, so that a run over it can be scored.
//
// A run's clusters come from its clusters.jsonl (ReadClusters): documents
// not listed there are singletons. Score compares the two and reports, per
// stratum and overall, the pair confusion counts with precision, recall, F1
// and the merge rate, and overall the adjusted Rand index and B-cubed scores
// of the clustering that the positive pairs imply.
package eval

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// Pair is one labelled pair of documents.
type Pair struct {
	// A and B are the document ids.
	A, B string
	// Label is 1 when A and B should share a cluster, 0 when they must not.
	Label int
	// Stratum says what kind of pair this is ("all" when the file says
	// nothing).
	Stratum string
}

// DefaultStratum is the stratum of a pair whose record names none.
const DefaultStratum = "all"

// stratumFields are the record fields that name a pair's stratum, in order
// of preference.
var stratumFields = [...]string{"difficulty", "stratum", "category", "dataset"}

// maxLineBytes bounds one line of a label or cluster file; inline pair files
// hold whole documents on a line.
const maxLineBytes = 1 << 30

// ReadLabels reads a pair file (.jsonl, or .jsonl.zst / .jsonl.gz). Pairs
// labelled null or with a graded score are not returned; excluded counts
// them. Blank lines are skipped. A line that is not a pair (malformed JSON,
// no label, a label that is neither a number, a boolean nor null, no a nor
// a_text) is an error naming the line.
func ReadLabels(path string) (pairs []Pair, excluded int, err error) {
	err = eachLine(path, func(n int, line []byte) error {
		p, ok, err := parseLabel(line, n)
		if err != nil {
			return err
		}
		if ok {
			pairs = append(pairs, p)
		} else {
			excluded++
		}
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	return pairs, excluded, nil
}

// presence records whether a JSON field is present and not null, without
// copying its value (inline texts can be large).
type presence bool

// UnmarshalJSON implements json.Unmarshaler.
func (p *presence) UnmarshalJSON(b []byte) error {
	*p = presence(!isNull(b))
	return nil
}

// parseLabel parses line n (1-based) of a pair file. ok is false for a pair
// labelled null. Blank lines must be filtered out by the caller.
func parseLabel(line []byte, n int) (p Pair, ok bool, err error) {
	var rec struct {
		A          json.RawMessage `json:"a"`
		B          json.RawMessage `json:"b"`
		AText      presence        `json:"a_text"`
		BText      presence        `json:"b_text"`
		Label      json.RawMessage `json:"label"`
		Difficulty json.RawMessage `json:"difficulty"`
		Stratum    json.RawMessage `json:"stratum"`
		Category   json.RawMessage `json:"category"`
		Dataset    json.RawMessage `json:"dataset"`
	}
	if err := json.Unmarshal(line, &rec); err != nil {
		return p, false, fmt.Errorf("line %d: %w", n, err)
	}
	if p.A, err = pairID(rec.A, bool(rec.AText), n, "a"); err != nil {
		return p, false, err
	}
	if p.B, err = pairID(rec.B, bool(rec.BText), n, "b"); err != nil {
		return p, false, err
	}
	switch l := string(rec.Label); l {
	case "":
		return p, false, fmt.Errorf("line %d: no label", n)
	case "null":
		return p, false, nil
	case "1", "true":
		p.Label = 1
	case "0", "false":
		p.Label = 0
	default:
		if _, err := strconv.ParseFloat(l, 64); err == nil {
			return p, false, nil // a graded score such as STS 0.0–5.0, not a dedup label
		}
		return p, false, fmt.Errorf("line %d: label %.40s: want 1, 0 or null", n, l)
	}
	p.Stratum = DefaultStratum
	for i, v := range [...]json.RawMessage{rec.Difficulty, rec.Stratum, rec.Category, rec.Dataset} {
		if len(v) == 0 || isNull(v) {
			continue
		}
		s, err := scalarText(v)
		if err != nil {
			return p, false, fmt.Errorf("line %d: %s: %w", n, stratumFields[i], err)
		}
		p.Stratum = s
		break
	}
	return p, true, nil
}

// pairID returns the id of one side of a pair: the a or b field, or, for an
// inline text, "<line>-a" or "<line>-b".
func pairID(v json.RawMessage, inline bool, n int, side string) (string, error) {
	if len(v) != 0 && !isNull(v) {
		id, err := scalarText(v)
		if err != nil {
			return "", fmt.Errorf("line %d: %s: %w", n, side, err)
		}
		return id, nil
	}
	if inline {
		return InlineID(n, side), nil
	}
	return "", fmt.Errorf("line %d: neither %s nor %s_text", n, side, side)
}

// InlineID returns the id of an inline document: "<line>-<side>", side being
// "a" or "b" and line the 1-based line number in the pair file.
func InlineID(line int, side string) string {
	return strconv.Itoa(line) + "-" + side
}

// scalarText returns a JSON string's value or a number's literal text, the
// way the corpus reader turns id fields into ids.
func scalarText(v json.RawMessage) (string, error) {
	switch {
	case len(v) > 0 && v[0] == '"':
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			return "", err
		}
		return s, nil
	case len(v) > 0 && (v[0] == '-' || v[0] >= '0' && v[0] <= '9'):
		return string(v), nil
	}
	return "", fmt.Errorf("%.40s is not a string or a number", v)
}

func isNull(b []byte) bool { return string(b) == "null" }

// ReadClusters reads a run's clusters.jsonl and returns each listed
// document's cluster. An id listed twice with different clusters is an error:
// the run's ids are not unique, so pairs naming it cannot be scored.
func ReadClusters(path string) (map[string]int, error) {
	clusterOf := make(map[string]int)
	err := eachLine(path, func(n int, line []byte) error {
		id, c, err := parseCluster(line, n)
		if err != nil {
			return err
		}
		if prev, ok := clusterOf[id]; ok && prev != c {
			return fmt.Errorf("line %d: id %s is in clusters %d and %d: ids are not unique", n, quoteClipped(id), prev, c)
		}
		clusterOf[id] = c
		return nil
	})
	if err != nil {
		return nil, err
	}
	return clusterOf, nil
}

// parseCluster parses line n of a clusters file.
func parseCluster(line []byte, n int) (id string, cluster int, err error) {
	var rec struct {
		ID      json.RawMessage `json:"id"`
		Cluster *int            `json:"cluster"`
	}
	if err := json.Unmarshal(line, &rec); err != nil {
		return "", 0, fmt.Errorf("line %d: %w", n, err)
	}
	if len(rec.ID) == 0 || isNull(rec.ID) {
		return "", 0, fmt.Errorf("line %d: no id", n)
	}
	if id, err = scalarText(rec.ID); err != nil {
		return "", 0, fmt.Errorf("line %d: id: %w", n, err)
	}
	if rec.Cluster == nil {
		return "", 0, fmt.Errorf("line %d: no cluster", n)
	}
	return id, *rec.Cluster, nil
}

// WriteInlineCorpus writes the inline texts of a pair file (a_text and
// b_text) to w as a JSONL corpus, {"id": "<line>-a", "text": ...}, one
// document per line, a before b, in file order. Sides that name a document
// by id (a, b) are not written. It returns the number of documents written.
// Identical texts on different lines stay distinct documents, as the labels
// name them.
func WriteInlineCorpus(pairsPath string, w io.Writer) (int, error) {
	bw := bufio.NewWriterSize(w, 1<<20)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	written := 0
	err := eachLine(pairsPath, func(n int, line []byte) error {
		var rec struct {
			A     json.RawMessage `json:"a"`
			B     json.RawMessage `json:"b"`
			AText *string         `json:"a_text"`
			BText *string         `json:"b_text"`
		}
		if err := json.Unmarshal(line, &rec); err != nil {
			return fmt.Errorf("line %d: %w", n, err)
		}
		sides := [...]struct {
			name string
			id   json.RawMessage
			text *string
		}{{"a", rec.A, rec.AText}, {"b", rec.B, rec.BText}}
		for _, s := range sides {
			if s.text == nil || (len(s.id) != 0 && !isNull(s.id)) {
				continue
			}
			out := struct {
				ID   string `json:"id"`
				Text string `json:"text"`
			}{InlineID(n, s.name), *s.text}
			if err := enc.Encode(&out); err != nil {
				return fmt.Errorf("write document %s: %w", out.ID, err)
			}
			written++
		}
		return nil
	})
	if err != nil {
		return written, err
	}
	if err := bw.Flush(); err != nil {
		return written, fmt.Errorf("write inline corpus of %s: %w", pairsPath, err)
	}
	return written, nil
}

// eachLine calls fn with every non-blank line of a possibly compressed file,
// numbered from 1 (blank lines count). Errors are prefixed with the path.
func eachLine(path string, fn func(n int, line []byte) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err // *PathError names the path
	}
	defer f.Close()
	var src io.Reader = f
	switch {
	case strings.HasSuffix(path, ".zst"):
		zr, err := zstd.NewReader(f, zstd.WithDecoderConcurrency(1))
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		defer zr.Close()
		src = zr
	case strings.HasSuffix(path, ".gz"):
		zr, err := gzip.NewReader(f)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		defer zr.Close()
		src = zr
	}
	if err := scanLines(src, fn); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// scanLines is eachLine over an open stream.
func scanLines(r io.Reader, fn func(n int, line []byte) error) error {
	br := bufio.NewReaderSize(r, 1<<20)
	var long []byte
	for n := 1; ; n++ {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			long = append(long[:0], line...)
			for errors.Is(err, bufio.ErrBufferFull) {
				line, err = br.ReadSlice('\n')
				long = append(long, line...)
				if len(long) > maxLineBytes {
					return fmt.Errorf("line %d: longer than %d bytes", n, maxLineBytes)
				}
			}
			line = long
		}
		if err != nil && err != io.EOF {
			return fmt.Errorf("line %d: %w", n, err)
		}
		if t := bytes.TrimSpace(line); len(t) > 0 {
			if ferr := fn(n, t); ferr != nil {
				return ferr
			}
		}
		if err == io.EOF {
			return nil
		}
	}
}
