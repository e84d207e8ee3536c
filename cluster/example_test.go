package cluster_test

import (
	"fmt"

	"github.com/quchong/quchong/cluster"
)

func Example() {
	u := cluster.New(6)
	u.Union(4, 2) // doc 4 duplicates doc 2
	u.Union(2, 5)
	u.Union(0, 1)
	c := u.Canonical()
	fmt.Println(c.Members)
	fmt.Println(c.Of)
	// Output:
	// [[0 1] [2 4 5]]
	// [0 0 1 -1 1 1]
}
