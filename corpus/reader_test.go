package corpus

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
)

// want is the expected outcome of one record: a reject reason, or a text
// and id.
type want struct {
	reason Reason
	text   string
	id     string
}

func checkOutcomes(t *testing.T, path string, got []outcome, wants []want) {
	t.Helper()
	if len(got) != len(wants) {
		t.Fatalf("%d outcomes, want %d: %+v", len(got), len(wants), got)
	}
	for i, w := range wants {
		g := got[i]
		rec := int64(i + 1)
		if w.reason != "" {
			if g.reject == nil || g.reject.Reason != w.reason || g.reject.Record != rec || g.reject.Path != path {
				t.Errorf("record %d: got %+v / %v, want reject %q", rec, g.doc, g.reject, w.reason)
			}
			continue
		}
		if g.reject != nil {
			t.Errorf("record %d: rejected (%v), want %q", rec, g.reject, w.text)
			continue
		}
		if string(g.doc.Text) != w.text || g.doc.Record != rec || g.doc.Source != 7 {
			t.Errorf("record %d: got text %q record %d source %d, want %q", rec, g.doc.Text, g.doc.Record, g.doc.Source, w.text)
		}
		wantID := w.id
		if wantID == "" {
			wantID = fmt.Sprintf("%s:%d", path, rec)
		}
		if g.doc.ID != wantID {
			t.Errorf("record %d: id %q, want %q", rec, g.doc.ID, wantID)
		}
	}
}

func TestReadText(t *testing.T) {
	for _, tc := range []struct {
		name  string
		input string
		max   int
		wants []want
	}{
		{"plain", "一\n二\n", 0, []want{{text: "一"}, {text: "二"}}},
		{"no final newline", "a\nb", 0, []want{{text: "a"}, {text: "b"}}},
		{"crlf", "a\r\nb\r\n", 0, []want{{text: "a"}, {text: "b"}}},
		{"bom", "\uFEFFa\n\uFEFFb\n", 0, []want{{text: "a"}, {text: "\uFEFFb"}}},
		{"empty file", "", 0, nil},
		{"blank lines", "\n \t\n\u3000\na\n", 0, []want{{reason: Empty}, {reason: Empty}, {reason: Empty}, {text: "a"}}},
		{"invalid utf8", "ok\nbad\xff\n\xe4\xb8\nok2\n", 0, []want{{text: "ok"}, {reason: InvalidUTF8}, {reason: InvalidUTF8}, {text: "ok2"}}},
		{"limit", "12345\n123456\n123456\r\n1234567\r\n", 6, []want{{text: "12345"}, {text: "123456"}, {text: "123456"}, {reason: TooLarge}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, comp := range []Compression{None, Gzip, Zstd} {
				path := writeInput(t, t.TempDir(), "in.txt", []byte(tc.input), comp)
				got, err := readAll(t, path, Options{MaxDocBytes: tc.max})
				if err != nil {
					t.Fatalf("%v: %v", comp, err)
				}
				checkOutcomes(t, path, got, tc.wants)
			}
		})
	}
}

func TestReadJSONL(t *testing.T) {
	input := strings.Join([]string{
		`{"id":"a","text":"第一篇","score":2}`,
		`{"text":"没有编号"}`,
		`{"id":7,"text":"数字编号"}`,
		``,
		`{"text":`,
		`{"body":"x"}`,
		`{"text":5}`,
		`{"text":" "}`,
		"{\"text\":\"\xff\"}",
		`{"text":"` + strings.Repeat("长", 40) + `"}`,
		`{"text":"末尾"}`,
	}, "\n")
	wants := []want{{text: "第一篇", id: "a"}, {text: "没有编号"}, {text: "数字编号", id: "7"},
		{reason: Empty}, {reason: MalformedJSON}, {reason: MissingText}, {reason: NonStringText},
		{reason: Empty}, {reason: InvalidUTF8}, {reason: TooLarge}, {text: "末尾"}}
	for _, comp := range []Compression{None, Gzip, Zstd} {
		path := writeInput(t, t.TempDir(), "in.jsonl", []byte(input), comp)
		got, err := readAll(t, path, Options{MaxDocBytes: 100, Fields: []string{"score"}})
		if err != nil {
			t.Fatal(err)
		}
		checkOutcomes(t, path, got, wants)
		if f := got[0].doc.Fields["score"]; f.Num != 2 {
			t.Errorf("score %+v, want 2", f)
		}
		if got[1].doc.Fields != nil {
			t.Errorf("fields %v for a record without them, want nil", got[1].doc.Fields)
		}
	}
}

func TestReadJSONLCustomFields(t *testing.T) {
	path := writeInput(t, t.TempDir(), "in.jsonl", []byte(`{"doc_id":"x1","content":"正文","id":"ignored","text":"ignored"}`+"\n"), None)
	got, err := readAll(t, path, Options{TextField: "content", IDField: "doc_id"})
	if err != nil {
		t.Fatal(err)
	}
	checkOutcomes(t, path, got, []want{{text: "正文", id: "x1"}})
}

func TestLongLines(t *testing.T) {
	// Lines far longer than the bufio buffer: gathered whole when under the
	// limit, skipped (and the next line intact) when over it.
	const limit = 2 << 20
	under := strings.Repeat("长", (limit-10)/3)
	over := strings.Repeat("x", limit+1)
	input := under + "\n" + over + "\r\n" + "next\n" + strings.Repeat("y", limit) + "\r\n"
	path := writeInput(t, t.TempDir(), "long.txt", []byte(input), Zstd)
	got, err := readAll(t, path, Options{MaxDocBytes: limit})
	if err != nil {
		t.Fatal(err)
	}
	checkOutcomes(t, path, got, []want{{text: under}, {reason: TooLarge}, {text: "next"}, {text: strings.Repeat("y", limit)}})

	r, err := Open(path, 0, Options{MaxDocBytes: limit})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	for {
		if _, err := r.Next(); err == io.EOF {
			break
		}
	}
	if r.InputBytes() != int64(len(input)) {
		t.Errorf("InputBytes %d, want %d", r.InputBytes(), len(input))
	}
	if r.FileBytes() != r.FileSize() {
		t.Errorf("FileBytes %d at the end, want FileSize %d", r.FileBytes(), r.FileSize())
	}
}

// repeatReader yields n copies of b.
type repeatReader struct {
	b byte
	n int64
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	k := min(int64(len(p)), r.n)
	for i := range p[:k] {
		p[i] = r.b
	}
	r.n -= k
	return int(k), nil
}

// TestTooLargeLineBoundedMemory reads a 100 MB line (stored as a tiny zstd
// file) with a 1 MiB limit and checks that the reader never held it.
func TestTooLargeLineBoundedMemory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "huge.txt.zst")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw, _ := zstd.NewWriter(f)
	io.WriteString(zw, "first\n")
	io.Copy(zw, &repeatReader{b: 'a', n: 100 << 20})
	io.WriteString(zw, "\nlast\n")
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	got, err := readAll(t, path, Options{MaxDocBytes: 1 << 20})
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	checkOutcomes(t, path, got, []want{{text: "first"}, {reason: TooLarge}, {text: "last"}})
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 32<<20 {
		t.Errorf("reading allocated %d MiB for a skipped 100 MiB line", alloc>>20)
	}
}

// TestHundredMegabyteLine reads a 100 MB document under a raised limit (the
// default, 64 MiB, would reject it).
func TestHundredMegabyteLine(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates 100 MB")
	}
	path := filepath.Join(t.TempDir(), "huge.txt.zst")
	f, _ := os.Create(path)
	zw, _ := zstd.NewWriter(f)
	io.Copy(zw, &repeatReader{b: 'b', n: 100 << 20})
	zw.Close()
	f.Close()
	r, err := Open(path, 0, Options{MaxDocBytes: 128 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	d, err := r.Next()
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Text) != 100<<20 || d.Text[0] != 'b' || d.Text[len(d.Text)-1] != 'b' {
		t.Errorf("got a %d-byte document", len(d.Text))
	}
	if _, err := r.Next(); err != io.EOF {
		t.Errorf("after the line: %v, want io.EOF", err)
	}
}

// randomLines makes n distinct, poorly compressible lines.
func randomLines(n int) []string {
	rng := rand.New(rand.NewPCG(1, 2))
	lines := make([]string, n)
	for i := range lines {
		var b strings.Builder
		for range 20 + rng.IntN(40) {
			b.WriteRune(rune(0x4E00 + rng.IntN(0x5000)))
		}
		lines[i] = fmt.Sprintf(`{"id":"d%d","text":%q}`, i+1, b.String())
	}
	return lines
}

func TestTruncatedStream(t *testing.T) {
	lines := randomLines(4000)
	data := []byte(strings.Join(lines, "\n") + "\n")
	for _, comp := range []Compression{Gzip, Zstd} {
		t.Run(comp.String(), func(t *testing.T) {
			full := compressBytes(t, data, comp)
			dir := t.TempDir()
			path := filepath.Join(dir, "cut.jsonl"+compExt[comp])
			if err := os.WriteFile(path, full[:len(full)/2], 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := readAll(t, path, Options{})
			if err == nil {
				t.Fatal("no error from a truncated stream")
			}
			if len(got) == 0 || len(got) >= len(lines) {
				t.Fatalf("%d records before the error, want some but not all", len(got))
			}
			for i, o := range got {
				if o.reject != nil || o.doc.ID != fmt.Sprintf("d%d", i+1) {
					t.Fatalf("record %d: %+v %v", i+1, o.doc.ID, o.reject)
				}
			}
			for _, part := range []string{path, fmt.Sprintf("after line %d:", len(got)), "truncated or corrupt " + comp.String()} {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("error %q does not contain %q", err, part)
				}
			}
			if IsReject(err) {
				t.Error("fatal error is a RejectError")
			}

			// The error is sticky.
			r, _ := Open(path, 0, Options{})
			defer r.Close()
			var first error
			for first == nil {
				_, first = r.Next()
			}
			if _, again := r.Next(); again == nil || again.Error() != first.Error() {
				t.Errorf("second call: %v, want %v", again, first)
			}

			// Partition refuses too, and leaves no output behind.
			kept := filepath.Join(dir, "out", "kept.jsonl"+compExt[comp])
			err = Partition(path, Options{}, kept, "", func(int64) Route { return Keep })
			if err == nil || !strings.Contains(err.Error(), path) {
				t.Errorf("Partition of a truncated file: %v", err)
			}
			if ents, _ := os.ReadDir(filepath.Dir(kept)); len(ents) != 0 {
				t.Errorf("Partition left %d files behind", len(ents))
			}
		})
	}
}

func TestCorruptGzip(t *testing.T) {
	full := compressBytes(t, []byte(strings.Join(randomLines(100), "\n")), Gzip)
	full[len(full)-6] ^= 0xff // break the CRC/size trailer
	path := filepath.Join(t.TempDir(), "bad.jsonl.gz")
	os.WriteFile(path, full, 0o644)
	got, err := readAll(t, path, Options{})
	if err == nil || !strings.Contains(err.Error(), "corrupt gzip") {
		t.Fatalf("got %v after %d records, want a corrupt-gzip error", err, len(got))
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, path string
		opt        Options
		want       string
	}{
		{"missing", filepath.Join(dir, "nope.txt"), Options{}, "nope.txt"},
		{"unknown extension", filepath.Join(dir, "a.csv"), Options{}, "--format"},
		{"bad gzip header", writeInput(t, dir, "x.txt.gz", []byte("not gzip"), None), Options{}, "x.txt.gz"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Open(tc.path, 0, tc.opt)
			if err == nil {
				r.Close()
				t.Fatal("Open succeeded")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not mention %q", err, tc.want)
			}
		})
	}
}

func TestClosedReader(t *testing.T) {
	path := writeInput(t, t.TempDir(), "a.txt", []byte("x\n"), None)
	r, err := Open(path, 0, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Path() != path || r.Format() != Text || r.Compression() != None {
		t.Errorf("Path/Format/Compression = %s %v %v", r.Path(), r.Format(), r.Compression())
	}
	r.Close()
	if err := r.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := r.Next(); err == nil || errors.Is(err, io.EOF) {
		t.Errorf("Next after Close: %v", err)
	}
}

func BenchmarkReadJSONLZstd(b *testing.B) {
	lines, _ := realisticLines(b)
	data := append(bytes.Join(lines, []byte("\n")), '\n')
	path := writeInput(b, b.TempDir(), "bench.jsonl", data, Zstd)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		readToEnd(b, path, Options{})
	}
}

// With LazyID, Next leaves ID empty and AppendID gives the id Next would
// have set, for every format and for records with and without an id.
func TestLazyID(t *testing.T) {
	dir := t.TempDir()
	jsonl := "{\"id\":\"a\\u0041\",\"text\":\"一\"}\n{\"text\":\"二\"}\n{\"id\":42,\"text\":\"三\"}\n{\"id\":\"\",\"text\":\"四\"}\n{\"id\":null,\"text\":\"五\"}\n"
	paths := []string{
		writeInput(t, dir, "in.jsonl", []byte(jsonl), None),
		writeInput(t, dir, "in.txt", []byte("一\n二\n"), Gzip),
	}
	pq := filepath.Join(dir, "in.parquet")
	writeParquetFixture(t, pq, 30)
	paths = append(paths, pq)
	for _, path := range paths {
		want, err := readAll(t, path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		r, err := Open(path, 7, Options{LazyID: true})
		if err != nil {
			t.Fatal(err)
		}
		var buf []byte
		for i := 0; ; i++ {
			d, err := r.Next()
			if err == io.EOF {
				if i != len(want) {
					t.Errorf("%s: %d records, want %d", path, i, len(want))
				}
				break
			}
			if errors.As(err, new(*RejectError)) && want[i].reject != nil {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			buf = r.AppendID(buf[:0])
			if d.ID != "" || string(buf) != want[i].doc.ID {
				t.Errorf("%s record %d: ID %q, AppendID %q; want \"\" and %q", path, i+1, d.ID, buf, want[i].doc.ID)
			}
		}
		r.Close()
	}
}
