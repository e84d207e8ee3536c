package local

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
)

// histogramBin is one non-empty bin of the report's similarity histogram.
type histogramBin struct {
	lo, hi float64
	pairs  int
}

var binTitle = regexp.MustCompile(`<title>([0-9.]+)–([0-9.]+): ([0-9,]+) pairs?</title>`)

// similarityHistogram returns the non-empty bins of report.html's
// "Similarity of verified pairs" plot.
func similarityHistogram(t *testing.T, dir string) []histogramBin {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	plot := regexp.MustCompile(`(?s)<figure class="plot" id="plot-similarity">.*?</figure>`).Find(b)
	if plot == nil {
		t.Fatal("report.html has no similarity plot")
	}
	var bins []histogramBin
	for _, m := range binTitle.FindAllStringSubmatch(string(plot), -1) {
		lo, _ := strconv.ParseFloat(m[1], 64)
		hi, _ := strconv.ParseFloat(m[2], 64)
		n, _ := strconv.Atoi(regexp.MustCompile(`,`).ReplaceAllString(m[3], ""))
		if n > 0 {
			bins = append(bins, histogramBin{lo, hi, n})
		}
	}
	return bins
}

// TestReportOneSimilarityPerPair: the report's histogram puts a pair at
// the similarity clusters.jsonl (and the cluster panel) give it. The seed's
// lines 16 and 19 are one such pair: re-anonymised, their signatures
// estimate about 0.82, their texts' mask-aware similarity is 0.963.
func TestReportOneSimilarityPerPair(t *testing.T) {
	out, _ := runDedup(t, []string{seedPath}, nil)
	var near []float64
	for _, c := range readClusters(t, out) {
		if !c.Kept && c.Reason == "near" {
			near = append(near, c.Similarity)
		}
	}
	if len(near) == 0 {
		t.Fatal("the seed run found no near duplicate")
	}
	bins := similarityHistogram(t, out)
	total := 0
	for _, b := range bins {
		total += b.pairs
	}
	for _, s := range near {
		found := false
		for _, b := range bins {
			// The bins' bounds are printed to three decimals.
			found = found || (s >= b.lo-5e-4 && s <= b.hi+5e-4)
		}
		if !found {
			t.Errorf("clusters.jsonl gives a near duplicate similarity %.4f, but no pair of the histogram is there: %+v", s, bins)
		}
	}
	// The seed has one verified pair, (16, 19): nothing else in the plot.
	if total != len(near) {
		t.Errorf("the histogram holds %d pairs, want %d: %+v", total, len(near), bins)
	}
}
