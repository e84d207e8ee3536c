package corpus

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/quchong/quchong/record"
)

// Every document read back at its offset is the one the first read gave:
// a byte-order mark, "\r\n", JSON escapes, rejected and blank lines around.
func TestTextAt(t *testing.T) {
	jsonl := "\uFEFF{\"id\":\"a\",\"text\":\"第一篇\\n文档\"}\r\n" +
		"not json\n\n" +
		"{\"id\":\"b\",\"text\":\"second \\u00e9 doc\"}\n" +
		"{\"id\":\"c\",\"text\":\"" + strings.Repeat("长", 100000) + "\"}\n" +
		"{\"id\":\"d\",\"text\":\"last, no newline\"}"
	text := "\uFEFFfirst line\r\n\nsecond line\nthird"
	for _, tc := range []struct {
		name, data string
		docs       int
	}{{"in.jsonl", jsonl, 4}, {"in.txt", text, 3}} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeInput(t, t.TempDir(), tc.name, []byte(tc.data), None)
			rd, err := Open(path, 0, Options{})
			if err != nil {
				t.Fatal(err)
			}
			var offs []int64
			var texts []string
			acct, err := ReadAccounted(rd, false, func(d record.Document) error {
				offs = append(offs, rd.Offset())
				texts = append(texts, string(d.Text))
				return nil
			})
			rd.Close()
			if err != nil || len(texts) != tc.docs || acct.Read != int64(tc.docs+len(acct.Rejects)) || acct.Fault != nil {
				t.Fatalf("read %d documents of %d records (%d rejected), fault %v, error %v: want %d documents", len(texts), acct.Read, len(acct.Rejects), acct.Fault, err, tc.docs)
			}
			tr, err := OpenText(path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer tr.Close()
			for _, j := range []int{len(offs) - 1, 0, 2, 1, 0} { // any order
				got, err := tr.TextAt(offs[j])
				if err != nil || string(got) != texts[j] {
					t.Errorf("document %d at byte %d: %.40q, %v; want %.40q", j, offs[j], got, err, texts[j])
				}
			}
			if _, err := tr.TextAt(int64(len(tc.data))); err == nil {
				t.Errorf("an offset at the end of the file gave a document")
			}
		})
	}
	// A compressed file cannot be read back by offset.
	path := writeInput(t, t.TempDir(), "in.jsonl.zst", []byte(jsonl), Zstd)
	if _, err := OpenText(path, Options{}); err == nil {
		t.Errorf("OpenText accepted a zstd file")
	}
}

// ReadAccounted accounts for every record: documents handed on, rejects
// in order, and a fault; under strict the first defect is the error.
func TestReadAccounted(t *testing.T) {
	data := "{\"text\":\"one\"}\n{\"text\":42}\n{\"text\":\"two\"}\n{\"body\":\"x\"}\n{\"text\":\"three\"}\n"
	path := writeInput(t, t.TempDir(), "in.jsonl", []byte(data), None)
	var long strings.Builder
	for i := range 20000 {
		fmt.Fprintf(&long, "{\"text\":\"document %d, %x\"}\n", i, i*i*7919)
	}
	packed := compressBytes(t, []byte(long.String()), Zstd)
	cut := writeInput(t, t.TempDir(), "cut.jsonl.zst", packed[:len(packed)/2], None)
	stop := errors.New("stop")
	for _, tc := range []struct {
		name, path    string
		strict        bool
		stopAt        int
		docs, rejects int
		read          int64
		fault, err    bool
	}{
		{"lenient", path, false, 0, 3, 2, 5, false, false},
		{"strict", path, true, 0, 1, 0, 2, false, true},
		{"fn error", path, false, 2, 2, 1, 3, false, true},
		{"fault", cut, false, 0, -1, -1, -1, true, false},
		{"fault strict", cut, true, 0, -1, -1, -1, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rd, err := Open(tc.path, 0, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer rd.Close()
			docs := 0
			acct, err := ReadAccounted(rd, tc.strict, func(d record.Document) error {
				if docs++; docs == tc.stopAt {
					return stop
				}
				return nil
			})
			if (err != nil) != tc.err || (acct.Fault != nil) != tc.fault {
				t.Fatalf("error %v, fault %v", err, acct.Fault)
			}
			if tc.stopAt > 0 && !errors.Is(err, stop) {
				t.Errorf("error %v: want fn's", err)
			}
			if tc.docs >= 0 && (docs != tc.docs || len(acct.Rejects) != tc.rejects || acct.Read != tc.read) {
				t.Errorf("%d documents, %d rejects, %d read: want %d, %d, %d", docs, len(acct.Rejects), acct.Read, tc.docs, tc.rejects, tc.read)
			}
			if tc.fault && (acct.FaultAfter == 0 || acct.Read != acct.FaultAfter || int64(docs+len(acct.Rejects)) != acct.Read) {
				t.Errorf("fault after record %d, %d read, %d documents and %d rejects", acct.FaultAfter, acct.Read, docs, len(acct.Rejects))
			}
			if acct.InputBytes == 0 {
				t.Errorf("no input bytes counted")
			}
		})
	}
}

// Read in parts at any boundaries, a file gives the same documents,
// rejects and bytes as read whole, once each part's records are numbered
// on from the parts before it.
func TestOpenPart(t *testing.T) {
	var b strings.Builder
	b.WriteString("\uFEFF")
	for i := range 300 {
		switch i % 7 {
		case 3:
			b.WriteString("{\"text\":42}\n") // rejected
		case 5:
			b.WriteString("\r\n") // empty
		case 6:
			fmt.Fprintf(&b, "{\"text\":\"no id %d %s\"}\n", i, strings.Repeat("字", i))
		default:
			fmt.Fprintf(&b, "{\"id\":\"d%d\",\"text\":\"文档 %d\"}\r\n", i, i)
		}
	}
	b.WriteString("{\"id\":\"last\",\"text\":\"no newline\"}")
	data := b.String()
	path := writeInput(t, t.TempDir(), "in.jsonl", []byte(data), None)
	type rec struct {
		id, text string
		off      int64
	}
	read := func(rd *Reader, base int64) ([]rec, []int64, Account) {
		var out []rec
		acct, err := ReadAccounted(rd, false, func(d record.Document) error {
			id := string(rd.AppendID(nil))
			if !rd.HasID() {
				id = fmt.Sprintf("%s:%d", path, base+d.Record)
			}
			out = append(out, rec{id, string(d.Text), rd.Offset()})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		var rejects []int64
		for _, r := range acct.Rejects {
			rejects = append(rejects, base+r.Record)
		}
		return out, rejects, acct
	}
	rd, err := Open(path, 0, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want, wantRej, wantAcct := read(rd, 0)
	rd.Close()
	for _, parts := range []int{1, 2, 3, 7, 50, len(data)} {
		var got []rec
		var gotRej []int64
		var base, bytes int64
		for k := range parts {
			start, end := int64(len(data)*k/parts), int64(len(data)*(k+1)/parts)
			rd, err := OpenPart(path, 0, Options{}, start, end)
			if err != nil {
				t.Fatal(err)
			}
			g, rej, acct := read(rd, base)
			rd.Close()
			got, gotRej = append(got, g...), append(gotRej, rej...)
			base += acct.Read
			bytes += acct.InputBytes
		}
		if fmt.Sprint(got) != fmt.Sprint(want) || fmt.Sprint(gotRej) != fmt.Sprint(wantRej) || base != wantAcct.Read || bytes != wantAcct.InputBytes {
			t.Errorf("%d parts: %d documents, %d rejects, %d records, %d bytes; want %d, %d, %d, %d", parts, len(got), len(gotRej), base, bytes, len(want), len(wantRej), wantAcct.Read, wantAcct.InputBytes)
		}
	}
}

// Read by row groups, a Parquet file gives the rows, rejects and input
// bytes it gives read whole, once each part's rows are numbered on.
func TestOpenRowGroups(t *testing.T) {
	path := filepath.Join(t.TempDir(), "in.parquet")
	writeParquetFixture(t, path, 300)
	layout, err := ReadParquetLayout(path)
	if err != nil || layout.RowGroups < 3 || layout.Rows != 300 {
		t.Fatalf("layout %+v, %v: want 300 rows in several row groups", layout, err)
	}
	read := func(rd *Reader, base int64) ([]string, Account) {
		var out []string
		acct, err := ReadAccounted(rd, false, func(d record.Document) error {
			out = append(out, fmt.Sprintf("%d %v %s", base+d.Record, rd.HasID(), d.Text))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range acct.Rejects {
			out = append(out, fmt.Sprintf("reject %d %s", base+r.Record, r.Reason))
		}
		return out, acct
	}
	rd, err := Open(path, 0, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want, wantAcct := read(rd, 0)
	rd.Close()
	if wantAcct.InputBytes != layout.InputBytes(300) || len(wantAcct.Rejects) == 0 {
		t.Fatalf("read whole: %d input bytes (layout says %d), %d rejects", wantAcct.InputBytes, layout.InputBytes(300), len(wantAcct.Rejects))
	}
	for _, per := range []int{1, 2, layout.RowGroups} {
		var got []string
		var base int64
		for g := 0; g < layout.RowGroups; g += per {
			rd, err := OpenRowGroups(path, 0, Options{}, g, min(g+per, layout.RowGroups))
			if err != nil {
				t.Fatal(err)
			}
			part, acct := read(rd, base)
			rd.Close()
			got = append(got, part...)
			base += acct.Read
		}
		slices.Sort(got)
		w := slices.Clone(want)
		slices.Sort(w)
		if !slices.Equal(got, w) || base != wantAcct.Read {
			t.Errorf("%d row groups a part: %d rows and rejects, %d read; want %d, %d", per, len(got), base, len(w), wantAcct.Read)
		}
	}
	if _, err := OpenRowGroups(path, 0, Options{}, 2, layout.RowGroups+1); err == nil {
		t.Errorf("row groups beyond the file were accepted")
	}
}
