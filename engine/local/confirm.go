package local

import (
	"context"
	"sync"

	"github.com/quchong/quchong/internal/units"
	"github.com/quchong/quchong/stage"
)

// confirm decides the borderline pairs on their texts.
func (r *run) confirm(ctx context.Context) error {
	var need []int
	for i, p := range r.groups.pairs {
		if p.Verdict == stage.NeedText {
			need = append(need, i)
		}
	}
	if len(need) == 0 {
		return nil
	}
	pairs := make([]pairKey, len(need))
	for j, i := range need {
		pairs[j] = pairKey{r.groups.pairs[i].A, r.groups.pairs[i].B}
	}
	sims, oks, err := r.textSimilarities(ctx, pairs)
	if err != nil {
		return err
	}
	for j, i := range need {
		p := &r.groups.pairs[i]
		p.Similarity = sims[j]
		p.Verdict = stage.Reject
		if r.groups.textSim == nil {
			r.groups.textSim = make(map[pairKey]float64, len(need))
		}
		r.groups.textSim[pairKey{p.A, p.B}] = sims[j]
		if oks[j] {
			p.Verdict = stage.Accept
			r.stats.Verification.AcceptedByText++
		}
	}
	r.stats.Verification.TextChecked = int64(len(need))
	r.prog.done(int64(len(need)), 0, "%s checked on their texts, %d accepted", units.Plural(len(need), "borderline pair", ""), r.stats.Verification.AcceptedByText)
	return nil
}

// textSimilarities reads back the texts of the documents in pairs from the
// text spill and returns each pair's true similarity and whether it reaches
// the threshold (stage.Confirm). Pairs are taken in chunks whose prepared
// texts (runes, and shingle sets of texts without masks) fit in a quarter
// of what the memory budget leaves; each text is normalised and hashed once
// per chunk, however many pairs it is in.
func (r *run) textSimilarities(ctx context.Context, pairs []pairKey) ([]float64, []bool, error) {
	sims := make([]float64, len(pairs))
	oks := make([]bool, len(pairs))
	limit := Texts(r.memoryLeft())
	for lo := 0; lo < len(pairs); {
		needed := make(map[uint32]stage.Prepared)
		var bytes int64
		hi := lo
		for hi < len(pairs) && (hi == lo || bytes < limit) {
			for _, d := range [2]uint32{pairs[hi].a, pairs[hi].b} {
				if _, ok := needed[d]; !ok {
					needed[d] = stage.Prepared{}
					bytes += r.textBytes(d) * 13 // text, runes and shingle hashes, at most
				}
			}
			hi++
		}
		if err := r.loadTexts(ctx, needed); err != nil {
			return nil, nil, err
		}
		chunk := pairs[lo:hi]
		parallelChunks(len(chunk), r.workers, func(a, b int) {
			sc := r.scratches.get()
			defer r.scratches.put(sc)
			for j := a; j < b; j++ {
				sims[lo+j], oks[lo+j] = r.st.ConfirmPrepared(needed[chunk[j].a], needed[chunk[j].b], sc)
			}
		})
		lo = hi
		if lo == len(pairs) {
			r.prepared = needed // the cluster stage checks mostly these texts again
		}
	}
	return sims, oks, nil
}

// scratches lends the goroutines that prepare and compare texts (the
// confirm and cluster stages) their stage.Scratch: one is kept from chunk
// to chunk and from stage to stage, so that its buffers and tables grow to
// the run's texts once, not once a chunk. There are never more than the
// goroutines that work at once.
type scratches struct {
	mu   sync.Mutex
	free []*stage.Scratch
}

// get returns a scratch no goroutine uses.
func (p *scratches) get() *stage.Scratch {
	p.mu.Lock()
	defer p.mu.Unlock()
	if n := len(p.free); n > 0 {
		sc := p.free[n-1]
		p.free = p.free[:n-1]
		return sc
	}
	return new(stage.Scratch)
}

// put gives sc back, for the next get.
func (p *scratches) put(sc *stage.Scratch) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.free = append(p.free, sc)
}

// drop lets go of the scratches, and of the memory they hold.
func (p *scratches) drop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.free = nil
}
