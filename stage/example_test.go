package stage_test

import (
	"fmt"

	"github.com/quchong/quchong/stage"
)

// Two copies of one sentence, the second re-anonymised: the signatures find
// them close, and the mask-aware similarity of their texts says how close.
func Example() {
	st, err := stage.New(stage.DefaultParams())
	if err != nil {
		panic(err)
	}
	a := []byte("二是服务为基，生产为实。我镇十九家帮扶企业分别位于星火工业园区和城南工业园区，其中星泽美、申麦新材料将在今年陆续投入试生产。")
	b := []byte("二是服务为基，生产为实。我镇*家帮扶企业分别位于星火工业园区和城南工业园区，其中XXX、XX新材料将在今年陆续投入试生产。")
	k := st.Params().K
	sigA, sigB := make([]uint32, k), make([]uint32, k)
	var sc stage.Scratch
	fa := st.Fingerprint(sigA, a, &sc)
	fb := st.Fingerprint(sigB, b, &sc)
	_, verdict := st.Screen(sigA, sigB, fa.Masks+fb.Masks > 0)
	na, _ := st.Normalize(nil, a)
	nb, _ := st.Normalize(nil, b)
	sim, dup := st.Confirm(na, nb, &sc)
	fmt.Printf("masks %d, screening %v, similarity %.2f, duplicate %v\n", fb.Masks, verdict, sim, dup)
	// Output: masks 2, screening accept, similarity 1.00, duplicate true
}
