package summary

import (
	"bytes"
	"regexp"
	"testing"

	"github.com/quchong/quchong/output"
)

func TestPrint(t *testing.T) {
	base := output.Stats{
		Inputs:   []output.FileStats{{Path: "a.txt"}},
		Total:    output.Counts{Read: 20, Kept: 18, Removed: 2, RemovedExact: 1, RemovedNear: 1, InputBytes: 24068},
		Clusters: 2,
	}
	run := base
	run.WallSeconds, run.CPUSeconds, run.Workers = 1.5, 2.25, 1
	beam := base
	beam.WallSeconds = 3
	tests := []struct {
		name string
		s    output.Stats
		want []string
	}{
		{"local engine", run, []string{
			`(?m)^read\s+20 documents, 24\.1 kB, 1 file$`,
			`(?m)^removed\s+2\s+\(10\.0%\): 1 exact, 1 near duplicate, in 2 clusters$`,
			`(?m)^rejected\s+0$`,
			`(?m)^time\s+1\.50 s wall, 2\.25 s CPU, 1 worker$`,
			`(?m)^outputs\s+\S+/\{kept/,clusters\.jsonl,rejected\.jsonl,stats\.json\}$`,
		}},
		{"Beam: no CPU time, no workers", beam, []string{`(?m)^time\s+3\.00 s wall$`}},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		Print(&buf, &tt.s, t.TempDir())
		for _, w := range tt.want {
			if !regexp.MustCompile(w).MatchString(buf.String()) {
				t.Errorf("%s: the summary lacks %s:\n%s", tt.name, w, buf.String())
			}
		}
	}
}
