package progress

import (
	"testing"
	"time"
)

// A Reporter sends a stage's start, its progress at most once an Interval,
// its end once (Finish adds one only where Done was not called), and notes.
func TestReporter(t *testing.T) {
	var got []Event
	p := New(func(e Event) { got = append(got, e) })
	clock := time.Unix(1000, 0)
	p.now = func() time.Time { return clock }
	p.Begin("read", 100)
	p.Update(1, 10, 100)
	clock = clock.Add(Interval / 2)
	p.Update(2, 20, 100) // within the interval: dropped
	clock = clock.Add(Interval)
	p.Update(3, 30, 100)
	p.Note("a %s", "note")
	p.Done(3, 30, "%d read", 3)
	p.Finish() // Done was sent: nothing
	p.Begin("write", 0)
	p.Finish()
	p.NoteStage("resume", "from %d", 7)
	want := []Event{
		{Kind: StageStart, Stage: "read", TotalBytes: 100},
		{Kind: StageProgress, Stage: "read", Docs: 1, Bytes: 10, TotalBytes: 100},
		{Kind: StageProgress, Stage: "read", Docs: 3, Bytes: 30, TotalBytes: 100},
		{Kind: Note, Stage: "read", Message: "a note"},
		{Kind: StageDone, Stage: "read", Docs: 3, Bytes: 30, Message: "3 read"},
		{Kind: StageStart, Stage: "write"},
		{Kind: StageDone, Stage: "write"},
		{Kind: Note, Stage: "resume", Message: "from 7"},
	}
	if len(got) != len(want) {
		t.Fatalf("%d events, want %d: %+v", len(got), len(want), got)
	}
	want[4].Seconds = (Interval + Interval/2).Seconds() // the clock's advance since Begin
	for i := range want {
		g := got[i]
		if g != want[i] {
			t.Errorf("event %d: %+v, want %+v", i, g, want[i])
		}
	}
	// Without a callback, or without a Reporter, nothing happens.
	New(nil).Begin("x", 0)
	var none *Reporter
	none.Update(1, 1, 1)
	none.Finish()
}
