package sais

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestSort compares Sort with sorting the suffixes directly.
func TestSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for trial := 0; trial < 500; trial++ {
		n, max := rng.IntN(200), 1+rng.IntN(6)
		if trial%5 == 0 {
			max = 1 + rng.IntN(70000)
		}
		text := make([]int32, n)
		for k := range text {
			text[k] = int32(rng.IntN(max))
		}
		sa := make([]int32, n)
		Sort(text, max, sa, nil)
		want := make([]int32, n)
		for k := range want {
			want[k] = int32(k)
		}
		slices.SortFunc(want, func(a, b int32) int { return slices.Compare(text[a:], text[b:]) })
		if !slices.Equal(sa, want) {
			t.Fatalf("text %v: sa %v, want %v", text, sa, want)
		}
	}
}
