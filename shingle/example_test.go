package shingle_test

import (
	"fmt"

	"github.com/quchong/quchong/shingle"
)

func ExampleHashes() {
	a := shingle.Hashes(nil, []rune("联合抽查高效执法"), shingle.Options{N: 5})
	// The same text with a placeholder where a name was: the windows that
	// cover the mask are skipped, the others hash as before.
	b := shingle.Hashes(nil, []rune("联合"+string(shingle.Mask)+"查高效执法"), shingle.Options{N: 5})
	fmt.Println(len(a), len(b), a[3] == b[0])

	w := shingle.Hashes(nil, []rune("the quick brown fox jumps"), shingle.Options{N: 3, Mode: shingle.Words})
	fmt.Println(len(w))
	// Output:
	// 4 1 true
	// 3
}
