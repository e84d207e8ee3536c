package explain_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/quchong/quchong/explain"
	"github.com/quchong/quchong/stage"
)

// seedLine returns line n (from 1) of testdata/seed.txt as document order.
func seedLine(t testing.TB, n, order int) *explain.Doc {
	t.Helper()
	b, err := os.ReadFile("../testdata/seed.txt")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	return &explain.Doc{ID: fmt.Sprint("seed:", n), Text: []byte(lines[n-1]), Order: order}
}

// steps renders a report's trail as "stage outcome" words.
func steps(r *explain.Report) string {
	var out []string
	for _, s := range r.Trail {
		out = append(out, s.Stage+" "+s.Outcome)
	}
	return strings.Join(out, ", ")
}

// TestNew checks the steps a report gives for pairs that take each path of
// the decision, and that its verdict, detail and removal are the trail's.
func TestNew(t *testing.T) {
	tests := []struct {
		name    string
		a, b    int // seed lines; a is read first unless swapped
		swapped bool
		mod     func(*stage.Params)
		steps   string
		reason  string
		removal string // kept side and fate, "" when not linked
	}{
		{"accepted by signature", 16, 19, false, nil,
			"exact different, sign signed, bands candidate, screen accept, keep a, check removed", "near-by-signature", "a removed"},
		{"the same, B read first", 16, 19, true, nil,
			"exact different, sign signed, bands candidate, screen accept, keep b, check removed", "near-by-signature", "b removed"},
		{"exact", 2, 3, false, nil, "exact equal, keep a, check removed", "exact", "a removed"},
		{"not a candidate", 1, 2, false, nil, "exact different, sign signed, bands not-a-candidate", "not-a-candidate", ""},
		{"too short", 16, 19, false, func(p *stage.Params) { p.MinLength = 1000 }, "exact different, sign unsigned", "too-short", ""},
		{"confirmed on the texts", 16, 19, false, func(p *stage.Params) { p.Threshold = 0.9 },
			"exact different, sign signed, bands candidate, screen need-text, confirm accept, keep a, check removed", "near-by-text", "a removed"},
		{"refused on the texts", 16, 19, false, func(p *stage.Params) { p.Threshold, p.Bands, p.Rows = 0.99, 32, 4 },
			"exact different, sign signed, bands candidate, screen need-text, confirm reject", "below-threshold", ""},
		{"connected", 16, 19, false, func(p *stage.Params) { p.Cluster = stage.Connected },
			"exact different, sign signed, bands candidate, screen accept, keep a, check removed", "near-by-signature", "a removed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := stage.DefaultParams()
			if tt.mod != nil {
				tt.mod(&p)
			}
			st, err := stage.New(p)
			if err != nil {
				t.Fatal(err)
			}
			a, b := seedLine(t, tt.a, 0), seedLine(t, tt.b, 1)
			if tt.swapped {
				a.Order, b.Order = 2, 1
			}
			r, err := explain.New(st, a, b)
			if err != nil {
				t.Fatal(err)
			}
			if got := steps(r); got != tt.steps {
				t.Errorf("steps\n %s\nwant\n %s", got, tt.steps)
			}
			if r.Reason != tt.reason || r.Merged != (tt.removal != "") {
				t.Errorf("verdict %v (%s), want %s", r.Merged, r.Reason, tt.reason)
			}
			// The verdict's sentence is the one of the step that settled the link.
			settled := r.Trail[len(r.Trail)-1]
			for _, s := range r.Trail {
				if s.Stage != "keep" && s.Stage != "check" {
					settled = s
				}
			}
			if !strings.HasSuffix(r.Detail, settled.Detail) {
				t.Errorf("detail %q does not end with the %s step's %q", r.Detail, settled.Stage, settled.Detail)
			}
			got := ""
			if rm := r.Removal; rm != nil {
				got = rm.Kept + map[bool]string{true: " removed", false: " both kept"}[rm.Removed]
				if last := r.Trail[len(r.Trail)-1]; last.Outcome != "removed" && rm.Removed {
					t.Errorf("removal %+v, but the last check says %s", rm, last.Outcome)
				}
			}
			if got != tt.removal {
				t.Errorf("removal %q, want %q", got, tt.removal)
			}
			if tt.name == "connected" && !strings.Contains(r.Trail[len(r.Trail)-1].Detail, "--cluster connected") {
				t.Errorf("connected check: %s", r.Trail[len(r.Trail)-1].Detail)
			}
		})
	}
}

// TestBothKept: a pair the signatures link (the arch and cksum man pages at
// threshold 0.3: estimate at or above 0.35) whose texts are under the
// threshold: the cluster decision keeps both, and the report says so.
func TestBothKept(t *testing.T) {
	b, err := os.ReadFile("../testdata/templated/coreutils-man.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	texts := map[string][]byte{}
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var r struct{ ID, Text string }
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			t.Fatal(err)
		}
		texts[r.ID] = []byte(r.Text)
	}
	p := stage.DefaultParams()
	p.Threshold = 0.3
	st, err := stage.New(p)
	if err != nil {
		t.Fatal(err)
	}
	r, err := explain.New(st, &explain.Doc{ID: "arch", Text: texts["arch"]}, &explain.Doc{ID: "cksum", Order: 1, Text: texts["cksum"]})
	if err != nil {
		t.Fatal(err)
	}
	if want := "exact different, sign signed, bands candidate, screen accept, keep a, check kept"; steps(r) != want {
		t.Fatalf("steps\n %s\nwant\n %s", steps(r), want)
	}
	rm := r.Removal
	if !r.Merged || rm == nil || rm.Removed || rm.Kept != "a" || rm.Similarity >= p.Threshold || !strings.Contains(rm.Detail, "both are kept") {
		t.Errorf("merged %v, removal %+v", r.Merged, rm)
	}
}

// TestWrite checks both renderings of one report.
func TestWrite(t *testing.T) {
	st, err := stage.New(stage.DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	r, err := explain.New(st, seedLine(t, 16, 0), seedLine(t, 19, 1))
	if err != nil {
		t.Fatal(err)
	}
	var text bytes.Buffer
	if err := r.WriteText(&text, false, false); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"how dedup decided, step by step:", "   4. screen   accept: signature estimate 0.8203 ≥ 0.65", "   6. check    removed: B against A"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, text.String())
		}
	}
	var js bytes.Buffer
	if err := r.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var back explain.Report
	if err := json.Unmarshal(js.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if steps(&back) != steps(r) || back.Trail[3].Estimate == nil || *back.Trail[3].Estimate != *r.SignatureEstimate {
		t.Errorf("JSON trail %s, want %s", steps(&back), steps(r))
	}
	if err := r.WriteText(failWriter{}, false, false); err == nil {
		t.Error("WriteText to a failing writer: no error")
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, fmt.Errorf("disk full") }
