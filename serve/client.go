package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// Client calls a quchong check service.
type Client struct {
	// URL is the service's base URL, such as http://127.0.0.1:8080.
	URL string
	// Token is the bearer token for Add.
	Token string
	// HTTP is the client used; nil means http.DefaultClient.
	HTTP *http.Client
}

// StatusError is an answer other than 200.
type StatusError struct {
	Code    int
	Message string
}

func (e *StatusError) Error() string { return fmt.Sprintf("server answered %d: %s", e.Code, e.Message) }

// Check checks documents (one request, the batch form) and returns one
// result per document, in order.
func (c *Client) Check(ctx context.Context, docs []Document) ([]CheckResult, error) {
	var r BatchCheckResult
	if err := c.do(ctx, "POST", "/v1/check", map[string]any{"documents": docs}, &r); err != nil {
		return nil, err
	}
	if len(r.Results) != len(docs) {
		return nil, fmt.Errorf("check: %d results for %d documents", len(r.Results), len(docs))
	}
	return r.Results, nil
}

// CheckOne checks one document with the single form of /v1/check
// ({"text": ...}), one request a document.
func (c *Client) CheckOne(ctx context.Context, doc Document) (CheckResult, error) {
	var r CheckResult
	err := c.do(ctx, "POST", "/v1/check", doc, &r)
	return r, err
}

// Add adds documents as one index version.
func (c *Client) Add(ctx context.Context, docs []Document) (AddResult, error) {
	var r AddResult
	err := c.do(ctx, "POST", "/v1/add", map[string]any{"documents": docs}, &r)
	return r, err
}

// Health returns the service's /healthz answer.
func (c *Client) Health(ctx context.Context) (Health, error) {
	var h Health
	err := c.do(ctx, "GET", "/healthz", nil, &h)
	return h, err
}

func (c *Client) do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		js, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(js)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimRight(c.URL, "/")+path, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if resp.StatusCode != http.StatusOK {
		var e Error
		if json.Unmarshal(b, &e) != nil || e.Error == "" {
			e.Error = strings.TrimSpace(string(b))
		}
		return &StatusError{Code: resp.StatusCode, Message: e.Error}
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("%s %s: answer: %w", method, path, err)
	}
	return nil
}
