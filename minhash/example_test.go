package minhash_test

import (
	"fmt"

	"github.com/quchong/quchong/minhash"
)

func Example() {
	signer, err := minhash.NewSigner(128, 1)
	if err != nil {
		fmt.Println(err)
		return
	}
	// Two documents as shingle-hash sets sharing 900 of 1,100 hashes:
	// Jaccard similarity 900/1100 ≈ 0.82.
	var a, b []uint64
	for i := range uint64(1100) {
		h := i * 0x9e3779b97f4a7c15
		if i < 1000 {
			a = append(a, h)
		}
		if i >= 100 {
			b = append(b, h)
		}
	}
	// Signatures live side by side in one flat slice.
	sigs := make([]uint32, 2*signer.K())
	signer.Sign(sigs[:128], a)
	signer.Sign(sigs[128:], b)
	est := minhash.Similarity(sigs[:128], sigs[128:])
	fmt.Println(est > 0.7 && est < 0.93)

	empty := make([]uint32, 128)
	fmt.Println(signer.Sign(empty, nil), empty[0] == minhash.EmptyValue)
	// Output:
	// true
	// false true
}
