package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/quchong/quchong/progress"
)

func feed(fn func(progress.Event)) {
	fn(progress.Event{Kind: progress.StageStart, Stage: "fingerprint", TotalBytes: 1000})
	fn(progress.Event{Kind: progress.StageProgress, Stage: "fingerprint", Docs: 10, Bytes: 500, TotalBytes: 1000})
	fn(progress.Event{Kind: progress.StageDone, Stage: "fingerprint", Docs: 20, Bytes: 4e6, Seconds: 0.5, Message: "20 documents read"})
	fn(progress.Event{Kind: progress.StageStart, Stage: "group"})
	fn(progress.Event{Kind: progress.Note, Stage: "group", Message: "warning: something"})
	fn(progress.Event{Kind: progress.StageDone, Stage: "group", Seconds: 0.1, Message: "3 candidate pairs"})
}

func TestProgressLog(t *testing.T) {
	var buf bytes.Buffer
	fn, wait := newProgress(&buf, "text", false)
	feed(fn)
	wait()
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("want one line per stage and per note, got %d:\n%s", len(lines), buf.String())
	}
	for i, want := range []string{"fingerprint", "warning: something", "3 candidate pairs"} {
		if !strings.Contains(lines[i], want) {
			t.Errorf("line %d = %q, want it to mention %q", i+1, lines[i], want)
		}
	}
	if !strings.Contains(lines[0], "8.0 MB/s") {
		t.Errorf("fingerprint line lacks the rate: %q", lines[0])
	}
}

func TestProgressJSON(t *testing.T) {
	var buf bytes.Buffer
	fn, wait := newProgress(&buf, "json", false)
	feed(fn)
	wait()
	var events []logLine
	for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var e logLine
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatalf("not JSON: %q", l)
		}
		events = append(events, e)
	}
	if len(events) != 3 || events[0].Stage != "fingerprint" || events[0].Docs != 20 || events[1].Event != "note" {
		t.Errorf("events = %+v", events)
	}
}

func TestProgressBars(t *testing.T) {
	var buf bytes.Buffer
	fn, wait := newProgress(&buf, "text", true)
	feed(fn)
	wait()
	wait() // a second call is harmless
	out := buf.String()
	if !strings.Contains(out, "group: warning: something") {
		t.Errorf("bar output lacks the note:\n%s", out)
	}
	// The per-stage lines are for logs: a terminal shows the bars only.
	for _, unwanted := range []string{"20 documents read", "3 candidate pairs"} {
		if strings.Contains(out, unwanted) {
			t.Errorf("bar output has the log line %q:\n%s", unwanted, out)
		}
	}
}

func TestETA(t *testing.T) {
	tests := []struct {
		name        string
		done, total int64
		elapsed     time.Duration
		want        time.Duration
		ok          bool
	}{
		{"40% in 4s", 40, 100, 4 * time.Second, 6 * time.Second, true},
		{"half of 128 MB in a minute", 64e6, 128e6, time.Minute, time.Minute, true},
		{"too early", 40, 100, 500 * time.Millisecond, 0, false},
		{"too little done", 1, 100, 10 * time.Second, 0, false},
		{"nothing done", 0, 100, 10 * time.Second, 0, false},
		{"total unknown", 40, 0, 10 * time.Second, 0, false},
		{"done", 100, 100, 10 * time.Second, 0, true},
		{"past the total", 120, 100, 10 * time.Second, 0, false},
	}
	for _, tt := range tests {
		got, ok := eta(tt.done, tt.total, tt.elapsed)
		if got != tt.want || ok != tt.ok {
			t.Errorf("%s: eta = %v, %v; want %v, %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

func TestBarDescription(t *testing.T) {
	start := time.Unix(1000, 0)
	tests := []struct {
		name         string
		done, total  int64
		elapsed      time.Duration
		want, absent string
	}{
		{"early: no ETA", 1e6, 128e6, 500 * time.Millisecond, " 1.0 MB / 128.0 MB  2.0 MB/s", "ETA"},
		{"40% of 128 MB", 51.2e6, 128e6, 4 * time.Second, " 51.2 MB / 128.0 MB  12.8 MB/s  ETA 6s", ""},
		{"minutes left", 20e6, 1e9, 10 * time.Second, "ETA 8m10s", ""},
		{"hours left", 2e9, 100e9, 100 * time.Second, "ETA 1h21m", ""},
		{"small sizes in kB", 12e3, 24e3, 2 * time.Second, " 12.0 kB / 24.0 kB  6.0 kB/s  ETA 2s", ""},
		{"under a second left", 99e6, 100e6, 10 * time.Second, "99.0 MB / 100.0 MB", "ETA"},
	}
	for _, tt := range tests {
		st := &stageState{start: start}
		st.bytes.Store(tt.done)
		st.total.Store(tt.total)
		got := st.describe(start.Add(tt.elapsed))
		if !strings.Contains(got, tt.want) || (tt.absent != "" && strings.Contains(got, tt.absent)) {
			t.Errorf("%s: %q, want %q without %q", tt.name, got, tt.want, tt.absent)
		}
	}
}
