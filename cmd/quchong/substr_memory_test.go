package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// Issue 15: quchong substr keeps its peak RSS within --memory on a corpus
// with many removed spans, spilled in parts and merged with part of the
// texts read from the files (the case where the span counter used to load
// a whole part on top of the texts held in memory). The corpus is
// synthetic: documents of sentences drawn from a pool, so that the
// sentences drawn twice are repeated spans.
func TestSubstrManySpansMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("a 60 MB corpus, about 15 CPU-seconds")
	}
	const budget = 128 << 20
	dir := t.TempDir()
	in := filepath.Join(dir, "in.jsonl")
	chars := manySpansCorpus(t, in, 20_000_000)
	cmd := quchongCmd(t, context.Background(), "substr", "--json", "--no-report", "--min-span", "50",
		"--memory", "128MiB", in, "-o", filepath.Join(dir, "out"))
	peakFile := filepath.Join(dir, "peak")
	cmd.Env = append(cmd.Env, peakRSSEnv+"="+peakFile)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("quchong substr: %v\n%s", err, stderr.String())
	}
	var st struct {
		Total struct {
			Read, Removals int64
			CharsRead      int64 `json:"chars_read"`
		} `json:"total"`
		CorpusChars int64 `json:"corpus_chars"`
		Parts       int   `json:"suffix_array_parts"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &st); err != nil {
		t.Fatal(err)
	}
	// The case under test: several parts, more text than the merge holds
	// in memory (seven tenths of the arrays' budget at 4.2 bytes a
	// character: about 14 million characters at 128MiB), many spans.
	if st.Parts < 2 || st.CorpusChars < 16_000_000 || st.Total.Removals < 50_000 {
		t.Fatalf("%d parts, %d characters, %d spans removed: want ≥ 2 parts, ≥ 16M characters and ≥ 50,000 spans", st.Parts, st.CorpusChars, st.Total.Removals)
	}
	if st.Total.CharsRead != chars {
		t.Fatalf("read %d characters, wrote %d", st.Total.CharsRead, chars)
	}
	b, err := os.ReadFile(peakFile)
	if err != nil {
		t.Skipf("no peak RSS (needs Linux's /proc): %v", err)
	}
	peak, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	msg := "peak RSS %d MiB at --memory 128MiB, %d parts, %d spans removed"
	if peak > budget {
		t.Errorf(msg+"; want ≤ 128 MiB", peak>>20, st.Parts, st.Total.Removals)
	}
	t.Logf(msg, peak>>20, st.Parts, st.Total.Removals)
}

// manySpansCorpus writes to path JSONL documents of about chars characters
// in all, each of 5 to 60 sentences drawn from a pool of random Chinese
// sentences of 20 to 120 characters, and returns the number of characters.
func manySpansCorpus(t *testing.T, path string, chars int64) int64 {
	t.Helper()
	rng := rand.New(rand.NewPCG(15, 50))
	pool := make([]string, 150_000)
	var s []rune
	for i := range pool {
		s = s[:0]
		for range 20 + rng.IntN(101) {
			s = append(s, rune(0x4e00+rng.IntN(3000)))
		}
		pool[i] = string(append(s, '。'))
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	var n int64
	var doc []byte
	for d := 0; n < chars; d++ {
		doc = append(doc[:0], `{"id":"d`...)
		doc = strconv.AppendInt(doc, int64(d), 10)
		doc = append(doc, `","text":"`...)
		for range 5 + rng.IntN(56) {
			p := pool[rng.IntN(len(pool))]
			doc = append(doc, p...)
			n += int64(len([]rune(p)))
		}
		doc = append(doc, "\"}\n"...)
		w.Write(doc)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return n
}
