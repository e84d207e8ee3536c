package report

import (
	"bytes"
	"strings"
	"testing"
)

// TestWriteSub: the page lists the units most removed first, escapes
// text, caps long samples and says when nothing was removed.
func TestWriteSub(t *testing.T) {
	long := strings.Repeat("长", SubTextCap+10)
	cases := []struct {
		name     string
		page     SubPage
		want     []string
		wantNot  []string
		ordering []string // pieces that must appear in this order
	}{
		{
			name: "units and samples",
			page: SubPage{Method: "lines", Summary: [][2]string{{"documents read", "7"}},
				Header: []string{"file", "read"}, Files: [][]string{{"a.jsonl", "7"}},
				Top:     []SubUnit{{Text: "责任编辑：XX", Count: 5, Removed: 5}, {Text: "<script>x</script>", Count: 2, Removed: 1}},
				Samples: []SubSample{{ID: "d1", File: "a.jsonl", Before: long, After: "正文"}}},
			want:     []string{"quchong lines", "documents read", "a.jsonl", "&lt;script&gt;", "正文", " …"},
			wantNot:  []string{"<script>x", strings.Repeat("长", SubTextCap+1)},
			ordering: []string{"责任编辑：XX", "&lt;script&gt;"},
		},
		{
			name: "nothing removed",
			page: SubPage{Method: "substr"},
			want: []string{"quchong substr", "Nothing was removed.", "No document changed."},
		},
	}
	for _, c := range cases {
		var b bytes.Buffer
		if err := WriteSub(&b, c.page); err != nil {
			t.Fatal(err)
		}
		html := b.String()
		for _, w := range c.want {
			if !strings.Contains(html, w) {
				t.Errorf("%s: page lacks %q", c.name, w)
			}
		}
		for _, w := range c.wantNot {
			if strings.Contains(html, w) {
				t.Errorf("%s: page holds %q", c.name, w[:min(len(w), 40)])
			}
		}
		if len(c.ordering) == 2 && strings.Index(html, c.ordering[0]) > strings.Index(html, c.ordering[1]) {
			t.Errorf("%s: %q listed after %q", c.name, c.ordering[0], c.ordering[1])
		}
	}
}
