package local

import (
	"fmt"
	"os"
	"sync"
	"sync/atomic"

	"github.com/quchong/quchong/doc"
	"github.com/quchong/quchong/stage"
)

// blockShift sets the number of documents per storage block (4096). Blocks
// let the store grow without copying and let workers fill their part of it
// without touching shared slice headers.
const blockShift = 12

const blockSize = 1 << blockShift

// block holds the per-document results of the fingerprint pass for
// blockSize consecutive documents.
type block struct {
	// sigs holds blockSize × k signature values while the block is
	// resident; nil once the memory budget sent it to the signature file
	// only.
	sigs []uint32
	fps  []stage.Fingerprint
	text []textRef // where each normalised text lies in the text spill

	// index is the block's number; n the documents in it (final once
	// closed). pending counts documents not yet fingerprinted; closed is set
	// when the reader has moved past the block. The last of the two to
	// finish writes the block's signatures to the signature file (once).
	index   int
	n       int
	pending atomic.Int32
	closed  atomic.Bool
	flushed sync.Once
}

// textRef locates one normalised text in the text spill.
type textRef struct {
	off int64
	n   uint32
}

// store is the run's table of documents, addressed by dense index.
// Signatures are one flat array per block, never one slice per document;
// every complete block is also written to the signature file in the work
// directory (which doubles as the fingerprint checkpoint), and blocks beyond
// the memory budget's share keep theirs only there.
type store struct {
	k      int
	n      int
	blocks []*block
	// ids is an arena of document ids: id i is ids[idEnd[i-1]:idEnd[i]].
	ids   []byte
	idEnd []uint64
	// values holds each document's keep-rule field, when the rule has one.
	values []doc.Value

	sigFile     *os.File     // signatures.bin: block b at b × blockSize × k × 4
	maxResident int          // blocks whose signatures may stay in memory
	resident    atomic.Int64 // blocks whose signatures are in memory
	flushErr    atomic.Pointer[error]
}

func newStore(k int, sigFile *os.File, maxResident int) *store {
	return &store{k: k, sigFile: sigFile, maxResident: max(maxResident, 1)}
}

// blockBytes is the size of one block's signatures in the signature file.
func (s *store) blockBytes() int64 { return int64(blockSize) * int64(s.k) * 4 }

// slot is where one document's fingerprint results go.
type slot struct {
	b    *block
	sig  []uint32
	fp   *stage.Fingerprint
	text *textRef
}

// add appends a document and returns where its fingerprint results go. Only
// the reader calls add; the worker that writes the results then calls done,
// which touches nothing but the slot's block.
func (s *store) add(id string, v doc.Value, withValue bool) slot {
	i := s.n
	if i>>blockShift == len(s.blocks) {
		if len(s.blocks) > 0 {
			s.close(s.blocks[len(s.blocks)-1])
		}
		s.blocks = append(s.blocks, &block{
			sigs:  make([]uint32, blockSize*s.k),
			fps:   make([]stage.Fingerprint, blockSize),
			text:  make([]textRef, blockSize),
			index: len(s.blocks),
		})
		s.resident.Add(1)
	}
	s.n++
	s.ids = append(s.ids, id...)
	s.idEnd = append(s.idEnd, uint64(len(s.ids)))
	if withValue {
		s.values = append(s.values, v)
	}
	b := s.blocks[i>>blockShift]
	b.n++
	b.pending.Add(1)
	j := i & (blockSize - 1)
	return slot{b: b, sig: b.sigs[j*s.k : (j+1)*s.k : (j+1)*s.k], fp: &b.fps[j], text: &b.text[j]}
}

// done records that a slot's results are written.
func (s *store) done(sl slot) {
	if sl.b.pending.Add(-1) == 0 && sl.b.closed.Load() {
		s.flush(sl.b)
	}
}

// close marks a block as complete in numbering.
func (s *store) close(b *block) {
	b.closed.Store(true)
	if b.pending.Load() == 0 {
		s.flush(b)
	}
}

// finish closes the last block once every document is fingerprinted, and
// returns the first error met writing the signature file.
func (s *store) finish() error {
	if len(s.blocks) > 0 {
		s.close(s.blocks[len(s.blocks)-1])
	}
	if e := s.flushErr.Load(); e != nil {
		return *e
	}
	return nil
}

// flush writes a complete block's signatures to the signature file, and
// drops them from memory when more blocks are resident than the budget
// allows.
func (s *store) flush(b *block) {
	b.flushed.Do(func() {
		if _, err := s.sigFile.WriteAt(u32bytes(b.sigs[:b.n*s.k]), int64(b.index)*s.blockBytes()); err != nil {
			err = fmt.Errorf("work directory: signatures: %w", err)
			s.flushErr.CompareAndSwap(nil, &err)
			return
		}
		if s.resident.Load() > int64(s.maxResident) {
			b.sigs = nil
			s.resident.Add(-1)
		}
	})
}

// copySig copies document i's signature into dst (length k).
func (s *store) copySig(dst []uint32, i uint32) error {
	b := s.blocks[i>>blockShift]
	j := int(i) & (blockSize - 1)
	if b.sigs != nil {
		copy(dst, b.sigs[j*s.k:(j+1)*s.k])
		return nil
	}
	off := int64(i>>blockShift)*s.blockBytes() + int64(j)*int64(s.k)*4
	if _, err := s.sigFile.ReadAt(u32bytes(dst), off); err != nil {
		return fmt.Errorf("work directory: read back a signature: %w", err)
	}
	return nil
}

// blockSigs returns block bi's signatures: the resident array, or the block
// read from the signature file into buf.
func (s *store) blockSigs(bi int, buf []uint32) ([]uint32, []uint32, error) {
	b := s.blocks[bi]
	if b.sigs != nil {
		return b.sigs[:b.n*s.k], buf, nil
	}
	if cap(buf) < blockSize*s.k {
		buf = make([]uint32, blockSize*s.k)
	}
	buf = buf[:b.n*s.k]
	if _, err := s.sigFile.ReadAt(u32bytes(buf), int64(bi)*s.blockBytes()); err != nil {
		return nil, buf, fmt.Errorf("work directory: read back signatures: %w", err)
	}
	return buf, buf, nil
}

func (s *store) textRef(i uint32) textRef {
	return s.blocks[i>>blockShift].text[int(i)&(blockSize-1)]
}

func (s *store) fp(i uint32) *stage.Fingerprint {
	return &s.blocks[i>>blockShift].fps[int(i)&(blockSize-1)]
}

func (s *store) id(i uint32) string {
	start := uint64(0)
	if i > 0 {
		start = s.idEnd[i-1]
	}
	return string(s.ids[start:s.idEnd[i]])
}

func (s *store) value(i uint32) doc.Value {
	if s.values == nil {
		return doc.Value{}
	}
	return s.values[i]
}

// restore rebuilds the table of n documents from a checkpoint: the
// signatures are already in the signature file; resident blocks are read
// back into memory, the others stay there. Fingerprints and text
// references are filled in by the caller.
func (s *store) restore(n int) error {
	for bi := 0; bi*blockSize < n; bi++ {
		b := &block{fps: make([]stage.Fingerprint, blockSize), text: make([]textRef, blockSize), index: bi, n: min(blockSize, n-bi*blockSize)}
		b.closed.Store(true)
		b.flushed.Do(func() {}) // nothing to write: the file has it
		if s.resident.Load() < int64(s.maxResident) {
			b.sigs = make([]uint32, blockSize*s.k)
			if _, err := s.sigFile.ReadAt(u32bytes(b.sigs[:b.n*s.k]), int64(bi)*s.blockBytes()); err != nil {
				return fmt.Errorf("work directory: signatures: %w", err)
			}
			s.resident.Add(1)
		}
		s.blocks = append(s.blocks, b)
	}
	s.n = n
	return nil
}

func (s *store) textRefPtr(i uint32) *textRef {
	return &s.blocks[i>>blockShift].text[int(i)&(blockSize-1)]
}
