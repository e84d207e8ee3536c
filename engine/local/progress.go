package local

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
	// Docs and Bytes are the documents and input bytes (as stored on disk,
	// compressed or not) done so far in the stage; TotalBytes is the
	// stage's total, 0 when unknown.
	Docs, Bytes, TotalBytes int64
	Seconds                 float64
	Message                 string
}

// progress sends Events to Options.Progress, rate-limiting StageProgress.
type progress struct {
	fn    func(Event)
	mu    sync.Mutex
	stage string
	start time.Time
	last  time.Time
	ended bool // done was sent for the stage
}

func (p *progress) begin(stage string, totalBytes int64) {
	if p.fn == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.stage, p.start, p.last, p.ended = stage, time.Now(), time.Time{}, false
	p.fn(Event{Kind: StageStart, Stage: stage, TotalBytes: totalBytes})
}

// update reports progress at most ten times a second.
func (p *progress) update(docs, bytes, total int64) {
	if p.fn == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if now := time.Now(); now.Sub(p.last) >= 100*time.Millisecond {
		p.last = now
		p.fn(Event{Kind: StageProgress, Stage: p.stage, Docs: docs, Bytes: bytes, TotalBytes: total})
	}
}

func (p *progress) done(docs, bytes int64, format string, args ...any) {
	if p.fn == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.ended = true
	p.fn(Event{Kind: StageDone, Stage: p.stage, Docs: docs, Bytes: bytes, Seconds: time.Since(p.start).Seconds(), Message: fmt.Sprintf(format, args...)})
}

// finish closes the stage if the stage did not say more itself.
func (p *progress) finish() {
	if p.fn == nil {
		return
	}
	p.mu.Lock()
	ended := p.ended
	p.mu.Unlock()
	if !ended {
		p.done(0, 0, "")
	}
}

func (p *progress) note(format string, args ...any) {
	if p.fn == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fn(Event{Kind: Note, Stage: p.stage, Message: fmt.Sprintf(format, args...)})
}

// noteStage is note for a message that belongs to no running stage (a
// resumed checkpoint): it names its own.
func (p *progress) noteStage(stage, format string, args ...any) {
	if p.fn == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fn(Event{Kind: Note, Stage: stage, Message: fmt.Sprintf(format, args...)})
}
