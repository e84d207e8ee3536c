//go:build unix

// Command codec measures the floor a compressed input puts under a run:
// the CPU seconds klauspost/compress takes to decode a .zst or .gz file
// once, on one goroutine, and to encode its decoded content as zstd at the
// level quchong writes by default (fast), as quchong's readers and writers
// do. It prints one line of JSON, and writes the decoded content to OUT
// when given:
//
//	go run ./bench/lines/codec INPUT.jsonl.zst [OUT]
package main

import (
	"bytes"
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

func run(path string, out []string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	c0 := cpu()
	var src io.Reader
	switch {
	case strings.HasSuffix(path, ".zst"):
		d, err := zstd.NewReader(f, zstd.WithDecoderConcurrency(1))
		if err != nil {
			return err
		}
		defer d.Close()
		src = d
	case strings.HasSuffix(path, ".gz"):
		g, err := gzip.NewReader(f)
		if err != nil {
			return err
		}
		src = g
	default:
		return fmt.Errorf("%s: not .zst or .gz", path)
	}
	var data bytes.Buffer
	if _, err := data.ReadFrom(src); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	c1 := cpu()
	e, err := zstd.NewWriter(io.Discard, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1))
	if err != nil {
		return err
	}
	if _, err := e.Write(data.Bytes()); err != nil {
		return err
	}
	if err := e.Close(); err != nil {
		return err
	}
	c2 := cpu()
	if len(out) == 1 {
		if err := os.WriteFile(out[0], data.Bytes(), 0o644); err != nil {
			return err
		}
	}
	return json.NewEncoder(os.Stdout).Encode(map[string]any{
		"decoded_bytes": data.Len(), "decode_cpu_s": c1 - c0, "encode_zstd_fast_cpu_s": c2 - c1,
	})
}
