package corpus

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/quchong/quchong/record"
)

// compressBytes compresses data as comp would be written by a producer.
func compressBytes(t testing.TB, data []byte, comp Compression) []byte {
	t.Helper()
	var buf bytes.Buffer
	var w io.WriteCloser
	switch comp {
	case None:
		return data
	case Gzip:
		w = gzip.NewWriter(&buf)
	case Zstd:
		zw, err := zstd.NewWriter(&buf)
		if err != nil {
			t.Fatal(err)
		}
		w = zw
	}
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// decompressFile reads a whole (possibly compressed) file.
func decompressFile(t testing.TB, path string, comp Compression) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, release, err := decompress(f, comp)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	data, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

var compExt = map[Compression]string{None: "", Gzip: ".gz", Zstd: ".zst"}

// writeInput writes data, compressed, to dir/name+ext for comp.
func writeInput(t testing.TB, dir, name string, data []byte, comp Compression) string {
	t.Helper()
	path := filepath.Join(dir, name+compExt[comp])
	if err := os.WriteFile(path, compressBytes(t, data, comp), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// outcome is one result of Reader.Next, with the text copied.
type outcome struct {
	doc    record.Document
	reject *RejectError
}

// readAll reads a file to the end and returns every outcome and the final
// error (nil at a clean io.EOF).
func readAll(t testing.TB, path string, opt Options) ([]outcome, error) {
	t.Helper()
	r, err := Open(path, 7, opt)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var out []outcome
	for {
		d, err := r.Next()
		if err == io.EOF {
			return out, nil
		}
		var re *RejectError
		if errors.As(err, &re) {
			out = append(out, outcome{reject: re})
			continue
		}
		if err != nil {
			return out, err
		}
		d.Text = append([]byte(nil), d.Text...)
		out = append(out, outcome{doc: d})
	}
}
