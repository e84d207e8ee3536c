package main

import (
	"bytes"
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"time"
)

// heapPeakProfile watches the heap's objects (live, and garbage not yet
// swept) every 50 ms and keeps, in memory, the heap profile (pprof "heap")
// taken each time they exceed their earlier high point by more than a
// tenth, after a collection (the
// profile's in-use figures are those of a finished one); stop writes the
// last one to path. So it shows what held the memory at about its peak,
// where a profile taken at the end would show what is left. The
// collections it forces, a few dozen in a run, cost some time.
func heapPeakProfile(path string) (stop func() error, err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--memprofile: %w", err)
	}
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var (
		best uint64
		prof bytes.Buffer
		werr error
	)
	take := func() {
		metrics.Read(sample)
		if sample[0].Value.Kind() != metrics.KindUint64 {
			return
		}
		if v := sample[0].Value.Uint64(); v > best+best/10 || prof.Len() == 0 {
			best = v
			runtime.GC()
			prof.Reset()
			werr = pprof.Lookup("heap").WriteTo(&prof, 0)
		}
	}
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				take()
			}
		}
	}()
	return func() error {
		close(done)
		<-finished
		if werr == nil {
			_, werr = f.Write(prof.Bytes())
		}
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		return werr
	}, nil
}
