package main

import (
	"bufio"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
)

func TestSplitSentences(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"没有句号", []string{"没有句号"}},
		{"一。二！三？", []string{"一。", "二！", "三？"}},
		{"a; b\nc", []string{"a;", " b\n", "c"}},
		{"。。", []string{"。", "。"}},
	}
	for _, tt := range tests {
		got := splitSentences(tt.in)
		if strings.Join(got, "|") != strings.Join(tt.want, "|") || len(got) != len(tt.want) {
			t.Errorf("splitSentences(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzSplitSentences(f *testing.F) {
	for _, s := range []string{"", "一。二！三？", "a\nb;c", "\xff。"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		parts := splitSentences(s)
		if strings.Join(parts, "") != s {
			t.Fatalf("pieces of %q do not join back: %q", s, parts)
		}
		for i, p := range parts {
			if p == "" {
				t.Fatalf("piece %d of %q is empty", i, s)
			}
		}
	})
}

func TestFlipWidth(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	tests := []struct {
		in   string
		p    float64
		want string
	}{
		{"你好，世界。", 1, "你好,世界｡"},
		{"a,b!(c)", 1, "a，b！（c）"},
		{"你好，世界。", 0, "你好，世界。"},
		{"没有标点", 1, "没有标点"},
	}
	for _, tt := range tests {
		if got := flipWidth(rng, tt.in, tt.p); got != tt.want {
			t.Errorf("flipWidth(%q, %g) = %q, want %q", tt.in, tt.p, got, tt.want)
		}
	}
}

func TestPerturb(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	tests := []struct {
		in        string
		sentences int // after perturbation
	}{
		{"一。二。三。四。", 3},
		{"一。二。三。", 3},
		{"单句", 1},
	}
	for _, tt := range tests {
		got := perturb(rng, tt.in)
		if n := len(splitSentences(got)); n != tt.sentences {
			t.Errorf("perturb(%q) = %q: %d sentences, want %d", tt.in, got, n, tt.sentences)
		}
	}
}

// TestRun generates from a small corpus and checks the count, the ids and
// that round 0 is the input unchanged.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.jsonl")
	input := `{"id":"a","text":"第一句。第二句。第三句。第四句。"}
{"id":7,"text":"另一篇，完全不同！还有一句？"}

{"id":"c","text":"短"}
`
	if err := os.WriteFile(in, []byte(input), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"out.jsonl", "out.jsonl.zst"} {
		out := filepath.Join(dir, name)
		n, err := run(options{in: in, out: out, copies: 4, dup: 0.5, seed: 1})
		if err != nil {
			t.Fatalf("run to %s: %v", name, err)
		}
		recs := readBack(t, out)
		if n != 12 || len(recs) != 12 {
			t.Fatalf("%s: run says %d documents, file has %d, want 12", name, n, len(recs))
		}
		seen := map[string]bool{}
		for _, r := range recs {
			if seen[r.ID] {
				t.Errorf("%s: id %q twice", name, r.ID)
			}
			seen[r.ID] = true
			if strings.TrimSpace(r.Text) == "" {
				t.Errorf("%s: document %q is blank", name, r.ID)
			}
		}
		if recs[0].ID != "a" || recs[1].ID != "7" || recs[2].Text != "短" {
			t.Errorf("%s: round 0 is not the input: %+v", name, recs[:3])
		}
	}
}

func TestRunErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.jsonl")
	if err := os.WriteFile(bad, []byte("{not json\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty.jsonl")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.jsonl")
	tests := []struct {
		name string
		o    options
	}{
		{"missing input", options{in: filepath.Join(dir, "nope"), out: out, copies: 2}},
		{"bad json", options{in: bad, out: out, copies: 2}},
		{"empty input", options{in: empty, out: out, copies: 2}},
		{"zero copies", options{in: bad, out: out, copies: 0}},
		{"dup out of range", options{in: bad, out: out, copies: 2, dup: 2}},
	}
	for _, tt := range tests {
		if _, err := run(tt.o); err == nil {
			t.Errorf("%s: no error", tt.name)
		}
	}
}

func readBack(t *testing.T, path string) []record {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	if strings.HasSuffix(path, ".zst") {
		zr, err := zstd.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		defer zr.Close()
		sc = bufio.NewScanner(zr)
	}
	var recs []record
	for sc.Scan() {
		var r record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		recs = append(recs, r)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return recs
}

func BenchmarkPerturb(b *testing.B) {
	text := strings.Repeat("这是一个用于基准测试的句子，包含标点。", 50)
	rng := rand.New(rand.NewPCG(1, 1))
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		perturb(rng, text)
	}
}
