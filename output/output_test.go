package output

import (
	"bytes"
	"strings"
	"testing"

	"github.com/quchong/quchong/stage"
)

// Lines gathered in any order come out in clusters.jsonl's order: clusters
// by smallest member, the kept document first, then by index.
func TestEncodeClusters(t *testing.T) {
	lines := []ClusterLine{
		{Key: 7, Idx: 9, ID: "d9", Exact: true, Sim: 1},
		{Key: 2, Idx: 5, ID: "d5", Sim: 0.71234},
		{Key: 7, Idx: 8, ID: "d8", Kept: true, Exact: true, Sim: 1},
		{Key: 2, Idx: 3, ID: "d3", Kept: true, Sim: 1},
		{Key: 2, Idx: 2, ID: "d2", Sim: 0.6},
	}
	var b bytes.Buffer
	if err := EncodeClusters(&b, lines); err != nil {
		t.Fatal(err)
	}
	want := `{"id":"d3","cluster":0,"kept":true,"reason":"near","similarity":1.0000}
{"id":"d2","cluster":0,"kept":false,"reason":"near","similarity":0.6000}
{"id":"d5","cluster":0,"kept":false,"reason":"near","similarity":0.7123}
{"id":"d8","cluster":1,"kept":true,"reason":"exact","similarity":1.0000}
{"id":"d9","cluster":1,"kept":false,"reason":"exact","similarity":1.0000}
`
	if b.String() != want {
		t.Errorf("clusters.jsonl:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestClusteringCounts(t *testing.T) {
	var a, b Clustering
	a.Add(stage.Decision{Clusters: make([]stage.Cluster, 1), Checks: 3, TextChecks: 1})
	a.Add(stage.Decision{Clusters: make([]stage.Cluster, 2), Saved: 2, Checks: 5})
	b.Add(stage.Decision{Unverified: 1, Checks: 7})
	a.Merge(b)
	want := Clustering{Components: 3, ComponentsSplit: 2, DocumentsSaved: 2, Unverified: 1, KeptChecks: 15, KeptTextChecks: 1}
	if a != want {
		t.Errorf("counts %+v, want %+v", a, want)
	}
}

func TestRound(t *testing.T) {
	if got := Round(0.44999999999999996, ParamDigits); got != 0.45 {
		t.Errorf("Round = %v", got)
	}
	if s := string(NewClusterRecord("x", 0, false, false, 0.96296).Similarity); !strings.HasPrefix(s, "0.9630") {
		t.Errorf("similarity %s", s)
	}
}

func TestNames(t *testing.T) {
	tests := []struct {
		in, want []string
	}{
		{[]string{"/data/a.txt"}, []string{"a.txt"}},
		{[]string{"/data/x/a.txt", "/data/y/a.txt"}, []string{"x/a.txt", "y/a.txt"}},
		{[]string{"-", "/data/b.jsonl"}, []string{"stdin", "b.jsonl"}},
		{[]string{"gs://bucket/p/a.jsonl", "gs://bucket/q/a.jsonl"}, []string{"p/a.jsonl", "q/a.jsonl"}},
	}
	for _, tt := range tests {
		got, err := Names(tt.in)
		if err != nil || strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("Names(%v) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}
