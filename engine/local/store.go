package local

import (
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
	sigs []uint32 // blockSize × k
	fps  []stage.Fingerprint
	text []textRef // where each normalised text lies in the text spill
}

// textRef locates one normalised text in the text spill.
type textRef struct {
	off int64
	n   uint32
}

// store is the run's in-memory table of documents, addressed by dense index.
// Signatures are one flat array per block, never one slice per document.
type store struct {
	k      int
	n      int
	blocks []*block
	// ids is an arena of document ids: id i is ids[idEnd[i-1]:idEnd[i]].
	ids   []byte
	idEnd []uint64
	// values holds each document's keep-rule field, when the rule has one.
	values []doc.Value
}

func newStore(k int) *store { return &store{k: k} }

// add appends a document and returns its index and the destination of its
// fingerprint results.
func (s *store) add(id string, v doc.Value, withValue bool) (uint32, []uint32, *stage.Fingerprint, *textRef) {
	i := s.n
	if i>>blockShift == len(s.blocks) {
		s.blocks = append(s.blocks, &block{
			sigs: make([]uint32, blockSize*s.k),
			fps:  make([]stage.Fingerprint, blockSize),
			text: make([]textRef, blockSize),
		})
	}
	s.n++
	s.ids = append(s.ids, id...)
	s.idEnd = append(s.idEnd, uint64(len(s.ids)))
	if withValue {
		s.values = append(s.values, v)
	}
	b := s.blocks[i>>blockShift]
	j := i & (blockSize - 1)
	return uint32(i), b.sigs[j*s.k : (j+1)*s.k : (j+1)*s.k], &b.fps[j], &b.text[j]
}

func (s *store) textRef(i uint32) textRef {
	return s.blocks[i>>blockShift].text[int(i)&(blockSize-1)]
}

func (s *store) sig(i uint32) []uint32 {
	b := s.blocks[i>>blockShift]
	j := int(i) & (blockSize - 1)
	return b.sigs[j*s.k : (j+1)*s.k]
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
