package corpus

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// Rereadable reports whether documents of a file of this format and
// compression can be read back one by one at the offsets Reader.Offset
// gives (see TextReader): uncompressed text and JSONL.
func Rereadable(f Format, c Compression) bool {
	return c == None && (f == Text || f == JSONL)
}

// TextReader reads single documents back from an uncompressed text or JSONL
// file, at the offsets Reader.Offset gave when the file was read through:
// an engine can keep an offset per document instead of a copy of every
// text. A document read back is the one the first read returned, parsed the
// same way (the file must not have changed since). It is not safe for
// concurrent use.
type TextReader struct {
	r *Reader
}

// OpenText opens path for reading documents back, with the options it was
// first read with. A file that is not Rereadable is refused.
func OpenText(path string, opt Options) (*TextReader, error) {
	r, err := Open(path, 0, opt)
	if err != nil {
		return nil, err
	}
	if !Rereadable(r.format, r.comp) {
		r.Close()
		return nil, fmt.Errorf("%s: a %s file compressed with %s cannot be read back by offset", r.path, r.format, r.comp)
	}
	// Texts are read back one by one: a small buffer reads little more
	// than each line (a longer line is gathered as Next always does).
	r.lines.br = bufio.NewReaderSize(r.tee, textReaderBuffer)
	return &TextReader{r: r}, nil
}

// textReaderBuffer is the read buffer of a TextReader.
const textReaderBuffer = 16 << 10

// TextAt returns the text of the document whose record begins at off. The
// text shares memory with the TextReader and is valid until the next call.
func (t *TextReader) TextAt(off int64) ([]byte, error) {
	r := t.r
	if r.file == nil {
		return nil, fmt.Errorf("%s: reader closed", r.path)
	}
	if _, err := r.file.Seek(off, io.SeekStart); err != nil {
		return nil, fmt.Errorf("%s: read back a document: %w", r.path, err)
	}
	r.lines.br.Reset(r.tee)
	r.lines.n = off
	r.err = nil
	d, err := r.Next()
	if err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, fmt.Errorf("%s: read back the document at byte %d (did the file change?): %w", r.path, off, err)
	}
	return d.Text, nil
}

// Close releases the file.
func (t *TextReader) Close() error { return t.r.Close() }

// OpenPart opens the part of an uncompressed text or JSONL file (see
// Rereadable) made of the lines that begin in [start, end), for reading a
// large file in parts at once: the parts of consecutive ranges hold every
// line once. A part numbers its records from 1 and gives ids of records
// without an id field as "<path>:<number in the part>": the caller, which
// knows how many records the parts before it hold, renumbers them (HasID
// tells which). Offset gives offsets in the whole file.
func OpenPart(path string, source int, opt Options, start, end int64) (*Reader, error) {
	r, err := Open(path, source, opt)
	if err != nil {
		return nil, err
	}
	if !Rereadable(r.format, r.comp) {
		r.Close()
		return nil, fmt.Errorf("%s: a %s file compressed with %s cannot be read in parts", r.path, r.format, r.comp)
	}
	r.end = max(end, 1)
	if start <= 0 {
		return r, nil
	}
	// The line that holds byte start-1 belongs to the part before.
	if _, err := r.file.Seek(start-1, io.SeekStart); err != nil {
		r.Close()
		return nil, fmt.Errorf("%s: %w", r.path, err)
	}
	r.disk.n.Store(0)
	r.lines.br.Reset(r.tee)
	r.lines.n = start - 1
	for {
		s, err := r.lines.br.ReadSlice('\n')
		r.lines.n += int64(len(s))
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF {
			break // an empty part
		}
		if err != nil {
			r.Close()
			return nil, fmt.Errorf("%s: %w", r.path, err)
		}
		break
	}
	r.partStart = r.lines.n
	return r, nil
}
