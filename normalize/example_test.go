package normalize_test

import (
	"fmt"
	"strings"

	"github.com/quchong/quchong/normalize"
)

func Example() {
	n := normalize.New(normalize.Default())
	for _, text := range []string{
		"其中XXX、XX新材料",
		"我乡20**年春季完成人工造林",
		"ＡＢＣ公司，後來改名。",
		"Mr. X bought an Xbox.",
	} {
		out, masks := n.Append(nil, []byte(text))
		// Show the private-use Mask rune as ◆.
		fmt.Println(strings.ReplaceAll(string(out), string(normalize.Mask), "◆"), masks)
	}

	words := normalize.Default()
	words.WordBreaks = true
	s := normalize.New(words).String("Hello,  World! ＸＸ said…")
	fmt.Println(strings.ReplaceAll(s, string(normalize.Mask), "◆"))
	// Output:
	// 其中◆新材料 1
	// 我乡◆年春季完成人工造林 1
	// abc公司后来改名 0
	// mrxboughtanxbox 0
	// hello world ◆ said
}
