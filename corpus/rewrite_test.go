package corpus

import (
	"bytes"
	"encoding/gob"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestRewriteLines rewrites text and JSONL inputs, plain and compressed:
// texts replaced where edit says, everything else byte for byte, dropped
// and rejected records gone, ids as Reader gives them.
func TestRewriteLines(t *testing.T) {
	cases := []struct {
		name, file, input, want string
		wantIDs                 []string
	}{
		{
			name:    "jsonl",
			file:    "a.jsonl",
			input:   "{\"id\":\"x1\",\"text\":\"甲乙。责任编辑：XX\",\"n\":1}\n{\"text\":\"drop me\"}\r\n{\"id\":7,\"text\":\"keep\\u0020as is\",\"z\":[1,{\"text\":2}]}\nnot json\n{\"te\\u0078t\":\"escaped key\",\"id\":\"e\"}",
			want:    "{\"id\":\"x1\",\"text\":\"甲乙。\",\"n\":1}\n{\"id\":7,\"text\":\"keep\\u0020as is\",\"z\":[1,{\"text\":2}]}\n{\"te\\u0078t\":\"ESCAPED \\\"KEY\\\"\\n\",\"id\":\"e\"}",
			wantIDs: []string{"x1", "a.jsonl:2", "7", "e"},
		},
		{
			name:    "text",
			file:    "a.txt",
			input:   "\ufeff甲乙。责任编辑：XX\r\ndrop me\n\nkeep as is\n  \nlast 责任编辑：XX",
			want:    "\ufeff甲乙。\r\nkeep as is\nlast \n",
			wantIDs: []string{"a.txt:1", "a.txt:2", "a.txt:4", "a.txt:6"},
		},
	}
	edit := func(ids *[]string) func(int64, []byte, []byte) Edit {
		return func(_ int64, id, text []byte) Edit {
			*ids = append(*ids, string(id))
			s := string(text)
			switch {
			case strings.HasPrefix(s, "drop"):
				return Edit{Drop: true}
			case strings.Contains(s, "责任编辑：XX"):
				return Edit{Text: []byte(strings.ReplaceAll(s, "责任编辑：XX", ""))}
			case strings.HasPrefix(s, "escaped"):
				return Edit{Text: []byte("ESCAPED \"KEY\"\n")}
			}
			return Edit{}
		}
	}
	for _, c := range cases {
		for _, comp := range []string{"", ".gz", ".zst"} {
			t.Run(c.name+comp, func(t *testing.T) {
				dir := t.TempDir()
				in := filepath.Join(dir, c.file+comp)
				out := filepath.Join(dir, "out", c.file+comp)
				compression := map[string]Compression{"": None, ".gz": Gzip, ".zst": Zstd}[comp]
				if err := os.WriteFile(in, compressBytes(t, []byte(c.input), compression), 0o644); err != nil {
					t.Fatal(err)
				}
				var ids []string
				if err := Rewrite(in, Options{Name: c.file + comp}, out, edit(&ids)); err != nil {
					t.Fatal(err)
				}
				got := decompressFile(t, out, compression)
				want := c.want
				if c.name == "text" {
					want = strings.TrimSuffix(want, "\n") // the last line had no "\n"
				}
				if string(got) != want {
					t.Errorf("output\n%q\nwant\n%q", got, want)
				}
				for k := range c.wantIDs {
					c.wantIDs[k] = strings.ReplaceAll(c.wantIDs[k], c.file+":", c.file+comp+":")
				}
				if strings.Join(ids, ",") != strings.Join(c.wantIDs, ",") {
					t.Errorf("ids %q, want %q", ids, c.wantIDs)
				}
				for k := range c.wantIDs {
					c.wantIDs[k] = strings.ReplaceAll(c.wantIDs[k], c.file+comp+":", c.file+":")
				}
			})
		}
	}
}

// TestRewriteParquet replaces the text column and keeps every other column,
// the schema and the metadata; null texts (rejected) and dropped rows go.
func TestRewriteParquet(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "a.parquet")
	rows := writeParquetFixture(t, in, 120)
	out := filepath.Join(dir, "out", "a.parquet")
	var buf []byte // reused, as callers do: Edit.Text is valid during the call only
	err := Rewrite(in, Options{}, out, func(record int64, id, text []byte) Edit {
		if want := fmt.Sprint(record + 99); string(id) != want {
			t.Errorf("row %d: id %s, want %s", record, id, want)
		}
		if record%10 == 0 {
			return Edit{Drop: true}
		}
		if record%2 == 0 {
			buf = append(append(buf[:0], "改写"...), text...)
			return Edit{Text: buf}
		}
		return Edit{}
	})
	if err != nil {
		t.Fatal(err)
	}
	got, pf := readParquetRows(t, out)
	var want []pqDoc
	for i, r := range rows {
		record := int64(i + 1)
		if r.Text == nil || record%10 == 0 {
			continue
		}
		if record%2 == 0 {
			s := "改写" + *r.Text
			r.Text = &s
		}
		want = append(want, r)
	}
	if len(got) != len(want) {
		t.Fatalf("%d rows, want %d", len(got), len(want))
	}
	for k := range got {
		g, w := got[k], want[k]
		if g.ID != w.ID || *g.Text != *w.Text || g.Lang != w.Lang || fmt.Sprint(g.Tags) != fmt.Sprint(w.Tags) || (g.Score == nil) != (w.Score == nil) {
			t.Fatalf("row %d: %+v, want %+v", k, g, w)
		}
	}
	if v, ok := pf.Lookup("origin"); !ok || v != "quchong test" {
		t.Errorf("metadata origin = %q, %v", v, ok)
	}
}

func TestAppendJSONString(t *testing.T) {
	for _, s := range []string{"", "中文", "a\"b\\c", "line\nbreak\r\t", "\x01\x1f", "<&>\u2028"} {
		got := appendJSONString(nil, []byte(s))
		var back string
		if err := json.Unmarshal(got, &back); err != nil || back != s {
			t.Errorf("%q: encoded %s, read back %q, %v", s, got, back, err)
		}
	}
	if got := appendJSONString(nil, []byte("中")); !bytes.Equal(got, []byte("\"中\"")) {
		t.Errorf("non-ASCII escaped: %s", got)
	}
}

// FuzzTextValueSpan: wherever encoding/json reads a line as an object with a
// string "text", textValueSpan finds that string's literal in the line.
func FuzzTextValueSpan(f *testing.F) {
	for _, s := range []string{`{"text":"a"}`, `{"id":1,"text":"中\n","text":"b"}`, `{"te\u0078t":"x"}`, ` { "a" : [1,{"text":2}] , "text" : "y" } `, `{"text":null}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		var m map[string]json.RawMessage
		if json.Unmarshal([]byte(line), &m) != nil {
			return
		}
		var want string
		if json.Unmarshal(m["text"], &want) != nil || m["text"] == nil || m["text"][0] != '"' {
			return
		}
		a, b, ok := textValueSpan([]byte(line), "text")
		if !ok {
			return // the fast scanner may give up; Rewrite then reports the line
		}
		var got string
		if err := json.Unmarshal([]byte(line[a:b]), &got); err != nil || got != want {
			t.Errorf("%q: span %q reads %q, %v; want %q", line, line[a:b], got, err, want)
		}
	})
}

// TestRewriteCopying: the records same names are copied byte for byte
// (white space, escapes and a missing final line break included) without
// edit being called; the others are rewritten as by Rewrite.
func TestRewriteCopying(t *testing.T) {
	input := "{\"id\":\"a\",\"text\":\"甲 \\u4e59\" }\r\n{\"id\":\"b\",\"text\":\"责任编辑：XX\"}\nnot json\n{\"id\":\"c\",\"text\":\"丙\"}"
	cases := []struct {
		name  string
		same  []int64
		want  string
		edits string
	}{
		{"none", nil, "{\"id\":\"a\",\"text\":\"甲 乙\" }\r\n{\"id\":\"b\",\"text\":\"\"}\n{\"id\":\"c\",\"text\":\"丙\"}", "a,b,c"},
		{"first and last", []int64{1, 4}, "{\"id\":\"a\",\"text\":\"甲 \\u4e59\" }\r\n{\"id\":\"b\",\"text\":\"\"}\n{\"id\":\"c\",\"text\":\"丙\"}", "b"},
		{"all", []int64{1, 2, 4}, input[:strings.Index(input, "not json")] + input[strings.Index(input, "{\"id\":\"c\""):], ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			in := filepath.Join(dir, "a.jsonl")
			out := filepath.Join(dir, "out", "a.jsonl")
			if err := os.WriteFile(in, []byte(input), 0o644); err != nil {
				t.Fatal(err)
			}
			var asked []int64
			same := func(record int64) bool {
				asked = append(asked, record)
				return slices.Contains(c.same, record)
			}
			var edits []string
			err := RewriteCopying(in, Options{}, out, same, func(record int64, id, text []byte) Edit {
				edits = append(edits, string(id))
				if strings.Contains(string(text), "XX") || string(id) == "a" {
					return Edit{Text: []byte(strings.ReplaceAll(string(text), "责任编辑：XX", ""))}
				}
				return Edit{}
			})
			if err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != c.want {
				t.Errorf("output\n%q\nwant\n%q", got, c.want)
			}
			if e := strings.Join(edits, ","); e != c.edits {
				t.Errorf("edit called for %q, want %q", e, c.edits)
			}
			if !slices.Equal(asked, []int64{1, 2, 3, 4}) {
				t.Errorf("same asked for %v, want every record once", asked)
			}
		})
	}
}

// TestRewriteDecoded: a compressed input rewritten from the content its
// first reading held (Reader.Tee into a DecodedFile) gives what rewriting
// the file gives, without reading the file again.
func TestRewriteDecoded(t *testing.T) {
	input := []byte("{\"id\":\"a\",\"text\":\"甲 \\u4e59\" }\r\n{\"id\":\"b\",\"text\":\"责任编辑：XX\"}\nnot json\n{\"id\":\"c\",\"text\":\"丙\"}")
	for _, comp := range []Compression{Gzip, Zstd} {
		dir := t.TempDir()
		in := writeInput(t, dir, "a.jsonl", input, comp)
		edit := func(record int64, id, text []byte) Edit {
			return Edit{Text: []byte(strings.ReplaceAll(string(text), "责任编辑：XX", ""))}
		}
		same := func(record int64) bool { return record == 4 }
		want := filepath.Join(dir, "want", filepath.Base(in))
		if err := RewriteCopying(in, Options{}, want, same, edit); err != nil {
			t.Fatal(err)
		}

		var cache DecodedCache
		cache.Limit = 1 << 20
		held := cache.File()
		rd, err := Open(in, 0, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !rd.Tee(held) {
			t.Fatal("Tee refused a JSONL input")
		}
		for {
			if _, err := rd.Next(); err == io.EOF {
				break
			} else if err != nil && !IsReject(err) {
				t.Fatal(err)
			}
		}
		rd.Close()
		held.Seal()
		// The file is gone: what is rewritten comes from the held content.
		moved := filepath.Join(dir, "moved")
		if err := os.Rename(in, moved); err != nil {
			t.Fatal(err)
		}
		got := filepath.Join(dir, "got", filepath.Base(in))
		if err := RewriteDecoded(in, held.Reader(), Options{}, got, same, edit); err != nil {
			t.Fatalf("%v: %v", comp, err)
		}
		a, _ := os.ReadFile(want)
		b, _ := os.ReadFile(got)
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Errorf("%v: rewritten from held content: %d bytes, from the file %d, or they differ", comp, len(b), len(a))
		}
	}
	if err := RewriteDecoded("a.jsonl", nil, Options{}, "out.jsonl", nil, nil); err == nil {
		t.Error("RewriteDecoded without content: no error")
	}
}

// Options travel to the workers of a distributed engine (Beam's gob-encoded
// pipeline config): every field must be encodable.
func TestOptionsEncodable(t *testing.T) {
	opt := Options{Fields: []string{"score"}, TextField: "body", MaxDocBytes: 1 << 20, Level: LevelBest, Output: OutputZstd, Concurrency: 1}
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(opt); err != nil {
		t.Fatal(err)
	}
	var got Options
	if err := gob.NewDecoder(&b).Decode(&got); err != nil || got.TextField != "body" || got.Output != OutputZstd {
		t.Errorf("decoded %+v, %v", got, err)
	}
}
