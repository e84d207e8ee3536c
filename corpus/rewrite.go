package corpus

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"unicode/utf8"

	"github.com/parquet-go/parquet-go"
)

// Edit is what Rewrite does with one document.
type Edit struct {
	// Drop leaves the document out of the output.
	Drop bool
	// Text replaces the document's text; nil keeps it as it is. It need
	// stay valid only until edit returns: Rewrite copies what it keeps.
	Text []byte
}

// Rewrite copies the documents of the input at path to keptPath, in the
// input's format and compression, with their text replaced as edit says:
// the text field of JSONL (every other field, and the order of the fields,
// byte for byte), the text column of Parquet (the input's schema and
// metadata kept), the line of a text file. edit is called once per
// document, in order, with its record number, id and text as Reader gives
// them (valid only during the call). Records that Reader rejects are not
// written and edit is not called for them; they are the caller's to count,
// from its own Reader pass.
//
// The output is written atomically. In a text file a new text must not
// hold a line break.
func Rewrite(path string, opt Options, keptPath string, edit func(record int64, id, text []byte) Edit) (err error) {
	return RewriteCopying(path, opt, keptPath, nil, edit)
}

// RewriteCopying is Rewrite with same, which a caller that has read the
// input before can give to skip the documents it leaves as they are: a
// record of a text or JSONL file for which same returns true is copied to
// the output byte for byte, without being parsed, and edit is not called
// for it. same is asked once per record (line), in order, before the
// record is parsed; it must return true only for records that Reader
// accepts. Parquet files are rewritten as by Rewrite, without asking same.
func RewriteCopying(path string, opt Options, keptPath string, same func(record int64) bool, edit func(record int64, id, text []byte) Edit) error {
	return rewrite(path, nil, opt, keptPath, same, edit)
}

// RewriteDecoded is RewriteCopying for a text or JSONL input whose decoded
// content is at hand (a DecodedFile filled by Reader.Tee): it reads the
// records from decoded instead of reading and decompressing the file at
// path again. path still names the input, in messages, and decides the
// output's format and compression. decoded must be the whole stream.
func RewriteDecoded(path string, decoded io.Reader, opt Options, keptPath string, same func(record int64) bool, edit func(record int64, id, text []byte) Edit) error {
	if decoded == nil {
		return fmt.Errorf("rewrite %s: no decoded content", path)
	}
	return rewrite(path, decoded, opt, keptPath, same, edit)
}

// rewrite is RewriteCopying, reading from decoded when it is not nil.
func rewrite(path string, decoded io.Reader, opt Options, keptPath string, same func(record int64) bool, edit func(record int64, id, text []byte) Edit) (err error) {
	opt = opt.withDefaults()
	file := path
	if opt.Name != "" {
		path = opt.Name
	}
	format, comp, err := resolve(path, opt.Format)
	if err != nil {
		return err
	}
	if sameFile(file, keptPath) {
		return fmt.Errorf("rewrite %s: output %s is the input", path, keptPath)
	}
	if decoded != nil && format == Parquet {
		return fmt.Errorf("rewrite %s: a Parquet input cannot be read from decoded content", path)
	}
	out, err := createOutput(keptPath, opt.Output.For(format, comp), opt.Level, opt.Concurrency, nil)
	if err != nil {
		return fmt.Errorf("rewrite %s: %w", path, err)
	}
	defer out.abort() // a no-op after commit
	switch {
	case format == Parquet:
		err = rewriteParquet(file, path, opt, out, edit)
	case decoded != nil:
		err = rewriteLines(decoded, path, format, None, opt, out.w, same, edit)
	default:
		var f *os.File
		if f, err = os.Open(file); err != nil {
			return err
		}
		defer f.Close()
		err = rewriteLines(f, path, format, comp, opt, out.w, same, edit)
	}
	if err != nil {
		return err
	}
	if err := out.commit(); err != nil {
		return fmt.Errorf("rewrite %s: %w", path, err)
	}
	return nil
}

// rewriteLines rewrites a text or JSONL stream, compressed as inComp (None
// for decoded content).
func rewriteLines(in io.Reader, path string, format Format, inComp Compression, opt Options, w io.Writer, same func(int64) bool, edit func(int64, []byte, []byte) Edit) error {
	src, release, err := decompress(in, inComp)
	if err != nil {
		return &ReadFault{Path: path, Unit: "line", Err: fmt.Errorf("%w%s", err, corruptHint(err, inComp))}
	}
	defer release()
	var jx *jsonlExtractor
	if format == JSONL {
		jx = newJSONLExtractor(opt.TextField, opt.IDField, nil)
	}
	maxBytes := opt.lineLimit(format)
	br := bufio.NewReaderSize(src, readBufferSize)
	var (
		record int64
		line   []byte
		out    []byte
		idBuf  []byte
	)
	for {
		// Gather one line, holding at most maxBytes+2 bytes of it.
		line = line[:0]
		s, err := br.ReadSlice('\n')
		if len(s) == 0 && err == io.EOF {
			return nil
		}
		record++
		for {
			if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
				return &ReadFault{Path: path, Unit: "line", After: record - 1, Err: fmt.Errorf("%w%s", err, corruptHint(err, inComp))}
			}
			if len(line) <= maxBytes+2 {
				line = append(line, s...)
			}
			if err != bufio.ErrBufferFull {
				break
			}
			s, err = br.ReadSlice('\n')
		}
		eof := err == io.EOF
		if same != nil && same(record) {
			if _, err := w.Write(line); err != nil {
				return fmt.Errorf("%s line %d: write: %w", path, record, err)
			}
			if eof {
				return nil
			}
			continue
		}
		body := bytes.TrimSuffix(line, []byte{'\n'})
		if record == 1 {
			body = bytes.TrimPrefix(body, utf8BOM)
		}
		content := bytes.TrimSuffix(body, []byte{'\r'})
		bom := bomLen(line, record)
		term := line[bom+len(content):] // "\r\n", "\n" or nothing
		if len(content) > maxBytes {
			continue // too-large: rejected
		}
		var text, id []byte
		if jx == nil {
			if !utf8.Valid(content) || isBlankText(content) {
				continue
			}
			text = content
			idBuf = strconv.AppendInt(append(append(idBuf[:0], path...), ':'), record, 10)
			id = idBuf
		} else {
			rec := jx.extract(body)
			if rec.reason != "" || len(rec.text) > opt.MaxDocBytes {
				continue
			}
			text, id = rec.text, rec.id
			if !rec.hasID {
				idBuf = strconv.AppendInt(append(append(idBuf[:0], path...), ':'), record, 10)
				id = idBuf
			}
		}
		e := edit(record, id, text)
		if e.Drop {
			continue
		}
		out = out[:0]
		switch {
		case e.Text == nil:
			out = append(out, line...)
		case jx == nil:
			if bytes.ContainsAny(e.Text, "\n") {
				return fmt.Errorf("%s line %d: a new text holds a line break", path, record)
			}
			out = append(append(append(out, line[:bom]...), e.Text...), term...)
		default:
			a, b, ok := textValueSpan(body, opt.TextField)
			if !ok {
				return fmt.Errorf("%s line %d: text field %q not found to rewrite", path, record, opt.TextField)
			}
			out = append(out, line[:bom+a]...)
			out = appendJSONString(out, e.Text)
			out = append(out, line[bom+b:]...)
		}
		if _, err := w.Write(out); err != nil {
			return fmt.Errorf("%s line %d: write: %w", path, record, err)
		}
		if eof {
			return nil
		}
	}
}

// bomLen is the length of the byte order mark that starts the first line.
func bomLen(line []byte, record int64) int {
	if record == 1 && bytes.HasPrefix(line, utf8BOM) {
		return len(utf8BOM)
	}
	return 0
}

// textValueSpan finds the raw value of the top-level key in a JSON object
// line, the last one if the key repeats (as encoding/json reads it).
func textValueSpan(s []byte, key string) (start, end int, ok bool) {
	i := skipWS(s, 0)
	if i >= len(s) || s[i] != '{' {
		return 0, 0, false
	}
	i = skipWS(s, i+1)
	for i < len(s) && s[i] == '"' {
		kend, esc, good := scanString(s, i)
		if !good {
			return 0, 0, false
		}
		k := s[i+1 : kend-1]
		match := string(k) == key
		if esc {
			var u string
			match = json.Unmarshal(s[i:kend], &u) == nil && u == key
		}
		i = skipWS(s, kend)
		if i >= len(s) || s[i] != ':' {
			return 0, 0, false
		}
		i = skipWS(s, i+1)
		vstart := i
		if i, good = skipValue(s, i, 1); !good {
			return 0, 0, false
		}
		if match {
			start, end, ok = vstart, i, true
		}
		i = skipWS(s, i)
		if i < len(s) && s[i] == ',' {
			i = skipWS(s, i+1)
		}
	}
	return start, end, ok
}

// appendJSONString appends text, valid UTF-8, as a JSON string literal:
// quotes, backslashes and control characters escaped, the rest as it is.
func appendJSONString(dst, text []byte) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for _, c := range text {
		switch {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		case c == '\n':
			dst = append(dst, '\\', 'n')
		case c == '\r':
			dst = append(dst, '\\', 'r')
		case c == '\t':
			dst = append(dst, '\\', 't')
		case c < 0x20:
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, '"')
}

// rewriteParquet reads the rows twice in step: through a Reader, for the
// text, id and rejects exactly as the first pass saw them, and raw, to
// write them back with the text column replaced.
func rewriteParquet(file, path string, opt Options, out *output, edit func(int64, []byte, []byte) Edit) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%s: corrupt Parquet file: %v", path, p)
		}
	}()
	ropt := opt
	ropt.Name = path
	r, err := Open(file, 0, ropt)
	if err != nil {
		return err
	}
	defer r.Close()
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	pf, err := openParquetFile(f, st.Size(), path)
	if err != nil {
		return err
	}
	col := -1
	if leaf, ok := topLevelLeaf(pf.Schema(), opt.TextField); ok {
		col = leaf.ColumnIndex
	}
	wopts := []parquet.WriterOption{pf.Schema(), parquet.Compression(&parquet.Zstd)}
	for _, kv := range pf.Metadata().KeyValueMetadata {
		wopts = append(wopts, parquet.KeyValueMetadata(kv.Key, kv.Value))
	}
	pw := parquet.NewWriter(out.w, wopts...)
	var (
		record  int64
		pending []parquet.Row
		idBuf   []byte
	)
	batch := make([]parquet.Row, parquetBatch)
	for _, rg := range pf.RowGroups() {
		rows := rg.Rows()
		for {
			n, rerr := rows.ReadRows(batch)
			for _, row := range batch[:n] {
				record++
				doc, derr := r.Next()
				var rej *RejectError
				switch {
				case errors.As(derr, &rej):
					if rej.Record != record {
						rows.Close()
						return fmt.Errorf("%s row %d: reader at row %d", path, record, rej.Record)
					}
					continue
				case derr != nil:
					rows.Close()
					return derr
				case doc.Record != record:
					rows.Close()
					return fmt.Errorf("%s row %d: reader at row %d", path, record, doc.Record)
				}
				idBuf = r.AppendID(idBuf[:0])
				e := edit(record, idBuf, doc.Text)
				if e.Drop {
					continue
				}
				row = row.Clone()
				if e.Text != nil && col >= 0 {
					// The row waits for the batch's write, and e.Text is the
					// caller's for the call only (a buffer it reuses): copy.
					text := bytes.Clone(e.Text)
					for k, v := range row {
						if v.Column() == col {
							row[k] = parquet.ByteArrayValue(text).Level(v.RepetitionLevel(), v.DefinitionLevel(), col)
						}
					}
				}
				pending = append(pending, row)
			}
			if len(pending) > 0 {
				if _, werr := pw.WriteRows(pending); werr != nil {
					rows.Close()
					return fmt.Errorf("%s row %d: write: %w", path, record, werr)
				}
				pending = pending[:0]
			}
			if rerr == io.EOF {
				break
			}
			if rerr != nil {
				rows.Close()
				return &ReadFault{Path: path, Unit: "row", After: record, Err: rerr}
			}
		}
		rows.Close()
		if err := pw.Flush(); err != nil {
			return fmt.Errorf("%s: write: %w", path, err)
		}
	}
	if err := pw.Close(); err != nil {
		return fmt.Errorf("%s: write: %w", path, err)
	}
	return nil
}
