package report

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

// page writes the report of stats and pair similarities and returns it.
func writePage(t *testing.T, stats string, sims []float64, clusters []Cluster) string {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, &Input{Stats: json.RawMessage(stats), PairSimilarities: sims, Clusters: clusters, Threshold: 0.6}); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// TestReportUnits: sizes in SI units, labelled as such, small ones in kB,
// as in the summary on the terminal.
func TestReportUnits(t *testing.T) {
	tests := []struct {
		bytes int64
		want  string
	}{
		{24068, "24.1 kB in 1 file"},
		{159_300_000, "159.3 MB in 1 file"},
		{512, "512 B in 1 file"},
	}
	for _, tt := range tests {
		stats := `{"inputs":[{"path":"a.txt","read":1}],"total":{"read":1,"kept":1,"input_bytes":` + itoa(tt.bytes) + `}}`
		page := writePage(t, stats, nil, nil)
		card := regexp.MustCompile(`<div class="card read">.*?<div class="sub">(.*?)</div>`).FindStringSubmatch(page)
		if card == nil || card[1] != tt.want {
			t.Errorf("%d bytes: read card %q, want %q", tt.bytes, card, tt.want)
		}
	}
}

// TestReportPlurals: one of a thing is singular everywhere on the page.
func TestReportPlurals(t *testing.T) {
	one := `{"inputs":[{"path":"a.txt","read":2,"kept":1,"removed":1,"removed_near":1}],"total":{"read":2,"kept":1,"removed":1,"removed_near":1}}`
	clusters := []Cluster{{ID: 0, Members: []Member{
		{ID: "a.txt:1", Kept: true, Reason: "near", Similarity: 1, Source: "a.txt"},
		{ID: "a.txt:2", Reason: "near", Similarity: 0.9, Source: "a.txt"},
	}}}
	page := writePage(t, one, []float64{0.9}, clusters)
	for _, bad := range []string{"1 pairs", "1 clusters", "1 files", "1 file(s)", "1 inputs"} {
		if strings.Contains(page, bad) {
			t.Errorf("the page says %q", bad)
		}
	}
	for _, want := range []string{"1 pair, 1 at or above the threshold", ": 1 pair</title>", "size 2: 1 cluster</title>", "in 1 file<"} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}

// TestFilePlotLabels: the removal-rate bars are labelled with the files'
// names, long ones shortened, the full path on hover.
func TestFilePlotLabels(t *testing.T) {
	long := "data/shards/zh_web_crawl_2024_part_000017_of_000256.jsonl.zst"
	stats := `{"inputs":[` +
		`{"path":"data/a.txt","read":10,"removed":1},` +
		`{"path":"` + long + `","read":10,"removed":2},` +
		`{"path":"b.jsonl","read":10,"removed":0}],"total":{"read":30,"removed":3}}`
	page := writePage(t, stats, nil, nil)
	plot := regexp.MustCompile(`(?s)<figure class="plot" id="plot-files">.*?</figure>`).FindString(page)
	if plot == "" {
		t.Fatal("no file plot")
	}
	if strings.Contains(plot, "#1") {
		t.Errorf("the file plot labels bars by number:\n%s", plot)
	}
	ticks := regexp.MustCompile(`<text class="tick"[^>]*>([^<]*)<title>([^<]*)</title></text>`).FindAllStringSubmatch(plot, -1)
	if len(ticks) != 3 {
		t.Fatalf("%d file labels with a title, want 3:\n%s", len(ticks), plot)
	}
	for i, want := range []struct{ label, title string }{
		{"a.txt", "data/a.txt"},
		{"", long},
		{"b.jsonl", "b.jsonl"},
	} {
		label, title := ticks[i][1], ticks[i][2]
		if title != want.title {
			t.Errorf("label %d: title %q, want %q", i, title, want.title)
		}
		if want.label != "" && label != want.label {
			t.Errorf("label %d: %q, want %q", i, label, want.label)
		}
		if n := len([]rune(label)); n > fileLabelRunes(3) {
			t.Errorf("label %d: %q is %d characters, more than fits", i, label, n)
		}
	}
	if l := ticks[1][1]; !strings.Contains(l, "…") || !strings.HasPrefix(l, "zh_web") || !strings.HasSuffix(l, ".zst") {
		t.Errorf("long name shortened to %q, want its start and end around an ellipsis", l)
	}
}

func TestShorten(t *testing.T) {
	tests := []struct {
		s    string
		n    int
		want string
	}{
		{"a.txt", 10, "a.txt"},
		{"abcdefghij.txt", 9, "abcd….txt"},
		{"文件名很长的语料文件.jsonl", 8, "文件名很…onl"},
		{"abcdef", 2, "ab"},
	}
	for _, tt := range tests {
		if got := shorten(tt.s, tt.n); got != tt.want {
			t.Errorf("shorten(%q, %d) = %q, want %q", tt.s, tt.n, got, tt.want)
		}
	}
}
