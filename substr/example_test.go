package substr_test

import (
	"fmt"

	"github.com/quchong/quchong/substr"
)

func ExampleFind() {
	docs := []string{"第一篇正文。本文由某网站转载请注明出处", "第二篇内容。本文由某网站转载请注明出处"}
	var text []int32
	bounds := []int32{0}
	for _, d := range docs {
		for _, c := range d {
			text = append(text, c)
		}
		bounds = append(bounds, int32(len(text)))
	}
	spans, _ := substr.Find(text, bounds, substr.Options{MinSpan: 8, KeepFirst: true})
	for _, s := range spans {
		fmt.Println(s.Doc, string([]rune(docs[s.Doc])[s.Start:s.End]), s.Count)
	}
	// Output:
	// 1 。本文由某网站转载请注明出处 2
}
