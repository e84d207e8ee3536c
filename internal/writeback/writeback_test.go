package writeback

import (
	"os"
	"path/filepath"
	"testing"
)

// A Writer starts the writeback of each complete chunk, from where it
// began, and leaves the data as written.
func TestWriterChunks(t *testing.T) {
	for _, tc := range []struct {
		start   int64
		writes  []int
		started int64
	}{
		{0, []int{Chunk - 1}, 0},
		{0, []int{Chunk - 1, 1}, Chunk},
		{0, []int{Chunk / 2, Chunk / 2, Chunk / 2, 3}, Chunk},
		{0, []int{2*Chunk + 5}, 2*Chunk + 5},
		{100, []int{Chunk}, 100 + Chunk},
	} {
		f, err := os.Create(filepath.Join(t.TempDir(), "f"))
		if err != nil {
			t.Fatal(err)
		}
		w := New(f, tc.start)
		var total int64
		for _, n := range tc.writes {
			if _, err := f.WriteAt(make([]byte, n), tc.start+total); err != nil {
				t.Fatal(err)
			}
			total += int64(n)
			w.Wrote(n)
		}
		if w.started != tc.started || w.written != tc.start+total {
			t.Errorf("start %d, writes %v: started %d written %d, want %d and %d", tc.start, tc.writes, w.started, w.written, tc.started, tc.start+total)
		}
		if err := f.Sync(); err != nil {
			t.Fatal(err)
		}
		if fi, err := f.Stat(); err != nil || fi.Size() != tc.start+total {
			t.Errorf("size %v (%v), want %d", fi.Size(), err, tc.start+total)
		}
		f.Close()
	}
}
