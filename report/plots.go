package report

import (
	"cmp"
	"math"
	"slices"
)

// Plot geometry, in SVG user units; the SVGs scale to their boxes.
const (
	plotW, plotH = 420, 210
	padL, padR   = 40, 10
	padT, padB   = 18, 34
	maxBar       = 56
)

func (p *page) plots() {
	p.s("<section id=\"plots\">\n")
	p.simPlot()
	p.sizePlot()
	p.filePlot()
	p.s("</section>\n")
}

// bar is one bar of a plot.
type bar struct {
	label, title string
	labelTitle   string  // the label's hover text (a shortened file name's full path), "" for none
	value        float64 // drawn height, in [0, 1]
	count        string  // label above the bar, "" for none
	class        string
}

// barPlot draws bars left to right and calls extra with the plot's x scale
// (value in [0,1] of the plot width → x) for overlays.
func (p *page) barPlot(id, title, note string, bars []bar, tickEvery int, extra func(x func(float64) float64)) {
	p.s("<figure class=\"plot\" id=\"", id, "\"><figcaption>", title, "</figcaption>\n",
		"<svg viewBox=\"0 0 ", itoa(plotW), " ", itoa(plotH), "\" role=\"img\" aria-label=\"", esc(title), "\">\n")
	iw, ih := float64(plotW-padL-padR), float64(plotH-padT-padB)
	x := func(f float64) float64 { return padL + f*iw }
	p.s("<line class=\"axis\" x1=\"", ftoa(padL, 0), "\" y1=\"", ftoa(padT+ih, 1), "\" x2=\"", ftoa(padL+iw, 0),
		"\" y2=\"", ftoa(padT+ih, 1), "\"/>\n")
	n := len(bars)
	if n == 0 {
		p.s("<text class=\"empty\" x=\"", ftoa(padL+iw/2, 0), "\" y=\"", ftoa(padT+ih/2, 0), "\">", esc(note), "</text></svg></figure>\n")
		return
	}
	slot := iw / float64(n)
	gap := math.Min(2, slot*0.15)
	if slot > maxBar {
		// Few bars: keep them slim and centred rather than wall to wall.
		gap = slot - maxBar
	}
	for i, b := range bars {
		h := b.value * ih
		bx := padL + float64(i)*slot
		class := "bar"
		if b.class != "" {
			class += " " + b.class
		}
		p.s("<rect class=\"", class, "\" x=\"", ftoa(bx+gap/2, 1), "\" y=\"", ftoa(padT+ih-h, 1), "\" width=\"",
			ftoa(math.Max(slot-gap, 0.5), 1), "\" height=\"", ftoa(h, 1), "\"><title>", esc(b.title), "</title></rect>\n")
		if b.count != "" {
			p.s("<text class=\"count\" x=\"", ftoa(bx+slot/2, 1), "\" y=\"", ftoa(padT+ih-h-3, 1), "\">", esc(b.count), "</text>\n")
		}
		if tickEvery > 0 && i%tickEvery == 0 || tickEvery == 0 {
			lx := bx + slot/2
			if tickEvery > 1 {
				lx = bx
			}
			p.s("<text class=\"tick\" x=\"", ftoa(lx, 1), "\" y=\"", ftoa(padT+ih+14, 1), "\">", esc(b.label))
			if b.labelTitle != "" {
				p.s("<title>", esc(b.labelTitle), "</title>")
			}
			p.s("</text>\n")
		}
	}
	if extra != nil {
		extra(x)
	}
	if note != "" {
		p.s("<text class=\"note\" x=\"", ftoa(padL+iw/2, 0), "\" y=\"", itoa(plotH-4), "\">", esc(note), "</text>\n")
	}
	p.s("</svg></figure>\n")
}

// simPlot is the histogram of pair similarities in 40 bins over [0, 1]
// (or over [lo, 1] when every pair is above lo, so the interesting part
// gets the width), with the threshold marked. Heights are on a square-root
// scale so a few borderline pairs show beside thousands of copies.
func (p *page) simPlot() {
	sims := p.in.PairSimilarities
	lo := 0.0
	if len(sims) > 0 {
		m := 1.0
		for _, s := range sims {
			if !math.IsNaN(s) {
				m = min(m, s)
			}
		}
		// A margin below the lowest value keeps the threshold line off the axis.
		lo = max(0, math.Floor((min(m, p.threshold)-0.05)*10)/10)
	}
	const nb = 40
	width := (1 - lo) / nb
	counts := make([]int, nb)
	above := 0
	for _, s := range sims {
		if math.IsNaN(s) {
			continue
		}
		i := int((s - lo) / width)
		counts[max(0, min(nb-1, i))]++
		if s >= p.threshold {
			above++
		}
	}
	maxc := slices.Max(counts)
	var bars []bar
	if len(sims) > 0 {
		for i, c := range counts {
			b0 := lo + float64(i)*width
			b := bar{label: ftoa(b0, 1), title: ftoa(b0, 3) + "–" + ftoa(b0+width, 3) + ": " + plural(c, "pair")}
			if maxc > 0 {
				b.value = math.Sqrt(float64(c) / float64(maxc))
			}
			if b0+width/2 < p.threshold {
				b.class = "below"
			}
			bars = append(bars, b)
		}
	}
	note := "no verified candidate pairs"
	if len(sims) > 0 {
		note = plural(len(sims), "pair") + ", " + num(above) + " at or above the threshold (√ scale)"
	}
	p.barPlot("plot-similarity", "Similarity of verified pairs", note, bars, 8, func(x func(float64) float64) {
		if len(sims) == 0 {
			return
		}
		tx := x((p.threshold - lo) / (1 - lo))
		p.s("<line class=\"threshold\" x1=\"", ftoa(tx, 1), "\" y1=\"", itoa(padT-6), "\" x2=\"", ftoa(tx, 1),
			"\" y2=\"", itoa(plotH-padB), "\"/>\n<text class=\"threshold-label\" x=\"", ftoa(tx+4, 1), "\" y=\"",
			itoa(padT+4), "\">threshold ", ftoa(p.threshold, 2), "</text>\n")
		p.s("<text class=\"tick\" x=\"", ftoa(x(1), 1), "\" y=\"", itoa(plotH-padB+14), "\">1.0</text>\n")
	})
}

// sizeBuckets are the cluster-size classes of the size plot: single sizes
// where clusters are common, then roughly logarithmic ranges.
var sizeBuckets = []struct {
	lo, hi int
	label  string
}{
	{2, 2, "2"}, {3, 3, "3"}, {4, 4, "4"}, {5, 5, "5"}, {6, 10, "6–10"}, {11, 20, "11–20"},
	{21, 50, "21–50"}, {51, 100, "51–100"}, {101, 1000, "101–1k"}, {1001, math.MaxInt, ">1k"},
}

// sizePlot is the cluster-size distribution on a log scale.
func (p *page) sizePlot() {
	counts := make([]int, len(sizeBuckets))
	largest := 0
	for i := range p.in.Clusters {
		n := len(p.in.Clusters[i].Members)
		largest = max(largest, n)
		for b, s := range sizeBuckets {
			if n >= s.lo && n <= s.hi {
				counts[b]++
				break
			}
		}
	}
	// Drop the empty classes at the top end.
	last := len(counts) - 1
	for last > 4 && counts[last] == 0 {
		last--
	}
	maxc := slices.Max(counts)
	var bars []bar
	if len(p.in.Clusters) > 0 {
		for i, c := range counts[:last+1] {
			b := bar{label: sizeBuckets[i].label, title: "size " + sizeBuckets[i].label + ": " + plural(c, "cluster")}
			if c > 0 {
				b.value = math.Log1p(float64(c)) / math.Log1p(float64(maxc))
				b.count = num(c)
			}
			bars = append(bars, b)
		}
	}
	note := "no clusters"
	if len(p.in.Clusters) > 0 {
		note = "documents per cluster (log scale) · largest " + num(largest)
	}
	p.barPlot("plot-sizes", "Cluster sizes", note, bars, 0, nil)
}

// maxFileBars bounds the per-file plot; past it the highest rates are shown.
const maxFileBars = 24

// filePlot is the removal rate per input file.
func (p *page) filePlot() {
	files := p.st.Inputs
	idx := make([]int, len(files))
	for i := range idx {
		idx[i] = i
	}
	note := "share of each file's documents removed"
	if len(files) > maxFileBars {
		slices.SortStableFunc(idx, func(a, b int) int {
			return cmp.Compare(rate(files[b].counts), rate(files[a].counts))
		})
		idx = idx[:maxFileBars]
		note = "the " + itoa(maxFileBars) + " highest of " + plural(len(files), "file")
	}
	maxr := 0.0
	for _, i := range idx {
		maxr = max(maxr, rate(files[i].counts))
	}
	top := max(0.1, math.Ceil(maxr*10)/10)
	var bars []bar
	for k, i := range idx {
		f := files[i]
		r := rate(f.counts)
		bars = append(bars, bar{
			label: shorten(base(f.Path), fileLabelRunes(len(idx))), labelTitle: f.Path,
			title: f.Path + ": " + pct(f.Removed, f.Read) + " removed (" + num(f.RemovedExact) + " exact, " + num(f.RemovedNear) + " near)",
			value: r / top, count: pct(f.Removed, f.Read),
		})
		if len(idx) > 8 {
			bars[k].count = ""
		}
	}
	if len(files) == 0 {
		note = "no input files"
	} else if len(files) <= 3 {
		note = ""
	}
	p.barPlot("plot-files", "Removal rate per input file (axis to "+ftoa(100*top, 0)+"%)", note, bars, 0, nil)
}

func rate(c counts) float64 {
	if c.Read == 0 {
		return 0
	}
	return float64(c.Removed) / float64(c.Read)
}

func base(path string) string {
	for i := len(path) - 1; i >= 0; i-- {
		if path[i] == '/' || path[i] == '\\' {
			return path[i+1:]
		}
	}
	return path
}

// fileLabelRunes is how many characters a file name's label may take under
// one of n bars.
func fileLabelRunes(n int) int {
	const charWidth = 6 // of the tick font, in SVG units
	slot := float64(plotW-padL-padR) / float64(max(n, 1))
	return max(3, min(24, int(slot/charWidth)))
}

// shorten cuts s to at most n characters, keeping its beginning and its
// end (where a file name's extension and numbering are) around an
// ellipsis.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	if n < 3 {
		return string(r[:n])
	}
	tail := (n - 1) / 2
	head := n - 1 - tail
	return string(r[:head]) + "…" + string(r[len(r)-tail:])
}
