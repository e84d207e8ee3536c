package corpus

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/quchong/quchong/record"
)

// TestReadAll checks the reading rules every engine shares: rejects are
// counted and reading goes on, a fault keeps what was read before it, and
// strict reading returns either instead.
func TestReadAll(t *testing.T) {
	dir := t.TempDir()
	good := `{"id":"a","text":"one"}` + "\n" + `{broken` + "\n" + `{"id":"b","text":"two"}` + "\n"
	lines := randomLines(4000)
	cut := compressBytes(t, []byte(strings.Join(lines, "\n")+"\n"), Gzip)
	cut = cut[:len(cut)/2]
	tests := []struct {
		name     string
		data     []byte
		comp     Compression
		strict   bool
		wantErr  string // substring of the error; "" for none
		wantDocs int64  // -1: some, but not all of lines
		wantRead int64  // -1: as many as wantDocs
		rejects  int
		fault    bool
	}{
		{name: "reject", data: []byte(good), wantDocs: 2, wantRead: 3, rejects: 1},
		{name: "reject strict", data: []byte(good), strict: true, wantErr: "line 2", wantDocs: 1, wantRead: 2},
		{name: "fault", data: cut, comp: Gzip, wantDocs: -1, wantRead: -1, fault: true},
		{name: "fault strict", data: cut, comp: Gzip, strict: true, wantErr: "truncated or corrupt gzip", wantDocs: -1, wantRead: -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeInput(t, dir, strings.ReplaceAll(tc.name, " ", "_")+".jsonl"+compExt[tc.comp], tc.data, None)
			rd, err := Open(path, 0, Options{})
			if err != nil {
				t.Fatal(err)
			}
			var texts []string
			a, err := ReadAll(rd, tc.strict, func(d record.Document) error {
				texts = append(texts, string(d.Text))
				return nil
			})
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			}
			switch {
			case tc.wantDocs >= 0 && a.Docs != tc.wantDocs:
				t.Errorf("docs = %d, want %d", a.Docs, tc.wantDocs)
			case tc.wantDocs < 0 && (a.Docs == 0 || a.Docs >= int64(len(lines))):
				t.Errorf("docs = %d, want some but not all of %d", a.Docs, len(lines))
			}
			if int64(len(texts)) != a.Docs {
				t.Errorf("%d documents passed on, account says %d", len(texts), a.Docs)
			}
			if want := tc.wantRead; want >= 0 && a.Read != want || want < 0 && a.Read != a.Docs {
				t.Errorf("read = %d, want %d (docs %d)", a.Read, want, a.Docs)
			}
			if len(a.Rejects) != tc.rejects {
				t.Errorf("%d rejects, want %d", len(a.Rejects), tc.rejects)
			}
			if (a.Fault != nil) != tc.fault {
				t.Errorf("fault = %v, want one: %v", a.Fault, tc.fault)
			}
			if tc.fault && a.FaultAfter != a.Docs {
				t.Errorf("fault after record %d, want %d", a.FaultAfter, a.Docs)
			}
			if a.InputBytes == 0 {
				t.Error("no input bytes counted")
			}
		})
	}
}

// TestReadAllStops checks that an error from the caller stops the reading
// and comes back as it is.
func TestReadAllStops(t *testing.T) {
	path := writeInput(t, t.TempDir(), "x.txt", []byte("a\nb\nc\n"), None)
	rd, err := Open(path, 0, Options{})
	if err != nil {
		t.Fatal(err)
	}
	stop := errors.New("stop")
	a, err := ReadAll(rd, false, func(d record.Document) error {
		if d.Record == 2 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || a.Docs != 1 || a.Read != 2 {
		t.Fatalf("err %v, docs %d, read %d; want stop after 1 document, 2 read", err, a.Docs, a.Read)
	}
	if filepath.Base(rd.Path()) != "x.txt" {
		t.Fatal(rd.Path())
	}
}
