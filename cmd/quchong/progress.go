package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/quchong/quchong/engine/local"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
)

// newProgress returns the engine's progress callback and a function to call
// when the run ends. On a terminal (or with bars set) each stage gets a live
// bar with documents, MB, rate and ETA; otherwise each stage gets one log
// line when it ends, as text or as JSON.
func newProgress(w io.Writer, format string, bars bool) (func(local.Event), func()) {
	if bars {
		b := &barProgress{p: mpb.New(mpb.WithOutput(w), mpb.WithWidth(32), mpb.WithRefreshRate(150*time.Millisecond), mpb.WithAutoRefresh())}
		return b.event, b.wait
	}
	l := &logProgress{w: w, json: format == "json"}
	return l.event, func() {}
}

// logProgress writes one line per finished stage and one per note.
type logProgress struct {
	w    io.Writer
	json bool
}

// logLine is the JSON form of a log line.
type logLine struct {
	Time    string  `json:"time"`
	Stage   string  `json:"stage"`
	Event   string  `json:"event"`
	Docs    int64   `json:"docs,omitempty"`
	Bytes   int64   `json:"bytes,omitempty"`
	Seconds float64 `json:"seconds,omitempty"`
	Message string  `json:"message,omitempty"`
}

func (l *logProgress) event(e local.Event) {
	var kind string
	switch e.Kind {
	case local.StageDone:
		kind = "done"
	case local.Note:
		kind = "note"
	default:
		return
	}
	if l.json {
		b, _ := json.Marshal(logLine{Time: time.Now().UTC().Format(time.RFC3339Nano), Stage: e.Stage, Event: kind,
			Docs: e.Docs, Bytes: e.Bytes, Seconds: e.Seconds, Message: e.Message})
		fmt.Fprintf(l.w, "%s\n", b)
		return
	}
	if kind == "note" {
		fmt.Fprintf(l.w, "quchong: %s: %s\n", e.Stage, e.Message)
		return
	}
	line := fmt.Sprintf("quchong: %-11s %6.2f s", e.Stage, e.Seconds)
	if e.Message != "" {
		line += "  " + e.Message
	}
	if e.Bytes > 0 && e.Seconds > 0 {
		line += fmt.Sprintf(" (%.1f MB/s of text)", float64(e.Bytes)/1e6/e.Seconds)
	}
	fmt.Fprintln(l.w, line)
}

// barProgress draws a live bar for the running stage; a finished stage
// leaves one line above the bars, the same line the log would print.
type barProgress struct {
	p    *mpb.Progress
	mu   sync.Mutex
	bar  *mpb.Bar
	docs *atomic.Int64 // the running stage's documents, read by its decorator
	log  logProgress
}

func (b *barProgress) event(e local.Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch e.Kind {
	case local.StageStart:
		docs := new(atomic.Int64)
		b.docs = docs
		name := decor.Name(e.Stage, decor.WC{W: 12, C: decor.DindentRight})
		count := decor.Any(func(decor.Statistics) string { return fmt.Sprintf("%d docs", docs.Load()) }, decor.WC{W: 13})
		if e.TotalBytes > 0 {
			b.bar = b.p.AddBar(e.TotalBytes,
				mpb.PrependDecorators(name, count),
				mpb.AppendDecorators(
					decor.CountersKiloByte(" % .1f / % .1f", decor.WC{W: 22}),
					decor.AverageSpeed(decor.SizeB1000(0), " % .1f", decor.WC{W: 12}),
					decor.Name(" ETA "), decor.EwmaETA(decor.ET_STYLE_GO, 30),
				))
		} else {
			b.bar = b.p.AddSpinner(0, mpb.PrependDecorators(name), mpb.AppendDecorators(decor.Elapsed(decor.ET_STYLE_GO)))
		}
	case local.StageProgress:
		if b.bar != nil {
			b.docs.Store(e.Docs)
			b.bar.SetCurrent(e.Bytes)
		}
	case local.StageDone:
		if b.bar != nil {
			b.bar.Abort(true) // drop the bar: the line below replaces it
			b.bar.Wait()
			b.bar = nil
		}
		b.log.w = b.p
		b.log.event(e)
	case local.Note:
		b.log.w = b.p
		b.log.event(e)
	}
}

func (b *barProgress) wait() {
	b.mu.Lock()
	if b.bar != nil {
		b.bar.Abort(true)
		b.bar = nil
	}
	b.mu.Unlock()
	b.p.Wait()
}
