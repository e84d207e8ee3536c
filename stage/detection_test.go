package stage

import (
	"strings"
	"testing"

	"github.com/quchong/quchong/keep"
)

func TestDetectionDiff(t *testing.T) {
	base, err := DefaultParams().Resolve()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		change func(*Params)
		want   string // a field named in the diff; "" for none
	}{
		{"same", func(*Params) {}, ""},
		{"keep rule is not detection", func(p *Params) { p.Keep = keep.Rule{Kind: keep.Longest} }, ""},
		{"cluster mode is not detection", func(p *Params) { p.Cluster = Connected }, ""},
		{"threshold", func(p *Params) { p.Threshold = 0.7 }, "Threshold"},
		{"seed", func(p *Params) { p.Seed = 2 }, "Seed"},
		{"normalisation", func(p *Params) { p.Normalize.T2S = !p.Normalize.T2S }, "Normalize"},
		{"bands", func(p *Params) { p.Bands++ }, "Bands"},
		{"mask fill", func(p *Params) { p.Verify.MaxFill = 3 }, "Verify"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := base
			tc.change(&p)
			d := DetectionDiff(base, p)
			if tc.want == "" {
				if len(d) != 0 {
					t.Fatalf("diff %v, want none", d)
				}
				return
			}
			if len(d) != 1 || !strings.HasPrefix(d[0], tc.want+":") {
				t.Fatalf("diff %v, want one naming %s", d, tc.want)
			}
		})
	}
}

func TestExactNormalized(t *testing.T) {
	st, err := New(DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	sig := make([]uint32, st.Params().K)
	var sc Scratch
	for _, text := range []string{"今天天气很好，我们去公园散步吧。", "Hello, World", "张XX的案件"} {
		fp := st.Fingerprint(sig, []byte(text), &sc)
		got, ok := ExactNormalized(sc.Normalized())
		if !ok || got != fp.Exact {
			t.Errorf("%q: ExactNormalized = %v, %v; Fingerprint's %v", text, got, ok, fp.Exact)
		}
	}
	fp := st.Fingerprint(sig, []byte("XX"), &sc)
	if _, ok := ExactNormalized(sc.Normalized()); ok {
		t.Errorf("a mask-only text: ok, want false (hashed raw: %v)", fp.Exact)
	}
}
