// Package writeback starts the kernel writing a file's new data to the
// disk early, while the program goes on, so that the fsync that makes the
// file durable later finds little left to wait for. It changes no data and
// no durability guarantee: only when the disk writes happen.
package writeback

import "os"

// Chunk is how many bytes a Writer lets accumulate before it starts their
// writeback.
const Chunk = 8 << 20

// Writer counts the bytes written to a file at its end and starts the
// writeback of each Chunk as it fills. The zero value is not usable; see
// New.
type Writer struct {
	f       *os.File
	started int64 // bytes whose writeback was started
	written int64 // bytes written
}

// New returns a Writer for f, whose next write is at offset start.
func New(f *os.File, start int64) *Writer { return &Writer{f: f, started: start, written: start} }

// Wrote records n more bytes written at the end of the file and starts the
// writeback of the complete chunks.
func (w *Writer) Wrote(n int) {
	w.written += int64(n)
	if w.written-w.started >= Chunk {
		Start(w.f, w.started, w.written-w.started)
		w.started = w.written
	}
}
