package pipeline

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/testing/passert"
)

func init() {
	register.Function2x1[[]byte, func(string), error](labelStrings)
}

// labelStrings flattens a label batch to "v→l" strings for passert.
func labelStrings(raw []byte, emit func(string)) error {
	ls, err := dec[[]label](raw)
	if err != nil {
		return err
	}
	for _, l := range ls {
		emit(fmt.Sprintf("%d→%d", l.V, l.L))
	}
	return nil
}

// chain returns the edges of a path over n vertices in a shuffled order, the
// hard case for star contraction (many rounds), and a few extra components.
func chain(n int, seed uint64) []edge {
	r := rand.New(rand.NewPCG(seed, 1))
	perm := r.Perm(n)
	var es []edge
	for i := 0; i+1 < n; i++ {
		es = append(es, edge{uint32(perm[i]), uint32(perm[i+1])})
	}
	// Two small components beside the chain, and a repeated edge.
	es = append(es, edge{uint32(n + 5), uint32(n + 1)}, edge{uint32(n + 3), uint32(n + 9)}, edge{uint32(n + 9), uint32(n + 7)}, edge{uint32(n + 1), uint32(n + 5)})
	return es
}

func sortLabels(ls []label) []label {
	ls = slices.Clone(ls)
	slices.SortFunc(ls, func(a, b label) int { return int(a.V) - int(b.V) })
	return ls
}

func TestStarMatchesUnionFind(t *testing.T) {
	tests := []struct {
		name  string
		edges []edge
	}{
		{"single edge", []edge{{3, 1}}},
		{"star", []edge{{5, 1}, {5, 2}, {5, 3}, {5, 4}}},
		{"two components", []edge{{1, 2}, {7, 8}, {2, 3}, {8, 9}}},
		{"cycle", []edge{{0, 1}, {1, 2}, {2, 3}, {3, 0}}},
		{"chain 1000", chain(1000, 7)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := sortLabels(unionFindLabels(tc.edges))
			got, rounds, ok := simulateStars(tc.edges, 100)
			if !ok {
				t.Fatalf("no convergence in 100 rounds")
			}
			if !slices.Equal(sortLabels(got), want) {
				t.Errorf("star labels differ from union-find after %d rounds", rounds)
			}
		})
	}
}

func TestUnionFindLabels(t *testing.T) {
	got := sortLabels(unionFindLabels([]edge{{9, 4}, {4, 7}, {2, 3}}))
	want := []label{{2, 2}, {3, 2}, {4, 4}, {7, 4}, {9, 4}}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// TestComponentsOnPrism runs both connected-component paths of the pipeline
// on a long shuffled chain that needs several star rounds.
func TestComponentsOnPrism(t *testing.T) {
	es := chain(1000, 7)
	_, rounds, ok := simulateStars(es, 100)
	if !ok || rounds < 3 {
		t.Fatalf("chain converges in %d rounds (ok=%v): want a graph that needs several", rounds, ok)
	}
	t.Logf("the chain needs %d large-star/small-star rounds", rounds)
	var want []string
	for _, l := range sortLabels(unionFindLabels(es)) {
		want = append(want, fmt.Sprintf("%d→%d", l.V, l.L))
	}
	tests := []struct {
		name   string
		maxUF  int64
		rounds int
		fail   bool
	}{
		{"union-find", 1 << 20, 1, false},
		{"star rounds", -1, rounds, false},
		{"too few rounds", -1, rounds - 2, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, s := beam.NewPipelineWithRoot()
			var batches [][]byte
			for i := 0; i < len(es); i += 300 {
				b, err := enc(es[i:min(i+300, len(es))])
				if err != nil {
					t.Fatal(err)
				}
				batches = append(batches, b)
			}
			edges := beam.CreateList(s, batches)
			labels := components(s, Config{MaxUnionFindEdges: tc.maxUF, StarRounds: tc.rounds, Shards: 7}, edges)
			passert.EqualsList(s, beam.ParDo(s, labelStrings, labels), want)
			_, err := beam.Run(context.Background(), "prism", p)
			if tc.fail != (err != nil) {
				t.Errorf("run error %v, want failure %v", err, tc.fail)
			}
		})
	}
}
