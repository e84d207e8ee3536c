package corpus

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
)

// routeByRecord is the test routing rule: keep, remove and drop in turn.
func routeByRecord(rec int64) Route {
	return [3]Route{Keep, Remove, Drop}[rec%3]
}

// splitLines splits data after each "\n" (keeping it); a last unterminated
// line stays unterminated, as Partition writes lines.
func splitLines(data []byte) [][]byte {
	var out [][]byte
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			out = append(out, append([]byte(nil), data...))
			break
		}
		out = append(out, data[:i+1])
		data = data[i+1:]
	}
	return out
}

func TestPartitionLines(t *testing.T) {
	jsonl := strings.Join([]string{
		`{"id":"a","text":"第一篇","extra":{"keep":["every","field"]},"n":1.50}`,
		`{"text":"windows line"}` + "\r",
		``,
		`{"broken":`,
		`{"id":3,"text":"数字","z":null}`,
		`{"text":"` + strings.Repeat("长", 100000) + `"}`, // longer than the read buffer
		`{"text":"last, no newline"}`,
	}, "\n")
	text := "一\r\n二\n\n" + strings.Repeat("x", 300000) + "\n\xff bad\n末行"
	for _, tc := range []struct {
		name string
		data string
	}{{"in.jsonl", jsonl}, {"in.txt", text}} {
		for _, comp := range []Compression{None, Gzip, Zstd} {
			t.Run(tc.name+"/"+comp.String(), func(t *testing.T) {
				dir := t.TempDir()
				in := writeInput(t, dir, tc.name, []byte(tc.data), comp)
				kept := filepath.Join(dir, "out", "kept", tc.name+compExt[comp])
				removed := filepath.Join(dir, "out", "removed", tc.name+compExt[comp])
				var calls []int64
				err := Partition(in, Options{}, kept, removed, func(rec int64) Route {
					calls = append(calls, rec)
					return routeByRecord(rec)
				})
				if err != nil {
					t.Fatal(err)
				}
				lines := splitLines([]byte(tc.data))
				for i, rec := range calls {
					if rec != int64(i+1) {
						t.Fatalf("route calls %v, want 1..%d in order", calls, len(lines))
					}
				}
				if len(calls) != len(lines) {
					t.Fatalf("route called %d times, want %d", len(calls), len(lines))
				}
				var wantKept, wantRemoved []byte
				for i, l := range lines {
					switch routeByRecord(int64(i + 1)) {
					case Keep:
						wantKept = append(wantKept, l...)
					case Remove:
						wantRemoved = append(wantRemoved, l...)
					}
				}
				if got := decompressFile(t, kept, comp); !bytes.Equal(got, wantKept) {
					t.Errorf("kept output differs: %d bytes, want %d", len(got), len(wantKept))
				}
				if got := decompressFile(t, removed, comp); !bytes.Equal(got, wantRemoved) {
					t.Errorf("removed output differs: %d bytes, want %d", len(got), len(wantRemoved))
				}

				// The same copy from the decoded stream a Reader's Tee kept.
				var decoded bytes.Buffer
				rd, err := Open(in, 0, Options{})
				if err != nil {
					t.Fatal(err)
				}
				if !rd.Tee(&decoded) {
					t.Fatal("Tee refused a line input")
				}
				for {
					if _, err := rd.Next(); err == io.EOF {
						break
					} else if err != nil && !errors.As(err, new(*RejectError)) {
						t.Fatal(err)
					}
				}
				rd.Close()
				kept2 := filepath.Join(dir, "out2", "kept", tc.name+compExt[comp])
				removed2 := filepath.Join(dir, "out2", "removed", tc.name+compExt[comp])
				if err := PartitionDecoded(in, &decoded, Options{}, kept2, removed2, routeByRecord, nil); err != nil {
					t.Fatal(err)
				}
				if got := decompressFile(t, kept2, comp); !bytes.Equal(got, wantKept) {
					t.Errorf("kept output from decoded content differs: %d bytes, want %d", len(got), len(wantKept))
				}
				if got := decompressFile(t, removed2, comp); !bytes.Equal(got, wantRemoved) {
					t.Errorf("removed output from decoded content differs: %d bytes, want %d", len(got), len(wantRemoved))
				}

				// The outputs read back as the same documents the input had.
				inDocs, _ := readAll(t, in, Options{})
				keptDocs, _ := readAll(t, kept, Options{})
				var k int
				for _, o := range inDocs {
					rec := o.doc.Record
					if o.reject != nil {
						rec = o.reject.Record
					}
					if routeByRecord(rec) != Keep {
						continue
					}
					g := keptDocs[k]
					k++
					if (o.reject == nil) != (g.reject == nil) || !bytes.Equal(o.doc.Text, g.doc.Text) {
						t.Errorf("record %d read back differently", rec)
					}
				}
			})
		}
	}
}

func TestPartitionRecordsMatchReader(t *testing.T) {
	// The record numbers route sees are the ones Reader reports, so a keep
	// set computed from Reader documents routes the right lines.
	data := "a\n\nb\n\xff\nc\r\n  \nd"
	dir := t.TempDir()
	in := writeInput(t, dir, "in.txt", []byte(data), Gzip)
	got, err := readAll(t, in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	keep := map[int64]bool{}
	for _, o := range got {
		if o.reject == nil {
			keep[o.doc.Record] = true
		}
	}
	kept := filepath.Join(dir, "kept.txt.gz")
	err = Partition(in, Options{}, kept, "", func(rec int64) Route {
		if keep[rec] {
			return Keep
		}
		return Drop
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := string(decompressFile(t, kept, Gzip)); got != "a\nb\nc\r\nd" {
		t.Errorf("kept %q", got)
	}
}

func TestPartitionErrors(t *testing.T) {
	dir := t.TempDir()
	in := writeInput(t, dir, "in.txt", []byte("a\nb\n"), None)
	keepAll := func(int64) Route { return Keep }
	for _, tc := range []struct {
		name          string
		kept, removed string
		route         func(int64) Route
		want          string
	}{
		{"output is input", in, "", keepAll, "is the input"},
		{"same outputs", filepath.Join(dir, "o.txt"), filepath.Join(dir, "o.txt"), keepAll, "both"},
		{"bad route", filepath.Join(dir, "o.txt"), "", func(int64) Route { return Route(9) }, "invalid route"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Partition(in, Options{}, tc.kept, tc.removed, tc.route)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
			if b, _ := os.ReadFile(in); string(b) != "a\nb\n" {
				t.Errorf("input changed to %q", b)
			}
			if tc.kept != in {
				if _, err := os.Stat(tc.kept); !os.IsNotExist(err) {
					t.Errorf("output %s exists after a failed Partition", tc.kept)
				}
			}
		})
	}
}

// pqDoc is the Parquet fixture's row: a text column, an integer id, a
// nullable score, a zstd-compressed string column and a repeated column, so
// that the schema has something to lose.
type pqDoc struct {
	ID    int64    `parquet:"id"`
	Text  *string  `parquet:"text,optional"`
	Score *float64 `parquet:"score,optional"`
	Lang  string   `parquet:"lang,zstd,dict"`
	Tags  []string `parquet:"tags,list"`
}

func writeParquetFixture(t testing.TB, path string, n int) []pqDoc {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := parquet.NewGenericWriter[pqDoc](f, parquet.Compression(&parquet.Snappy),
		parquet.KeyValueMetadata("origin", "quchong test"))
	var rows []pqDoc
	for i := range n {
		d := pqDoc{ID: int64(i + 100), Lang: []string{"zh", "en"}[i%2], Tags: []string{"t", fmt.Sprint(i)}}
		if i%7 != 3 {
			s := fmt.Sprintf("第%d篇文档", i)
			d.Text = &s
		}
		if i%5 != 0 {
			v := float64(i) / 4
			d.Score = &v
		}
		rows = append(rows, d)
		if _, err := w.Write([]pqDoc{d}); err != nil {
			t.Fatal(err)
		}
		if i%50 == 49 {
			w.Flush() // several row groups
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return rows
}

func readParquetRows(t *testing.T, path string) ([]pqDoc, *parquet.File) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	st, _ := f.Stat()
	pf, err := parquet.OpenFile(f, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	r := parquet.NewGenericReader[pqDoc](f)
	defer r.Close()
	rows := make([]pqDoc, r.NumRows())
	if n, err := r.Read(rows); n != len(rows) || (err != nil && err != io.EOF) {
		t.Fatalf("read %d of %d rows: %v", n, len(rows), err)
	}
	return rows, pf
}

func codecs(pf *parquet.File) []string {
	var out []string
	for _, rg := range pf.Metadata().RowGroups {
		for _, c := range rg.Columns {
			out = append(out, fmt.Sprintf("%s=%s", strings.Join(c.MetaData.PathInSchema, "."), c.MetaData.Codec))
		}
		break
	}
	return out
}

func TestReadParquet(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "in.parquet")
	rows := writeParquetFixture(t, path, 120)
	got, err := readAll(t, path, Options{Fields: []string{"score", "lang", "nope"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(rows) {
		t.Fatalf("%d records, want %d", len(got), len(rows))
	}
	for i, row := range rows {
		o := got[i]
		if row.Text == nil {
			if o.reject == nil || o.reject.Reason != MissingText || o.reject.Record != int64(i+1) ||
				!strings.Contains(o.reject.Error(), fmt.Sprintf("row %d", i+1)) {
				t.Errorf("row %d: %+v, want a missing-text reject", i+1, o)
			}
			continue
		}
		if o.reject != nil {
			t.Fatalf("row %d rejected: %v", i+1, o.reject)
		}
		d := o.doc
		if string(d.Text) != *row.Text || d.ID != fmt.Sprint(row.ID) || d.Record != int64(i+1) {
			t.Errorf("row %d: %q id %q record %d", i+1, d.Text, d.ID, d.Record)
		}
		if row.Score == nil {
			if _, ok := d.Fields["score"]; ok {
				t.Errorf("row %d: null score read as %v", i+1, d.Fields["score"])
			}
		} else if d.Fields["score"].Num != *row.Score {
			t.Errorf("row %d: score %v, want %v", i+1, d.Fields["score"], *row.Score)
		}
		if d.Fields["lang"].Str != row.Lang {
			t.Errorf("row %d: lang %v", i+1, d.Fields["lang"])
		}
	}
}

// Issue 19 item 9: a text column that is absent, an integer or a list
// makes every row a reject with a true reason, so that each row is read
// and counted.
func TestParquetTextColumnNotString(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "in.parquet")
	writeParquetFixture(t, path, 3)
	for _, tc := range []struct {
		field  string
		reason Reason
		detail string
	}{
		{"body", MissingText, `no top-level column "body" (columns: id, text, score, lang, tags)`},
		{"id", NonStringText, `column "id" has type INT64`},
		{"tags", NonStringText, `column "tags" is a list or a group`},
	} {
		got, err := readAll(t, path, Options{TextField: tc.field})
		if err != nil {
			t.Fatalf("%s: %v", tc.field, err)
		}
		if len(got) != 3 {
			t.Errorf("%s: %d records, want 3", tc.field, len(got))
		}
		for i, o := range got {
			if o.reject == nil || o.reject.Reason != tc.reason || !strings.Contains(o.reject.Detail, tc.detail) || o.reject.Record != int64(i+1) {
				t.Errorf("%s: record %d: %+v, want a %s reject saying %q", tc.field, i+1, o.reject, tc.reason, tc.detail)
			}
		}
	}
}

func TestParquetColumnErrors(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "in.parquet")
	writeParquetFixture(t, path, 3)
	for _, tc := range []struct {
		opt  Options
		want []string
	}{
		{Options{IDField: "score"}, []string{"want a string or an integer"}},
	} {
		r, err := Open(path, 0, tc.opt)
		if err == nil {
			r.Close()
			t.Errorf("%+v: Open succeeded", tc.opt)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%+v: error %q lacks %q", tc.opt, err, w)
			}
		}
	}
	// A corrupt file is an error, not a panic.
	data, _ := os.ReadFile(path)
	for i := 8; i < len(data)-8; i += 17 {
		data[i] ^= 0x5a
	}
	bad := filepath.Join(dir, "bad.parquet")
	os.WriteFile(bad, data, 0o644)
	if r, err := Open(bad, 0, Options{}); err == nil {
		for {
			if _, err := r.Next(); err != nil && !IsReject(err) {
				break
			}
		}
		r.Close()
	}
}

func TestPartitionParquet(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.parquet")
	rows := writeParquetFixture(t, in, 230)
	kept := filepath.Join(dir, "out", "kept.parquet")
	removed := filepath.Join(dir, "out", "removed.parquet")
	var calls int64
	err := Partition(in, Options{}, kept, removed, func(rec int64) Route {
		calls++
		if rec != calls {
			t.Fatalf("route(%d) on call %d", rec, calls)
		}
		return routeByRecord(rec)
	})
	if err != nil {
		t.Fatal(err)
	}
	if calls != int64(len(rows)) {
		t.Errorf("route called %d times, want %d", calls, len(rows))
	}
	_, inFile := readParquetRows(t, in)
	for _, tc := range []struct {
		path  string
		route Route
	}{{kept, Keep}, {removed, Remove}} {
		got, pf := readParquetRows(t, tc.path)
		var want []pqDoc
		for i, r := range rows {
			if routeByRecord(int64(i+1)) == tc.route {
				want = append(want, r)
			}
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: rows differ (%d rows, want %d)", tc.path, len(got), len(want))
		}
		if g, w := pf.Schema().String(), inFile.Schema().String(); g != w {
			t.Errorf("%s: schema\n%s\nwant\n%s", tc.path, g, w)
		}
		if g, w := codecs(pf), codecs(inFile); !reflect.DeepEqual(g, w) {
			t.Errorf("%s: codecs %v, want %v", tc.path, g, w)
		}
		if v, ok := pf.Lookup("origin"); !ok || v != "quchong test" {
			t.Errorf("%s: key-value metadata lost (%q, %v)", tc.path, v, ok)
		}
		if n := len(pf.RowGroups()); n < 2 || n > len(inFile.RowGroups()) {
			t.Errorf("%s: %d row groups, want between 2 and %d", tc.path, n, len(inFile.RowGroups()))
		}
	}
}

// With Salvage, a truncated input keeps the records before the fault.
func TestPartitionSalvage(t *testing.T) {
	dir := t.TempDir()
	var lines []string
	r := rand.New(rand.NewPCG(5, 6))
	for i := 0; i < 3000; i++ {
		// Random digits keep the stream from compressing into one block.
		lines = append(lines, fmt.Sprintf(`{"id":"d%d","text":"第%d篇文档的正文：%d %d %d"}`, i, i, r.Uint64(), r.Uint64(), r.Uint64()))
	}
	for _, comp := range []Compression{Gzip, Zstd} {
		ext := ".jsonl" + compExt[comp]
		t.Run(ext, func(t *testing.T) {
			full := writeInput(t, dir, "full.jsonl", []byte(strings.Join(lines, "\n")+"\n"), comp)
			b, err := os.ReadFile(full)
			if err != nil {
				t.Fatal(err)
			}
			cut := filepath.Join(dir, "cut"+ext)
			if err := os.WriteFile(cut, b[:len(b)/2], 0o644); err != nil {
				t.Fatal(err)
			}
			for _, salvage := range []bool{false, true} {
				out := filepath.Join(dir, fmt.Sprintf("out-%v%s", salvage, ext))
				var routed int64
				err := Partition(cut, Options{Salvage: salvage}, out, "", func(rec int64) Route { routed = rec; return Keep })
				var fault *ReadFault
				if !errors.As(err, &fault) {
					t.Fatalf("salvage=%v: err = %v, want a *ReadFault", salvage, err)
				}
				if fault.After != routed || routed == 0 || routed >= 3000 {
					t.Errorf("salvage=%v: fault after %d, %d records routed", salvage, fault.After, routed)
				}
				_, statErr := os.Stat(out)
				if !salvage {
					if statErr == nil {
						t.Errorf("without salvage an output was committed")
					}
					continue
				}
				got, err := readAll(t, out, Options{})
				if err != nil {
					t.Fatalf("salvaged output: %v", err)
				}
				if int64(len(got)) != routed {
					t.Errorf("salvaged output holds %d records, want %d", len(got), routed)
				}
			}
		})
	}
}

// PartitionCapture hands over exactly the texts Reader gives, record by record.
func TestPartitionCapture(t *testing.T) {
	long := strings.Repeat("长", 200000) // beyond the read buffer
	inputs := map[string]string{
		"in.txt":   "\ufeffa\r\nb\n\n  \n\xff\n" + long + "\nlast",
		"in.jsonl": "{\"id\":1,\"text\":\"一\\n二\"}\n{bad\n{\"text\":\"\"}\n{\"text\":\"" + long + "\"}\r\n{\"x\":1}\n{\"text\":\"尾\"}",
	}
	for name, data := range inputs {
		for _, comp := range []Compression{None, Zstd} {
			t.Run(name+compExt[comp], func(t *testing.T) {
				dir := t.TempDir()
				in := writeInput(t, dir, name, []byte(data), comp)
				want := map[int64]string{}
				outs, err := readAll(t, in, Options{MaxDocBytes: 1 << 20})
				if err != nil {
					t.Fatal(err)
				}
				for _, o := range outs {
					if o.reject == nil {
						want[o.doc.Record] = string(o.doc.Text)
					}
				}
				got := map[int64]string{}
				capture := &TextCapture{
					Want: func(rec int64) bool { return rec%2 == 1 || rec > 3 },
					Got:  func(rec int64, text []byte) { got[rec] = string(text) },
				}
				err = PartitionCapture(in, Options{MaxDocBytes: 1 << 20}, filepath.Join(dir, "kept"+filepath.Ext(in)), "", func(int64) Route { return Keep }, capture)
				if err != nil {
					t.Fatal(err)
				}
				for rec, text := range want {
					if capture.Want(rec) && got[rec] != text {
						t.Errorf("record %d: captured %d bytes, Reader gives %d", rec, len(got[rec]), len(text))
					}
				}
				for rec := range got {
					if _, ok := want[rec]; !ok || !capture.Want(rec) {
						t.Errorf("record %d captured, but Reader rejects it or it was not wanted", rec)
					}
				}
				if len(got) == 0 {
					t.Fatal("nothing captured")
				}
			})
		}
	}
}

func TestLevels(t *testing.T) {
	for _, name := range []string{"fast", "default", "better", "best"} {
		l, err := ParseLevel(name)
		if err != nil || l.String() != name {
			t.Errorf("ParseLevel(%q) = %v, %v", name, l, err)
		}
	}
	if _, err := ParseLevel("max"); err == nil {
		t.Error("ParseLevel(max) succeeded")
	}
	dir := t.TempDir()
	var lines strings.Builder
	for i := 0; i < 2000; i++ {
		fmt.Fprintf(&lines, "{\"text\":\"第%d篇文档，一些会重复的内容，一些会重复的内容。\"}\n", i)
	}
	in := writeInput(t, dir, "in.jsonl", []byte(lines.String()), Zstd)
	sizes := map[Level]int64{}
	for _, l := range []Level{LevelFast, LevelBest} {
		out := filepath.Join(dir, l.String()+".jsonl.zst")
		if err := Partition(in, Options{Level: l}, out, "", func(int64) Route { return Keep }); err != nil {
			t.Fatal(err)
		}
		if got := decompressFile(t, out, Zstd); string(got) != lines.String() {
			t.Fatalf("level %v: output differs from the input", l)
		}
		fi, _ := os.Stat(out)
		sizes[l] = fi.Size()
	}
	if sizes[LevelBest] >= sizes[LevelFast] {
		t.Errorf("best (%d bytes) is not smaller than fast (%d)", sizes[LevelBest], sizes[LevelFast])
	}
	if err := Partition(in, Options{Level: 9}, filepath.Join(dir, "x.jsonl.zst"), "", func(int64) Route { return Keep }); err == nil {
		t.Error("Partition accepted an invalid level")
	}
}
