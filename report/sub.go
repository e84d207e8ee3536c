package report

import (
	"html/template"
	"io"
	"unicode/utf8"
)

// SubPage is what the report of quchong lines or quchong substr shows: the
// totals, the files, the most frequent removed units or spans, and a few
// documents before and after.
type SubPage struct {
	// Method is "lines" or "substr".
	Method string
	// Summary rows: a label and a value, in order.
	Summary [][2]string
	// Files: one row per input, the same columns as Header.
	Header []string
	Files  [][]string
	// Top are the most often removed units or spans, most removals first.
	Top []SubUnit
	// Samples are documents before and after the cut.
	Samples []SubSample
}

// SubUnit is one removed unit or span and how often it was removed.
type SubUnit struct {
	Text    string
	Count   int // documents (lines) or occurrences (substr) holding it
	Removed int // times it was cut
}

// SubSample is one changed document.
type SubSample struct {
	ID, File      string
	Before, After string
}

// SubTextCap is how many characters of a sample text the page shows.
const SubTextCap = 2000

var subTemplate = template.Must(template.New("sub").Funcs(template.FuncMap{"cap": capText}).Parse(`<!DOCTYPE html>
<html lang="zh"><head><meta charset="utf-8"><title>quchong {{.Method}} report</title>
<style>
body{font-family:system-ui,sans-serif;margin:2em;max-width:80em}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}
th{background:#f4f4f4}td.n{text-align:right;font-variant-numeric:tabular-nums}
pre{white-space:pre-wrap;margin:0;font-family:inherit}.pair{display:grid;grid-template-columns:1fr 1fr;gap:1em}
</style></head><body>
<h1>quchong {{.Method}}</h1>
<table>{{range .Summary}}<tr><th>{{index . 0}}</th><td>{{index . 1}}</td></tr>{{end}}</table>
<h2>Files</h2>
<table><tr>{{range .Header}}<th>{{.}}</th>{{end}}</tr>
{{range .Files}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>{{end}}</table>
<h2>Most removed</h2>
{{if .Top}}<table><tr><th>removed</th><th>count</th><th>text</th></tr>
{{range .Top}}<tr><td class="n">{{.Removed}}</td><td class="n">{{.Count}}</td><td><pre>{{cap .Text}}</pre></td></tr>{{end}}</table>
{{else}}<p>Nothing was removed.</p>{{end}}
<h2>Before and after</h2>
{{range .Samples}}<h3>{{.ID}} <small>({{.File}})</small></h3>
<div class="pair"><div><b>before</b><pre>{{cap .Before}}</pre></div><div><b>after</b><pre>{{cap .After}}</pre></div></div>
{{else}}<p>No document changed.</p>{{end}}
</body></html>
`))

// capText cuts s to SubTextCap characters, marking the cut.
func capText(s string) string {
	if utf8.RuneCountInString(s) <= SubTextCap {
		return s
	}
	return string([]rune(s)[:SubTextCap]) + " …"
}

// WriteSub writes the report page of a lines or substr run.
func WriteSub(w io.Writer, p SubPage) error {
	return subTemplate.Execute(w, p)
}
