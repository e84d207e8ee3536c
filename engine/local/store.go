package local

import (
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/quchong/quchong/record"
	"github.com/quchong/quchong/stage"
	"github.com/zeebo/xxh3"
)

// blockShift sets the number of documents per storage block (4096). Blocks
// let the store grow without copying and let workers fill their part of it
// without touching shared slice headers.
const blockShift = 12

const blockSize = 1 << blockShift

// entry is one document's fingerprint, packed into 24 bytes (a
// stage.Fingerprint takes 40).
type entry struct {
	exact  stage.Exact
	length uint32 // characters, saturated (counted for keep=longest only)
	masks  uint32 // placeholder masks, saturated below signedBit; signedBit set when signed
}

const signedBit = 1 << 31

// entryBytes is the size of an entry; the checkpoint stores entries raw.
const entryBytes = int(unsafe.Sizeof(entry{}))

func packEntry(fp stage.Fingerprint) entry {
	e := entry{exact: fp.Exact, length: uint32(min(max(fp.Length, 0), 1<<32-1)), masks: uint32(min(max(fp.Masks, 0), signedBit-1))}
	if fp.Signed {
		e.masks |= signedBit
	}
	return e
}

func (e entry) fingerprint() stage.Fingerprint {
	return stage.Fingerprint{Exact: e.exact, Length: int(e.length), Masks: int(e.masks &^ signedBit), Signed: e.masks&signedBit != 0}
}

// block holds the per-document results of the fingerprint pass for
// blockSize consecutive documents.
type block struct {
	// sigs holds blockSize × k signature values while the block is
	// resident; nil once the memory budget sent it to the signature file
	// only.
	sigs []uint32
	ents []entry
	// loc locates each document's text: for a file read back by offset
	// (corpus.Rereadable), where its record begins in the file; otherwise
	// where its text ends in the text spill, in which the texts of a file
	// lie one after the other in index order from the file's spillStart.
	loc []uint64

	// index is the block's number; n the documents in it (final once
	// closed). pending counts documents not yet fingerprinted; closed is set
	// when the reader has moved past the block. The last of the two to
	// finish writes the block's signatures to the signature file (once).
	index   int
	n       int
	pending atomic.Int32
	closed  atomic.Bool
	flushed sync.Once
	// sum is the checksum of the block's signatures as written to the
	// signature file (sigSum), set when flushed.
	sum uint64
}

func newBlock(index, k int, withSigs bool) *block {
	b := &block{ents: make([]entry, blockSize), loc: make([]uint64, blockSize), index: index}
	if withSigs {
		b.sigs = make([]uint32, blockSize*k)
	}
	return b
}

// store is the run's table of documents, addressed by dense index.
//
// What stays in memory per document is 32 bytes: its packed fingerprint and
// where its text is (in the input file or the text spill). Its id and keep-rule value go to
// the side file, read back only for documents that end up in clusters.
// Signatures are one flat array per block, never one slice per document;
// every complete block is also written to the signature file in the work
// directory (which doubles as the fingerprint checkpoint), and blocks beyond
// the memory budget's share keep theirs only there.
type store struct {
	k      int
	n      int
	blocks []*block
	side   *sideFile

	sigFile     *os.File     // signatures.bin: block b at b × blockSize × k × 4
	maxResident int          // blocks whose signatures may stay in memory
	resident    atomic.Int64 // blocks whose signatures are in memory
	flushErr    atomic.Pointer[error]
	// spilled is the number of blocks whose signatures lived in the
	// signature file only, fixed when dropSignatures frees the others.
	spilled int
	dropped bool
}

// perDocBytes is what the store keeps in memory per document, besides
// resident signatures.
const perDocBytes = int64(unsafe.Sizeof(entry{})) + 8

func newStore(k int, sigFile *os.File, side *sideFile, maxResident int) *store {
	return &store{k: k, sigFile: sigFile, side: side, maxResident: max(maxResident, 1)}
}

// blockBytes is the size of one block's signatures in the signature file.
func (s *store) blockBytes() int64 { return int64(blockSize) * int64(s.k) * 4 }

// slot is where one document's fingerprint results go.
type slot struct {
	b   *block
	sig []uint32
	ent *entry
}

// add appends a document whose text is at loc (see block.loc), and returns
// where its fingerprint results go. Only the reader calls add; the worker that writes the results then
// calls done, which touches nothing but the slot's block.
func (s *store) add(id []byte, v record.Value, loc uint64) (slot, error) {
	if err := s.side.add(id, v); err != nil {
		return slot{}, err
	}
	i := s.n
	if i>>blockShift == len(s.blocks) {
		if len(s.blocks) > 0 {
			s.close(s.blocks[len(s.blocks)-1])
		}
		s.blocks = append(s.blocks, newBlock(len(s.blocks), s.k, true))
		s.resident.Add(1)
	}
	s.n++
	b := s.blocks[i>>blockShift]
	b.n++
	b.pending.Add(1)
	j := i & (blockSize - 1)
	b.loc[j] = loc
	return slot{b: b, sig: b.sigs[j*s.k : (j+1)*s.k : (j+1)*s.k], ent: &b.ents[j]}, nil
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
// returns the first error met writing the signature or side file.
func (s *store) finish() error {
	if len(s.blocks) > 0 {
		s.close(s.blocks[len(s.blocks)-1])
	}
	if e := s.flushErr.Load(); e != nil {
		return *e
	}
	return s.side.flush()
}

// flush writes a complete block's signatures to the signature file, and
// drops them from memory when more blocks are resident than the budget
// allows.
func (s *store) flush(b *block) {
	b.flushed.Do(func() {
		off := int64(b.index) * s.blockBytes()
		n, err := s.sigFile.WriteAt(u32bytes(b.sigs[:b.n*s.k]), off)
		if err != nil {
			err = fmt.Errorf("work directory: signatures: %w", err)
			s.flushErr.CompareAndSwap(nil, &err)
			return
		}
		// The file is not made durable: the fingerprint checkpoint
		// records each block's checksum instead, and a run resumed after
		// the machine stopped before the blocks reached the disk starts
		// over (loadFingerprint). A run that ends soon enough never
		// writes them to the disk at all.
		b.sum = sigSum(u32bytes(b.sigs[:b.n*s.k])[:n])
		if s.resident.Load() > int64(s.maxResident) {
			b.sigs = nil
			s.resident.Add(-1)
		}
	})
}

// sigSum is the checksum of a block's signatures in the signature file.
func sigSum(b []byte) uint64 { return xxh3.Hash(b) }

// sums returns the checksum of every block's signatures (all flushed).
func (s *store) sums() []uint64 {
	out := make([]uint64, len(s.blocks))
	for i, b := range s.blocks {
		out[i] = b.sum
	}
	return out
}

// dropSignatures frees the resident signatures once no stage needs them
// (the output pass does not); the signature file still holds them.
func (s *store) dropSignatures() {
	s.spilled, s.dropped = s.spilledBlocks(), true
	for _, b := range s.blocks {
		b.sigs = nil
	}
	s.resident.Store(0)
}

// spilledBlocks is the number of blocks whose signatures stayed in the
// signature file only.
func (s *store) spilledBlocks() int {
	if s.dropped {
		return s.spilled
	}
	return len(s.blocks) - int(s.resident.Load())
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

// loc returns document i's block.loc.
func (s *store) loc(i uint32) uint64 {
	return s.blocks[i>>blockShift].loc[int(i)&(blockSize-1)]
}

// fp returns document i's fingerprint.
func (s *store) fp(i uint32) stage.Fingerprint {
	return s.blocks[i>>blockShift].ents[int(i)&(blockSize-1)].fingerprint()
}

// exact returns document i's exact hash.
func (s *store) exact(i uint32) stage.Exact {
	return s.blocks[i>>blockShift].ents[int(i)&(blockSize-1)].exact
}

// restore rebuilds the table of n documents from a checkpoint: entries and
// text locations come from table (as writeTable wrote them); the signatures are
// already in the signature file, and resident blocks are read back into
// memory, the others stay there.
func (s *store) restore(n int, table io.Reader) error {
	nb := (n + blockSize - 1) / blockSize
	for bi := 0; bi < nb; bi++ {
		b := newBlock(bi, s.k, false)
		b.n = min(blockSize, n-bi*blockSize)
		b.closed.Store(true)
		b.flushed.Do(func() {}) // nothing to write: the file has it
		s.blocks = append(s.blocks, b)
	}
	for _, b := range s.blocks {
		if _, err := io.ReadFull(table, entryBytesOf(b.ents[:b.n])); err != nil {
			return fmt.Errorf("work directory: document table: %w", err)
		}
	}
	for _, b := range s.blocks {
		if _, err := io.ReadFull(table, u64bytes(b.loc[:b.n])); err != nil {
			return fmt.Errorf("work directory: document table: %w", err)
		}
	}
	for _, b := range s.blocks {
		if s.resident.Load() >= int64(s.maxResident) {
			break
		}
		b.sigs = make([]uint32, blockSize*s.k)
		if _, err := s.sigFile.ReadAt(u32bytes(b.sigs[:b.n*s.k]), int64(b.index)*s.blockBytes()); err != nil {
			return fmt.Errorf("work directory: signatures: %w", err)
		}
		s.resident.Add(1)
	}
	s.n = n
	return nil
}

// writeTable writes the documents' entries, then their text locations, raw.
func (s *store) writeTable(w io.Writer) error {
	for _, b := range s.blocks {
		if _, err := w.Write(entryBytesOf(b.ents[:b.n])); err != nil {
			return err
		}
	}
	for _, b := range s.blocks {
		if _, err := w.Write(u64bytes(b.loc[:b.n])); err != nil {
			return err
		}
	}
	return nil
}

// entryBytesOf views entries as bytes (native byte order: checkpoints are
// read back by the same machine).
func entryBytesOf(s []entry) []byte {
	if len(s) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&s[0])), len(s)*entryBytes)
}
