// Package serve is quchong's duplicate-check service: an HTTP/JSON API
// over an index (package index).
//
//	POST /v1/check   {"text": "...", "id": "optional"}, or {"documents": [...]}
//	POST /v1/add     {"id": "...", "text": "..."}, or {"documents": [...]}; bearer token
//	GET  /healthz    the index's version and size
//	GET  /metrics    Prometheus text format
//
// A check answers whether the text duplicates an indexed document, by the
// rules a deduplication run removes a document with (index.Checker). An
// add writes its documents as one new index version, synced before the
// answer: an acknowledged add survives a crash, and the next check sees it.
package serve

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/quchong/quchong/index"
)

// DefaultMaxBody is the default bound on a request body: 16 MiB.
const DefaultMaxBody = 16 << 20

// Options configures a Server.
type Options struct {
	// Token is the bearer token /v1/add requires. "" refuses every add
	// (the service is read-only).
	Token string
	// MaxBody bounds a request body in bytes; a larger one gets 413. 0
	// means DefaultMaxBody.
	MaxBody int64
	// ReadOnly refuses adds even with the token.
	ReadOnly bool
	// Workers bounds the checks that run at once (their request decoding
	// included); more wait their turn, so that many clients queue rather
	// than contend for the cores. 0 means GOMAXPROCS.
	Workers int
}

// Server answers the API over one index. It is an http.Handler.
type Server struct {
	ix       *index.Index
	opt      Options
	mux      *http.ServeMux
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	docs     *prometheus.CounterVec
	checkers sync.Pool // *index.Checker
	// slots holds a token for each check running (Options.Workers).
	slots chan struct{}
}

// New returns a server over ix.
func New(ix *index.Index, opt Options) *Server {
	if opt.MaxBody <= 0 {
		opt.MaxBody = DefaultMaxBody
	}
	if opt.Workers <= 0 {
		opt.Workers = runtime.GOMAXPROCS(0)
	}
	s := &Server{ix: ix, opt: opt, mux: http.NewServeMux(), reg: prometheus.NewRegistry(), slots: make(chan struct{}, opt.Workers)}
	s.checkers.New = func() any { return ix.NewChecker() }
	s.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "quchong_http_requests_total", Help: "HTTP requests by endpoint and status code.",
	}, []string{"endpoint", "code"})
	s.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "quchong_http_request_duration_seconds",
		Help:    "HTTP request latency by endpoint.",
		Buckets: []float64{0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10},
	}, []string{"endpoint"})
	s.docs = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "quchong_documents_total", Help: "Documents checked, found duplicate, and added.",
	}, []string{"outcome"})
	s.reg.MustRegister(s.requests, s.latency, s.docs,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "quchong_index_documents", Help: "Documents in the index."},
			func() float64 { _, n := ix.Head(); return float64(n) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "quchong_index_version", Help: "The index's current version."},
			func() float64 { v, _ := ix.Head(); return float64(v) }),
		prometheus.NewGoCollector(),
		prometheus.NewProcessCollector(prometheus.ProcessCollectorOpts{}),
	)
	s.handle("POST /v1/check", "check", s.check)
	s.handle("POST /v1/add", "add", s.add)
	s.handle("GET /healthz", "healthz", s.healthz)
	s.mux.Handle("GET /metrics", promhttp.HandlerFor(s.reg, promhttp.HandlerOpts{}))
	return s
}

// ServeHTTP answers one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// handle registers an endpoint that answers JSON, counted and timed.
func (s *Server) handle(pattern, name string, fn func(*http.Request) (int, any)) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		r.Body = http.MaxBytesReader(w, r.Body, s.opt.MaxBody)
		code, v := fn(r)
		w.Header().Set("Content-Type", "application/json")
		if code == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Bearer realm="quchong"`)
		}
		w.WriteHeader(code)
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		enc.Encode(v) // a client gone away is not the server's error
		s.requests.WithLabelValues(name, strconv.Itoa(code)).Inc()
		s.latency.WithLabelValues(name).Observe(time.Since(start).Seconds())
	})
}

// Document is one document of a request.
type Document struct {
	ID   string  `json:"id,omitempty"`
	Text *string `json:"text"`
}

// request is the body of /v1/check and /v1/add: one document, or a batch.
type request struct {
	Document
	Documents []Document `json:"documents"`
}

// CheckResult answers the check of one document.
type CheckResult struct {
	ID        string  `json:"id,omitempty"`
	Duplicate bool    `json:"duplicate"`
	Matches   []Match `json:"matches"`
}

// Match is an indexed document the checked one duplicates.
type Match struct {
	ID         string  `json:"id"`
	Similarity float64 `json:"similarity"`
	// Reason is "exact" or "near".
	Reason string `json:"reason"`
}

// BatchCheckResult answers a batch check, one result per document in order.
type BatchCheckResult struct {
	Results []CheckResult `json:"results"`
}

// AddResult answers an add: the version it made and the documents added.
type AddResult struct {
	Version uint64 `json:"version"`
	Added   int    `json:"added"`
}

// Error is the body of every error answer.
type Error struct {
	Error string `json:"error"`
}

// Health answers /healthz.
type Health struct {
	Status  string `json:"status"`
	Version uint64 `json:"version"`
	Docs    int64  `json:"docs"`
}

func fail(code int, format string, args ...any) (int, any) {
	return code, Error{Error: fmt.Sprintf(format, args...)}
}

// decode reads a request body: one document or a batch. It returns the
// documents, whether the request was a batch, and an error answer.
func decode(r *http.Request) ([]Document, bool, int, any) {
	var req request
	dec := json.NewDecoder(r.Body)
	err := dec.Decode(&req)
	if err == nil {
		if _, terr := dec.Token(); terr != io.EOF {
			err = errors.New("data after the JSON object")
		}
	}
	if err != nil {
		if mbe := (*http.MaxBytesError)(nil); errors.As(err, &mbe) {
			code, v := fail(http.StatusRequestEntityTooLarge, "request body over %d bytes (--max-body)", mbe.Limit)
			return nil, false, code, v
		}
		code, v := fail(http.StatusBadRequest, "malformed JSON: %v", err)
		return nil, false, code, v
	}
	batch := req.Documents != nil
	docs := req.Documents
	if !batch {
		docs = []Document{req.Document}
	} else if req.Text != nil {
		code, v := fail(http.StatusBadRequest, `give "text" or "documents", not both`)
		return nil, false, code, v
	}
	for i, d := range docs {
		if d.Text == nil {
			where := "the request"
			if batch {
				where = fmt.Sprintf("documents[%d]", i)
			}
			code, v := fail(http.StatusBadRequest, `%s has no "text"`, where)
			return nil, false, code, v
		}
	}
	return docs, batch, 0, nil
}

func (s *Server) check(r *http.Request) (int, any) {
	select {
	case s.slots <- struct{}{}:
		defer func() { <-s.slots }()
	case <-r.Context().Done():
		return fail(http.StatusServiceUnavailable, "request cancelled while waiting for a worker")
	}
	docs, batch, code, v := decode(r)
	if v != nil {
		return code, v
	}
	c := s.checkers.Get().(*index.Checker)
	defer s.checkers.Put(c)
	results := make([]CheckResult, len(docs))
	for i, d := range docs {
		ms, err := c.CheckEntry(c.Prepare(d.ID, []byte(*d.Text)))
		if err != nil {
			return fail(http.StatusInternalServerError, "check: %v", err)
		}
		res := CheckResult{ID: d.ID, Duplicate: len(ms) > 0, Matches: make([]Match, len(ms))}
		for j, m := range ms {
			res.Matches[j] = Match{ID: m.ID, Similarity: m.Similarity, Reason: m.Reason()}
		}
		results[i] = res
		s.docs.WithLabelValues("checked").Inc()
		if res.Duplicate {
			s.docs.WithLabelValues("duplicate").Inc()
		}
	}
	if batch {
		return http.StatusOK, BatchCheckResult{Results: results}
	}
	return http.StatusOK, results[0]
}

func (s *Server) add(r *http.Request) (int, any) {
	if s.opt.ReadOnly || s.opt.Token == "" {
		return fail(http.StatusForbidden, "this server takes no writes (started read-only or without --token-file)")
	}
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || subtle.ConstantTimeCompare([]byte(strings.TrimSpace(tok)), []byte(s.opt.Token)) != 1 {
		return fail(http.StatusUnauthorized, "missing or wrong bearer token")
	}
	docs, _, code, v := decode(r)
	if v != nil {
		return code, v
	}
	c := s.checkers.Get().(*index.Checker)
	defer s.checkers.Put(c)
	entries := make([]index.Entry, len(docs))
	for i, d := range docs {
		if d.ID == "" {
			return fail(http.StatusBadRequest, `document %d has no "id": an added document needs one for matches to name`, i)
		}
		entries[i] = c.Prepare(d.ID, []byte(*d.Text))
	}
	ver, err := s.ix.Add(entries, "serve add")
	if err != nil {
		return fail(http.StatusInternalServerError, "add: %v", err)
	}
	s.docs.WithLabelValues("added").Add(float64(len(entries)))
	return http.StatusOK, AddResult{Version: ver.Number, Added: len(entries)}
}

func (s *Server) healthz(*http.Request) (int, any) {
	v, n := s.ix.Head()
	return http.StatusOK, Health{Status: "ok", Version: v, Docs: n}
}

// Run serves s on the listener until ctx is done, then shuts down
// gracefully: it stops accepting, lets in-flight requests finish (for at
// most grace) and returns. The caller closes the index after.
func Run(ctx context.Context, ln net.Listener, h http.Handler, grace time.Duration) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
