package local

import (
	"sync"
)

// parallelChunks runs fn over [0, n) split into contiguous chunks.
func parallelChunks(n, workers int, fn func(lo, hi int)) {
	if n == 0 {
		return
	}
	chunks := min(workers*4, n)
	var wg sync.WaitGroup
	next := make(chan int, chunks)
	for c := 0; c < chunks; c++ {
		next <- c
	}
	close(next)
	for w := 0; w < min(workers, chunks); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range next {
				fn(c*n/chunks, (c+1)*n/chunks)
			}
		}()
	}
	wg.Wait()
}

// parallelItems runs fn(i) for i in [0, n) on the workers.
func parallelItems(n, workers int, fn func(i int)) {
	parallelChunks(n, workers, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			fn(i)
		}
	})
}
