package corpus

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

// DecodedCache holds the decoded (decompressed) content of input files as
// a first pass reads them (Reader.Tee), within a share of the memory
// budget, so that a later pass copies their records (PartitionDecoded,
// RewriteDecoded) without reading and decompressing them a second time.
//
// Several files may be read at once: each holds its content while it stays
// within PerFile, and once a file is read, Seal keeps it if it fits in what
// the files kept before it left of Limit, taken in input order, and drops
// it whole otherwise. Which files are held thus depends on the inputs and
// the budget only, never on how many were read at once; a file dropped is
// decoded again by the later pass, so the outputs never depend on it
// either. What counts against the limits is the memory allocated (chunk
// capacities), not just the bytes written.
//
// The zero value holds nothing (a Limit of 0): set Limit, and PerFile if
// several files are read at once, before the first File.
type DecodedCache struct {
	// Limit is the bytes all held files together may take.
	Limit int64
	// PerFile caps what one file may take while it is read (0: Limit).
	PerFile int64
	used    atomic.Int64 // allocated now (files are released concurrently in the output pass)
	kept    int64        // allocated by the files Seal kept (Seal runs in input order)
}

// File starts holding one file's decoded content.
func (c *DecodedCache) File() *DecodedFile { return &DecodedFile{c: c} }

// Used is the memory the held content takes now.
func (c *DecodedCache) Used() int64 { return c.used.Load() }

// DecodedFile is one file's decoded content: an io.Writer for
// Reader.Tee.
type DecodedFile struct {
	c         *DecodedCache
	chunks    [][]byte
	allocated int64
	over      bool // beyond a limit: nothing is held
}

// Write holds p, or, once the file is larger than the cache's PerFile
// limit, drops everything held for it. It never fails.
func (d *DecodedFile) Write(p []byte) (int, error) {
	for rest := p; len(rest) > 0 && !d.over; {
		if len(d.chunks) == 0 || len(d.chunks[len(d.chunks)-1]) == cap(d.chunks[len(d.chunks)-1]) {
			size := decodedFirstChunk
			if len(d.chunks) > 0 {
				size = min(2*cap(d.chunks[len(d.chunks)-1]), decodedChunk)
			}
			perFile := d.c.PerFile
			if perFile <= 0 || perFile > d.c.Limit {
				perFile = d.c.Limit
			}
			if d.allocated+int64(size) > perFile {
				d.Release()
				d.over = true
				break
			}
			d.c.used.Add(int64(size))
			d.allocated += int64(size)
			d.chunks = append(d.chunks, make([]byte, 0, size))
		}
		last := &d.chunks[len(d.chunks)-1]
		n := min(len(rest), cap(*last)-len(*last))
		*last = append(*last, rest[:n]...)
		rest = rest[n:]
	}
	return len(p), nil
}

// Seal ends a file's content once it is read: it keeps it when it fits in
// what the files sealed before left of the cache's limit, giving back the
// unused end of its last chunk, and drops it otherwise. The files must be
// Sealed in input order, by one goroutine.
func (d *DecodedFile) Seal() {
	if d.over || len(d.chunks) == 0 {
		return
	}
	last := &d.chunks[len(d.chunks)-1]
	if old := cap(*last); old > len(*last) {
		*last = bytes.Clone(*last)
		d.c.used.Add(int64(cap(*last) - old))
		d.allocated += int64(cap(*last) - old)
	}
	if d.c.kept+d.allocated > d.c.Limit {
		d.Release()
		d.over = true
		return
	}
	d.c.kept += d.allocated
}

// Release gives the held content's memory back to the cache.
func (d *DecodedFile) Release() {
	if d == nil {
		return
	}
	d.c.used.Add(-d.allocated)
	d.allocated = 0
	d.chunks = nil
}

// Reader returns the held content, or nil when it was not held.
func (d *DecodedFile) Reader() io.Reader {
	if d == nil || d.over {
		return nil
	}
	rs := make([]io.Reader, len(d.chunks))
	for i, ch := range d.chunks {
		rs[i] = bytes.NewReader(ch)
	}
	return io.MultiReader(rs...)
}
