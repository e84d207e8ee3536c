package cluster

import (
	"math/rand/v2"
	"reflect"
	"testing"
)

func TestCanonical(t *testing.T) {
	tests := []struct {
		name  string
		n     int
		edges [][2]uint32
		want  [][]uint32
	}{
		{"no edges", 4, nil, nil},
		{"one pair", 4, [][2]uint32{{3, 1}}, [][]uint32{{1, 3}}},
		{"chain", 5, [][2]uint32{{0, 1}, {1, 2}, {2, 3}}, [][]uint32{{0, 1, 2, 3}}},
		{"two clusters numbered by smallest member", 6, [][2]uint32{{5, 4}, {1, 2}}, [][]uint32{{1, 2}, {4, 5}}},
		{"self loop is no cluster", 3, [][2]uint32{{1, 1}}, nil},
		{"repeated edge", 3, [][2]uint32{{0, 2}, {2, 0}, {0, 2}}, [][]uint32{{0, 2}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := New(tt.n)
			for _, e := range tt.edges {
				u.Union(e[0], e[1])
			}
			got := u.Canonical()
			if !reflect.DeepEqual(got.Members, tt.want) {
				t.Fatalf("Members = %v, want %v", got.Members, tt.want)
			}
			for id, m := range got.Members {
				for _, x := range m {
					if got.Of[x] != int32(id) {
						t.Errorf("Of[%d] = %d, want %d", x, got.Of[x], id)
					}
				}
			}
		})
	}
}

// The partition must not depend on edge order.
func TestCanonicalOrderIndependent(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	const n = 2000
	edges := make([][2]uint32, 1500)
	for i := range edges {
		edges[i] = [2]uint32{uint32(r.IntN(n)), uint32(r.IntN(n))}
	}
	build := func(es [][2]uint32) Clusters {
		u := New(n)
		for _, e := range es {
			u.Union(e[0], e[1])
		}
		return u.Canonical()
	}
	want := build(edges)
	if len(want.Members) == 0 {
		t.Fatal("test graph has no clusters")
	}
	for trial := 0; trial < 5; trial++ {
		shuffled := append([][2]uint32(nil), edges...)
		r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		for i := range shuffled {
			if r.IntN(2) == 0 {
				shuffled[i][0], shuffled[i][1] = shuffled[i][1], shuffled[i][0]
			}
		}
		if got := build(shuffled); !reflect.DeepEqual(got, want) {
			t.Fatalf("trial %d: partition changed with edge order", trial)
		}
	}
}

func BenchmarkUnion(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 4))
	const n = 1 << 20
	edges := make([][2]uint32, n)
	for i := range edges {
		edges[i] = [2]uint32{uint32(r.IntN(n)), uint32(r.IntN(n))}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		u := New(n)
		for _, e := range edges {
			u.Union(e[0], e[1])
		}
	}
}
