package corpus

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/parquet-go/parquet-go"

	"github.com/quchong/quchong/record"
)

// parquetBatch is the number of rows decoded at a time.
const parquetBatch = 64

// parquetSource reads the rows of one Parquet file, a row group at a time
// and parquetBatch rows at a time.
type parquetSource struct {
	file   *parquet.File
	groups []parquet.RowGroup
	group  int          // next row group to open
	rows   parquet.Rows // current row group, nil between groups
	batch  []parquet.Row
	n, i   int // rows in batch, next row to return

	text      int // leaf column indices; -1 when absent
	id        int
	fields    []int
	fieldName []string
	// noText says why every row is rejected when the text column is absent
	// or not a string (text is then -1).
	noText    Reason
	noTextWhy string

	totalRows    int64
	readRows     int64
	uncompressed int64
	textBuf      []byte
	idBuf        []byte
}

// topLevelLeaf finds a top-level, non-repeated leaf column by name.
func topLevelLeaf(schema *parquet.Schema, name string) (parquet.LeafColumn, bool) {
	leaf, ok := schema.Lookup(name)
	if !ok || len(leaf.Path) != 1 || leaf.MaxRepetitionLevel != 0 || !leaf.Node.Leaf() {
		return parquet.LeafColumn{}, false
	}
	return leaf, true
}

func columnNames(schema *parquet.Schema) string {
	var names []string
	for _, f := range schema.Fields() {
		names = append(names, f.Name())
	}
	return strings.Join(names, ", ")
}

// openParquetFile opens f, of size bytes, as a Parquet file named path in
// messages, reading its footer only (no page index, no bloom filters). A
// panic of parquet-go on corrupt metadata is an error naming the file.
func openParquetFile(f *os.File, size int64, path string) (_ *parquet.File, err error) {
	defer func() {
		if v := recover(); v != nil { // parquet-go can panic on corrupt metadata
			err = fmt.Errorf("%s: corrupt Parquet file: %v", path, v)
		}
	}()
	pf, err := parquet.OpenFile(f, size, parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true))
	if err != nil {
		return nil, fmt.Errorf("%s: open Parquet: %w", path, err)
	}
	return pf, nil
}

func openParquet(f *os.File, size int64, path string, opt Options) (_ *parquetSource, err error) {
	defer func() {
		if v := recover(); v != nil { // parquet-go can panic on corrupt metadata
			err = fmt.Errorf("%s: corrupt Parquet file: %v", path, v)
		}
	}()
	pf, err := openParquetFile(f, size, path)
	if err != nil {
		return nil, err
	}
	schema := pf.Schema()
	p := &parquetSource{file: pf, groups: pf.RowGroups(), totalRows: pf.NumRows(), id: -1,
		batch: make([]parquet.Row, parquetBatch)}
	for _, rg := range pf.Metadata().RowGroups {
		p.uncompressed += rg.TotalByteSize
	}

	// A text column that is absent or not a string makes every row a
	// reject, so that the rows are read and counted, as a JSONL line
	// without its text field is.
	p.text = -1
	leaf, ok := topLevelLeaf(schema, opt.TextField)
	switch {
	case ok && leaf.Node.Type().Kind() == parquet.ByteArray:
		p.text = leaf.ColumnIndex
	case ok:
		p.noText, p.noTextWhy = NonStringText, fmt.Sprintf("column %q has type %s, not a string (BYTE_ARRAY)", opt.TextField, leaf.Node.Type().Kind())
	case slices.ContainsFunc(schema.Fields(), func(f parquet.Field) bool { return f.Name() == opt.TextField }):
		p.noText, p.noTextWhy = NonStringText, fmt.Sprintf("column %q is a list or a group, not a string", opt.TextField)
	default:
		p.noText, p.noTextWhy = MissingText, fmt.Sprintf("no top-level column %q (columns: %s); name the text column with --text-field", opt.TextField, columnNames(schema))
	}

	if leaf, ok := topLevelLeaf(schema, opt.IDField); ok {
		switch k := leaf.Node.Type().Kind(); k {
		case parquet.ByteArray, parquet.Int32, parquet.Int64:
			p.id = leaf.ColumnIndex
		default:
			return nil, fmt.Errorf("%s: id column %q has type %s, want a string or an integer", path, opt.IDField, k)
		}
	}
	for _, name := range opt.Fields {
		col := -1
		if leaf, ok := topLevelLeaf(schema, name); ok {
			switch k := leaf.Node.Type().Kind(); k {
			case parquet.ByteArray, parquet.Int32, parquet.Int64, parquet.Float, parquet.Double, parquet.Boolean:
				col = leaf.ColumnIndex
			default:
				return nil, fmt.Errorf("%s: field column %q has type %s, want a number, boolean or string", path, name, k)
			}
		}
		p.fields = append(p.fields, col)
		p.fieldName = append(p.fieldName, name)
	}
	return p, nil
}

// prorate scales total by the fraction of rows read.
func (p *parquetSource) prorate(total int64) int64 {
	if p.totalRows == 0 {
		return 0
	}
	return int64(float64(total) * float64(p.readRows) / float64(p.totalRows))
}

func (p *parquetSource) close() {
	if p.rows != nil {
		p.rows.Close()
		p.rows = nil
	}
}

// nextRow returns the next row; io.EOF at the end. The row is valid until
// the next call.
func (p *parquetSource) nextRow() (_ parquet.Row, err error) {
	defer func() {
		if v := recover(); v != nil { // parquet-go can panic on corrupt pages
			err = fmt.Errorf("corrupt Parquet data: %v", v)
		}
	}()
	for p.i >= p.n {
		if p.rows == nil {
			if p.group >= len(p.groups) {
				return nil, io.EOF
			}
			p.rows = p.groups[p.group].Rows()
			p.group++
		}
		n, err := p.rows.ReadRows(p.batch)
		p.n, p.i = n, 0
		if err == io.EOF {
			p.rows.Close()
			p.rows = nil
		} else if err != nil {
			return nil, err
		}
	}
	row := p.batch[p.i]
	p.i++
	p.readRows++
	return row, nil
}

// columnValue returns the value of a top-level leaf column in a row, or a
// null value.
func columnValue(row parquet.Row, col int) parquet.Value {
	if col < len(row) && row[col].Column() == col {
		return row[col] // flat schemas: one value per column, in order
	}
	for _, v := range row {
		if v.Column() == col {
			return v
		}
	}
	return parquet.Value{}
}

func (r *Reader) nextRow() (record.Document, error) {
	p := r.pq
	row, err := p.nextRow()
	if err != nil {
		if err == io.EOF {
			r.err = io.EOF
			return record.Document{}, io.EOF
		}
		return record.Document{}, r.fatal(err)
	}
	r.record++
	if p.text < 0 {
		return record.Document{}, r.reject(p.noText, p.noTextWhy)
	}
	tv := columnValue(row, p.text)
	if tv.IsNull() {
		return record.Document{}, r.reject(MissingText, fmt.Sprintf("column %q is null", r.opt.TextField))
	}
	text := tv.ByteArray()
	if len(text) > r.opt.MaxDocBytes {
		return record.Document{}, r.reject(TooLarge, fmt.Sprintf("%d bytes, over the limit of %d", len(text), r.opt.MaxDocBytes))
	}
	if !utf8.Valid(text) {
		return record.Document{}, r.reject(InvalidUTF8, fmt.Sprintf("at byte %d of column %q", invalidUTF8Offset(text), r.opt.TextField))
	}
	if isBlankText(text) {
		return record.Document{}, r.reject(Empty, fmt.Sprintf("column %q is empty or white space", r.opt.TextField))
	}
	// Own the text: row memory belongs to the decoder.
	p.textBuf = append(p.textBuf[:0], text...)
	d := record.Document{Source: r.source, Record: r.record, Text: p.textBuf}
	if p.id >= 0 {
		switch v := columnValue(row, p.id); v.Kind() {
		case parquet.ByteArray:
			p.idBuf = append(p.idBuf[:0], v.ByteArray()...)
		case parquet.Int32:
			p.idBuf = strconv.AppendInt(p.idBuf[:0], int64(v.Int32()), 10)
		case parquet.Int64:
			p.idBuf = strconv.AppendInt(p.idBuf[:0], v.Int64(), 10)
		default:
			p.idBuf = p.idBuf[:0]
		}
	}
	r.idBytes, r.hasID = p.idBuf, p.id >= 0 && len(p.idBuf) > 0
	if !r.opt.LazyID {
		d.ID = string(r.AppendID(nil))
	}
	for k, col := range p.fields {
		if col < 0 {
			continue
		}
		v := columnValue(row, col)
		if v.IsNull() {
			continue
		}
		var val record.Value
		switch v.Kind() {
		case parquet.ByteArray:
			val = record.Value{Kind: record.String, Str: string(v.ByteArray())}
		case parquet.Int32:
			val = record.Value{Kind: record.Number, Num: float64(v.Int32())}
		case parquet.Int64:
			val = record.Value{Kind: record.Number, Num: float64(v.Int64())}
		case parquet.Float:
			val = record.Value{Kind: record.Number, Num: float64(v.Float())}
		case parquet.Double:
			val = record.Value{Kind: record.Number, Num: v.Double()}
		case parquet.Boolean:
			if v.Boolean() {
				val = record.Value{Kind: record.Number, Num: 1}
			} else {
				val = record.Value{Kind: record.Number, Num: 0}
			}
		default:
			continue
		}
		if d.Fields == nil {
			d.Fields = make(map[string]record.Value, len(p.fields))
		}
		d.Fields[p.fieldName[k]] = val
	}
	return d, nil
}

// ParquetLayout is what reading a Parquet file in parts needs: its row
// groups, rows and uncompressed size (the row groups' total byte size).
type ParquetLayout struct {
	RowGroups    int
	Rows         int64
	Uncompressed int64
}

// InputBytes is the Reader's InputBytes after rows of the whole file were
// read: the uncompressed size prorated by the rows, as a Reader of the
// whole file gives it.
func (l ParquetLayout) InputBytes(rows int64) int64 {
	if l.Rows == 0 {
		return 0
	}
	return int64(float64(l.Uncompressed) * float64(rows) / float64(l.Rows))
}

// ReadParquetLayout reads the layout of the Parquet file at path from its
// footer.
func ReadParquetLayout(path string) (_ ParquetLayout, err error) {
	f, err := os.Open(path)
	if err != nil {
		return ParquetLayout{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return ParquetLayout{}, err
	}
	pf, err := openParquetFile(f, st.Size(), path)
	if err != nil {
		return ParquetLayout{}, err
	}
	l := ParquetLayout{RowGroups: len(pf.RowGroups()), Rows: pf.NumRows()}
	for _, rg := range pf.Metadata().RowGroups {
		l.Uncompressed += rg.TotalByteSize
	}
	return l, nil
}

// OpenRowGroups opens the row groups [first, last) of a Parquet file, for
// reading a large file in parts at once. As with OpenPart, the part numbers
// its rows from 1 and the caller renumbers them (HasID tells which ids are
// defaults); InputBytes is prorated over the part's row groups.
func OpenRowGroups(path string, source int, opt Options, first, last int) (*Reader, error) {
	r, err := Open(path, source, opt)
	if err != nil {
		return nil, err
	}
	p := r.pq
	if p == nil {
		r.Close()
		return nil, fmt.Errorf("%s: not a Parquet file: it has no row groups", r.path)
	}
	if first < 0 || last > len(p.groups) || first > last {
		r.Close()
		return nil, fmt.Errorf("%s: row groups [%d, %d) of %d", r.path, first, last, len(p.groups))
	}
	p.groups = p.groups[first:last]
	p.totalRows, p.uncompressed = 0, 0
	meta := p.file.Metadata().RowGroups[first:last]
	for i, g := range p.groups {
		p.totalRows += g.NumRows()
		p.uncompressed += meta[i].TotalByteSize
	}
	return r, nil
}
