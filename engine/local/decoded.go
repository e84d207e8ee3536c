package local

import (
	"bytes"
	"io"
	"sync/atomic"
)

// decodedChunk is the unit in which decoded input is held.
const decodedChunk = 1 << 20

// decodedCache holds the decoded (decompressed) content of input files as
// pass 1 reads them, within a share of the memory budget, so that the
// output pass copies their records without reading and decompressing them a
// second time. Files are taken in input order while they fit; a file that
// does not fit is dropped whole and decoded again in the output pass, so the
// outputs never depend on what was held.
type decodedCache struct {
	limit int64        // bytes all held files together may take
	used  atomic.Int64 // held now (files are released concurrently in the output pass)
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
	if d.over {
		return len(p), nil
	}
	if d.c.used.Load()+int64(len(p)) > d.c.limit {
		d.release()
		d.over = true
		return len(p), nil
	}
	d.c.used.Add(int64(len(p)))
	for rest := p; len(rest) > 0; {
		if len(d.chunks) == 0 || len(d.chunks[len(d.chunks)-1]) == decodedChunk {
			d.chunks = append(d.chunks, make([]byte, 0, decodedChunk))
		}
		last := &d.chunks[len(d.chunks)-1]
		n := min(len(rest), decodedChunk-len(*last))
		*last = append(*last, rest[:n]...)
		rest = rest[n:]
	}
	return len(p), nil
}

// release gives the held content's memory back to the cache.
func (d *decodedFile) release() {
	for _, ch := range d.chunks {
		d.c.used.Add(-int64(len(ch)))
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
