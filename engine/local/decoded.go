package local

import (
	"bytes"
	"io"
	"sync/atomic"
)

// Decoded input is held in chunks that start small and double up to
// decodedChunk, so that a small file takes little more than its size.
const (
	decodedFirstChunk = 64 << 10
	decodedChunk      = 1 << 20
)

// decodedCache holds the decoded (decompressed) content of input files as
// pass 1 reads them, within a share of the memory budget, so that the
// output pass copies their records without reading and decompressing them a
// second time. Files are taken in input order while they fit; a file that
// does not fit is dropped whole and decoded again in the output pass, so the
// outputs never depend on what was held. What counts against the limit is
// the memory allocated (chunk capacities), not just the bytes written.
type decodedCache struct {
	limit int64        // bytes all held files together may take
	used  atomic.Int64 // allocated now (files are released concurrently in the output pass)
}

// file starts holding one file's decoded content.
func (c *decodedCache) file() *decodedFile { return &decodedFile{c: c} }

// decodedFile is one file's decoded content: an io.Writer for
// corpus.Reader.Tee.
type decodedFile struct {
	c      *decodedCache
	chunks [][]byte
	over   bool // beyond the cache's limit: nothing is held
}

// Write holds p, or, once the cache's limit is reached, drops everything
// held for this file. It never fails.
func (d *decodedFile) Write(p []byte) (int, error) {
	for rest := p; len(rest) > 0 && !d.over; {
		if len(d.chunks) == 0 || len(d.chunks[len(d.chunks)-1]) == cap(d.chunks[len(d.chunks)-1]) {
			size := decodedFirstChunk
			if len(d.chunks) > 0 {
				size = min(2*cap(d.chunks[len(d.chunks)-1]), decodedChunk)
			}
			if d.c.used.Load()+int64(size) > d.c.limit {
				d.release()
				d.over = true
				break
			}
			d.c.used.Add(int64(size))
			d.chunks = append(d.chunks, make([]byte, 0, size))
		}
		last := &d.chunks[len(d.chunks)-1]
		n := min(len(rest), cap(*last)-len(*last))
		*last = append(*last, rest[:n]...)
		rest = rest[n:]
	}
	return len(p), nil
}

// seal gives back the unused end of the last chunk, once the file is read.
func (d *decodedFile) seal() {
	if d.over || len(d.chunks) == 0 {
		return
	}
	last := &d.chunks[len(d.chunks)-1]
	if old := cap(*last); old > len(*last) {
		*last = bytes.Clone(*last)
		d.c.used.Add(int64(cap(*last) - old))
	}
}

// release gives the held content's memory back to the cache.
func (d *decodedFile) release() {
	if d == nil {
		return
	}
	for _, ch := range d.chunks {
		d.c.used.Add(-int64(cap(ch)))
	}
	d.chunks = nil
}

// reader returns the held content, or nil when it was not held.
func (d *decodedFile) reader() io.Reader {
	if d == nil || d.over {
		return nil
	}
	rs := make([]io.Reader, len(d.chunks))
	for i, ch := range d.chunks {
		rs[i] = bytes.NewReader(ch)
	}
	return io.MultiReader(rs...)
}
