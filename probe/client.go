package probe

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/leakhound/leakhound/internal/atomicfile"
)

// ClientOptions configures the HTTP client every backend uses.
type ClientOptions struct {
	// Concurrency bounds requests in flight (default 4).
	Concurrency int
	// Timeout bounds one request (default 2 minutes).
	Timeout time.Duration
	// Retries is how often a request is retried after a 429, a 5xx or a
	// network error (default 4); the wait doubles from Backoff (default
	// 500 ms, at most 30 s) with jitter, or follows Retry-After.
	Retries int
	Backoff time.Duration
	// CacheDir, when set, stores every successful response on disk keyed
	// by backend, model, path and request body, so a rerun costs nothing.
	// It stores the decoded fields the backend keeps, re-encoded.
	CacheDir string
	// APIKey is sent as "Authorization: Bearer ..." when set.
	APIKey string
	// HTTP is the underlying client (default: a new one with Timeout).
	HTTP *http.Client
}

// Client sends JSON requests to one server with bounded concurrency,
// retries, timeouts and an on-disk cache.
type Client struct {
	base  string
	opt   ClientOptions
	sem   chan struct{}
	scope string // cache scope: backend and model

	// Requests and CacheHits count what the client did.
	Requests, CacheHits atomic.Int64
}

// NewClient returns a client for the server at base (e.g.
// "http://127.0.0.1:8000").
func NewClient(base string, opt ClientOptions) *Client {
	if opt.Concurrency <= 0 {
		opt.Concurrency = 4
	}
	if opt.Timeout <= 0 {
		opt.Timeout = 2 * time.Minute
	}
	if opt.Retries < 0 {
		opt.Retries = 0
	} else if opt.Retries == 0 {
		opt.Retries = 4
	}
	if opt.Backoff <= 0 {
		opt.Backoff = 500 * time.Millisecond
	}
	if opt.HTTP == nil {
		opt.HTTP = &http.Client{Timeout: opt.Timeout}
	}
	return &Client{base: strings.TrimRight(base, "/"), opt: opt, sem: make(chan struct{}, opt.Concurrency)}
}

// SetScope names the backend and model that the cache keys include.
func (c *Client) SetScope(s string) { c.scope = s }

// HTTPError is a non-2xx answer from the server.
type HTTPError struct {
	Status  int
	Message string
}

// Error gives the HTTP status and the server's message.
func (e *HTTPError) Error() string {
	return fmt.Sprintf("HTTP %d: %s", e.Status, e.Message)
}

// retryable reports whether status is worth another try.
func retryable(status int) bool {
	return status == http.StatusTooManyRequests || status >= 500
}

// Get fetches path into out (never cached).
func (c *Client) Get(ctx context.Context, path string, out any) error {
	b, err := c.send(ctx, http.MethodGet, path, nil)
	if err != nil {
		return err
	}
	return decodeJSON(b, out, path)
}

// Post sends body to path and decodes the answer into out, using the
// cache when cache is true.
func (c *Client) Post(ctx context.Context, path string, body any, out any, cache bool) error {
	data, err := json.Marshal(body)
	if err != nil {
		return err
	}
	key := c.cacheKey(path, data)
	if cache && c.opt.CacheDir != "" {
		if b, err := os.ReadFile(c.cachePath(key)); err == nil {
			if decodeJSON(b, out, path) == nil {
				c.CacheHits.Add(1)
				return nil
			}
		}
	}
	b, err := c.send(ctx, http.MethodPost, path, data)
	if err != nil {
		return err
	}
	if err := decodeJSON(b, out, path); err != nil {
		return err
	}
	if cache && c.opt.CacheDir != "" {
		// Store what out kept, not the raw answer: an echo answer carries
		// the prompt text, offsets and top_logprobs that no test reads, and
		// decoding them dominated a cached rerun (56 s → 37 s CPU for
		// GSM8K likelihood + Oren when the fields were dropped from out).
		compact, err := json.Marshal(out)
		if err != nil {
			return fmt.Errorf("request cache: %w", err)
		}
		if err := atomicfile.Write(c.cachePath(key), compact); err != nil {
			return fmt.Errorf("request cache: %w", err)
		}
	}
	return nil
}

func decodeJSON(b []byte, out any, path string) error {
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("%s: bad JSON answer: %v", path, err)
	}
	return nil
}

func (c *Client) cacheKey(path string, body []byte) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\n%s\n", c.scope, path)
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

func (c *Client) cachePath(key string) string {
	return filepath.Join(c.opt.CacheDir, key[:2], key+".json")
}

// maxAnswerBytes bounds one response body.
const maxAnswerBytes = 1 << 30

// send does one request with retries, holding a concurrency slot.
func (c *Client) send(ctx context.Context, method, path string, body []byte) ([]byte, error) {
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-c.sem }()
	var last error
	for attempt := 0; attempt <= c.opt.Retries; attempt++ {
		b, wait, err := c.once(ctx, method, path, body)
		if err == nil {
			return b, nil
		}
		last = err
		var he *HTTPError
		if ctx.Err() != nil || errors.As(err, &he) && !retryable(he.Status) {
			return nil, err
		}
		if attempt == c.opt.Retries {
			break
		}
		if wait <= 0 {
			wait = c.backoff(attempt)
		}
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return nil, fmt.Errorf("%s %s: giving up after %d tries: %w", method, path, c.opt.Retries+1, last)
}

func (c *Client) backoff(attempt int) time.Duration {
	d := c.opt.Backoff << attempt
	if d > 30*time.Second || d <= 0 {
		d = 30 * time.Second
	}
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

// once does one request; wait is the server's Retry-After when given.
func (c *Client) once(ctx context.Context, method, path string, body []byte) ([]byte, time.Duration, error) {
	c.Requests.Add(1)
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if c.opt.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+c.opt.APIKey)
	}
	resp, err := c.opt.HTTP.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
	if err != nil {
		return nil, 0, err
	}
	if resp.StatusCode/100 != 2 {
		var wait time.Duration
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s >= 0 && s < 600 {
			wait = time.Duration(s) * time.Second
		}
		return nil, wait, &HTTPError{Status: resp.StatusCode, Message: errorMessage(b)}
	}
	return b, 0, nil
}

// errorMessage extracts the message of the error shapes of vLLM/OpenAI
// ({"message"} or {"error": {"message"}}), SGLang and TGI ({"error": "..."}).
func errorMessage(b []byte) string {
	var v struct {
		Message string          `json:"message"`
		Error   json.RawMessage `json:"error"`
		Detail  any             `json:"detail"`
	}
	if json.Unmarshal(b, &v) == nil {
		if v.Message != "" {
			return v.Message
		}
		var s string
		if json.Unmarshal(v.Error, &s) == nil && s != "" {
			return s
		}
		var o struct {
			Message string `json:"message"`
		}
		if json.Unmarshal(v.Error, &o) == nil && o.Message != "" {
			return o.Message
		}
		if v.Detail != nil {
			return fmt.Sprint(v.Detail)
		}
	}
	s := strings.TrimSpace(string(b))
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	return s
}
