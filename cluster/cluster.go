// Package cluster groups documents linked by duplicate edges into clusters
// with a union-find (disjoint-set) structure over dense document indices.
//
// The partition it produces depends only on the set of edges, never on the
// order in which they were added, and every cluster is named by its smallest
// member index, so results are the same whatever the number of workers or the
// scheduling that produced the edges.
package cluster

import "slices"

// UnionFind is a disjoint-set forest over the indices 0..n-1 with path
// halving and union by size. The zero value is empty; use New.
type UnionFind struct {
	parent []uint32
	size   []uint32
}

// New returns a UnionFind of n singleton sets. n must fit in a uint32.
func New(n int) *UnionFind {
	u := &UnionFind{parent: make([]uint32, n), size: make([]uint32, n)}
	for i := range u.parent {
		u.parent[i] = uint32(i)
		u.size[i] = 1
	}
	return u
}

// Len returns the number of elements.
func (u *UnionFind) Len() int { return len(u.parent) }

// Find returns the representative of x's set. Representatives are an
// implementation detail: use Canonical for stable names.
func (u *UnionFind) Find(x uint32) uint32 {
	p := u.parent
	for p[x] != x {
		p[x] = p[p[x]]
		x = p[x]
	}
	return x
}

// Union merges the sets of a and b and reports whether they were distinct.
func (u *UnionFind) Union(a, b uint32) bool {
	ra, rb := u.Find(a), u.Find(b)
	if ra == rb {
		return false
	}
	if u.size[ra] < u.size[rb] || (u.size[ra] == u.size[rb] && rb < ra) {
		ra, rb = rb, ra
	}
	u.parent[rb] = ra
	u.size[ra] += u.size[rb]
	return true
}

// Size returns the number of elements in x's set.
func (u *UnionFind) Size(x uint32) int { return int(u.size[u.Find(x)]) }

// Clusters is the result of Canonical: the partition in a flat, stable form.
type Clusters struct {
	// Of maps each element to its cluster number, or -1 when the element is
	// alone (a singleton is not a cluster).
	Of []int32
	// Members lists each cluster's elements in increasing order. Clusters are
	// numbered by their smallest member, so Members[0] holds the cluster that
	// contains the smallest non-singleton element.
	Members [][]uint32
}

// Canonical returns the clusters of two or more elements, numbered in the
// order of their smallest member. The result depends only on the partition.
func (u *UnionFind) Canonical() Clusters {
	n := len(u.parent)
	c := Clusters{Of: make([]int32, n)}
	byRoot := make(map[uint32]int32)
	for i := 0; i < n; i++ {
		x := uint32(i)
		r := u.Find(x)
		if u.size[r] < 2 {
			c.Of[i] = -1
			continue
		}
		id, ok := byRoot[r]
		if !ok {
			id = int32(len(c.Members))
			byRoot[r] = id
			c.Members = append(c.Members, make([]uint32, 0, u.size[r]))
		}
		c.Of[i] = id
		c.Members[id] = append(c.Members[id], x)
	}
	for _, m := range c.Members {
		// Appended in increasing i already; keep the invariant explicit.
		if !slices.IsSorted(m) {
			slices.Sort(m)
		}
	}
	return c
}
