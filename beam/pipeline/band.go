package pipeline

import (
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"

	"github.com/quchong/quchong/stage"
)

// Candidate pairs come from LSH buckets in two steps, so that a signature
// crosses the network only for documents that share a bucket:
//
//	fan-out ─ (band, key, index), 10 B a record ─ ▸ key shard ─ buckets of ≥ 2
//	  ├─ member lists ─────────────────────────────────────────────┐
//	  └─ (index, link shard) ─ ▸ index shard ⋈ signatures (once per │
//	     document, from the fan-out) ─ signature per (document,     │
//	     link shard) ──────────────────────────────────────────────►▸ link shard: stage.Link
//
// A bucket's link shard is the shard of its smallest member, so the buckets
// a near-duplicate group shares in many bands meet on one shard, which gets
// each member's signature once and screens each distinct member list once.
// The link shard also sends the signatures of the documents in its pairs to
// the block join, where the keep rule's similarity estimates need them.

// bandPack appends one band record to a key shard's packed records:
// uvarint(index − previous index), uvarint(band), the key (8 bytes, little
// endian). Records are appended in increasing index order.
func bandPack(dst []byte, prev *uint32, idx uint32, band int, key uint64) []byte {
	dst = binary.AppendUvarint(dst, uint64(idx-*prev))
	*prev = idx
	dst = binary.AppendUvarint(dst, uint64(band))
	return binary.LittleEndian.AppendUint64(dst, key)
}

var errPacked = errors.New("malformed packed records")

// bandUnpack appends the records of a bandPack buffer to dst.
func bandUnpack(dst []bandRef, b []byte) ([]bandRef, error) {
	var idx uint64
	for len(b) > 0 {
		d, n := binary.Uvarint(b)
		if n <= 0 || idx+d > 1<<32-1 {
			return dst, errPacked
		}
		idx += d
		b = b[n:]
		band, n := binary.Uvarint(b)
		if n <= 0 || band > 1<<16-1 || len(b) < n+8 {
			return dst, errPacked
		}
		key := binary.LittleEndian.Uint64(b[n:])
		b = b[n+8:]
		dst = append(dst, bandRef{band: uint16(band), key: key, idx: uint32(idx)})
	}
	return dst, nil
}

// idxPack appends an increasing list of indices, delta-encoded as uvarints
// (the first relative to 0), preceded by its length when withLen is set.
func idxPack(dst []byte, idx []uint32, withLen bool) []byte {
	if withLen {
		dst = binary.AppendUvarint(dst, uint64(len(idx)))
	}
	var prev uint32
	for _, i := range idx {
		dst = binary.AppendUvarint(dst, uint64(i-prev))
		prev = i
	}
	return dst
}

// idxUnpack reads n indices of an idxPack buffer (all of it when n < 0) and
// returns them with the rest of the buffer. The indices must not decrease.
func idxUnpack(dst []uint32, b []byte, n int) ([]uint32, []byte, error) {
	var idx uint64
	for j := 0; n < 0 && len(b) > 0 || j < n; j++ {
		d, m := binary.Uvarint(b)
		if m <= 0 || idx+d > 1<<32-1 {
			return dst, b, errPacked
		}
		idx += d
		b = b[m:]
		dst = append(dst, uint32(idx))
	}
	return dst, b, nil
}

// bucketsUnpack splits a buffer of length-prefixed idxPack lists.
func bucketsUnpack(dst [][]uint32, b []byte) ([][]uint32, error) {
	for len(b) > 0 {
		n, m := binary.Uvarint(b)
		if m <= 0 || n > uint64(len(b)) { // every index takes at least one byte
			return dst, errPacked
		}
		var list []uint32
		var err error
		list, b, err = idxUnpack(make([]uint32, 0, n), b[m:], int(n))
		if err != nil {
			return dst, err
		}
		dst = append(dst, list)
	}
	return dst, nil
}

// sigShard is the key of the signature join for index i: its block of
// 4096 indices, folded onto the shards, so a batch of consecutive documents
// goes to one or two keys.
func sigShard(i uint32, shards int) int { return int((i >> blockShift) % uint32(shards)) }

// add appends one document to a sigBatch; what is nil in the batch's
// optional columns (hashes, masks) is skipped when withHash is false.
func (s *sigBatch) add(idx uint32, hi, lo uint64, masked bool, sig []byte, withHash bool) {
	s.Idx = append(s.Idx, idx)
	if withHash {
		s.Hi = append(s.Hi, hi)
		s.Lo = append(s.Lo, lo)
		s.Masked = append(s.Masked, masked)
	}
	s.Sigs = append(s.Sigs, sig...)
}

// check verifies the column lengths of a decoded batch.
func (s *sigBatch) check(k int, withHash bool) error {
	n := len(s.Idx)
	if len(s.Sigs) != n*k*4 || withHash && (len(s.Hi) != n || len(s.Lo) != n || len(s.Masked) != n) {
		return fmt.Errorf("signature batch: %d documents, %d signature bytes, %d/%d/%d hashes", n, len(s.Sigs), len(s.Hi), len(s.Lo), len(s.Masked))
	}
	return nil
}

// sigPack appends a signature as 4-byte little-endian values.
func sigPack(dst []byte, sig []uint32) []byte {
	for _, v := range sig {
		dst = binary.LittleEndian.AppendUint32(dst, v)
	}
	return dst
}

// sigUnpack decodes a sigPack buffer.
func sigUnpack(b []byte) []uint32 {
	sig := make([]uint32, len(b)/4)
	for j := range sig {
		sig[j] = binary.LittleEndian.Uint32(b[4*j:])
	}
	return sig
}

type bandRef struct {
	band uint16
	key  uint64
	idx  uint32
}

// bucketsFn sorts one key shard's band records into buckets and, for each
// bucket of two or more documents, sends its member list to the link shard
// of its smallest member and asks the signature join for its members'
// signatures there.
type bucketsFn struct{ Shards int }

func (f *bucketsFn) ProcessElement(ctx context.Context, _ int, vals func(*[]byte) bool, emitLists, emitWants func(int, []byte)) error {
	shards := f.Shards
	var recs []bandRef
	var raw []byte
	for vals(&raw) {
		p, err := dec[[]byte](raw)
		if err != nil {
			return err
		}
		if recs, err = bandUnpack(recs, p); err != nil {
			return fmt.Errorf("band records: %w", err)
		}
	}
	slices.SortFunc(recs, func(x, y bandRef) int {
		if c := cmp.Compare(x.band, y.band); c != 0 {
			return c
		}
		if c := cmp.Compare(x.key, y.key); c != 0 {
			return c
		}
		return cmp.Compare(x.idx, y.idx)
	})
	lists := make(map[int][][]uint32) // link shard → member lists
	var wants []uint64                // link shard << 32 | index
	for j := 0; j < len(recs); {
		k := j + 1
		for k < len(recs) && recs[k].band == recs[j].band && recs[k].key == recs[j].key {
			k++
		}
		if k-j > 1 {
			dest := shardOf(uint64(recs[j].idx), shards)
			list := make([]uint32, k-j)
			for n, r := range recs[j:k] {
				list[n] = r.idx
				wants = append(wants, uint64(dest)<<32|uint64(r.idx))
			}
			lists[dest] = append(lists[dest], list)
		}
		j = k
	}
	recs = nil
	packed := make(map[int]*bucketIn, len(lists))
	for dest, ls := range lists {
		slices.SortFunc(ls, slices.Compare)
		ls = slices.CompactFunc(ls, slices.Equal) // the same members in several bands
		var b []byte
		for _, l := range ls {
			b = idxPack(b, l, true)
		}
		packed[dest] = &bucketIn{Buckets: b}
	}
	if err := emitShards(ctx, "buckets", packed, emitLists); err != nil {
		return err
	}
	slices.Sort(wants)
	wants = slices.Compact(wants)
	byKey := make(map[int]*sigJoinIn)
	for j := 0; j < len(wants); {
		dest := int(wants[j] >> 32)
		k := j
		for k < len(wants) && int(wants[k]>>32) == dest {
			k++
		}
		per := make(map[int][]uint32)
		for _, w := range wants[j:k] {
			s := sigShard(uint32(w), shards)
			per[s] = append(per[s], uint32(w))
		}
		for s, idx := range per {
			if byKey[s] == nil {
				byKey[s] = &sigJoinIn{}
			}
			byKey[s].Wants = append(byKey[s].Wants, sigWant{Dest: int32(dest), Idx: idxPack(nil, idx, false)})
		}
		j = k
	}
	return emitShards(ctx, "sig_wants", byKey, emitWants)
}

// sigJoinFn joins, in one index shard, the documents' signatures with the
// link shards that want them, and sends each signature once per link shard.
type sigJoinFn struct{ K int }

func (f *sigJoinFn) ProcessElement(ctx context.Context, _ int, vals func(*[]byte) bool, emit func(int, []byte)) error {
	parts, err := decodeAll[sigJoinIn](vals)
	if err != nil {
		return err
	}
	type at struct{ part, j int }
	docs := make(map[uint32]at)
	var wants []sigWant
	for p := range parts {
		d := &parts[p].Docs
		if err := d.check(f.K, true); err != nil {
			return err
		}
		for j, i := range d.Idx {
			docs[i] = at{p, j}
		}
		wants = append(wants, parts[p].Wants...)
	}
	if len(wants) == 0 {
		return nil
	}
	slices.SortStableFunc(wants, func(x, y sigWant) int { return cmp.Compare(x.Dest, y.Dest) })
	wanted := make(map[uint32]bool)
	copies := 0
	sb := 4 * f.K
	out := make(map[int]*bucketIn)
	var idx []uint32
	for _, w := range wants {
		if idx, _, err = idxUnpack(idx[:0], w.Idx, -1); err != nil {
			return fmt.Errorf("signature requests: %w", err)
		}
		dest := int(w.Dest)
		o := out[dest]
		if o == nil {
			o = &bucketIn{}
			out[dest] = o
		}
		for _, i := range idx {
			a, ok := docs[i]
			if !ok {
				return fmt.Errorf("no signature for document %d", i)
			}
			wanted[i] = true
			copies++
			d := &parts[a.part].Docs
			o.Docs.add(i, d.Hi[a.j], d.Lo[a.j], d.Masked[a.j], d.Sigs[a.j*sb:(a.j+1)*sb], true)
		}
	}
	counter(ctx, "bucketed_documents", len(wanted))
	counter(ctx, "bucket_sig_copies", copies)
	return emitShards(ctx, "bucket_sigs", out, emit)
}

// docRef is what stage.Link needs of one bucket member.
type docRef struct {
	sig    []uint32
	hi, lo uint64
	masked bool
}

// linkFn screens the buckets of one link shard with stage.Link, exactly as
// the local engine does per band: members in increasing index order, each
// exact group represented by its smallest index. It emits the pairs by pair
// shard and the signatures of the pairs' documents to the block join.
type linkFn struct {
	Cfg []byte
	e   *env
}

func (f *linkFn) Setup() (err error) { f.e, err = newEnv(f.Cfg); return err }

func (f *linkFn) ProcessElement(ctx context.Context, _ int, vals func(*[]byte) bool, emitPairs, emitSigs func(int, []byte)) error {
	k, shards := f.e.cfg.Params.K, f.e.cfg.Shards
	parts, err := decodeAll[bucketIn](vals)
	if err != nil {
		return err
	}
	docs := make(map[uint32]docRef)
	var buckets [][]uint32
	for p := range parts {
		d := &parts[p].Docs
		if err := d.check(k, true); err != nil {
			return err
		}
		for j, i := range d.Idx {
			docs[i] = docRef{sig: sigUnpack(d.Sigs[j*4*k : (j+1)*4*k]), hi: d.Hi[j], lo: d.Lo[j], masked: d.Masked[j]}
		}
		if buckets, err = bucketsUnpack(buckets, parts[p].Buckets); err != nil {
			return fmt.Errorf("buckets: %w", err)
		}
	}
	parts = nil
	// The same members in several bands, from several key shards: screen
	// them once (Link's result depends only on the bucket).
	slices.SortFunc(buckets, slices.Compare)
	buckets = slices.CompactFunc(buckets, slices.Equal)
	sig := func(i uint32) []uint32 { return docs[i].sig }
	masked := func(i uint32) bool { return docs[i].masked }
	out := make(map[int][]stage.Pair)
	used := make(map[uint32]bool)
	emit := func(p stage.Pair) {
		s := pairShard(p.A, p.B, shards)
		out[s] = append(out[s], p)
		used[p.A], used[p.B] = true, true
	}
	var bucket []uint32
	seen := make(map[[2]uint64]bool)
	for _, members := range buckets {
		// The local engine buckets exact-duplicate representatives only.
		// All copies of a text share its band keys, so the bucket holds
		// each exact group whole, and its first (smallest) index is the
		// representative.
		bucket = bucket[:0]
		clear(seen)
		for _, i := range members {
			d, ok := docs[i]
			if !ok {
				return fmt.Errorf("no signature for bucket member %d", i)
			}
			h := [2]uint64{d.hi, d.lo}
			if !seen[h] {
				seen[h] = true
				bucket = append(bucket, i)
			}
		}
		f.e.st.Link(bucket, sig, masked, emit)
	}
	if err := emitShards(ctx, "pairs", out, emitPairs); err != nil {
		return err
	}
	ids := make([]uint32, 0, len(used))
	for i := range used {
		ids = append(ids, i)
	}
	slices.Sort(ids)
	blocks := make(map[int]*blockIn)
	for _, i := range ids {
		blk := int(i >> blockShift)
		if blocks[blk] == nil {
			blocks[blk] = &blockIn{}
		}
		blocks[blk].Sigs.add(i, 0, 0, false, sigPack(nil, docs[i].sig), false)
	}
	return emitShards(ctx, "block_sigs", blocks, emitSigs)
}
