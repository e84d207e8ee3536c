package corpus

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestParseFormat(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    Format
		wantErr bool
	}{
		{"", Auto, false}, {"auto", Auto, false}, {"txt", Text, false}, {"TEXT", Text, false},
		{"jsonl", JSONL, false}, {"json", JSONL, false}, {"parquet", Parquet, false},
		{"csv", Auto, true}, {"jsonlines", Auto, true},
	} {
		got, err := ParseFormat(tc.in)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("ParseFormat(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.wantErr)
		}
		if err == nil && tc.in != "" {
			if back, _ := ParseFormat(got.String()); back != got {
				t.Errorf("ParseFormat(%v.String()) = %v", got, back)
			}
		}
	}
}

func TestDetect(t *testing.T) {
	for _, tc := range []struct {
		path    string
		format  Format
		comp    Compression
		wantErr string // substring of the error, "" for none
	}{
		{"a.txt", Text, None, ""},
		{"dir.v2/a.TXT.gz", Text, Gzip, ""},
		{"a.jsonl.zst", JSONL, Zstd, ""},
		{"a.json", JSONL, None, ""},
		{"a.json.gz", JSONL, Gzip, ""},
		{"a.parquet", Parquet, None, ""},
		{"a.parquet.gz", Auto, None, "never wrapped"},
		{"a.parquet.zst", Auto, None, "never wrapped"},
		{"data/a.csv", Auto, None, "--format"},
		{"data/a.gz", Auto, None, "data/a.gz"},
		{"noext", Auto, None, "noext"},
	} {
		f, c, err := Detect(tc.path)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("Detect(%q) error %v, want one containing %q", tc.path, err, tc.wantErr)
			}
			continue
		}
		if err != nil || f != tc.format || c != tc.comp {
			t.Errorf("Detect(%q) = %v, %v, %v; want %v, %v", tc.path, f, c, err, tc.format, tc.comp)
		}
	}
}

func TestResolveForcedFormat(t *testing.T) {
	for _, tc := range []struct {
		path    string
		force   Format
		format  Format
		comp    Compression
		wantErr bool
	}{
		{"dump.dat", JSONL, JSONL, None, false},
		{"dump.dat.zst", Text, Text, Zstd, false},
		{"dump.txt", JSONL, JSONL, None, false},
		{"dump.bin.gz", Parquet, Auto, None, true},
		{"dump.bin", Parquet, Parquet, None, false},
	} {
		f, c, err := resolve(tc.path, tc.force)
		if (err != nil) != tc.wantErr || f != tc.format || c != tc.comp {
			t.Errorf("resolve(%q, %v) = %v, %v, %v", tc.path, tc.force, f, c, err)
		}
	}
}

func TestRejectErrorMessage(t *testing.T) {
	for _, tc := range []struct {
		err  *RejectError
		want string
	}{
		{&RejectError{Path: "data/a.jsonl", Record: 17, Reason: MalformedJSON, Detail: "unexpected end of JSON input"},
			"data/a.jsonl line 17: malformed JSON: unexpected end of JSON input"},
		{&RejectError{Path: "b.parquet", Record: 3, Reason: MissingText, row: true}, "b.parquet row 3: missing text"},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("got %q, want %q", got, tc.want)
		}
		if !IsReject(tc.err) {
			t.Errorf("IsReject(%v) = false", tc.err)
		}
	}
	if len(Reasons()) != 6 {
		t.Errorf("Reasons() has %d entries, want 6", len(Reasons()))
	}
}

func TestOutputName(t *testing.T) {
	for _, tc := range []struct {
		name   string
		format Format
		in     Compression
		out    OutputCompression
		want   string
	}{
		{"a/b.jsonl.gz", JSONL, Gzip, SameCompression, "a/b.jsonl.gz"},
		{"a/b.jsonl.gz", JSONL, Gzip, OutputZstd, "a/b.jsonl.zst"},
		{"a/b.jsonl.gz", JSONL, Gzip, OutputNone, "a/b.jsonl"},
		{"b.jsonl.zstd", JSONL, Zstd, OutputGzip, "b.jsonl.gz"},
		{"b.txt", Text, None, OutputZstd, "b.txt.zst"},
		{"b.txt.zst", Text, Zstd, OutputZstd, "b.txt.zst"},
		{"data", JSONL, None, OutputGzip, "data.gz"}, // a name without extension (--format)
		{"t.parquet", Parquet, None, OutputZstd, "t.parquet"},
	} {
		if got := OutputName(tc.name, tc.format, tc.in, Options{Output: tc.out}); got != tc.want {
			t.Errorf("OutputName(%q, %v, %v, %v) = %q, want %q", tc.name, tc.format, tc.in, tc.out, got, tc.want)
		}
	}
	for _, s := range []string{"same", "none", "gzip", "zstd"} {
		o, err := ParseOutputCompression(s)
		if err != nil || o.String() != s {
			t.Errorf("ParseOutputCompression(%q) = %v, %v", s, o, err)
		}
	}
	if _, err := ParseOutputCompression("lz4"); err == nil {
		t.Error("ParseOutputCompression(lz4): no error")
	}
}

// Partition writes the outputs in the chosen compression, whatever the
// input's, with the same records.
func TestPartitionOutputCompression(t *testing.T) {
	data := []byte("{\"text\":\"一\"}\n{\"text\":\"二\"}\n{\"text\":\"三\"}\n")
	for _, in := range []Compression{None, Gzip, Zstd} {
		for _, out := range []OutputCompression{OutputNone, OutputGzip, OutputZstd} {
			dir := t.TempDir()
			path := writeInput(t, dir, "in.jsonl", data, in)
			opt := Options{Output: out}
			kept := filepath.Join(dir, "out", OutputName(filepath.Base(path), JSONL, in, opt))
			if err := Partition(path, opt, kept, "", func(rec int64) Route {
				if rec == 2 {
					return Remove
				}
				return Keep
			}); err != nil {
				t.Fatal(err)
			}
			want := "{\"text\":\"一\"}\n{\"text\":\"三\"}\n"
			if got := decompressFile(t, kept, out.For(JSONL, in)); string(got) != want {
				t.Errorf("%v input, %v output: kept %q, want %q", in, out, got, want)
			}
		}
	}
}
