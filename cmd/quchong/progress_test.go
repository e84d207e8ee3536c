package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/quchong/quchong/engine/local"
)

func feed(fn func(local.Event)) {
	fn(local.Event{Kind: local.StageStart, Stage: "fingerprint", TotalBytes: 1000})
	fn(local.Event{Kind: local.StageProgress, Stage: "fingerprint", Docs: 10, Bytes: 500, TotalBytes: 1000})
	fn(local.Event{Kind: local.StageDone, Stage: "fingerprint", Docs: 20, Bytes: 4e6, Seconds: 0.5, Message: "20 documents read"})
	fn(local.Event{Kind: local.StageStart, Stage: "group"})
	fn(local.Event{Kind: local.Note, Stage: "group", Message: "warning: something"})
	fn(local.Event{Kind: local.StageDone, Stage: "group", Seconds: 0.1, Message: "3 candidate pairs"})
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
	out := buf.String()
	for _, want := range []string{"fingerprint", "group", "20 documents read", "3 candidate pairs", "warning: something"} {
		if !strings.Contains(out, want) {
			t.Errorf("bar output lacks %q:\n%s", want, out)
		}
	}
}
