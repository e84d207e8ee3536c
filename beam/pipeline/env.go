package pipeline

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/quchong/quchong/stage"
)

// env is what every DoFn rebuilds in Setup from its serialised Config.
type env struct {
	cfg Config
	st  *stage.Stages
}

func newEnv(b []byte) (*env, error) {
	cfg, err := dec[Config](b)
	if err != nil {
		return nil, err
	}
	st, err := stage.New(cfg.Params)
	if err != nil {
		return nil, fmt.Errorf("parameters: %w", err)
	}
	return &env{cfg: cfg, st: st}, nil
}

// offsets gives each file's first dense index, from the file metas.
type offsets struct {
	first, count []uint32
}

func readOffsets(nfiles int, metas func(*[]byte) bool) (*offsets, error) {
	ms, err := decodeAll[fileMeta](metas)
	if err != nil {
		return nil, err
	}
	o := &offsets{first: make([]uint32, nfiles), count: make([]uint32, nfiles)}
	for _, m := range ms {
		if m.Source < 0 || m.Source >= nfiles {
			return nil, fmt.Errorf("file meta for source %d of %d", m.Source, nfiles)
		}
		o.count[m.Source] = m.Count
	}
	var total uint64
	for i, c := range o.count {
		o.first[i] = uint32(total)
		total += uint64(c)
	}
	if total >= 1<<32-1 {
		return nil, fmt.Errorf("more than %d documents: split the run", uint32(1<<32-1))
	}
	return o, nil
}

// source returns the file holding index i.
func (o *offsets) source(i uint32) int {
	return sort.Search(len(o.first), func(s int) bool { return o.first[s]+o.count[s] > i })
}

// counter adds n to a Beam counter of the quchong namespace.
func counter(ctx context.Context, name string, n int) {
	beam.NewCounter("quchong", name).Inc(ctx, int64(n))
}

// emitShards encodes and emits one batch per non-empty shard, in shard
// order, counting the bytes against the named shuffle counter.
func emitShards[T any](ctx context.Context, name string, parts map[int]T, emit func(int, []byte)) error {
	keys := make([]int, 0, len(parts))
	for k := range parts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		b, err := enc(parts[k])
		if err != nil {
			return err
		}
		counter(ctx, "shuffle_"+name+"_bytes", len(b))
		emit(k, b)
	}
	return nil
}

func emitOne[T any](emit func([]byte), v T) error {
	b, err := enc(v)
	if err != nil {
		return err
	}
	emit(b)
	return nil
}
