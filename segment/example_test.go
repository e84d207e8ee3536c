package segment_test

import (
	"fmt"

	"github.com/quchong/quchong/segment"
)

func ExampleSplit() {
	text := []byte("今天下雨。他说：“走吧！”\n责任编辑：XX")
	for _, s := range segment.Split(nil, text, segment.Sentence) {
		fmt.Printf("%q\n", text[s.Start:s.End])
	}
	// Output:
	// "今天下雨。"
	// "他说：“走吧！”"
	// "责任编辑：XX"
}
