//go:build unix

// Command codec measures the floor a compressed input puts under a run:
// the CPU seconds klauspost/compress takes to decode a .zst or .gz file
// once, on one goroutine, and to encode its decoded content as zstd at the
// level quchong writes by default (fast), as quchong's readers and writers
// do, streaming (a whole copy held would add its allocation and page
// faults): decoding alone, then decoding and encoding, the difference being
// the encoding's. It prints one line of JSON, and writes the decoded
// content to OUT when given:
//
//	go run ./bench/lines/codec INPUT.jsonl.zst [OUT]
package main

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"

	"github.com/klauspost/compress/zstd"
)

// cpu is this process's user + system CPU seconds.
func cpu() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Utime.Nano()+ru.Stime.Nano()) / 1e9
}

func main() {
	if len(os.Args) < 2 || len(os.Args) > 3 {
		fmt.Fprintln(os.Stderr, "usage: codec INPUT.zst|INPUT.gz [OUT]")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2:]); err != nil {
		fmt.Fprintln(os.Stderr, "codec:", err)
		os.Exit(1)
	}
}

// decoder opens path's stream, decoded on the calling goroutine.
func decoder(path string) (io.Reader, func(), error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	switch {
	case strings.HasSuffix(path, ".zst"):
		d, err := zstd.NewReader(f, zstd.WithDecoderConcurrency(1))
		if err != nil {
			f.Close()
			return nil, nil, err
		}
		return d, func() { d.Close(); f.Close() }, nil
	case strings.HasSuffix(path, ".gz"):
		g, err := gzip.NewReader(f)
		if err != nil {
			f.Close()
			return nil, nil, err
		}
		return g, func() { f.Close() }, nil
	}
	f.Close()
	return nil, nil, fmt.Errorf("%s: not .zst or .gz", path)
}

// run measures, streaming (no copy of the whole content held): decoding
// alone into io.Discard, then decoding and encoding; the encoding's CPU is
// the difference. With out, it first writes the decoded content there.
func run(path string, out []string) error {
	if len(out) == 1 {
		src, done, err := decoder(path)
		if err != nil {
			return err
		}
		w, err := os.Create(out[0])
		if err == nil {
			_, err = io.Copy(w, src)
			if cerr := w.Close(); err == nil {
				err = cerr
			}
		}
		done()
		if err != nil {
			return err
		}
	}
	src, done, err := decoder(path)
	if err != nil {
		return err
	}
	buf := make([]byte, 1<<20)
	c0 := cpu()
	n, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{src}, buf)
	done()
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	c1 := cpu()
	if src, done, err = decoder(path); err != nil {
		return err
	}
	e, err := zstd.NewWriter(io.Discard, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1))
	if err != nil {
		return err
	}
	c2 := cpu()
	_, err = io.CopyBuffer(struct{ io.Writer }{e}, struct{ io.Reader }{src}, buf)
	done()
	if cerr := e.Close(); err == nil {
		err = cerr
	}
	c3 := cpu()
	if err != nil {
		return err
	}
	decode := c1 - c0
	return json.NewEncoder(os.Stdout).Encode(map[string]any{
		"decoded_bytes": n, "decode_cpu_s": decode, "encode_zstd_fast_cpu_s": max(0, (c3-c2)-decode),
	})
}
