package stage

import (
	"fmt"

	"github.com/quchong/quchong/corpus"
)

// Router routes the records of one input file to kept or removed in the
// output pass. It maps record numbers back to the dense indices the first
// pass gave the file's documents: rejected records and a partial record at a
// read fault got no index and are dropped. Engines use it as the route of
// corpus.Partition, so every engine writes the same bytes.
type Router struct {
	// First is the dense index of the file's first document and Count the
	// documents the first pass read from it.
	First, Count uint32
	// Rejected lists the record numbers the first pass rejected, increasing.
	Rejected []int64
	// FaultAfter, when Faulted, is the last record read before the file's
	// read fault.
	Faulted    bool
	FaultAfter int64
	// Fate says whether document i is removed and, if so, whether as an
	// exact duplicate of its cluster's kept document.
	Fate func(i uint32) (removed, exact bool)

	// Kept, RemovedExact and RemovedNear count the routed documents.
	Kept, RemovedExact, RemovedNear int64
	// Current is the dense index of the record just routed, -1 when it was
	// dropped.
	Current int64

	routed   uint32
	rejected int
}

// Route routes one record; records come in order.
func (r *Router) Route(record int64) corpus.Route {
	r.Current = -1
	if r.Faulted && record > r.FaultAfter {
		return corpus.Drop // a partial record at the fault: never read in the first pass
	}
	if r.rejected < len(r.Rejected) && r.Rejected[r.rejected] == record {
		r.rejected++
		return corpus.Drop
	}
	i := r.First + r.routed
	r.routed++
	if r.routed > r.Count {
		return corpus.Drop // the file grew since the first pass; Check says so
	}
	r.Current = int64(i)
	removed, exact := r.Fate(i)
	switch {
	case !removed:
		r.Kept++
		return corpus.Keep
	case exact:
		r.RemovedExact++
	default:
		r.RemovedNear++
	}
	return corpus.Remove
}

// Check reports an error when the file no longer holds the records the
// first pass read.
func (r *Router) Check(path string) error {
	if r.routed != r.Count || r.rejected != len(r.Rejected) {
		return fmt.Errorf("%s changed during the run: %d documents on the first pass, %d now", path, r.Count, r.routed)
	}
	return nil
}
