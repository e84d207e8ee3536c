package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/quchong/quchong/index"
	"github.com/quchong/quchong/serve"
	"github.com/quchong/quchong/stage"
)

const serveLong = `Serves the duplicate check over HTTP/JSON on an index made by
"quchong dedup --index DIR":

  POST /v1/check  {"text": "...", "id": "optional"} or {"documents": [...]}
                  → {"duplicate": bool, "matches": [{"id", "similarity", "reason"}]}
  POST /v1/add    {"id": "...", "text": "..."} or {"documents": [...]}
                  (needs "Authorization: Bearer TOKEN", the token in --token-file)
  GET  /healthz   GET /metrics (Prometheus text format)

A check uses the index's detection parameters and the rules by which a run
removes a document. An add is one new index version, synced before the
answer. SIGTERM or SIGINT stops the server gracefully: in-flight requests
finish and the index is closed.
`

type serveFlags struct {
	index, addr, tokenFile string
	maxBody                int64
	workers                int
	readOnly, create, json bool
	grace                  time.Duration
}

// newServeCmd is `quchong serve`.
func newServeCmd(a *app) *cobra.Command {
	var f serveFlags
	c := &cobra.Command{
		Use:     "serve --index DIR [--addr HOST:PORT] [--token-file FILE] [flags]",
		Short:   "the duplicate-check service over an index",
		Long:    serveLong,
		GroupID: groupMain,
		RunE: func(_ *cobra.Command, rest []string) error {
			return status(cmdServe(&f, rest, a.stderr))
		},
	}
	fs := c.Flags()
	fs.StringVar(&f.index, "index", "", "the index `DIR` (required)")
	fs.StringVar(&f.addr, "addr", "127.0.0.1:8080", "listen on `HOST:PORT` (port 0: any free port)")
	fs.StringVar(&f.tokenFile, "token-file", "", "`FILE` holding the bearer token /v1/add requires; without it the server takes no writes")
	fs.Int64Var(&f.maxBody, "max-body", serve.DefaultMaxBody, "largest request body in `bytes`; larger ones get 413")
	fs.IntVar(&f.workers, "workers", 0, "checks that run at once; more wait their turn (0: one a core, GOMAXPROCS)")
	fs.BoolVar(&f.readOnly, "read-only", false, "open the index read-only: checks only (other processes may read it too)")
	fs.BoolVar(&f.create, "create", false, "create the index with the default detection parameters when DIR holds none")
	fs.BoolVar(&f.json, "json", false, `print the start line as JSON: {"url": ..., "version": ..., "docs": ...}`)
	fs.DurationVar(&f.grace, "shutdown-grace", 30*time.Second, "how long in-flight requests may run after SIGTERM")
	return c
}

// cmdServe serves the index with the parsed flags until a signal.
func cmdServe(f *serveFlags, rest []string, stderr io.Writer) int {
	fail := func(code int, err error) int {
		fmt.Fprintf(stderr, "quchong serve: %v\n", err)
		return code
	}
	switch {
	case len(rest) > 0:
		return fail(exitUsage, fmt.Errorf("unexpected argument %q", rest[0]))
	case f.index == "":
		return fail(exitUsage, errors.New("no index: give --index DIR"))
	case f.maxBody < 1:
		return fail(exitUsage, fmt.Errorf("--max-body %d: want ≥ 1", f.maxBody))
	case f.workers < 0:
		return fail(exitUsage, fmt.Errorf("--workers %d: want ≥ 0", f.workers))
	}
	opt := serve.Options{MaxBody: f.maxBody, ReadOnly: f.readOnly, Workers: f.workers}
	if f.tokenFile != "" {
		tok, err := readToken(f.tokenFile)
		if err != nil {
			return fail(exitUsage, err)
		}
		opt.Token = tok
	}
	iopt := index.Options{ReadOnly: f.readOnly, Create: f.create}
	if f.create {
		p := stage.DefaultParams()
		iopt.Params = &p
	}
	ix, err := index.Open(f.index, iopt)
	if err != nil {
		return fail(exitFail, err)
	}
	defer ix.Close()
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return fail(exitFail, err)
	}
	ctx, stop := interruptible(context.Background())
	defer stop()
	v, docs := ix.Head()
	if f.json {
		js, _ := json.Marshal(map[string]any{"url": "http://" + ln.Addr().String(), "index": f.index, "version": v, "docs": docs})
		fmt.Fprintf(stderr, "%s\n", js)
	} else {
		fmt.Fprintf(stderr, "quchong serve: listening on http://%s (index %s, version %d, %d documents)\n", ln.Addr(), f.index, v, docs)
	}
	if err := serve.Run(ctx, ln, serve.New(ix, opt), f.grace); err != nil {
		return fail(exitFail, err)
	}
	if err := ix.Close(); err != nil {
		return fail(exitFail, err)
	}
	fmt.Fprintln(stderr, "quchong serve: stopped; index closed")
	return exitOK
}

// readToken reads a bearer token from a file: its content, trimmed.
func readToken(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("token file: %w", err)
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" || strings.ContainsAny(tok, " \t\r\n") {
		return "", fmt.Errorf("token file %s: want one token, no spaces", path)
	}
	return tok, nil
}
