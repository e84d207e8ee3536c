package corpus

import (
	"bytes"
	"io"
	"testing"
)

// The decoded cache counts the memory it allocates, not the bytes written:
// many small files cannot take more than its limit.
func TestDecodedCacheLimit(t *testing.T) {
	const limit = 4 << 20
	c := &DecodedCache{Limit: limit}
	var files []*DecodedFile
	var held int
	payload := bytes.Repeat([]byte("去重 dedup\n"), 200) // ≈ 2.6 KB
	for range 3000 {                                   // ≈ 8 MB in all
		f := c.File()
		f.Write(payload)
		f.Seal()
		files = append(files, f)
		if f.Reader() != nil {
			held++
		}
	}
	var allocated int64
	for _, f := range files {
		for _, ch := range f.chunks {
			allocated += int64(cap(ch))
		}
	}
	if allocated != c.Used() || allocated > limit {
		t.Errorf("allocated %d bytes, counted %d, limit %d", allocated, c.Used(), limit)
	}
	if held < 1000 || held == 3000 {
		t.Errorf("%d of 3000 small files held within %d bytes: want about %d", held, limit, limit/len(payload))
	}
	// What a held file gives back is what was written.
	got, err := io.ReadAll(files[0].Reader())
	if err != nil || !bytes.Equal(got, payload) {
		t.Errorf("held content differs: %d bytes, %v", len(got), err)
	}
	for _, f := range files {
		f.Release()
	}
	if c.Used() != 0 {
		t.Errorf("%d bytes still counted after every file was released", c.Used())
	}
	// A large file is held in chunks up to decodedChunk, and one over the
	// limit is dropped whole.
	c2 := &DecodedCache{Limit: 3 << 20}
	big := c2.File()
	for range 100 {
		big.Write(payload)
	}
	if big.Reader() == nil || c2.Used() < 100*int64(len(payload)) {
		t.Fatalf("a 260 KB file was not held in a 3 MiB cache")
	}
	for range 2000 {
		big.Write(payload)
	}
	if big.Reader() != nil || c2.Used() != 0 {
		t.Errorf("a file beyond the limit is still held (%d bytes counted)", c2.Used())
	}
}
