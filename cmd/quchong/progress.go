package main

import (
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/quchong/quchong/internal/units"
	"github.com/quchong/quchong/progress"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
)

// newProgress returns the engine's progress callback and a function to call
// when the run ends, before anything else is written to the terminal (it
// may be called more than once). On a terminal (or with bars set) the
// running stage gets a live bar with documents, bytes, rate and ETA, gone
// when the stage ends; otherwise each stage gets one log line when it ends,
// as text or as JSON.
func newProgress(w io.Writer, format string, bars bool) (func(progress.Event), func()) {
	if bars {
		b := &barProgress{p: mpb.New(mpb.WithOutput(w), mpb.WithWidth(32), mpb.WithRefreshRate(150*time.Millisecond), mpb.WithAutoRefresh()), now: time.Now}
		var once sync.Once
		return b.event, func() { once.Do(b.wait) }
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

func (l *logProgress) event(e progress.Event) {
	var kind string
	switch e.Kind {
	case progress.StageDone:
		kind = "done"
	case progress.Note:
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
		fmt.Fprintf(l.w, "quchong: %s\n", noteText(e))
		return
	}
	line := fmt.Sprintf("quchong: %-11s %6.2f s", e.Stage, e.Seconds)
	if e.Message != "" {
		line += "  " + e.Message
	}
	if e.Bytes > 0 && e.Seconds > 0 {
		line += fmt.Sprintf(" (%s of text)", units.Rate(float64(e.Bytes)/e.Seconds))
	}
	fmt.Fprintln(l.w, line)
}

// barProgress draws a live bar for the running stage, and drops it when
// the stage ends: a run in a terminal ends with the bars gone and nothing
// but its notes (warnings, a resumed checkpoint) and the summary on screen.
// The per-stage lines are for logs, which a terminal does not need.
type barProgress struct {
	p   *mpb.Progress
	mu  sync.Mutex
	bar *mpb.Bar
	cur *stageState // the running stage, read by its decorators
	now func() time.Time
}

// stageState is what the running stage's decorators read.
type stageState struct {
	start              time.Time
	docs, bytes, total atomic.Int64
}

// minETAFraction and minETAElapsed are how much of a stage must be done,
// and for how long it must have run, before its ETA means anything.
const (
	minETAFraction = 0.02
	minETAElapsed  = time.Second
)

// eta estimates the time left from the bytes done against the total, at the
// average rate so far; ok is false while there is too little to go on.
func eta(done, total int64, elapsed time.Duration) (left time.Duration, ok bool) {
	if total <= 0 || done <= 0 || done > total || elapsed < minETAElapsed || float64(done) < minETAFraction*float64(total) {
		return 0, false
	}
	return time.Duration(float64(elapsed) * float64(total-done) / float64(done)), true
}

// fmtETA formats a time left as a person reads it: "ETA 45s", "ETA 3m05s",
// "ETA 1h02m".
func fmtETA(d time.Duration) string {
	d = d.Round(time.Second)
	switch {
	case d >= time.Hour:
		return fmt.Sprintf("ETA %dh%02dm", int(d.Hours()), int(d.Minutes())%60)
	case d >= time.Minute:
		return fmt.Sprintf("ETA %dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("ETA %ds", int(d.Seconds()))
}

func (b *barProgress) event(e progress.Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch e.Kind {
	case progress.StageStart:
		b.drop()
		st := &stageState{start: b.now()}
		st.total.Store(e.TotalBytes)
		b.cur = st
		name := decor.Name(e.Stage, decor.WC{W: 12, C: decor.DindentRight})
		count := decor.Any(func(decor.Statistics) string {
			return units.Count(st.docs.Load(), "doc", "")
		}, decor.WC{W: 14})
		if e.TotalBytes > 0 {
			// Removed on completion too: a completed bar that is not
			// removed stays on the screen for good.
			b.bar = b.p.AddBar(e.TotalBytes, mpb.BarRemoveOnComplete(),
				mpb.PrependDecorators(name, count),
				mpb.AppendDecorators(decor.Any(func(decor.Statistics) string { return st.describe(b.now()) }, decor.WC{C: decor.DindentRight})))
		} else {
			b.bar = b.p.AddSpinner(0, mpb.BarRemoveOnComplete(), mpb.PrependDecorators(name), mpb.AppendDecorators(decor.Elapsed(decor.ET_STYLE_GO)))
		}
	case progress.StageProgress:
		if b.bar != nil && b.cur != nil {
			b.cur.docs.Store(e.Docs)
			b.cur.bytes.Store(e.Bytes)
			b.bar.SetCurrent(e.Bytes)
		}
	case progress.StageDone:
		b.drop()
	case progress.Note:
		// Printed above the bars, and kept when they are gone.
		fmt.Fprintf(b.p, "quchong: %s\n", noteText(e))
	}
}

// describe is the right-hand side of a stage's bar: bytes done of the
// total, the average rate, and the time left once it can be estimated.
func (st *stageState) describe(now time.Time) string {
	done, total := st.bytes.Load(), st.total.Load()
	elapsed := now.Sub(st.start)
	s := fmt.Sprintf(" %s / %s", units.Bytes(done), units.Bytes(total))
	if elapsed > 0 && done > 0 {
		s += "  " + units.Rate(float64(done)/elapsed.Seconds())
	}
	if left, ok := eta(done, total, elapsed); ok && left >= time.Second {
		// Under a second, an ETA only flickers.
		s += "  " + fmtETA(left)
	}
	return s
}

// drop removes the running stage's bar from the screen.
func (b *barProgress) drop() {
	if b.bar != nil {
		b.bar.Abort(true)
		b.bar.Wait()
		b.bar = nil
	}
	b.cur = nil
}

// wait drops any bar left and waits until the display has let go of the
// terminal; nothing else may be written to it before.
func (b *barProgress) wait() {
	b.mu.Lock()
	b.drop()
	b.mu.Unlock()
	b.p.Wait()
}

// noteText is a note as printed: "STAGE: MESSAGE", or the message alone for
// a note outside any stage.
func noteText(e progress.Event) string {
	if e.Stage == "" {
		return e.Message
	}
	return e.Stage + ": " + e.Message
}
