package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/quchong/quchong/serve"
)

// startServer runs "quchong serve" on a random loopback port and returns
// the process, its URL and its standard error so far.
func startServer(t *testing.T, args ...string) (*exec.Cmd, string, *syncBuffer) {
	t.Helper()
	cmd := quchongCmd(t, context.Background(), append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	pr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stderr := &syncBuffer{done: make(chan struct{})}
	t.Cleanup(func() { cmd.Process.Kill(); stderr.wait(cmd) })
	lines := make(chan string, 1)
	go func() {
		defer close(stderr.done)
		sc := bufio.NewScanner(pr)
		first := true
		for sc.Scan() {
			stderr.WriteString(sc.Text() + "\n")
			if first {
				lines <- sc.Text()
				first = false
			}
		}
		close(lines)
	}()
	select {
	case line, ok := <-lines:
		_, url, found := strings.Cut(line, "listening on ")
		if !ok || !found {
			t.Fatalf("serve did not start: %q %s", line, stderr.String())
		}
		return cmd, strings.Fields(url)[0], stderr
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not start in 30 s")
	}
	return nil, "", nil
}

type syncBuffer struct {
	mu   sync.Mutex
	b    bytes.Buffer
	done chan struct{} // closed when the process's stderr is read to its end
}

// wait waits for the process after its stderr is read: Wait closes the
// pipe, and would cut the last lines.
func (s *syncBuffer) wait(cmd *exec.Cmd) error {
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
	}
	return cmd.Wait()
}

func (s *syncBuffer) WriteString(x string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.b.WriteString(x)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func seedDocs(t *testing.T) []string {
	b, err := os.ReadFile(seed)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimRight(string(b), "\n"), "\n")
}

// TestServeKillAndTerm: adds acknowledged before a kill -9 all survive it,
// the index verifies clean, and SIGTERM stops the server with exit code 0
// after closing the index.
func TestServeKillAndTerm(t *testing.T) {
	if testing.Short() {
		t.Skip("runs servers")
	}
	dir := t.TempDir()
	idx := filepath.Join(dir, "index")
	tokFile := filepath.Join(dir, "token")
	os.WriteFile(tokFile, []byte("tok-123\n"), 0o600)
	lines := seedDocs(t)
	cmd, url, killed := startServer(t, "--index", idx, "--create", "--token-file", tokFile)
	c := &serve.Client{URL: url, Token: "tok-123"}
	ctx := context.Background()

	// Writers add until the kill; each records what was acknowledged.
	var mu sync.Mutex
	var acked []string
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				id := fmt.Sprintf("w%d-%d", w, i)
				text := id + " " + lines[i%len(lines)]
				if _, err := c.Add(ctx, []serve.Document{{ID: id, Text: &text}}); err != nil {
					return // the server is gone
				}
				mu.Lock()
				acked = append(acked, id)
				mu.Unlock()
			}
		}()
	}
	for {
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		if n >= 40 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	close(stop)
	wg.Wait()
	killed.wait(cmd)

	out, err := quchongCmd(t, ctx, "index", "verify", idx).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "consistent") {
		t.Fatalf("index verify after kill -9: %v\n%s", err, out)
	}
	cmd, url, stderr := startServer(t, "--index", idx, "--token-file", tokFile)
	c.URL = url
	var docs []serve.Document
	for _, id := range acked {
		var w, i int
		fmt.Sscanf(id, "w%d-%d", &w, &i)
		text := id + " " + lines[i%len(lines)]
		docs = append(docs, serve.Document{ID: id, Text: &text})
	}
	rs, err := c.Check(ctx, docs)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rs {
		if !r.Duplicate || r.Matches[0].ID != acked[i] || r.Matches[0].Reason != "exact" {
			t.Errorf("acknowledged add %s lost after kill -9: %+v", acked[i], r)
		}
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if err := stderr.wait(cmd); err != nil {
		t.Errorf("serve after SIGTERM: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "index closed") {
		t.Errorf("serve did not say it closed the index: %s", stderr.String())
	}
}

// TestIndexCommands: list, stats, rollback and verify of an index the
// service filled; bad command lines exit 2.
func TestIndexCommands(t *testing.T) {
	dir := t.TempDir()
	idx := filepath.Join(dir, "index")
	tokFile := filepath.Join(dir, "token")
	os.WriteFile(tokFile, []byte("tok"), 0o600)
	lines := seedDocs(t)
	cmd, url, stderr := startServer(t, "--index", idx, "--create", "--token-file", tokFile)
	c := &serve.Client{URL: url, Token: "tok"}
	for v := range 3 {
		text := lines[v]
		if _, err := c.Add(context.Background(), []serve.Document{{ID: fmt.Sprint(v), Text: &text}}); err != nil {
			t.Fatal(err)
		}
	}
	run := func(args ...string) (string, int) {
		var out bytes.Buffer
		code := run(args, &out, io.Discard)
		return out.String(), code
	}
	textFile := filepath.Join(dir, "doc.txt")
	os.WriteFile(textFile, []byte(lines[0]), 0o644)
	checks := []struct {
		args []string
		code int
		says string
	}{
		{[]string{"check", "--server", url, lines[0]}, 0, "duplicate\n0\texact\t1.0000\n"},
		{[]string{"check", "--server", url, textFile, "--json"}, 0, `{"duplicate":true,"matches":[{"id":"0","similarity":1,"reason":"exact"}]}`},
		{[]string{"check", "--server", url, lines[9]}, 0, "unique\n"},
		{[]string{"check", lines[9]}, 2, ""},
		{[]string{"check", "--server", "http://127.0.0.1:1", "x"}, 1, ""},
	}
	for _, tc := range checks {
		out, code := run(tc.args...)
		if code != tc.code || !strings.Contains(out, tc.says) {
			t.Errorf("%v: exit %d, %q; want %d saying %q", tc.args[:2], code, out, tc.code, tc.says)
		}
	}
	cmd.Process.Signal(syscall.SIGTERM)
	stderr.wait(cmd)
	tests := []struct {
		args []string
		code int
		says string
	}{
		{[]string{"index", "list", idx}, 0, "serve add"},
		{[]string{"index", "stats", idx}, 0, "version 3 (4 versions), 3 documents"},
		{[]string{"index", "verify", idx}, 0, "consistent"},
		{[]string{"index", "rollback", idx, "1"}, 0, "2 documents removed"},
		{[]string{"index", "stats", idx}, 0, "version 1 (2 versions), 1 document"},
		{[]string{"index", "verify", idx, "--json"}, 0, `"Docs": 1`},
		{[]string{"index", "rollback", idx, "7"}, 1, ""},
		{[]string{"index", "frob", idx}, 2, ""},
		{[]string{"index", "list"}, 2, ""},
		{[]string{"index", "list", filepath.Join(dir, "none")}, 1, ""},
	}
	for _, tc := range tests {
		out, code := run(tc.args...)
		if code != tc.code || !strings.Contains(out, tc.says) {
			t.Errorf("%v: exit %d, %q; want %d saying %q", tc.args, code, out, tc.code, tc.says)
		}
	}
}
