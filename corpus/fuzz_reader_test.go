package corpus

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// FuzzReader feeds arbitrary bytes to every reader: text, JSONL, gzip and
// zstd streams, Parquet. Whatever the bytes, the reader must not panic, must
// number records in order, and must end with io.EOF or a *ReadFault, every
// other error being a *RejectError it can read past.
func FuzzReader(f *testing.F) {
	f.Add([]byte("one\ntwo\n\nthree"), uint8(0))
	f.Add([]byte("{\"text\":\"a\"}\n{bad\n{\"text\":1}\n"), uint8(1))
	f.Add(compressBytes(f, []byte("{\"text\":\"压缩\"}\n"), Gzip), uint8(2))
	f.Add(compressBytes(f, []byte("{\"text\":\"压缩\"}\n"), Zstd), uint8(3))
	f.Add([]byte("PAR1\x00\x00PAR1"), uint8(4))
	exts := []string{".txt", ".jsonl", ".jsonl.gz", ".jsonl.zst", ".parquet"}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte, kind uint8) {
		path := filepath.Join(dir, "in"+exts[int(kind)%len(exts)])
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		r, err := Open(path, 0, Options{MaxDocBytes: 1 << 16})
		if err != nil {
			return // refused up front (e.g. not a Parquet file), with an error
		}
		defer r.Close()
		var last int64
		for i := 0; i < 10000; i++ {
			d, err := r.Next()
			var rej *RejectError
			var fault *ReadFault
			switch {
			case err == nil:
				if d.Record <= last {
					t.Fatalf("record %d after %d", d.Record, last)
				}
				last = d.Record
			case errors.As(err, &rej):
				if rej.Record <= last {
					t.Fatalf("rejected record %d after %d", rej.Record, last)
				}
				last = rej.Record
			case err == io.EOF, errors.As(err, &fault):
				return
			default:
				t.Fatalf("Next: unexpected error type %T: %v", err, err)
			}
		}
	})
}
