package report

import (
	"bufio"
	"cmp"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Defaults of the Input caps, used where a cap is zero.
const (
	DefaultTextCap             = 4000
	DefaultMaxClustersWithText = 2000
	DefaultMaxTextBytes        = 8 << 20
	DefaultMaxClusters         = 100_000
	DefaultMaxMembers          = 200
)

// Input is everything a report shows. The zero caps take the defaults above;
// a negative cap means "none" (no texts, no clusters listed).
type Input struct {
	// Stats is the run's stats.json content (the schema of engine/local's
	// Stats). Unknown fields are ignored; missing ones show as empty.
	Stats json.RawMessage
	// Threshold is the similarity threshold of the run, marked on the
	// similarity plot. Zero takes params.threshold from Stats.
	Threshold float64
	// PairSimilarities holds the similarity of every verified candidate pair,
	// accepted or not. Only its histogram is embedded, so it may be long.
	PairSimilarities []float64
	// Clusters holds every cluster of two or more documents, in any order;
	// the page lists them largest first (ties by ID).
	Clusters []Cluster

	// TextCap is the number of characters of each text inlined; longer texts
	// are cut and marked as such. Default 4000: enough to judge a document,
	// and the character diff stays fast.
	TextCap int
	// MaxClustersWithText is how many clusters, largest first, carry their
	// members' texts. Default 2000. The others are listed by id only.
	MaxClustersWithText int
	// MaxTextBytes bounds the inlined text in total (UTF-8 bytes), so that a
	// run of long documents still gives a page a browser opens quickly.
	// Default 8 MiB. Clusters past the budget are listed without text.
	MaxTextBytes int
	// MaxClusters is how many clusters, largest first, the browser lists.
	// Default 100,000 (about 10 MB of page); the plots count them all.
	MaxClusters int
	// MaxMembers is how many members of one cluster are listed (the kept
	// document and the first removed ones). Default 200.
	MaxMembers int
}

// Cluster is one group of documents judged duplicates of each other.
type Cluster struct {
	// ID is the cluster's number in clusters.jsonl.
	ID int
	// Members holds the documents; Members[0] is the kept one.
	Members []Member
}

// Member is one document of a cluster.
type Member struct {
	// ID is the document id (its id field, or PATH:LINE).
	ID string
	// Kept is true for the document the keep rule chose.
	Kept bool
	// Reason is "exact" or "near": why the document is in its cluster.
	Reason string
	// Similarity is the similarity to the kept document (1 for the kept one).
	Similarity float64
	// Text is the original text, or "" when it was not loaded. Only the
	// members that NeedsText names are looked at.
	Text string
	// Source is the input file the document came from.
	Source string
}

// TextRef names one member whose text the page inlines:
// Input.Clusters[Cluster].Members[Member].
type TextRef struct {
	Cluster, Member int
}

// caps are the effective limits of an Input.
type caps struct {
	textCap, withText, textBytes, clusters, members int
}

func pick(v, def int) int {
	switch {
	case v == 0:
		return def
	case v < 0:
		return 0
	}
	return v
}

func (in *Input) caps() caps {
	return caps{
		textCap:   pick(in.TextCap, DefaultTextCap),
		withText:  pick(in.MaxClustersWithText, DefaultMaxClustersWithText),
		textBytes: pick(in.MaxTextBytes, DefaultMaxTextBytes),
		clusters:  pick(in.MaxClusters, DefaultMaxClusters),
		members:   pick(in.MaxMembers, DefaultMaxMembers),
	}
}

// order returns the indices of in.Clusters in display order: largest first,
// then by ID, then by position so the order is total.
func (in *Input) order() []int {
	idx := make([]int, len(in.Clusters))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		ca, cb := &in.Clusters[a], &in.Clusters[b]
		if c := cmp.Compare(len(cb.Members), len(ca.Members)); c != 0 {
			return c
		}
		if c := cmp.Compare(ca.ID, cb.ID); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	return idx
}

// NeedsText returns the members whose texts Write may inline, largest
// clusters first: the first MaxMembers members of each of the first
// MaxClustersWithText clusters (within MaxClusters). An engine loads the
// texts of exactly these (Write ignores Text elsewhere); MaxTextBytes may
// stop Write before it uses them all.
func (in *Input) NeedsText() []TextRef {
	c := in.caps()
	n := min(c.withText, c.clusters, len(in.Clusters))
	var refs []TextRef
	for _, ci := range in.order()[:n] {
		for m := range min(len(in.Clusters[ci].Members), c.members) {
			refs = append(refs, TextRef{Cluster: ci, Member: m})
		}
	}
	return refs
}

//go:embed assets/report.css
var css string

//go:embed assets/report.js
var script string

// Write writes the report page for in to w.
func Write(w io.Writer, in *Input) error {
	if in == nil {
		return errors.New("report: nil input")
	}
	var st stats
	if len(in.Stats) > 0 {
		if err := json.Unmarshal(in.Stats, &st); err != nil {
			return fmt.Errorf("report: parse stats: %w", err)
		}
	}
	threshold := in.Threshold
	if threshold == 0 {
		threshold = st.Params.Threshold
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	p := &page{w: bw, in: in, st: &st, threshold: threshold, caps: in.caps()}
	p.write()
	if p.err != nil {
		return fmt.Errorf("report: write: %w", p.err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("report: write: %w", err)
	}
	return nil
}

// page writes one report; the first write error sticks in err.
type page struct {
	w         *bufio.Writer
	in        *Input
	st        *stats
	threshold float64
	caps      caps
	err       error
}

func (p *page) s(parts ...string) {
	for _, s := range parts {
		if p.err != nil {
			return
		}
		_, p.err = p.w.WriteString(s)
	}
}

// esc is HTML escaping for text and attribute values.
func esc(s string) string { return html.EscapeString(s) }

func itoa[T ~int | ~int64](v T) string { return strconv.FormatInt(int64(v), 10) }

// num formats a count with thousands separators.
func num[T ~int | ~int64](v T) string {
	s := strconv.FormatInt(int64(v), 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func pct(part, whole int64) string {
	if whole == 0 {
		return "–"
	}
	return strconv.FormatFloat(100*float64(part)/float64(whole), 'f', 1, 64) + "%"
}

func ftoa(f float64, prec int) string { return strconv.FormatFloat(f, 'f', prec, 64) }

func (p *page) write() {
	title := "quchong report"
	if len(p.st.Inputs) == 1 {
		title += ": " + p.st.Inputs[0].Path
	} else if len(p.st.Inputs) > 1 {
		title += ": " + plural(len(p.st.Inputs), "input")
	}
	p.s("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n",
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
		"<title>", esc(title), "</title>\n<style>\n", css, "</style>\n</head>\n<body>\n")
	p.header(title)
	p.s("<main>\n<div id=\"overview\">\n")
	p.summary()
	p.plots()
	p.s("</div>\n")
	p.details()
	p.browser()
	p.s("</main>\n")
	p.data()
	p.s("<script>\n", script, "</script>\n</body>\n</html>\n")
}

func (p *page) header(title string) {
	p.s("<header><h1>", esc(title), "</h1><p class=\"meta\">")
	if p.st.Tool != "" {
		p.s(esc(p.st.Tool), " ", esc(p.st.Version), " · ")
	}
	p.s("threshold ", ftoa(p.threshold, 2))
	if p.st.Params.Bands > 0 {
		p.s(" · LSH ", itoa(p.st.Params.Bands), " bands × ", itoa(p.st.Params.Rows), " rows")
	}
	if p.st.WallSeconds > 0 {
		p.s(" · ", ftoa(p.st.WallSeconds, 2), " s wall, ", itoa(p.st.Workers), " workers")
	}
	p.s("</p></header>\n")
}

// cutText returns at most n characters of s, which is valid UTF-8, and
// the length of s in characters when it was cut, else -1.
func cutText(s string, n int) (string, int) {
	if len(s) <= n {
		return s, -1
	}
	i, count := 0, 0
	for i < len(s) && count < n {
		// A character is its first byte and the continuation bytes after it.
		i++
		for i < len(s) && s[i]&0xC0 == 0x80 {
			i++
		}
		count++
	}
	if i == len(s) {
		return s, -1
	}
	return s[:i], count + utf8.RuneCountInString(s[i:])
}

// Member flags in the embedded data.
const (
	flagKept  = 1 << iota // the kept document
	flagExact             // reason exact
	flagRel               // id is Source + ":" + the stored id
)

// data embeds the clusters as JSON. Each cluster is
// [id, size, members, textState] and each member is
// [id, flags, similarity, source index, text, full length or -1] with the
// last two only when the text is inlined; textState is 0 (texts inlined),
// 1 (past MaxClustersWithText), 2 (past MaxTextBytes).
func (p *page) data() {
	c := p.caps
	order := p.in.order()
	listed := min(len(order), c.clusters)
	srcIdx := map[string]int{}
	var sources []string
	textLeft := c.textBytes
	var textClusters, cutTexts int
	var body []byte
	for k, ci := range order[:listed] {
		cl := &p.in.Clusters[ci]
		if k > 0 {
			body = append(body, ",\n"...)
		}
		state := 0
		if k >= c.withText {
			state = 1
		}
		nm := min(len(cl.Members), c.members)
		if state == 0 {
			need := 0
			for _, m := range cl.Members[:nm] {
				need += min(len(m.Text), 4*c.textCap)
			}
			if need > textLeft {
				state = 2
			}
		}
		if state == 0 {
			textClusters++
		}
		body = append(body, '[')
		body = strconv.AppendInt(body, int64(cl.ID), 10)
		body = append(body, ',')
		body = strconv.AppendInt(body, int64(len(cl.Members)), 10)
		body = append(body, ",["...)
		for j, m := range cl.Members[:nm] {
			if j > 0 {
				body = append(body, ',')
			}
			si, ok := srcIdx[m.Source]
			if !ok {
				si = len(sources)
				srcIdx[m.Source] = si
				sources = append(sources, m.Source)
			}
			flags := 0
			if m.Kept {
				flags |= flagKept
			}
			if m.Reason == "exact" {
				flags |= flagExact
			}
			id := m.ID
			if m.Source != "" && strings.HasPrefix(id, m.Source+":") {
				id = id[len(m.Source)+1:]
				flags |= flagRel
			}
			sim := m.Similarity
			if math.IsNaN(sim) || math.IsInf(sim, 0) {
				sim = 0
			}
			body = append(body, '[')
			body = appendJSONString(body, id)
			body = append(body, ',')
			body = strconv.AppendInt(body, int64(flags), 10)
			body = append(body, ',')
			body = strconv.AppendFloat(body, math.Round(sim*1e4)/1e4, 'f', -1, 64)
			body = append(body, ',')
			body = strconv.AppendInt(body, int64(si), 10)
			if state == 0 {
				t := m.Text
				if !utf8.ValidString(t) {
					t = strings.ToValidUTF8(t, "\uFFFD")
				}
				t, full := cutText(t, c.textCap)
				if full >= 0 {
					cutTexts++
				}
				textLeft -= len(t)
				body = append(body, ',')
				body = appendJSONString(body, t)
				body = append(body, ',')
				body = strconv.AppendInt(body, int64(full), 10)
			}
			body = append(body, ']')
		}
		body = append(body, "],"...)
		body = strconv.AppendInt(body, int64(state), 10)
		body = append(body, ']')
	}
	meta := map[string]any{
		"threshold":           p.threshold,
		"textCap":             c.textCap,
		"maxClustersWithText": c.withText,
		"maxTextBytes":        c.textBytes,
		"maxMembers":          c.members,
		"totalClusters":       len(p.in.Clusters),
		"listedClusters":      listed,
		"textClusters":        textClusters,
		"cutTexts":            cutTexts,
		"sources":             sources,
	}
	mb, err := json.Marshal(meta)
	if err != nil && p.err == nil {
		p.err = fmt.Errorf("encode data: %w", err)
		return
	}
	p.s("<script type=\"application/json\" id=\"report-data\">{\"meta\":", string(mb),
		",\n\"clusters\":[\n")
	if p.err == nil {
		_, p.err = p.w.Write(body)
	}
	p.s("]}</script>\n")
}

// browser writes the cluster browser's frame; the script fills it in.
func (p *page) browser() {
	p.s(`<section id="clusters">
<div class="browser-head"><h2>Clusters</h2>
<div class="toolbar">
<input id="cluster-search" type="search" placeholder="search: cluster id (#12), document id, or text" aria-label="search clusters">
<select id="cluster-sort" aria-label="order"><option value="size">largest first</option><option value="sim">lowest similarity first</option><option value="id">by cluster id</option></select>
<select id="cluster-filter" aria-label="filter"><option value="all">all clusters</option><option value="near">with near duplicates</option><option value="exact">exact duplicates only</option></select>
<span id="match-count"></span>
</div></div>
<p id="text-note" class="note"></p>
<div class="browser">
<div id="cluster-nav"><ol id="cluster-list"></ol><div id="pager"></div></div>
<div id="cluster-detail"><p class="muted">Select a cluster.</p></div>
</div>
<noscript><p class="note">The cluster browser needs JavaScript; the summary and plots above do not.</p></noscript>
</section>
`)
}
