package corpus

import (
	"bufio"
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/parquet-go/parquet-go"

	"github.com/quchong/quchong/atomicfile"
)

// writeBufferSize is the bufio size in front of each output file.
const writeBufferSize = 256 << 10

// Partition copies the records of the input at path to keptPath and
// removedPath, in the input's format and compression. route is called once
// per record, in order, with the record number as Reader numbers it; its
// answer sends the record to the kept output, the removed output, or (Drop)
// nowhere. Either output path may be "" to write no such file.
//
// Text and JSONL lines are copied byte for byte (a "\r" before the "\n"
// stays, every JSON field survives), and a last line without "\n" stays
// without it, so a file with every record kept comes out identical. Parquet
// rows keep the input's schema, key-value metadata and, column by column,
// its compression codec, and each input row group becomes at most one output
// row group, so memory stays bounded by the input's row-group size.
//
// Outputs are written atomically: nothing appears at either final name
// unless the whole copy succeeded. Missing parent directories are created.
func Partition(path string, opt Options, keptPath, removedPath string, route func(record int64) Route) error {
	return PartitionCapture(path, opt, keptPath, removedPath, route, nil)
}

// TextCapture asks PartitionCapture for the texts of some records while it
// copies them, sparing the caller a second read of the input.
type TextCapture struct {
	// Want is called after route for each record and says whether its text
	// is wanted.
	Want func(record int64) bool
	// Got receives each wanted record's text exactly as Reader.Next would
	// give it; text is valid only during the call. It is not called for a
	// record Reader would reject.
	Got func(record int64, text []byte)
}

// PartitionCapture is Partition that also hands the texts of the records
// capture wants to capture.Got. Parquet inputs are copied without capture:
// read their texts with a Reader. capture may be nil.
func PartitionCapture(path string, opt Options, keptPath, removedPath string, route func(record int64) Route, capture *TextCapture) error {
	return partition(path, nil, opt, keptPath, removedPath, route, capture, nil)
}

// PartitionDecoded is PartitionCapture for a text or JSONL input whose
// decoded content is already at hand (from Reader.Tee): it copies the
// records from decoded instead of reading and decompressing the file at
// path again. path still names the input, in messages, and decides the
// outputs' format and compression. decoded must be the whole stream.
func PartitionDecoded(path string, decoded io.Reader, opt Options, keptPath, removedPath string, route func(record int64) Route, capture *TextCapture) error {
	if decoded == nil {
		return fmt.Errorf("partition %s: no decoded content", path)
	}
	return partition(path, decoded, opt, keptPath, removedPath, route, capture, nil)
}

// PartitionBatched is PartitionCapture, or PartitionDecoded when decoded is
// not nil, whose outputs are committed into batch (atomicfile.CreateIn):
// renamed at once, and made durable, all together, by the caller's
// batch.Sync.
func PartitionBatched(batch *atomicfile.Batch, path string, decoded io.Reader, opt Options, keptPath, removedPath string, route func(record int64) Route, capture *TextCapture) error {
	return partition(path, decoded, opt, keptPath, removedPath, route, capture, batch)
}

// partition is PartitionCapture, reading from decoded when it is not nil,
// its outputs committed into batch when it is not nil.
func partition(path string, decoded io.Reader, opt Options, keptPath, removedPath string, route func(record int64) Route, capture *TextCapture, batch *atomicfile.Batch) (err error) {
	opt = opt.withDefaults()
	if opt.Level < LevelFast || opt.Level > LevelBest {
		return fmt.Errorf("partition %s: invalid compression level %d", path, int(opt.Level))
	}
	if opt.Output < SameCompression || opt.Output > OutputZstd {
		return fmt.Errorf("partition %s: invalid output compression %d", path, int(opt.Output))
	}
	file := path // what is read; path names it from here on
	if opt.Name != "" {
		path = opt.Name
	}
	format, comp, err := resolve(path, opt.Format)
	if err != nil {
		return err
	}
	for _, out := range []string{keptPath, removedPath} {
		if out != "" && sameFile(file, out) {
			return fmt.Errorf("partition %s: output %s is the input", path, out)
		}
	}
	if keptPath != "" && keptPath == removedPath {
		return fmt.Errorf("partition %s: kept and removed outputs are both %s", path, keptPath)
	}
	if decoded != nil && format == Parquet {
		return fmt.Errorf("partition %s: a Parquet input cannot be copied from decoded content", path)
	}
	inComp := comp
	var in io.Reader = decoded
	if decoded == nil {
		f, err := os.Open(file)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	} else {
		inComp = None
	}

	var outs [3]*output // indexed by Route
	defer func() {
		for _, o := range outs {
			if o != nil {
				o.abort() // no-op after commit
			}
		}
	}()
	for rt, p := range map[Route]string{Keep: keptPath, Remove: removedPath} {
		if p == "" {
			continue
		}
		if outs[rt], err = createOutput(p, opt.Output.For(format, comp), opt.Level, opt.Concurrency, batch); err != nil {
			return fmt.Errorf("partition %s: %w", path, err)
		}
	}
	if format == Parquet {
		err = partitionParquet(in.(*os.File), path, &outs, route)
	} else {
		var c *lineCapture
		if capture != nil {
			c = &lineCapture{TextCapture: *capture, maxBytes: opt.lineLimit(format), maxText: opt.MaxDocBytes}
			if format == JSONL {
				c.jx = newJSONLExtractor(opt.TextField, opt.IDField, nil)
			}
		}
		err = partitionLines(in, path, inComp, &outs, route, c)
	}
	var fault *ReadFault
	if err != nil && !(opt.Salvage && errors.As(err, &fault)) {
		return err
	}
	for _, o := range outs {
		if o != nil {
			if cerr := o.commit(); cerr != nil {
				return fmt.Errorf("partition %s: %w", path, cerr)
			}
		}
	}
	return err
}

// sameFile reports whether a and b name the same existing file (or the same
// path, if b does not exist yet).
func sameFile(a, b string) bool {
	sa, errA := os.Stat(a)
	sb, errB := os.Stat(b)
	if errA == nil && errB == nil {
		return os.SameFile(sa, sb)
	}
	aa, errA := filepath.Abs(a)
	ab, errB := filepath.Abs(b)
	return errA == nil && errB == nil && aa == ab
}

// dest returns the writer for a route, nil to drop.
func dest(outs *[3]*output, rt Route) (io.Writer, error) {
	switch rt {
	case Drop:
		return nil, nil
	case Keep, Remove:
		if o := outs[rt]; o != nil {
			return o.w, nil
		}
		return nil, nil
	}
	return nil, fmt.Errorf("invalid route %d", int(rt))
}

// lineCapture gathers a wanted line and extracts its text as Reader does.
type lineCapture struct {
	TextCapture
	jx       *jsonlExtractor // nil for text files
	maxBytes int             // longest line
	maxText  int             // longest text
	buf      []byte
	on       bool // the current line is wanted
}

// add appends a piece of the current wanted line, up to the size limit.
func (c *lineCapture) add(piece []byte) {
	if c.on && len(c.buf) <= c.maxBytes+2 {
		c.buf = append(c.buf, piece...)
	}
}

// done hands the gathered line's text to Got, if Reader would accept it.
func (c *lineCapture) done(record int64) {
	if !c.on {
		return
	}
	c.on = false
	line := bytes.TrimSuffix(c.buf, []byte{'\n'})
	if record == 1 {
		line = bytes.TrimPrefix(line, utf8BOM)
	}
	content := bytes.TrimSuffix(line, []byte{'\r'})
	if len(content) > c.maxBytes {
		return
	}
	if c.jx == nil {
		if validUTF8(content) && !isBlankText(content) {
			c.Got(record, content)
		}
		return
	}
	if rec := c.jx.extract(line); rec.reason == "" && len(rec.text) <= c.maxText {
		c.Got(record, rec.text)
	}
}

func partitionLines(in io.Reader, path string, comp Compression, outs *[3]*output, route func(int64) Route, capture *lineCapture) error {
	src, release, err := decompress(in, comp)
	if err != nil {
		return &ReadFault{Path: path, Unit: "line", Err: fmt.Errorf("%w%s", err, corruptHint(err, comp))}
	}
	defer release()
	br := bufio.NewReaderSize(src, readBufferSize)
	var record int64
	fail := func(err error) error {
		return &ReadFault{Path: path, Unit: "line", After: record, Err: fmt.Errorf("%w%s", err, corruptHint(err, comp))}
	}
	for {
		s, err := br.ReadSlice('\n')
		if len(s) == 0 && err == io.EOF {
			return nil
		}
		if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
			return fail(err)
		}
		record++
		w, rerr := dest(outs, route(record))
		if rerr != nil {
			return fmt.Errorf("%s line %d: %w", path, record, rerr)
		}
		if capture != nil {
			capture.buf, capture.on = capture.buf[:0], capture.Want(record)
			capture.add(s)
		}
		// Copy the line piece by piece, so a long line is never held.
		for {
			if w != nil {
				if _, werr := w.Write(s); werr != nil {
					return fmt.Errorf("%s line %d: write: %w", path, record, werr)
				}
			}
			if err != bufio.ErrBufferFull {
				break
			}
			s, err = br.ReadSlice('\n')
			if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
				record-- // this line is not complete
				return fail(err)
			}
			if capture != nil {
				capture.add(s)
			}
		}
		if capture != nil {
			capture.done(record)
		}
		if err == io.EOF { // a last line without "\n": copied as it is
			return nil
		}
	}
}

func partitionParquet(in *os.File, path string, outs *[3]*output, route func(int64) Route) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%s: corrupt Parquet file: %v", path, p)
		}
	}()
	st, err := in.Stat()
	if err != nil {
		return err
	}
	pf, err := openParquetFile(in, st.Size(), path)
	if err != nil {
		return err
	}
	// Columns keep their own codec (the file schema carries it); zstd is
	// only the default for a column that has none.
	opts := []parquet.WriterOption{pf.Schema(), parquet.Compression(&parquet.Zstd)}
	for _, kv := range pf.Metadata().KeyValueMetadata {
		opts = append(opts, parquet.KeyValueMetadata(kv.Key, kv.Value))
	}
	var writers [3]*parquet.Writer
	var pending [3][]parquet.Row
	var inGroup [3]int64 // rows written since the last flush
	for _, rt := range []Route{Keep, Remove} {
		if o := outs[rt]; o != nil {
			writers[rt] = parquet.NewWriter(o.w, opts...)
		}
	}
	var record int64
	batch := make([]parquet.Row, parquetBatch)
	for _, rg := range pf.RowGroups() {
		rows := rg.Rows()
		for {
			n, rerr := rows.ReadRows(batch)
			for _, row := range batch[:n] {
				record++
				rt := route(record)
				if _, derr := dest(outs, rt); derr != nil {
					rows.Close()
					return fmt.Errorf("%s row %d: %w", path, record, derr)
				}
				if rt != Drop && writers[rt] != nil {
					pending[rt] = append(pending[rt], row)
				}
			}
			for rt, w := range writers {
				if w == nil || len(pending[rt]) == 0 {
					continue
				}
				if _, werr := w.WriteRows(pending[rt]); werr != nil {
					rows.Close()
					return fmt.Errorf("%s row %d: write %s: %w", path, record, outs[rt].af.Name(), werr)
				}
				inGroup[rt] += int64(len(pending[rt]))
				pending[rt] = pending[rt][:0]
			}
			if rerr == io.EOF {
				break
			}
			if rerr != nil {
				rows.Close()
				fault := &ReadFault{Path: path, Unit: "row", After: record, Err: rerr}
				// Close the writers so that a salvaged output is a valid file.
				for rt, w := range writers {
					if w != nil {
						if werr := w.Close(); werr != nil {
							return fmt.Errorf("%s: write %s: %w", path, outs[rt].af.Name(), werr)
						}
					}
				}
				return fault
			}
		}
		rows.Close()
		for rt, w := range writers {
			if w != nil && inGroup[rt] > 0 {
				if werr := w.Flush(); werr != nil {
					return fmt.Errorf("%s: write %s: %w", path, outs[rt].af.Name(), werr)
				}
				inGroup[rt] = 0
			}
		}
	}
	for rt, w := range writers {
		if w != nil {
			if werr := w.Close(); werr != nil {
				return fmt.Errorf("%s: write %s: %w", path, outs[rt].af.Name(), werr)
			}
		}
	}
	return nil
}

// output is one atomically written output file with its compressor.
type output struct {
	af *atomicfile.File
	bw *bufio.Writer
	zw io.WriteCloser // nil when uncompressed
	w  io.Writer      // where records go
}

func createOutput(path string, comp Compression, level Level, concurrency int, batch *atomicfile.Batch) (*output, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	af, err := atomicfile.CreateIn(path, batch)
	if err != nil {
		return nil, err
	}
	o := &output{af: af, bw: bufio.NewWriterSize(af, writeBufferSize)}
	o.w = o.bw
	switch comp {
	case Gzip:
		zw, err := gzip.NewWriterLevel(o.bw, [...]int{gzip.BestSpeed, gzip.DefaultCompression, 7, gzip.BestCompression}[level])
		if err != nil {
			af.Abort()
			return nil, err
		}
		o.zw = zw
	case Zstd:
		zl := [...]zstd.EncoderLevel{zstd.SpeedFastest, zstd.SpeedDefault, zstd.SpeedBetterCompression, zstd.SpeedBestCompression}[level]
		zw, err := zstd.NewWriter(o.bw, zstd.WithEncoderConcurrency(cmp.Or(concurrency, 2)), zstd.WithEncoderLevel(zl))
		if err != nil {
			af.Abort()
			return nil, err
		}
		o.zw = zw
	}
	if o.zw != nil {
		o.w = o.zw
	}
	return o, nil
}

func (o *output) commit() error {
	var err error
	if o.zw != nil {
		err = o.zw.Close()
		o.zw = nil
	}
	err = errors.Join(err, o.bw.Flush())
	if err != nil {
		o.af.Abort()
		return fmt.Errorf("write %s: %w", o.af.Name(), err)
	}
	return o.af.Commit()
}

func (o *output) abort() {
	if o.zw != nil {
		o.zw.Close() // frees the encoder; the bytes go nowhere that matters
		o.zw = nil
	}
	o.af.Abort()
}
