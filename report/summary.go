package report

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/quchong/quchong/internal/units"
)

// stats is the part of stats.json the page reads. It mirrors engine/local's
// Stats without importing it (the engine imports this package).
type stats struct {
	Tool         string          `json:"tool"`
	Version      string          `json:"version"`
	Inputs       []fileStats     `json:"inputs"`
	Total        counts          `json:"total"`
	Clusters     int             `json:"clusters"`
	Params       params          `json:"params"`
	RawParams    json.RawMessage `json:"-"`
	Verification map[string]any  `json:"verification"`
	Clustering   clustering      `json:"clustering"`
	Stages       []struct {
		Stage   string  `json:"stage"`
		Seconds float64 `json:"seconds"`
	} `json:"stages"`
	WallSeconds float64 `json:"wall_seconds"`
	CPUSeconds  float64 `json:"cpu_seconds"`
	Workers     int     `json:"workers"`
}

// UnmarshalJSON keeps the raw params as well, so every parameter is shown
// even those this package does not know.
func (s *stats) UnmarshalJSON(b []byte) error {
	type plain stats
	var raw struct {
		plain
		Params json.RawMessage `json:"params"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*s = stats(raw.plain)
	s.RawParams = raw.Params
	if len(raw.Params) > 0 && string(raw.Params) != "null" {
		if err := json.Unmarshal(raw.Params, &s.Params); err != nil {
			return err
		}
	}
	return nil
}

// clustering is stats.json's account of the cluster decision.
type clustering struct {
	Mode            string `json:"mode"`
	Components      int64  `json:"components"`
	ComponentsSplit int64  `json:"components_split"`
	DocumentsSaved  int64  `json:"documents_saved"`
	Unverified      int64  `json:"unverified"`
	KeptChecks      int64  `json:"kept_checks"`
	KeptTextChecks  int64  `json:"kept_text_checks"`
}

type counts struct {
	Read         int64            `json:"read"`
	Kept         int64            `json:"kept"`
	Removed      int64            `json:"removed"`
	RemovedExact int64            `json:"removed_exact"`
	RemovedNear  int64            `json:"removed_near"`
	Rejected     int64            `json:"rejected"`
	RejectedBy   map[string]int64 `json:"rejected_by_reason"`
	InputBytes   int64            `json:"input_bytes"`
}

type fileStats struct {
	Path   string `json:"path"`
	Format string `json:"format"`
	counts
}

type params struct {
	Threshold float64 `json:"threshold"`
	Bands     int     `json:"bands"`
	Rows      int     `json:"rows"`
	Tokens    string  `json:"tokens"`
	NGram     int     `json:"ngram"`
	K         int     `json:"k"`
	Keep      string  `json:"keep"`
}

// maxFileRows bounds the per-file table; the plot and totals cover all.
const maxFileRows = 100

func (p *page) summary() {
	t := p.st.Total
	p.s("<section id=\"summary\" data-read=\"", itoa(t.Read), "\" data-kept=\"", itoa(t.Kept),
		"\" data-removed=\"", itoa(t.Removed), "\" data-removed-exact=\"", itoa(t.RemovedExact),
		"\" data-removed-near=\"", itoa(t.RemovedNear), "\" data-rejected=\"", itoa(t.Rejected),
		"\" data-clusters=\"", itoa(len(p.in.Clusters)), "\" data-components-split=\"", itoa(p.st.Clustering.ComponentsSplit),
		"\" data-documents-saved=\"", itoa(p.st.Clustering.DocumentsSaved), "\">\n<h2>Summary</h2>\n<div class=\"cards\">\n")
	card := func(class, label, value, sub string) {
		p.s("<div class=\"card ", class, "\"><div class=\"label\">", label, "</div><div class=\"value\">",
			value, "</div><div class=\"sub\">", sub, "</div></div>\n")
	}
	card("read", "read", num(t.Read), units.Bytes(t.InputBytes)+" in "+plural(len(p.st.Inputs), "file"))
	card("kept", "kept", num(t.Kept), pct(t.Kept, t.Read))
	card("removed", "removed", num(t.Removed), pct(t.Removed, t.Read)+" · "+num(t.RemovedExact)+
		" exact, "+num(t.RemovedNear)+" near")
	rej := pct(t.Rejected, t.Read)
	if len(t.RejectedBy) > 0 {
		keys := make([]string, 0, len(t.RejectedBy))
		for k := range t.RejectedBy {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		var parts []string
		for _, k := range keys {
			parts = append(parts, esc(k)+" "+num(t.RejectedBy[k]))
		}
		rej += " · " + strings.Join(parts, ", ")
	}
	card("rejected", "rejected", num(t.Rejected), rej)
	sub := "of two or more documents"
	if c := p.st.Clustering; c.Mode == "verified" && c.ComponentsSplit > 0 {
		// Chains the guarantee broke: documents linked to a kept one only
		// through others, under the threshold against it, are kept.
		sub += " · " + num(c.ComponentsSplit) + " linked groups split so that every removal is verified against its kept document; " +
			num(c.DocumentsSaved) + " documents kept that --cluster connected would remove"
	}
	if c := p.st.Clustering; c.Unverified > 0 {
		sub += " · " + num(c.Unverified) + " kept unchecked (check budget)"
	}
	card("clusters", "clusters", num(len(p.in.Clusters)), sub)
	p.s("</div>\n")
	p.stages()
	p.s("</section>\n")
}

// plural is the count, with thousands separators, and the noun, in the
// plural unless the count is one.
func plural[T ~int | ~int64](n T, word string) string {
	return num(n) + " " + units.Noun(int64(n), word, "")
}

// stages draws the time per stage as one stacked bar with a legend.
func (p *page) stages() {
	var total float64
	for _, s := range p.st.Stages {
		total += s.Seconds
	}
	p.s("<div id=\"stages\"><div class=\"label\">time per stage")
	if p.st.WallSeconds > 0 {
		p.s(" · ", ftoa(p.st.WallSeconds, 2), " s wall, ", ftoa(p.st.CPUSeconds, 2), " s CPU")
	}
	p.s("</div>\n")
	if total <= 0 {
		p.s("<p class=\"muted\">no stage timings</p></div>\n")
		return
	}
	p.s("<div class=\"stackbar\">")
	for i, s := range p.st.Stages {
		w := 100 * s.Seconds / total
		p.s("<span class=\"c", itoa(i%8), "\" style=\"width:", ftoa(w, 2), "%\" title=\"",
			esc(s.Stage), " ", secs(s.Seconds), "\"></span>")
	}
	p.s("</div>\n<ul class=\"legend\">")
	for i, s := range p.st.Stages {
		p.s("<li><i class=\"c", itoa(i%8), "\"></i>", esc(s.Stage), " <b>", secs(s.Seconds), "</b></li>")
	}
	p.s("</ul></div>\n")
}

func secs(s float64) string {
	switch {
	case s >= 10:
		return ftoa(s, 1) + " s"
	case s >= 0.1:
		return ftoa(s, 2) + " s"
	case s >= 1e-3:
		return ftoa(s*1e3, 1) + " ms"
	}
	return ftoa(s*1e6, 0) + " µs"
}

// details writes the per-file table and the parameters, folded.
func (p *page) details() {
	p.s("<section id=\"details\">\n<details id=\"files\"><summary>Input files (", num(len(p.st.Inputs)),
		")</summary>\n<table><thead><tr><th>file</th><th>format</th><th>read</th><th>kept</th>",
		"<th>removed exact</th><th>removed near</th><th>rejected</th><th>removal rate</th></tr></thead><tbody>\n")
	for i, f := range p.st.Inputs {
		if i == maxFileRows {
			p.s("<tr><td colspan=\"8\" class=\"muted\">", num(len(p.st.Inputs)-maxFileRows),
				" more ", units.Noun(len(p.st.Inputs)-maxFileRows, "file", ""), " not listed (see stats.json)</td></tr>\n")
			break
		}
		p.s("<tr><td class=\"path\">", esc(f.Path), "</td><td>", esc(f.Format), "</td><td>", num(f.Read),
			"</td><td>", num(f.Kept), "</td><td>", num(f.RemovedExact), "</td><td>", num(f.RemovedNear),
			"</td><td>", num(f.Rejected), "</td><td>", pct(f.Removed, f.Read), "</td></tr>\n")
	}
	p.s("</tbody></table></details>\n<details id=\"params\"><summary>Parameters</summary>\n<table><tbody>\n")
	if len(p.st.RawParams) > 0 {
		var m any
		if err := json.Unmarshal(p.st.RawParams, &m); err == nil {
			p.paramRows("", m)
		}
	}
	if len(p.st.Verification) > 0 {
		p.paramRows("verification", any(p.st.Verification))
	}
	if c := p.st.Clustering; c.Mode != "" {
		var m map[string]any
		b, _ := json.Marshal(c)
		if json.Unmarshal(b, &m) == nil {
			p.paramRows("clustering", m)
		}
	}
	p.s("</tbody></table></details>\n</section>\n")
}

// paramRows flattens a JSON value into key/value rows, keys sorted.
func (p *page) paramRows(prefix string, v any) {
	switch v := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			name := k
			if prefix != "" {
				name = prefix + "." + k
			}
			p.paramRows(name, v[k])
		}
	default:
		b, _ := json.Marshal(v)
		p.s("<tr><th>", esc(prefix), "</th><td>", esc(string(b)), "</td></tr>\n")
	}
}
