package local

import "github.com/quchong/quchong/progress"

// reporter sends the run's progress events to Options.Progress
// (progress.Reporter); its methods keep the engine's calls short.
type reporter struct{ r *progress.Reporter }

func newReporter(fn func(progress.Event)) *reporter { return &reporter{progress.New(fn)} }

func (p *reporter) begin(stage string, totalBytes int64) { p.r.Begin(stage, totalBytes) }
func (p *reporter) update(docs, bytes, total int64)      { p.r.Update(docs, bytes, total) }
func (p *reporter) done(docs, bytes int64, format string, args ...any) {
	p.r.Done(docs, bytes, format, args...)
}
func (p *reporter) finish()                         { p.r.Finish() }
func (p *reporter) note(format string, args ...any) { p.r.Note(format, args...) }
func (p *reporter) noteStage(stage, format string, args ...any) {
	p.r.NoteStage(stage, format, args...)
}
