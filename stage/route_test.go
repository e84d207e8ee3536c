package stage

import (
	"testing"

	"github.com/quchong/quchong/corpus"
)

func TestRouter(t *testing.T) {
	// Records 1..7 of a file whose documents start at index 10: record 3 was
	// rejected, the file faulted after record 6 (7 is a partial record).
	// Document 11 (record 2) is an exact copy, 13 (record 5) a near one.
	rt := &Router{First: 10, Count: 5, Rejected: []int64{3}, Faulted: true, FaultAfter: 6,
		Fate: func(i uint32) (bool, bool) { return i == 11 || i == 13, i == 11 }}
	want := []corpus.Route{corpus.Keep, corpus.Remove, corpus.Drop, corpus.Keep, corpus.Remove, corpus.Keep, corpus.Drop}
	wantIdx := []int64{10, 11, -1, 12, 13, 14, -1}
	for rec := int64(1); rec <= 7; rec++ {
		if got := rt.Route(rec); got != want[rec-1] || rt.Current != wantIdx[rec-1] {
			t.Errorf("record %d: %v (index %d), want %v (index %d)", rec, got, rt.Current, want[rec-1], wantIdx[rec-1])
		}
	}
	if err := rt.Check("f"); err != nil {
		t.Error(err)
	}
	if rt.Kept != 3 || rt.RemovedExact != 1 || rt.RemovedNear != 1 {
		t.Errorf("counts %d/%d/%d, want 3/1/1", rt.Kept, rt.RemovedExact, rt.RemovedNear)
	}
	// A file with more records than the first pass read is caught.
	grown := &Router{Count: 1, Fate: func(uint32) (bool, bool) { return false, false }}
	grown.Route(1)
	if grown.Route(2) != corpus.Drop || grown.Check("f") == nil {
		t.Error("a grown file was not caught")
	}
}
