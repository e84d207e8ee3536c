package corpus

import (
	"errors"
	"fmt"
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
