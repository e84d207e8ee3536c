package lsh_test

import (
	"fmt"

	"github.com/quchong/quchong/lsh"
)

func Example() {
	p, err := lsh.Optimal(0.8, 128, 0.5, 0.5)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%v bands×rows, P(0.8) = %.2f, P(0.5) = %.4f\n", p, p.Probability(0.8), p.Probability(0.5))

	sig := make([]uint32, 128)
	for i := range sig {
		sig[i] = uint32(i)
	}
	other := append([]uint32(nil), sig...)
	other[20] = 999 // slot 20 is in band 1 (rows 13–25)
	ka, kb := p.Keys(nil, sig), p.Keys(nil, other)
	for i := range ka {
		fmt.Print(ka[i] == kb[i], " ")
	}
	fmt.Println()
	// Output:
	// 9×13 bands×rows, P(0.8) = 0.40, P(0.5) = 0.0011
	// true false true true true true true true true
}
