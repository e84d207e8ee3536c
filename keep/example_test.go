package keep_test

import (
	"fmt"

	"github.com/quchong/quchong/keep"
)

func Example() {
	rule, err := keep.Parse("fewest-masks")
	if err != nil {
		panic(err)
	}
	cluster := []keep.Candidate{
		{Index: 0, Length: 980, Masks: 6}, // the re-anonymised copy
		{Index: 5, Length: 1000, Masks: 1},
	}
	fmt.Println("keep document", cluster[rule.Choose(cluster)].Index)
	// Output: keep document 5
}
