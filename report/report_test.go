package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// pageData is the embedded JSON of a report.
type pageData struct {
	Meta struct {
		Threshold      float64  `json:"threshold"`
		TextCap        int      `json:"textCap"`
		TotalClusters  int      `json:"totalClusters"`
		ListedClusters int      `json:"listedClusters"`
		TextClusters   int      `json:"textClusters"`
		CutTexts       int      `json:"cutTexts"`
		Sources        []string `json:"sources"`
	} `json:"meta"`
	Clusters [][]json.RawMessage `json:"clusters"`
}

// member is one decoded member of the embedded data.
type member struct {
	id    string
	flags int
	sim   float64
	src   int
	text  *string
	full  int
}

var dataRE = regexp.MustCompile(`(?s)<script type="application/json" id="report-data">(.*?)</script>`)

// extract returns the embedded data of page, failing the test when the page
// does not hold exactly one well-formed data element.
func extract(t testing.TB, page string) pageData {
	t.Helper()
	m := dataRE.FindAllStringSubmatch(page, -1)
	if len(m) != 1 {
		t.Fatalf("found %d data elements, want 1", len(m))
	}
	var d pageData
	if err := json.Unmarshal([]byte(m[0][1]), &d); err != nil {
		t.Fatalf("embedded JSON: %v", err)
	}
	return d
}

func members(t testing.TB, c []json.RawMessage) (id, size, state int, ms []member) {
	t.Helper()
	if len(c) != 4 {
		t.Fatalf("cluster has %d fields, want 4", len(c))
	}
	var raw [][]json.RawMessage
	for i, dst := range []any{&id, &size, &raw, &state} {
		if err := json.Unmarshal(c[i], dst); err != nil {
			t.Fatalf("cluster field %d: %v", i, err)
		}
	}
	for _, r := range raw {
		var m member
		m.full = -1
		for i, dst := range []any{&m.id, &m.flags, &m.sim, &m.src} {
			if err := json.Unmarshal(r[i], dst); err != nil {
				t.Fatalf("member field %d: %v", i, err)
			}
		}
		if len(r) == 6 {
			var s string
			if err := json.Unmarshal(r[4], &s); err != nil {
				t.Fatal(err)
			}
			m.text = &s
			if err := json.Unmarshal(r[5], &m.full); err != nil {
				t.Fatal(err)
			}
		}
		ms = append(ms, m)
	}
	return id, size, state, ms
}

const seedStats = `{"tool":"quchong","version":"0.1.0",
"inputs":[{"path":"testdata/seed.txt","format":"text","read":20,"kept":18,"removed":2,"removed_exact":1,"removed_near":1,"rejected":0,"input_bytes":24068}],
"total":{"read":20,"kept":18,"removed":2,"removed_exact":1,"removed_near":1,"rejected":0,"input_bytes":24068},
"clusters":2,"params":{"threshold":0.6,"bands":32,"rows":4,"normalize":{"masks":true}},
"stages":[{"stage":"fingerprint","seconds":0.0018},{"stage":"write","seconds":0.019}],"wall_seconds":0.08,"workers":2}`

func pair(id int, kept, removed, reason string, sim float64) Cluster {
	return Cluster{ID: id, Members: []Member{
		{ID: "a.txt:" + fmt.Sprint(2*id+1), Kept: true, Reason: reason, Similarity: 1, Text: kept, Source: "a.txt"},
		{ID: "a.txt:" + fmt.Sprint(2*id+2), Reason: reason, Similarity: sim, Text: removed, Source: "a.txt"},
	}}
}

func TestWrite(t *testing.T) {
	hostile := `</script><script>alert(1)</script><!-- &amp; ` + "\u2028"
	big := Cluster{ID: 9, Members: []Member{
		{ID: "k", Kept: true, Reason: "near", Similarity: 1, Text: "甲乙丙", Source: "b.jsonl"},
		{ID: "r1", Reason: "near", Similarity: 0.9, Text: "甲乙丁"},
		{ID: "r2", Reason: "near", Similarity: 0.8, Text: "甲丙"},
	}}
	tests := []struct {
		name  string
		in    Input
		check func(t *testing.T, page string, d pageData)
	}{{
		name: "seed summary",
		in:   Input{Stats: json.RawMessage(seedStats), PairSimilarities: []float64{0.82}, Clusters: []Cluster{pair(1, "我镇*家", "我镇19家", "near", 0.82), pair(0, "同", "同", "exact", 1)}},
		check: func(t *testing.T, page string, d pageData) {
			for _, want := range []string{`data-read="20"`, `data-kept="18"`, `data-removed="2"`, `data-removed-exact="1"`,
				`data-removed-near="1"`, `data-rejected="0"`, `id="plot-similarity"`, `class="threshold"`, "threshold 0.60",
				`id="plot-sizes"`, `id="plot-files"`, "testdata/seed.txt", "fingerprint", `id="cluster-detail"`} {
				if !strings.Contains(page, want) {
					t.Errorf("page lacks %q", want)
				}
			}
			if d.Meta.Threshold != 0.6 {
				t.Errorf("threshold %v, want 0.6 from stats", d.Meta.Threshold)
			}
			// Ties in size go by cluster id.
			id0, _, _, _ := members(t, d.Clusters[0])
			id1, _, _, ms := members(t, d.Clusters[1])
			if id0 != 0 || id1 != 1 {
				t.Errorf("order %d, %d; want 0, 1", id0, id1)
			}
			if ms[0].id != "3" || ms[0].flags != flagKept|flagRel || *ms[0].text != "我镇*家" {
				t.Errorf("kept member %+v", ms[0])
			}
			if ms[1].flags != flagRel || ms[1].sim != 0.82 {
				t.Errorf("removed member %+v", ms[1])
			}
		},
	}, {
		name: "empty",
		in:   Input{},
		check: func(t *testing.T, page string, d pageData) {
			if len(d.Clusters) != 0 || !strings.Contains(page, "no verified candidate pairs") || !strings.Contains(page, "no clusters") {
				t.Errorf("empty report: %d clusters", len(d.Clusters))
			}
		},
	}, {
		name: "hostile text",
		in:   Input{Clusters: []Cluster{pair(0, hostile, hostile+"x", "near", 0.9)}, Stats: json.RawMessage(`{"inputs":[{"path":"<b>evil</b>.txt","read":1}]}`)},
		check: func(t *testing.T, page string, d pageData) {
			if n := strings.Count(page, "</script>"); n != 2 { // the data element's and the script's
				t.Errorf("%d </script> in page, want 2", n)
			}
			if strings.Contains(page, "<b>evil") || strings.Contains(page, "alert(1)</script>") {
				t.Error("hostile text reached the page unescaped")
			}
			_, _, _, ms := members(t, d.Clusters[0])
			if *ms[0].text != hostile || *ms[1].text != hostile+"x" {
				t.Errorf("text did not survive the round trip: %q", *ms[0].text)
			}
		},
	}, {
		name: "text cap",
		in:   Input{TextCap: 2, Clusters: []Cluster{pair(0, "一二三四", "一二", "near", 0.7)}},
		check: func(t *testing.T, page string, d pageData) {
			_, _, _, ms := members(t, d.Clusters[0])
			if *ms[0].text != "一二" || ms[0].full != 4 || ms[1].full != -1 || d.Meta.CutTexts != 1 {
				t.Errorf("cut: %q full %d, %d; cutTexts %d", *ms[0].text, ms[0].full, ms[1].full, d.Meta.CutTexts)
			}
		},
	}, {
		name: "clusters with text",
		in:   Input{MaxClustersWithText: 1, Clusters: []Cluster{pair(0, "甲", "乙", "near", 0.7), big}},
		check: func(t *testing.T, page string, d pageData) {
			id, size, state, ms := members(t, d.Clusters[0])
			if id != 9 || size != 3 || state != 0 || ms[1].text == nil || ms[0].src != 0 || d.Meta.Sources[0] != "b.jsonl" {
				t.Errorf("first cluster %d size %d state %d", id, size, state)
			}
			_, _, state, ms = members(t, d.Clusters[1])
			if state != 1 || ms[0].text != nil || d.Meta.TextClusters != 1 {
				t.Errorf("second cluster state %d, text %v", state, ms[0].text)
			}
		},
	}, {
		name: "text budget",
		in:   Input{MaxTextBytes: 10, Clusters: []Cluster{pair(0, "甲乙丙丁", "甲乙丙丁", "exact", 1), pair(1, "a", "b", "near", 0.7)}},
		check: func(t *testing.T, page string, d pageData) {
			_, _, s0, _ := members(t, d.Clusters[0])
			_, _, s1, _ := members(t, d.Clusters[1])
			if s0 != 2 || s1 != 0 {
				t.Errorf("states %d %d, want 2 (over budget) 0", s0, s1)
			}
		},
	}, {
		name: "member and cluster caps",
		in:   Input{MaxMembers: 2, MaxClusters: 1, Clusters: []Cluster{pair(0, "甲", "乙", "near", 0.7), big}},
		check: func(t *testing.T, page string, d pageData) {
			_, size, _, ms := members(t, d.Clusters[0])
			if len(d.Clusters) != 1 || size != 3 || len(ms) != 2 || d.Meta.TotalClusters != 2 || d.Meta.ListedClusters != 1 {
				t.Errorf("%d clusters listed, size %d with %d members", len(d.Clusters), size, len(ms))
			}
			if !strings.Contains(page, `data-clusters="2"`) {
				t.Error("summary does not count every cluster")
			}
		},
	}, {
		name: "no texts",
		in:   Input{MaxClustersWithText: -1, Clusters: []Cluster{pair(0, "甲", "乙", "near", 0.7)}},
		check: func(t *testing.T, page string, d pageData) {
			_, _, state, ms := members(t, d.Clusters[0])
			if state != 1 || ms[0].text != nil {
				t.Errorf("state %d", state)
			}
		},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, &tc.in); err != nil {
				t.Fatal(err)
			}
			page := buf.String()
			if !strings.HasPrefix(page, "<!DOCTYPE html>") || !strings.HasSuffix(page, "</html>\n") {
				t.Error("not a whole HTML document")
			}
			if regexp.MustCompile(`(?i)(src|href)="https?:|@import|url\(http`).MatchString(page) {
				t.Error("page refers to the network")
			}
			tc.check(t, page, extract(t, page))
		})
	}
}

func TestWriteErrors(t *testing.T) {
	if err := Write(&bytes.Buffer{}, &Input{Stats: json.RawMessage(`{"total": 3`)}); err == nil || !strings.Contains(err.Error(), "parse stats") {
		t.Errorf("bad stats: %v", err)
	}
	if err := Write(&bytes.Buffer{}, nil); err == nil {
		t.Error("nil input: no error")
	}
	errDisk := errors.New("disk full")
	if err := Write(failWriter{errDisk}, &Input{}); !errors.Is(err, errDisk) {
		t.Errorf("write error: %v", err)
	}
}

type failWriter struct{ err error }

func (w failWriter) Write([]byte) (int, error) { return 0, w.err }

func TestNeedsText(t *testing.T) {
	in := Input{MaxClustersWithText: 2, MaxMembers: 2, Clusters: []Cluster{
		{ID: 5, Members: make([]Member, 2)},
		{ID: 1, Members: make([]Member, 3)},
		{ID: 2, Members: make([]Member, 2)},
	}}
	got := fmt.Sprint(in.NeedsText())
	if want := "[{1 0} {1 1} {2 0} {2 1}]"; got != want {
		t.Errorf("NeedsText = %s, want %s", got, want)
	}
	in.MaxClustersWithText = -1
	if refs := in.NeedsText(); len(refs) != 0 {
		t.Errorf("no texts wanted, got %v", refs)
	}
}

// synthetic returns n clusters of 2 to 4 members with texts of about
// textLen characters.
func synthetic(n, textLen int) []Cluster {
	base := strings.Repeat("全区双随机成员单位共12家，检查事项清单大类93项。", textLen/25+1)
	cs := make([]Cluster, n)
	for i := range cs {
		size := 2 + i%3
		ms := make([]Member, size)
		for j := range ms {
			src := fmt.Sprintf("corpus/part-%05d.jsonl.zst", i%64)
			ms[j] = Member{ID: fmt.Sprintf("%s:%d", src, i*4+j), Kept: j == 0, Reason: "near", Similarity: 0.8,
				Text: base[j*3:], Source: src} // shared, not copied: 300,000 texts
		}
		cs[i] = Cluster{ID: i, Members: ms}
	}
	return cs
}

func TestWriteLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("100,000 clusters")
	}
	in := Input{Clusters: synthetic(100_000, 5000), PairSimilarities: make([]float64, 200_000)}
	var buf bytes.Buffer
	if err := Write(&buf, &in); err != nil {
		t.Fatal(err)
	}
	t.Logf("page of 100,000 clusters: %.1f MB", float64(buf.Len())/(1<<20))
	if buf.Len() > 25<<20 {
		t.Errorf("page is %d MB, want under 25", buf.Len()>>20)
	}
	d := extract(t, buf.String())
	if len(d.Clusters) != 100_000 || d.Meta.TextClusters == 0 || d.Meta.TextClusters > DefaultMaxClustersWithText {
		t.Errorf("%d clusters listed, %d with text", len(d.Clusters), d.Meta.TextClusters)
	}
	textBytes := 0
	for _, c := range d.Clusters[:DefaultMaxClustersWithText] {
		_, _, _, ms := members(t, c)
		for _, m := range ms {
			if m.text != nil {
				textBytes += len(*m.text)
				if n := utf8.RuneCountInString(*m.text); n > DefaultTextCap {
					t.Fatalf("text of %d characters", n)
				}
			}
		}
	}
	if textBytes > DefaultMaxTextBytes || textBytes < DefaultMaxTextBytes/2 {
		t.Errorf("%d bytes of text inlined, budget %d", textBytes, DefaultMaxTextBytes)
	}
}

func FuzzWrite(f *testing.F) {
	for _, s := range []string{"", "</script>", "<!--<script>", "\u2028\u2029", "\xff\xfe", "我镇*家XX", `"\u003c/script>`} {
		f.Add(s, 3)
	}
	f.Fuzz(func(t *testing.T, text string, textCap int) {
		in := Input{TextCap: textCap, Clusters: []Cluster{pair(0, text, text, "exact", 1)}}
		in.Clusters[0].Members[1].ID = text
		var buf bytes.Buffer
		if err := Write(&buf, &in); err != nil {
			t.Fatal(err)
		}
		d := extract(t, buf.String())
		_, _, _, ms := members(t, d.Clusters[0])
		if ms[1].id != text && utf8.ValidString(text) {
			t.Errorf("id %q came back as %q", text, ms[1].id)
		}
		if ms[0].text != nil && !strings.HasPrefix(strings.ToValidUTF8(text, "\uFFFD"), *ms[0].text) {
			t.Errorf("text %q came back as %q", text, *ms[0].text)
		}
	})
}

func BenchmarkWrite(b *testing.B) {
	in := Input{Clusters: synthetic(10_000, 1000)}
	var n int64
	for _, c := range in.Clusters[:DefaultMaxClustersWithText] {
		for _, m := range c.Members {
			n += int64(len(m.Text))
		}
	}
	b.SetBytes(n)
	for b.Loop() {
		if err := Write(&bytes.Buffer{}, &in); err != nil {
			b.Fatal(err)
		}
	}
}
