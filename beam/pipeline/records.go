package pipeline

import (
	"bytes"
	"encoding/gob"
	"fmt"
	"slices"

	"github.com/quchong/quchong/output"
	"github.com/quchong/quchong/record"
	"github.com/quchong/quchong/stage"
)

// Every PCollection of the pipeline carries []byte (or KV<int, []byte>)
// elements holding one gob-encoded batch of the records below. Beam then
// needs no coder for quchong's types, the shuffle volume is the sum of the
// byte lengths (see the shuffle_* counters), and one element holds hundreds
// or thousands of records: Prism costs about 11 µs per element through a
// GroupByKey, so per-document elements would dominate small runs.

// fileMeta is what the first pass learns about one input file.
type fileMeta struct {
	Source int
	Count  uint32 // documents that got an index
	// Reading is the file's accounting: counts, rejects and, for a file
	// that could not be read to its end, its fault. Documents after the
	// fault get no index and are not written.
	output.Reading
}

// docBatch is a run of consecutive documents of one file with their
// fingerprints. Index of document j is offset[Source] + First + j.
type docBatch struct {
	Source int
	First  uint32
	IDs    []string
	Hi, Lo []uint64
	Length []int
	Masks  []int
	Signed []bool
	Values []record.Value // nil unless the keep rule reads a field
	Sigs   []uint32       // len(IDs) × K
}

// exactRec is one document's exact hash.
type exactRec struct {
	Hi, Lo uint64
	Idx    uint32
}

// sigBatch carries documents' signatures, packed as 4-byte little-endian
// values (len(Idx) × K × 4 bytes), with what stage.Link needs besides: the
// exact hash and whether the document has a placeholder mask. Hi, Lo and
// Masked are empty where only the signatures travel (to the block join).
type sigBatch struct {
	Idx    []uint32
	Hi, Lo []uint64
	Masked []bool
	Sigs   []byte
}

// sigWant asks the signature join to send the signatures of some documents
// (Idx, packed by idxPack) to one link shard.
type sigWant struct {
	Dest int32
	Idx  []byte
}

// sigJoinIn is the union joined per index shard: signatures from the
// fan-out, requests from the buckets.
type sigJoinIn struct {
	Docs  sigBatch
	Wants []sigWant
}

// bucketIn is the union joined per link shard: member lists of buckets
// (length-prefixed idxPack lists) and the members' signatures.
type bucketIn struct {
	Buckets []byte
	Docs    sigBatch
}

// edge is an undirected edge between two documents.
type edge struct{ A, B uint32 }

// label maps a clustered document to its component's smallest member.
type label struct{ V, L uint32 }

// docInfo is what clustering needs of one document.
type docInfo struct {
	Idx    uint32
	ID     string
	Length int
	Masks  int
	Value  record.Value
	Signed bool
}

// blockIn is the union of the records joined per block of 4096 indices.
type blockIn struct {
	Infos  []docInfo
	Labels []label
	Reps   []edge    // A is a document, B its exact representative (A ≠ B)
	Sigs   sigBatch  // signatures of documents in candidate pairs
	Texts  []textRec // normalised texts of documents in accepted pairs
}

// member is one clustered document, sent to its cluster's shard.
type member struct {
	Idx, Label, Rep uint32
	ID              string
	Length, Masks   int
	Value           record.Value
	Sig             []uint32 // only when the document is its own signed representative
	Text            []rune   // normalised, only when it is its own representative in an accepted pair
}

// lineRec is one line of clusters.jsonl before its cluster is numbered.
type lineRec = output.ClusterLine

// decision says a document is removed and whether it is an exact copy of
// its cluster's kept document.
type decision struct {
	Idx   uint32
	Exact bool
}

// writeIn is the union joined per input file before writing it.
type writeIn struct {
	Decisions []decision
}

// tpair is a pair of documents whose texts must be compared, carrying the
// record that asked for it.
type tpair struct {
	A, B uint32
	Pair stage.Pair // the candidate pair to confirm
	TA   []rune     // A's normalised text, once attached
	Sim  float64
}

// textRec is one document's normalised text.
type textRec struct {
	Idx   uint32
	Runes []rune
}

// textIn is the union joined per index shard to attach texts to pairs.
type textIn struct {
	Pairs []tpair
	Texts []textRec
}

// writeCounts are the per-file counts of the write pass.
type writeCounts struct {
	Source                int
	Kept, RmExact, RmNear int64
}

// statPart is a piece of stats.json computed somewhere in the pipeline.
type statPart struct {
	Meta           *fileMeta
	Write          *writeCounts
	ExactGroups    int64
	CandidatePairs int64
	AcceptedBySig  int64
	TextChecked    int64
	AcceptedByText int64
	Clusters       int64
	Clustering     output.Clustering // summed over cluster shards; Mode is set by assembleStats
}

func enc[T any](v T) ([]byte, error) {
	var b bytes.Buffer
	if err := gob.NewEncoder(&b).Encode(v); err != nil {
		return nil, fmt.Errorf("encode %T: %w", v, err)
	}
	return b.Bytes(), nil
}

func dec[T any](b []byte) (T, error) {
	var v T
	if err := gob.NewDecoder(bytes.NewReader(b)).Decode(&v); err != nil {
		return v, fmt.Errorf("decode %T: %w", v, err)
	}
	return v, nil
}

// decodeAll decodes every element of an iterator.
func decodeAll[T any](next func(*[]byte) bool) ([]T, error) {
	var out []T
	var b []byte
	for next(&b) {
		v, err := dec[T](b)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// decodeFlat decodes every element of an iterator of slices into one slice.
func decodeFlat[T any](next func(*[]byte) bool) ([]T, error) {
	parts, err := decodeAll[[]T](next)
	if err != nil {
		return nil, err
	}
	var all []T
	for _, p := range parts {
		all = append(all, p...)
	}
	return all, nil
}

// pairIndices returns the documents of a batch of pairs, sorted, each once.
func pairIndices[P any](ps []P, ends func(P) (a, b uint32)) []uint32 {
	idx := make([]uint32, 0, 2*len(ps))
	for _, p := range ps {
		a, b := ends(p)
		idx = append(idx, a, b)
	}
	slices.Sort(idx)
	return slices.Compact(idx)
}

// mix is a 64-bit finaliser (splitmix64) used to spread keys over shards.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

func shardOf(x uint64, shards int) int { return int(mix(x) % uint64(shards)) }

func pairShard(a, b uint32, shards int) int { return shardOf(uint64(a)<<32|uint64(b), shards) }

// blockShift sets the documents per block in the block join (4096).
const blockShift = 12
