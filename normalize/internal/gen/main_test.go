package main

import (
	"go/parser"
	"go/token"
	"slices"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []pair
		err  bool
	}{
		{"first candidate", "乾\t干 乾\n後\t后\n", []pair{{'乾', '干'}, {'後', '后'}}, false},
		{"sorted, identity and phrases skipped", "萬\t万\n丟\t丢\n么\t么\n乾坤\t干坤\n", []pair{{'丟', '丢'}, {'萬', '万'}}, false},
		{"multi-rune candidate skipped", "㑮\t𫝈\n蔔\t卜 葡萄\n", []pair{{'㑮', '𫝈'}, {'蔔', '卜'}}, false},
		{"duplicate key keeps first", "後\t后\n後\t後\n", []pair{{'後', '后'}}, false},
		{"comments and blanks", "# x\n\n後\t后\n", []pair{{'後', '后'}}, false},
		{"no tab", "後 后\n", nil, true},
		{"empty", "", nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parse(strings.NewReader(tc.in))
			if (err != nil) != tc.err {
				t.Fatalf("err = %v, want error %v", err, tc.err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestRender(t *testing.T) {
	src, err := render("normalize", []pair{{'後', '后'}, {'㑮', '𫝈'}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := parser.ParseFile(token.NewFileSet(), "t2s_table.go", src, 0); err != nil {
		t.Fatalf("generated source does not parse: %v", err)
	}
	if !strings.Contains(string(src), `"後后㑮𫝈"`) || !strings.Contains(string(src), "DO NOT EDIT") {
		t.Errorf("unexpected output:\n%s", src)
	}
}
