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
