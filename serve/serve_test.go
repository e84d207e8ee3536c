package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/quchong/quchong/index"
	"github.com/quchong/quchong/stage"
)

const token = "s3cret-token"

func seedLines(t testing.TB) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "seed.txt"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimRight(string(b), "\n"), "\n")
}

func newIndex(t testing.TB) *index.Index {
	t.Helper()
	p := stage.DefaultParams()
	ix, err := index.Open(t.TempDir(), index.Options{Params: &p, Create: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}

// call sends one request and decodes the JSON answer into out (when not
// nil); it returns the status code and the raw body.
func call(t testing.TB, h http.Handler, method, path, auth string, body any, out any) (int, string) {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		js, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(js)
	}
	req := httptest.NewRequest(method, path, rd)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if out != nil && w.Code == http.StatusOK {
		if err := json.Unmarshal(w.Body.Bytes(), out); err != nil {
			t.Fatalf("%s %s: answer %q: %v", method, path, w.Body.String(), err)
		}
	}
	return w.Code, w.Body.String()
}

func doc(id, text string) Document { return Document{ID: id, Text: &text} }

func TestAddAuth(t *testing.T) {
	lines := seedLines(t)
	tests := []struct {
		name string
		opt  Options
		auth string
		want int
	}{
		{"no token", Options{Token: token}, "", http.StatusUnauthorized},
		{"wrong token", Options{Token: token}, "Bearer nope", http.StatusUnauthorized},
		{"token without Bearer", Options{Token: token}, token, http.StatusUnauthorized},
		{"server without a token", Options{}, "Bearer " + token, http.StatusForbidden},
		{"read-only server", Options{Token: token, ReadOnly: true}, "Bearer " + token, http.StatusForbidden},
		{"right token", Options{Token: token}, "Bearer " + token, http.StatusOK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ix := newIndex(t)
			s := New(ix, tc.opt)
			code, body := call(t, s, "POST", "/v1/add", tc.auth, doc("a", lines[0]), nil)
			if code != tc.want {
				t.Fatalf("status %d (%s), want %d", code, body, tc.want)
			}
			_, docs := ix.Head()
			if wrote := docs > 0; wrote != (tc.want == http.StatusOK) {
				t.Errorf("status %d and %d documents in the index", code, docs)
			}
			var r CheckResult
			call(t, s, "POST", "/v1/check", "", doc("", lines[0]), &r)
			if r.Duplicate != (tc.want == http.StatusOK) {
				t.Errorf("check after add: %+v", r)
			}
		})
	}
}

func TestCheckAndAdd(t *testing.T) {
	lines := seedLines(t)
	s := New(newIndex(t), Options{Token: token})
	var r CheckResult
	if code, body := call(t, s, "POST", "/v1/check", "", doc("q", lines[15]), &r); code != 200 || r.Duplicate || r.Matches == nil || r.ID != "q" {
		t.Fatalf("check on an empty index: %d %s", code, body)
	}
	// A batch add of every line but 3 and 19 (duplicates of 2 and 16).
	var batch []Document
	for i, l := range lines {
		if i+1 != 3 && i+1 != 19 {
			batch = append(batch, doc(fmt.Sprintf("seed:%d", i+1), l))
		}
	}
	var a AddResult
	if code, body := call(t, s, "POST", "/v1/add", "Bearer "+token, map[string]any{"documents": batch}, &a); code != 200 || a.Version != 1 || a.Added != len(batch) {
		t.Fatalf("batch add: %d %s", code, body)
	}
	var br BatchCheckResult
	req := map[string]any{"documents": []Document{doc("3", lines[2]), doc("19", lines[18]), doc("new", "一段全新的文字，与已经收录的任何文档都不相同，讲述的是山川河流和四季变化。")}}
	if code, body := call(t, s, "POST", "/v1/check", "", req, &br); code != 200 || len(br.Results) != 3 {
		t.Fatalf("batch check: %d %s", code, body)
	}
	want := []struct {
		id, match, reason string
	}{{"3", "seed:2", "exact"}, {"19", "seed:16", "near"}, {"new", "", ""}}
	for i, w := range want {
		r := br.Results[i]
		if r.ID != w.id {
			t.Errorf("result %d has id %q, want %q", i, r.ID, w.id)
		}
		if w.match == "" {
			if r.Duplicate || len(r.Matches) != 0 {
				t.Errorf("%s: %+v, want no match", w.id, r)
			}
			continue
		}
		if !r.Duplicate || len(r.Matches) != 1 || r.Matches[0].ID != w.match || r.Matches[0].Reason != w.reason {
			t.Errorf("%s: %+v, want one %s match with %s", w.id, r, w.reason, w.match)
		}
	}
	var h Health
	if code, _ := call(t, s, "GET", "/healthz", "", nil, &h); code != 200 || h.Docs != int64(len(batch)) || h.Version != 1 {
		t.Errorf("healthz: %+v", h)
	}
}

func TestBadInput(t *testing.T) {
	tests := []struct {
		name, path, body string
		maxBody          int64
		want             int
		says             string
	}{
		{"malformed JSON", "/v1/check", `{"text": `, 0, 400, "malformed JSON"},
		{"not an object", "/v1/check", `["a"]`, 0, 400, "malformed JSON"},
		{"trailing data", "/v1/check", `{"text": "a"} {"text": "b"}`, 0, 400, "after the JSON"},
		{"no text", "/v1/check", `{"id": "a"}`, 0, 400, `no "text"`},
		{"batch without a text", "/v1/check", `{"documents": [{"text": "a"}, {"id": "b"}]}`, 0, 400, `documents[1] has no "text"`},
		{"text and documents", "/v1/check", `{"text": "a", "documents": []}`, 0, 400, "not both"},
		{"add without an id", "/v1/add", `{"text": "a"}`, 0, 400, `no "id"`},
		{"oversize check", "/v1/check", `{"text": "` + strings.Repeat("长", 400) + `"}`, 1024, 413, "over 1024 bytes"},
		{"oversize add", "/v1/add", `{"id": "x", "text": "` + strings.Repeat("长", 400) + `"}`, 1024, 413, "over 1024 bytes"},
		{"wrong method", "/v1/check", "", 0, 405, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ix := newIndex(t)
			s := New(ix, Options{Token: token, MaxBody: tc.maxBody})
			method := "POST"
			if tc.want == 405 {
				method = "GET"
			}
			code, body := call(t, s, method, tc.path, "Bearer "+token, tc.body, nil)
			if code != tc.want {
				t.Fatalf("status %d %q, want %d", code, body, tc.want)
			}
			if tc.want != 405 {
				var e Error
				if err := json.Unmarshal([]byte(body), &e); err != nil || !strings.Contains(e.Error, tc.says) {
					t.Errorf("error body %q is not {\"error\": ...} saying %q", body, tc.says)
				}
			}
			if _, docs := ix.Head(); docs != 0 {
				t.Errorf("%d documents written by a refused request", docs)
			}
		})
	}
}

func TestMetrics(t *testing.T) {
	lines := seedLines(t)
	s := New(newIndex(t), Options{Token: token})
	call(t, s, "POST", "/v1/add", "Bearer "+token, doc("a", lines[0]), nil)
	call(t, s, "POST", "/v1/check", "", doc("", lines[0]), nil)
	call(t, s, "POST", "/v1/check", "", `{`, nil)
	_, body := call(t, s, "GET", "/metrics", "", nil, nil)
	for _, want := range []string{
		`quchong_http_requests_total{code="200",endpoint="check"} 1`,
		`quchong_http_requests_total{code="400",endpoint="check"} 1`,
		`quchong_http_requests_total{code="200",endpoint="add"} 1`,
		`quchong_http_request_duration_seconds_bucket{endpoint="check",le="+Inf"} 2`,
		`quchong_documents_total{outcome="duplicate"} 1`,
		`quchong_index_documents 1`,
		`quchong_index_version 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

// TestRealServerShutdown runs the service on a random loopback port,
// drives checks and adds concurrently, then shuts it down while a request
// is in flight: that request completes, new connections are refused.
func TestRealServerShutdown(t *testing.T) {
	lines := seedLines(t)
	ix := newIndex(t)
	s := New(ix, Options{Token: token})
	inFlight, release := make(chan struct{}), make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			close(inFlight)
			<-release
			r.URL.Path = "/healthz"
		}
		s.ServeHTTP(w, r)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, ln, h, 10*time.Second) }()

	post := func(path, auth string, v any) (int, error) {
		js, _ := json.Marshal(v)
		req, _ := http.NewRequest("POST", url+path, bytes.NewReader(js))
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode, nil
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 10 {
				text := fmt.Sprintf("%d-%d %s", w, i, lines[(w*10+i)%len(lines)])
				if code, err := post("/v1/add", "Bearer "+token, doc(fmt.Sprintf("w%d-%d", w, i), text)); err != nil || code != 200 {
					errs <- fmt.Errorf("add: %d %v", code, err)
				}
				if code, err := post("/v1/check", "", doc("", text)); err != nil || code != 200 {
					errs <- fmt.Errorf("check: %d %v", code, err)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if _, docs := ix.Head(); docs != 40 {
		t.Errorf("%d documents after 40 acknowledged adds", docs)
	}

	slow := make(chan int, 1)
	go func() {
		resp, err := http.Get(url + "/slow")
		if err != nil {
			slow <- 0
			return
		}
		resp.Body.Close()
		slow <- resp.StatusCode
	}()
	<-inFlight
	cancel()
	time.Sleep(100 * time.Millisecond) // let Shutdown close the listener
	if _, err := http.Get(url + "/healthz"); err == nil {
		t.Error("a new request was served after shutdown began")
	}
	close(release)
	if code := <-slow; code != 200 {
		t.Errorf("the in-flight request got %d, want 200", code)
	}
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
}

func TestClient(t *testing.T) {
	lines := seedLines(t)
	ts := httptest.NewServer(New(newIndex(t), Options{Token: token}))
	defer ts.Close()
	ctx := context.Background()
	bad := &Client{URL: ts.URL, Token: "wrong"}
	var se *StatusError
	if _, err := bad.Add(ctx, []Document{doc("a", lines[0])}); !errors.As(err, &se) || se.Code != 401 {
		t.Fatalf("Add with a wrong token: %v", err)
	}
	c := &Client{URL: ts.URL + "/", Token: token}
	if a, err := c.Add(ctx, []Document{doc("a", lines[0]), doc("b", lines[1])}); err != nil || a.Added != 2 {
		t.Fatalf("Add: %+v, %v", a, err)
	}
	rs, err := c.Check(ctx, []Document{doc("x", lines[2]), doc("y", lines[5])})
	if err != nil || len(rs) != 2 || !rs[0].Duplicate || rs[0].Matches[0].ID != "b" || rs[1].Duplicate {
		t.Fatalf("Check: %+v, %v", rs, err)
	}
	if h, err := c.Health(ctx); err != nil || h.Docs != 2 {
		t.Fatalf("Health: %+v, %v", h, err)
	}
}

// TestWorkersBound: with every worker busy a check waits (here until its
// client gives up: 503, nothing checked); once one is free it runs.
func TestWorkersBound(t *testing.T) {
	lines := seedLines(t)
	s := New(newIndex(t), Options{Token: token, Workers: 1})
	s.slots <- struct{}{} // the one worker is busy
	js, _ := json.Marshal(doc("q", lines[0]))
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	req := httptest.NewRequest("POST", "/v1/check", bytes.NewReader(js)).WithContext(ctx)
	w := httptest.NewRecorder()
	start := time.Now()
	s.ServeHTTP(w, req)
	if w.Code != http.StatusServiceUnavailable || time.Since(start) < 100*time.Millisecond {
		t.Fatalf("check with the worker busy: %d after %v, want 503 once the client gave up", w.Code, time.Since(start))
	}
	<-s.slots
	var r CheckResult
	if code, body := call(t, s, "POST", "/v1/check", "", doc("q", lines[0]), &r); code != 200 || r.Duplicate {
		t.Fatalf("check with the worker free: %d %s", code, body)
	}
	if len(s.slots) != 0 {
		t.Errorf("%d workers still held after the check", len(s.slots))
	}
}
