package corpus

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"testing"
	"testing/iotest"
)

// An asyncReader gives the same bytes, then the same error, as its source,
// and can be closed before the end.
func TestAsyncReader(t *testing.T) {
	r := rand.New(rand.NewPCG(41, 42))
	boom := errors.New("boom")
	for _, n := range []int{0, 1, asyncChunk - 1, asyncChunk, 3*asyncChunk + 17} {
		data := make([]byte, n)
		for i := range data {
			data[i] = byte(r.Uint32())
		}
		for _, tail := range []error{io.EOF, boom} {
			src := io.MultiReader(iotest.HalfReader(bytes.NewReader(data)), iotest.ErrReader(tail))
			a := newAsyncReader(src, 2)
			got, err := io.ReadAll(iotest.OneByteReader(io.LimitReader(a, int64(n))))
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("n=%d: %d bytes read, error %v", n, len(got), err)
			}
			if _, err := a.Read(make([]byte, 1)); err != tail {
				t.Errorf("n=%d: after the data, error %v, want %v", n, err, tail)
			}
			a.close()
		}
		// Closed before the end: close returns.
		a := newAsyncReader(bytes.NewReader(data), 1)
		a.Read(make([]byte, 1))
		a.close()
	}
}
