package eval_test

import (
	"fmt"
	"os"

	"github.com/quchong/quchong/eval"
)

// A run that merged one duplicate pair, missed another and wrongly merged a
// pair that should stay apart.
func Example() {
	pairs := []eval.Pair{
		{A: "news-1", B: "news-1-repost", Label: 1, Stratum: "easy"},
		{A: "law-7", B: "law-7-ocr", Label: 1, Stratum: "hard"},
		{A: "news-1", B: "news-2", Label: 0, Stratum: "hard-negative"},
	}
	clusterOf := map[string]int{"news-1": 0, "news-1-repost": 0, "news-2": 0}
	report, err := eval.Score(pairs, clusterOf, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	report.WriteTable(os.Stdout)
	fmt.Printf("F1 %.3f, merge rate %.3f\n", report.Overall.F1, report.Overall.MergeRate)
	// Output:
	// stratum  pairs  pos  neg  TP  FP  FN  TN  precision  recall      F1  merge rate
	//            easy      1    1    0   1   0   0   0     1.0000  1.0000  1.0000           -
	//            hard      1    1    0   0   0   1   0          -  0.0000  0.0000           -
	//   hard-negative      1    0    1   0   1   0   0     0.0000       -  0.0000      1.0000
	//         overall      3    2    1   1   1   1   0     0.5000  0.5000  0.5000      1.0000
	// clusters  5 documents, 3 gold and 3 predicted clusters: ARI 0.2105, B-cubed precision 0.7333 recall 0.8000 F1 0.7652
	// F1 0.500, merge rate 1.000
}
