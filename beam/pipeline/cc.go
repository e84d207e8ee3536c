package pipeline

import (
	"slices"

	"github.com/quchong/quchong/cluster"
)

// Connected components, two ways. When the edge list is small enough for one
// worker (Config.MaxUnionFindEdges), every edge goes to one key and
// unionFindLabels runs a union-find over just the vertices that have edges.
// Otherwise the graph is shuffled by vertex through alternating large-star and
// small-star rounds (Kiveris et al., "Connected Components in MapReduce and
// Beyond", SoCC 2014), which converge to one star per component centred on
// its smallest vertex in O(log² n) rounds (a few times log n in practice).
// Either way the result is a label per vertex: its component's smallest
// vertex, so the two paths give the same clusters.

// unionFindLabels labels every vertex that appears in edges with its
// component's smallest vertex.
func unionFindLabels(edges []edge) []label {
	vs := make([]uint32, 0, 2*len(edges))
	for _, e := range edges {
		vs = append(vs, e.A, e.B)
	}
	slices.Sort(vs)
	vs = slices.Compact(vs)
	pos := func(v uint32) uint32 { i, _ := slices.BinarySearch(vs, v); return uint32(i) }
	u := cluster.New(len(vs))
	for _, e := range edges {
		u.Union(pos(e.A), pos(e.B))
	}
	// Positions are in vertex order, so the smallest position of a
	// component is its smallest vertex.
	cl := u.Canonical()
	out := make([]label, 0, len(vs))
	for _, members := range cl.Members {
		l := vs[members[0]]
		for _, m := range members {
			out = append(out, label{V: vs[m], L: l})
		}
	}
	return out
}

// adjacency builds each vertex's sorted, distinct neighbour list from
// directed edges (each undirected edge arrives once per endpoint).
func adjacency(directed []edge) map[uint32][]uint32 {
	adj := make(map[uint32][]uint32)
	for _, e := range directed {
		if e.A != e.B {
			adj[e.A] = append(adj[e.A], e.B)
		}
	}
	for u, ns := range adj {
		slices.Sort(ns)
		adj[u] = slices.Compact(ns)
	}
	return adj
}

// starStep applies one large-star (large) or small-star round to the
// vertices of adj, calling emit with each undirected edge of the new graph
// (possibly twice; self-loops are never emitted).
//
// Large-star: u connects every larger neighbour to the smallest vertex of its
// closed neighbourhood. Small-star: u connects itself and every smaller
// neighbour to the smallest of them.
func starStep(adj map[uint32][]uint32, large bool, emit func(a, b uint32)) {
	for u, ns := range adj {
		m := min(u, ns[0]) // ns is sorted
		if large {
			for _, v := range ns {
				if v > u {
					emit(v, m)
				}
			}
			continue
		}
		if u != m {
			emit(u, m)
		}
		for _, v := range ns {
			if v >= u {
				break
			}
			if v != m {
				emit(v, m)
			}
		}
	}
}

// starLabels returns the labels of a converged graph, or ok = false when
// some component is not yet a star centred on its smallest vertex. The test
// is local: in a converged graph a vertex with a smaller neighbour has no
// other neighbour (it is a leaf whose one neighbour is the centre, which has
// only larger neighbours).
func starLabels(adj map[uint32][]uint32) (labels []label, ok bool) {
	for u, ns := range adj {
		switch {
		case ns[0] > u:
			labels = append(labels, label{V: u, L: u})
		case len(ns) == 1:
			labels = append(labels, label{V: u, L: ns[0]})
		default:
			return nil, false
		}
	}
	return labels, true
}

// simulateStars runs alternating rounds in memory until convergence and
// returns the labels and the number of rounds (a large-star and a
// small-star step each). Tests use it to size chains; it is the pipeline's
// algorithm without the shuffles.
func simulateStars(edges []edge, maxRounds int) ([]label, int, bool) {
	var directed []edge
	for _, e := range edges {
		directed = append(directed, e, edge{e.B, e.A})
	}
	for round := 0; ; round++ {
		adj := adjacency(directed)
		if l, ok := starLabels(adj); ok {
			return l, round, true
		}
		if round == maxRounds {
			return nil, round, false
		}
		for _, large := range []bool{true, false} {
			var next []edge
			starStep(adj, large, func(a, b uint32) { next = append(next, edge{a, b}, edge{b, a}) })
			directed = next
			adj = adjacency(directed)
		}
	}
}
