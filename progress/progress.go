// Package progress holds the progress events a long run reports (a stage
// begins, advances, ends; a note) and Reporter, which sends them to a
// callback, rate-limited. The engines report through it; the command line
// draws bars or writes log lines from the events.
package progress

import (
	"fmt"
	"sync"
	"time"
)

// EventKind says what an Event reports.
type EventKind uint8

// Event kinds, in the order a stage emits them.
const (
	// StageStart opens a stage; TotalBytes is set when the stage streams
	// the inputs and their size is known.
	StageStart EventKind = iota
	// StageProgress reports work done so far in the stage.
	StageProgress
	// StageDone closes a stage; Seconds is its duration and Message a
	// one-line summary.
	StageDone
	// Note is a message inside a stage (a warning, a resumed checkpoint).
	Note
)

// Event is one progress report of a run, for a progress bar or a log line.
// Events arrive from one goroutine at a time, in order.
type Event struct {
	Kind  EventKind
	Stage string
	// Docs and Bytes are the documents and input bytes done so far in the
	// stage, as the engine counts them (quchong dedup: as stored on disk,
	// compressed or not; lines and substr: decoded); TotalBytes is the
	// stage's total in the same unit, 0 when unknown.
	Docs, Bytes, TotalBytes int64
	Seconds                 float64
	Message                 string
}

// Interval is the least time between two StageProgress events.
const Interval = 100 * time.Millisecond

// Reporter sends a run's Events to a callback: one stage at a time,
// StageProgress at most once an Interval. A Reporter with a nil callback
// does nothing. It is safe for concurrent use.
type Reporter struct {
	fn    func(Event)
	now   func() time.Time // time.Now; a test's clock
	mu    sync.Mutex
	stage string
	start time.Time
	last  time.Time
	ended bool // Done was sent for the stage
}

// New returns a Reporter that sends its events to fn (nil: none).
func New(fn func(Event)) *Reporter { return &Reporter{fn: fn, now: time.Now} }

// Begin opens a stage whose inputs total totalBytes (0: unknown).
func (p *Reporter) Begin(stage string, totalBytes int64) {
	if p == nil || p.fn == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stage, p.start, p.last, p.ended = stage, p.now(), time.Time{}, false
	p.fn(Event{Kind: StageStart, Stage: stage, TotalBytes: totalBytes})
}

// Update reports the documents and bytes done so far in the stage, at most
// once an Interval (calls in between are dropped).
func (p *Reporter) Update(docs, bytes, total int64) {
	if p == nil || p.fn == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if now := p.now(); now.Sub(p.last) >= Interval {
		p.last = now
		p.fn(Event{Kind: StageProgress, Stage: p.stage, Docs: docs, Bytes: bytes, TotalBytes: total})
	}
}

// Done closes the stage with a one-line summary.
func (p *Reporter) Done(docs, bytes int64, format string, args ...any) {
	if p == nil || p.fn == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ended = true
	p.fn(Event{Kind: StageDone, Stage: p.stage, Docs: docs, Bytes: bytes, Seconds: p.now().Sub(p.start).Seconds(), Message: fmt.Sprintf(format, args...)})
}

// Finish closes the stage if Done was not called for it.
func (p *Reporter) Finish() {
	if p == nil || p.fn == nil {
		return
	}
	p.mu.Lock()
	ended := p.ended
	p.mu.Unlock()
	if !ended {
		p.Done(0, 0, "")
	}
}

// Note sends a message inside the running stage.
func (p *Reporter) Note(format string, args ...any) {
	if p == nil || p.fn == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fn(Event{Kind: Note, Stage: p.stage, Message: fmt.Sprintf(format, args...)})
}

// NoteStage is Note for a message that belongs to no running stage (a
// resumed checkpoint): it names its own.
func (p *Reporter) NoteStage(stage, format string, args ...any) {
	if p == nil || p.fn == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fn(Event{Kind: Note, Stage: stage, Message: fmt.Sprintf(format, args...)})
}
