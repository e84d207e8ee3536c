package eval

import (
	"bytes"
	"testing"
)

func FuzzParseLabel(f *testing.F) {
	for _, s := range []string{
		`{"a": "x", "b": "y", "label": 1, "difficulty": "easy"}`,
		`{"a_text": "甲", "b_text": "乙", "label": 0, "dataset": "LCQMC"}`,
		`{"a": 1, "b": 2.5e3, "label": null}`,
		`{"a": "x", "b": "y", "label": 3.0, "stratum": 7}`,
		`{"a": "x"`, `[]`, `null`, `{"label": true, "a": "\u00e9", "b_text": ""}`,
	} {
		f.Add([]byte(s), 3)
	}
	f.Fuzz(func(t *testing.T, line []byte, n int) {
		p, ok, err := parseLabel(line, n)
		p2, ok2, err2 := parseLabel(line, n)
		if p != p2 || ok != ok2 || (err == nil) != (err2 == nil) {
			t.Fatal("parseLabel is not deterministic")
		}
		if err != nil || !ok {
			return
		}
		if p.Label != 0 && p.Label != 1 {
			t.Fatalf("label %d", p.Label)
		}
		if p.Stratum == "" && !bytes.Contains(line, []byte(`""`)) {
			t.Fatalf("empty stratum from %q", line)
		}
	})
}

func FuzzReadClusters(f *testing.F) {
	for _, s := range []string{
		"{\"id\": \"d1\", \"cluster\": 0}\n{\"id\": \"d2\", \"cluster\": 0}\n",
		"{\"id\": 3, \"cluster\": 1}\r\n\n{\"id\": 3, \"cluster\": 2}",
		"{\"id\": \"x\"}", "garbage",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		seen := map[string]int{}
		lines := 0
		err := scanLines(bytes.NewReader(data), func(n int, line []byte) error {
			if n <= lines {
				t.Fatalf("line numbers not increasing: %d after %d", n, lines)
			}
			lines = n
			if len(bytes.TrimSpace(line)) == 0 {
				t.Fatal("blank line passed on")
			}
			id, c, err := parseCluster(line, n)
			if err == nil {
				seen[id] = c
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if lines > bytes.Count(data, []byte("\n"))+1 {
			t.Fatalf("%d lines from %d newlines", lines, bytes.Count(data, []byte("\n")))
		}
	})
}

// FuzzClusterMetrics checks invariants of ARI and B-cubed on random
// clusterings: agreement with itself is perfect, ARI is symmetric and at
// most 1, B-cubed scores lie in [0, 1] and swap when the clusterings do.
func FuzzClusterMetrics(f *testing.F) {
	f.Add([]byte{0, 0, 1, 1}, []byte{0, 0, 1, 2})
	f.Add([]byte{0, 1, 2}, []byte{0, 0, 0})
	f.Add([]byte{5}, []byte{5})
	f.Fuzz(func(t *testing.T, a, b []byte) {
		n := min(len(a), len(b))
		gold, pred := make([]int, n), make([]int, n)
		for i := range n {
			gold[i], pred[i] = int(a[i]%8), int(b[i]%8)
		}
		if n == 0 {
			return
		}
		gp := newContingency(gold, pred)
		pg := newContingency(pred, gold)
		if x := newContingency(gold, gold).ari(); !near(x, 1) {
			t.Fatalf("ARI(g, g) = %v", x)
		}
		if x, y := gp.ari(), pg.ari(); !near(x, y) || x > 1+1e-9 {
			t.Fatalf("ARI %v, reversed %v", x, y)
		}
		p, r, f1 := gp.bcubed()
		p2, r2, _ := pg.bcubed()
		for _, v := range []float64{p, r, f1} {
			if v < 0 || v > 1+1e-9 {
				t.Fatalf("B-cubed out of range: %v %v %v", p, r, f1)
			}
		}
		if !near(p, r2) || !near(r, p2) {
			t.Fatalf("B-cubed not dual: %v %v vs %v %v", p, r, p2, r2)
		}
	})
}
