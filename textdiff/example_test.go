package textdiff_test

import (
	"fmt"

	"github.com/quchong/quchong/textdiff"
)

func Example() {
	a := []rune("我镇*家帮扶企业,其中星泽美、申麦新材料")
	b := []rune("我镇19家帮扶企业,其中XXX、XX新材料")
	for _, op := range textdiff.Runes(a, b) {
		switch op.Kind {
		case textdiff.Equal:
			fmt.Print(string(op.Text))
		case textdiff.Delete:
			fmt.Printf("[-%s-]", string(op.Text))
		case textdiff.Insert:
			fmt.Printf("{+%s+}", string(op.Text))
		}
	}
	fmt.Println()
	// Output:
	// 我镇[-*-]{+19+}家帮扶企业,其中[-星泽美-]{+XXX+}、[-申麦-]{+XX+}新材料
}
