package report_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/quchong/quchong/report"
)

// An engine lists every cluster without texts, loads the texts NeedsText
// names, and writes the page.
func Example() {
	in := &report.Input{
		Stats:            json.RawMessage(`{"total": {"read": 3, "kept": 2, "removed": 1, "removed_near": 1}, "params": {"threshold": 0.6}}`),
		PairSimilarities: []float64{0.82},
		Clusters: []report.Cluster{{ID: 0, Members: []report.Member{
			{ID: "a.txt:1", Kept: true, Reason: "near", Similarity: 1, Source: "a.txt"},
			{ID: "a.txt:3", Reason: "near", Similarity: 0.82, Source: "a.txt"},
		}}},
	}
	texts := map[string]string{"a.txt:1": "我镇*家帮扶企业", "a.txt:3": "我镇19家帮扶企业"}
	for _, r := range in.NeedsText() {
		m := &in.Clusters[r.Cluster].Members[r.Member]
		m.Text = texts[m.ID]
	}
	var page bytes.Buffer
	if err := report.Write(&page, in); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(in.NeedsText()), "texts needed")
	fmt.Println(strings.Contains(page.String(), `data-removed="1"`))
	// Output:
	// 2 texts needed
	// true
}
