package verify_test

import (
	"fmt"
	"strings"

	"github.com/quchong/quchong/shingle"
	"github.com/quchong/quchong/verify"
)

func Example() {
	original := []rune("其中星泽美申麦新材料将在今年陆续投入试生产")
	// The same sentence re-anonymised: the names became one mask.
	masked := []rune(strings.Replace(string(original), "星泽美申麦", string(verify.Mask), 1))
	opt := verify.Options{Shingle: shingle.Options{N: 5}}
	fmt.Printf("plain Jaccard %.2f, mask-aware %.2f\n",
		verify.Jaccard(original, masked, opt), verify.Similarity(original, masked, opt, nil))
	// Output: plain Jaccard 0.59, mask-aware 1.00
}

// A text compared with several others is prepared once: normalised runes
// and their set of distinct shingle hashes, hashed a single time.
func ExamplePrepare() {
	opt := verify.Options{Shingle: shingle.Options{N: 5}}
	report := verify.Prepare([]rune("其中星泽美申麦新材料将在今年陆续投入试生产"), opt)
	others := []string{
		"其中" + string(verify.Mask) + "新材料将在今年陆续投入试生产",
		"其中星泽美申麦新材料将在明年陆续投入试生产",
	}
	var s verify.Scratch
	for _, o := range others {
		fmt.Printf("%.2f\n", verify.SimilarityPrepared(report, verify.Prepare([]rune(o), opt), opt, &s))
	}
	// Output:
	// 1.00
	// 0.55
}
