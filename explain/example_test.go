package explain_test

import (
	"fmt"

	"github.com/quchong/quchong/explain"
	"github.com/quchong/quchong/stage"
)

// Two copies of one sentence, the second re-anonymised: the steps dedup
// takes for them, and what it does with the pair.
func Example() {
	st, err := stage.New(stage.DefaultParams())
	if err != nil {
		panic(err)
	}
	a := &explain.Doc{ID: "a", Order: 0, Text: []byte("二是服务为基，生产为实。我镇十九家帮扶企业分别位于星火工业园区和城南工业园区，其中星泽美、申麦新材料将在今年陆续投入试生产。")}
	b := &explain.Doc{ID: "b", Order: 1, Text: []byte("二是服务为基，生产为实。我镇*家帮扶企业分别位于星火工业园区和城南工业园区，其中XXX、XX新材料将在今年陆续投入试生产。")}
	r, err := explain.New(st, a, b)
	if err != nil {
		panic(err)
	}
	for _, s := range r.Trail {
		fmt.Println(s.Stage, s.Outcome)
	}
	fmt.Println(r.Reason, r.Removal.Kept, "kept,", r.Removal.Reason, "removal at", r.Removal.Similarity)
	// Output:
	// exact different
	// sign signed
	// bands candidate
	// screen accept
	// keep a
	// check removed
	// near-by-signature a kept, near removal at 1
}
