package corpus

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"sync/atomic"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/quchong/quchong/record"
)

// readBufferSize is the bufio size for line formats. Longer lines are
// gathered into a growing buffer, bounded by MaxDocBytes.
const readBufferSize = 256 << 10

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// Reader streams the documents of one input file. It is not safe for
// concurrent use; open one Reader per file and goroutine.
type Reader struct {
	path   string
	source int
	opt    Options
	format Format
	comp   Compression

	file   *os.File
	size   int64
	disk   *countingReader // compressed bytes read from the file
	decomp func()          // releases the decompressor, if any
	lines  *lineReader     // text and JSONL
	tee    *teeReader      // text and JSONL: the decoded stream, copied on request
	jx     *jsonlExtractor // JSONL
	pq     *parquetSource  // Parquet

	record int64 // number of the last record returned
	offset int64 // where that record's line begins in the decoded stream
	// end, when not 0, ends a part (OpenPart): no line that begins at or
	// after it is read.
	end int64
	// partStart is where a part's first line begins (0 for a whole file).
	partStart int64
	err       error // sticky: io.EOF or the fatal error
	// idBytes is the last record's id when it has one (hasID); its default,
	// "<path>:<record>", otherwise.
	idBytes []byte
	hasID   bool
}

// Open opens an input file for reading. source is the file's position in
// the run's file list and is copied into every Document. The format comes
// from opt.Format or, when that is Auto, from the extension (see Detect).
func Open(path string, source int, opt Options) (*Reader, error) {
	opt = opt.withDefaults()
	name := opt.Name
	if name == "" {
		name = path
	}
	format, comp, err := resolve(name, opt.Format)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err // *PathError names the path
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	path = name
	r := &Reader{path: path, source: source, opt: opt, format: format, comp: comp, file: f, size: st.Size()}
	if format == Parquet {
		r.pq, err = openParquet(f, st.Size(), path, opt)
		if err != nil {
			f.Close()
			return nil, err
		}
		return r, nil
	}
	r.disk = &countingReader{r: f}
	src, release, err := decompress(r.disk, comp)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w%s", path, err, corruptHint(err, comp))
	}
	r.decomp = release
	r.tee = &teeReader{r: src}
	r.lines = &lineReader{br: bufio.NewReaderSize(r.tee, readBufferSize), limit: opt.lineLimit(format)}
	if format == JSONL {
		r.jx = newJSONLExtractor(opt.TextField, opt.IDField, opt.Fields)
	}
	return r, nil
}

// Path returns the path the Reader was opened with.
func (r *Reader) Path() string { return r.path }

// Format returns the file's record format (never Auto).
func (r *Reader) Format() Format { return r.format }

// Compression returns the file's stream compression.
func (r *Reader) Compression() Compression { return r.comp }

// InputBytes returns the uncompressed bytes consumed so far, for throughput.
// For Parquet it is an estimate: the row groups' uncompressed size, prorated
// by the rows read.
func (r *Reader) InputBytes() int64 {
	if r.pq != nil {
		return r.pq.prorate(r.pq.uncompressed)
	}
	if r.lines == nil {
		return 0
	}
	return r.lines.n - r.partStart
}

// FileBytes returns how far into the file (in on-disk, possibly compressed,
// bytes) the reader has got, for progress against FileSize. For Parquet it
// is an estimate prorated by the rows read.
func (r *Reader) FileBytes() int64 {
	if r.pq != nil {
		return r.pq.prorate(r.size)
	}
	return r.disk.n.Load()
}

// FileSize returns the size of the file on disk.
func (r *Reader) FileSize() int64 { return r.size }

// Close releases the file. It is safe to call more than once.
func (r *Reader) Close() error {
	if r.file == nil {
		return nil
	}
	if r.decomp != nil {
		r.decomp()
	}
	if r.pq != nil {
		r.pq.close()
	}
	err := r.file.Close()
	r.file = nil
	if r.err == nil {
		r.err = fmt.Errorf("%s: reader closed", r.path)
	}
	return err
}

// Next returns the next document. At the end of the file it returns io.EOF.
// A record that is not a usable document gives a *RejectError; call Next
// again for the following record. Any other error is fatal for the file: it
// names the path and the last good record, and every later call returns it.
//
// The document's Text may share memory with the Reader and is valid only
// until the next call to Next.
func (r *Reader) Next() (record.Document, error) {
	if r.err != nil {
		return record.Document{}, r.err
	}
	if r.pq != nil {
		return r.nextRow()
	}
	r.offset = r.lines.n
	if r.end > 0 && r.offset >= r.end {
		r.err = io.EOF
		return record.Document{}, io.EOF
	}
	line, tooLarge, err := r.lines.next()
	if err != nil {
		if err == io.EOF {
			r.err = io.EOF
			return record.Document{}, io.EOF
		}
		return record.Document{}, r.fatal(err)
	}
	r.record++
	if r.offset == 0 { // the file's first record
		line = bytes.TrimPrefix(line, utf8BOM)
	}
	content := line
	if n := len(content); n > 0 && content[n-1] == '\r' {
		content = content[:n-1]
	}
	if limit := r.lines.limit; tooLarge || len(content) > limit {
		return record.Document{}, r.reject(TooLarge, fmt.Sprintf("line longer than the limit of %d bytes", limit))
	}
	d := record.Document{Source: r.source, Record: r.record}
	if r.jx == nil {
		if !validUTF8(content) {
			return record.Document{}, r.reject(InvalidUTF8, fmt.Sprintf("at byte %d of the line", invalidUTF8Offset(content)))
		}
		if isBlankText(content) {
			return record.Document{}, r.reject(Empty, "empty or white-space line")
		}
		r.hasID = false
		if !r.opt.LazyID {
			d.ID = string(r.AppendID(nil))
		}
		d.Text = content
		return d, nil
	}
	rec := r.jx.extract(line)
	if rec.reason != "" {
		return record.Document{}, r.reject(rec.reason, rec.detail)
	}
	if len(rec.text) > r.opt.MaxDocBytes {
		return record.Document{}, r.reject(TooLarge, fmt.Sprintf("text of %d bytes, over the limit of %d", len(rec.text), r.opt.MaxDocBytes))
	}
	d.Text, d.Fields = rec.text, rec.fields
	r.idBytes, r.hasID = rec.id, rec.hasID
	if !r.opt.LazyID {
		d.ID = string(r.AppendID(nil))
	}
	return d, nil
}

// Offset returns where the record the last Next returned (a document or a
// rejected record) begins in the file's decoded stream: the byte offset of
// its line, which for an uncompressed file is its offset in the file (see
// TextReader). It is 0 for Parquet.
func (r *Reader) Offset() int64 { return r.offset }

// HasID reports whether the record the last Next returned has an id field;
// AppendID gives "<path>:<record>" for one that has not.
func (r *Reader) HasID() bool { return r.hasID }

// AppendID appends the id of the record the last Next returned to dst: its
// id field when it has one, else "<path>:<record>". It allocates nothing
// once dst has room, for callers that set Options.LazyID.
func (r *Reader) AppendID(dst []byte) []byte {
	if r.hasID {
		return append(dst, r.idBytes...)
	}
	dst = append(dst, r.path...)
	dst = append(dst, ':')
	return strconv.AppendInt(dst, r.record, 10)
}

func (r *Reader) reject(reason Reason, detail string) *RejectError {
	return &RejectError{Path: r.path, Record: r.record, Reason: reason, Detail: detail, row: r.format == Parquet}
}

// fatal records and returns the error that ends the file.
func (r *Reader) fatal(err error) error {
	unit := "line"
	if r.format == Parquet {
		unit = "row"
	}
	r.err = &ReadFault{Path: r.path, Unit: unit, After: r.record, Err: fmt.Errorf("%w%s", err, corruptHint(err, r.comp))}
	return r.err
}

// ReadFault is a fault that ends the reading of a file before its end: a
// truncated or corrupt compressed stream, a corrupt Parquet file, an I/O
// error. The records before it were read normally.
type ReadFault struct {
	Path string
	// Unit is "line" or "row"; After is the last record read before the
	// fault (0 when none was).
	Unit  string
	After int64
	Err   error
}

func (e *ReadFault) Error() string {
	return fmt.Sprintf("%s after %s %d: %v", e.Path, e.Unit, e.After, e.Err)
}

func (e *ReadFault) Unwrap() error { return e.Err }

// corruptHint explains a decompression failure: any error from a compressed
// stream that is not an I/O error of the file itself.
func corruptHint(err error, comp Compression) string {
	var pe *fs.PathError
	if comp == None || errors.As(err, &pe) {
		return ""
	}
	return fmt.Sprintf(" (truncated or corrupt %s stream)", comp)
}

// decompress wraps src in the decompressor for comp. release frees it.
func decompress(src io.Reader, comp Compression) (io.Reader, func(), error) {
	switch comp {
	case Gzip:
		zr, err := gzip.NewReader(src)
		if err == io.EOF {
			return bytes.NewReader(nil), func() {}, nil // an empty file holds no records
		}
		if err != nil {
			return nil, nil, err
		}
		// gzip decodes only as it is read: a goroutine reads it ahead, so
		// that decompression runs beside the parsing of what it gave.
		ar := newAsyncReader(zr, 4)
		return ar, func() { ar.close(); zr.Close() }, nil
	case Zstd:
		// One decoding goroutine per file: the engine parallelises across
		// files, and memory stays at one window per open reader.
		zr, err := zstd.NewReader(src, zstd.WithDecoderConcurrency(2))
		if err != nil {
			return nil, nil, err
		}
		return zr, zr.Close, nil
	}
	return src, func() {}, nil
}

// Tee asks for a copy of a text or JSONL input's decoded stream (after
// decompression, before any other processing) to be written to w as Next
// reads it. Once Next has returned io.EOF, w has received the whole stream,
// which PartitionDecoded and RewriteDecoded can copy without decoding the
// file again. Tee must
// be called before the first Next; it returns false, and does nothing, for
// Parquet. A write error from w ends the copy, never the read.
func (r *Reader) Tee(w io.Writer) bool {
	if r.tee == nil {
		return false
	}
	r.tee.w = w
	return true
}

// teeReader copies what it reads to w, while w takes it.
type teeReader struct {
	r io.Reader
	w io.Writer
}

func (t *teeReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if n > 0 && t.w != nil {
		if _, werr := t.w.Write(p[:n]); werr != nil {
			t.w = nil
		}
	}
	return n, err
}

// countingReader counts the bytes read through it. The count is atomic: a
// decompressor may read from its own goroutine while FileBytes is asked.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// lineReader splits a stream into lines of any length without holding more
// than about limit bytes of one line.
type lineReader struct {
	br    *bufio.Reader
	buf   []byte // gathers a line longer than the bufio buffer
	limit int
	n     int64 // bytes consumed
}

// next returns the next line without its "\n" (a "\r" stays). A line whose
// content is longer than limit (even after dropping a "\r") is skipped to its
// end without being held, and reported with tooLarge. At the end of the
// stream it returns io.EOF; a last line without "\n" is still a line.
func (lr *lineReader) next() (line []byte, tooLarge bool, err error) {
	s, err := lr.br.ReadSlice('\n')
	lr.n += int64(len(s))
	switch err {
	case nil:
		return s[:len(s)-1], false, nil
	case io.EOF:
		if len(s) == 0 {
			return nil, false, io.EOF
		}
		return s, false, nil
	case bufio.ErrBufferFull:
	default:
		return nil, false, err
	}
	// A long line: gather it, or once it is certainly too large, skip it.
	// limit+2 leaves room for the "\r\n" that does not count.
	lr.buf = append(lr.buf[:0], s...)
	for {
		s, err = lr.br.ReadSlice('\n')
		lr.n += int64(len(s))
		if !tooLarge {
			if len(lr.buf)+len(s) > lr.limit+2 {
				tooLarge = true
				lr.buf = lr.buf[:0]
			} else {
				lr.buf = append(lr.buf, s...)
			}
		}
		switch err {
		case bufio.ErrBufferFull:
			continue
		case nil, io.EOF:
			if tooLarge {
				return nil, true, nil
			}
			return bytes.TrimSuffix(lr.buf, []byte{'\n'}), false, nil
		default:
			return nil, false, err
		}
	}
}
