package corpus

import (
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
