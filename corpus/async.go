package corpus

import (
	"io"
	"sync"
)

// asyncChunk is the size of the buffers an asyncReader decodes into.
const asyncChunk = 256 << 10

// asyncReader reads its source ahead in a goroutine of its own, a few
// buffers ahead of the consumer, so that a decompressor that works only as
// it is read (gzip) runs beside the code that parses what it produces. The
// consumer sees the same bytes and, after them, the same error as reading
// the source directly.
type asyncReader struct {
	full chan asyncBuf
	free chan []byte
	stop chan struct{}
	wg   sync.WaitGroup

	cur  []byte
	back []byte // cur's whole buffer, to give back
	err  error  // sticky, once the producer's error is reached
}

type asyncBuf struct {
	b   []byte
	err error
}

// newAsyncReader starts reading src ahead, with ahead buffers in flight.
func newAsyncReader(src io.Reader, ahead int) *asyncReader {
	a := &asyncReader{full: make(chan asyncBuf, ahead), free: make(chan []byte, ahead+1), stop: make(chan struct{})}
	for range ahead + 1 {
		a.free <- make([]byte, asyncChunk)
	}
	a.wg.Add(1)
	go a.produce(src)
	return a
}

func (a *asyncReader) produce(src io.Reader) {
	defer a.wg.Done()
	for {
		var buf []byte
		select {
		case buf = <-a.free:
		case <-a.stop:
			return
		}
		n, err := 0, error(nil)
		for n < len(buf) && err == nil {
			var m int
			m, err = src.Read(buf[n:])
			n += m
		}
		select {
		case a.full <- asyncBuf{buf[:n], err}:
		case <-a.stop:
			return
		}
		if err != nil {
			return
		}
	}
}

func (a *asyncReader) Read(p []byte) (int, error) {
	for len(a.cur) == 0 {
		if a.err != nil {
			return 0, a.err
		}
		if a.back != nil {
			a.free <- a.back[:cap(a.back)]
			a.back = nil
		}
		nb := <-a.full
		a.cur, a.back, a.err = nb.b, nb.b, nb.err
	}
	n := copy(p, a.cur)
	a.cur = a.cur[n:]
	return n, nil
}

// close stops the producer and waits for it.
func (a *asyncReader) close() {
	close(a.stop)
	a.wg.Wait()
}
