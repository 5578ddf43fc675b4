package judge

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/leakhound/leakhound/internal/atomicfile"
	"github.com/leakhound/leakhound/probe"
)

// Kinds of instruction, after LMSYS's detect_instruct.py (§4.2 of
// shared/reference/data-detection.md), in our own words.
const (
	KindCode      = "code"
	KindMath      = "math"
	KindKnowledge = "knowledge"
	KindNumbers   = "number_substitution"
)

// promptVersion is part of every cache key: a changed prompt never reuses
// old verdicts.
const promptVersion = "lh-judge-1"

var instructions = map[string]string{
	KindCode: "You compare two programs, which may be written in different programming languages. " +
		"Decide whether they solve the same task: look only at what they are meant to do, what they take as input and what they return, " +
		"and ignore how they are written (names, style, comments, helper code, language). " +
		"Each program is given between curly braces. Answer with the single word True if they solve the same task, otherwise False.",
	KindMath: "You compare two math questions, which may be written in different languages. " +
		"Decide whether they are the same question: ignore changes of names, of wording and of word order, " +
		"and treat them as the same when, setting aside how one would solve them, they ask for the same answer from the same data. " +
		"Each question is given between curly braces. Answer with the single word True if they are the same, otherwise False.",
	KindKnowledge: "You compare two exam questions, which may be written in different languages and may or may not list their answer options. " +
		"Decide whether they test the same knowledge in the same way: ignore wording, word order, translation and formatting. " +
		"Each question is given between curly braces. Answer with the single word True if they are the same, otherwise False.",
	KindNumbers: "You compare two questions. Decide whether they are the same question, ignoring names, the numbers used and small changes of word order. " +
		"Each question is given between curly braces. Answer with the single word True if they are the same, otherwise False.",
}

// Judge asks a chat model for verdicts. Set the fields before the first
// call: the HTTP client (probe.Client) is built from them then.
type Judge struct {
	URL      string // server base URL, e.g. http://localhost:8000 (vLLM) or http://localhost:11434 (Ollama)
	Model    string
	APIKey   string // sent as a bearer token when set ($OPENAI_API_KEY)
	CacheDir string // verdict cache; "" disables it
	Retries  int    // attempts after the first (5), after errors and after replies that are not a verdict
	Backoff  time.Duration
	HTTP     *http.Client
	conn     conn
}

// New returns a judge with at most concurrency requests in flight.
func New(url, model string, concurrency int) *Judge {
	return &Judge{URL: strings.TrimRight(url, "/"), Model: model, Retries: 5, Backoff: 500 * time.Millisecond,
		HTTP: &http.Client{Timeout: 120 * time.Second}, conn: conn{concurrency: concurrency}, APIKey: os.Getenv("OPENAI_API_KEY")}
}

// conn builds a probe.Client (bounded concurrency, retries of network
// errors, 429 and 5xx with backoff) on first use, from settings that the
// caller may change until then.
type conn struct {
	concurrency int
	once        sync.Once
	c           *probe.Client
}

func (c *conn) client(url, apiKey string, retries int, backoff time.Duration, hc *http.Client) *probe.Client {
	c.once.Do(func() {
		if retries <= 0 {
			retries = -1 // probe.ClientOptions: 0 means its default
		}
		c.c = probe.NewClient(url, probe.ClientOptions{Concurrency: max(1, c.concurrency), Retries: retries,
			Backoff: max(backoff, time.Nanosecond), APIKey: apiKey, HTTP: hc})
	})
	return c.c
}

// Verdict is a judge's answer for one pair.
type Verdict struct {
	Same   bool   `json:"same"`
	Reply  string `json:"reply"`
	Model  string `json:"model"`
	Kind   string `json:"kind"`
	Cached bool   `json:"-"`
}

type chatMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type chatRequest struct {
	Model       string        `json:"model"`
	Messages    []chatMessage `json:"messages"`
	Temperature float64       `json:"temperature"`
	MaxTokens   int           `json:"max_tokens"`
}

type chatResponse struct {
	Choices []struct {
		Message chatMessage `json:"message"`
	} `json:"choices"`
}

// userMessage encloses the two texts in curly braces, as LMSYS's prompt
// does (part1 is the benchmark item, part2 the training text).
func userMessage(item, text string) string {
	return "part1: {\n" + item + "\n}\npart2: {\n" + text + "\n}"
}

func (j *Judge) key(kind, item, text string) string {
	h := sha256.New()
	for _, s := range []string{promptVersion, j.Model, kind, item, text} {
		fmt.Fprintf(h, "%d:%s", len(s), s)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Judge returns the verdict on (item, text) for an instruction kind.
func (j *Judge) Judge(ctx context.Context, kind, item, text string) (Verdict, error) {
	ins, ok := instructions[kind]
	if !ok {
		return Verdict{}, fmt.Errorf("judge: unknown kind %q", kind)
	}
	key := j.key(kind, item, text)
	if v, ok := j.cached(key); ok {
		return v, nil
	}
	req := chatRequest{Model: j.Model, Temperature: 0, MaxTokens: 5, Messages: []chatMessage{
		{Role: "system", Content: ins}, {Role: "user", Content: userMessage(item, text)}}}
	c := j.conn.client(j.URL, j.APIKey, j.Retries, j.Backoff, j.HTTP)
	var reply string
	for attempt := 0; attempt <= j.Retries; attempt++ {
		var resp chatResponse
		if err := c.Post(ctx, "/v1/chat/completions", req, &resp, false); err != nil {
			return Verdict{}, fmt.Errorf("judge %s: %w", j.URL, err)
		}
		if len(resp.Choices) == 0 {
			return Verdict{}, fmt.Errorf("judge %s: response without choices", j.URL)
		}
		reply = resp.Choices[0].Message.Content
		if same, ok := parseVerdict(reply); ok {
			v := Verdict{Same: same, Reply: reply, Model: j.Model, Kind: kind}
			j.store(key, v)
			return v, nil
		}
	}
	return Verdict{}, fmt.Errorf("judge %s: no verdict after %d attempts: reply %q is neither True nor False", j.URL, j.Retries+1, reply)
}

// parseVerdict reads "True" or "False" (any case, surrounding punctuation
// and space ignored).
func parseVerdict(s string) (bool, bool) {
	w := strings.ToLower(strings.Trim(strings.TrimSpace(s), ".!\"'`*"))
	if f := strings.Fields(w); len(f) > 0 {
		w = strings.Trim(f[0], ".,!\"'`*:")
	}
	switch w {
	case "true", "yes":
		return true, true
	case "false", "no":
		return false, true
	}
	return false, false
}

func (j *Judge) cachePath(key string) string {
	return filepath.Join(j.CacheDir, key[:2], key+".json")
}

func (j *Judge) cached(key string) (Verdict, bool) {
	if j.CacheDir == "" {
		return Verdict{}, false
	}
	b, err := os.ReadFile(j.cachePath(key))
	if err != nil {
		return Verdict{}, false
	}
	var v Verdict
	if json.Unmarshal(b, &v) != nil {
		return Verdict{}, false
	}
	v.Cached = true
	return v, true
}

// store writes a verdict atomically (atomicfile: temporary file and
// rename); a cache that cannot be written only costs a repeated request.
func (j *Judge) store(key string, v Verdict) {
	if j.CacheDir == "" {
		return
	}
	b, _ := json.Marshal(v)
	atomicfile.Write(j.cachePath(key), b)
}

// DefaultCacheDir is $XDG_CACHE_HOME/leakhound/judge, else
// ~/.cache/leakhound/judge.
func DefaultCacheDir() string {
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "leakhound", "judge")
	}
	return ""
}

// Embedder fetches embeddings from an OpenAI-compatible server.
type Embedder struct {
	URL    string
	Model  string
	APIKey string
	HTTP   *http.Client
	conn   conn
}

// NewEmbedder returns an embedder with at most concurrency requests in
// flight.
func NewEmbedder(url, model string, concurrency int) *Embedder {
	return &Embedder{URL: strings.TrimRight(url, "/"), Model: model, HTTP: &http.Client{Timeout: 60 * time.Second},
		conn: conn{concurrency: concurrency}, APIKey: os.Getenv("OPENAI_API_KEY")}
}

type embedRequest struct {
	Model string   `json:"model"`
	Input []string `json:"input"`
}

type embedResponse struct {
	Data []struct {
		Index     int       `json:"index"`
		Embedding []float64 `json:"embedding"`
	} `json:"data"`
}

// Embed returns one vector per text, in order.
func (e *Embedder) Embed(ctx context.Context, texts []string) ([][]float64, error) {
	var resp embedResponse
	c := e.conn.client(e.URL, e.APIKey, 3, 500*time.Millisecond, e.HTTP)
	if err := c.Post(ctx, "/v1/embeddings", embedRequest{Model: e.Model, Input: texts}, &resp, false); err != nil {
		return nil, fmt.Errorf("embed: %w", err)
	}
	out := make([][]float64, len(texts))
	for _, d := range resp.Data {
		if d.Index < 0 || d.Index >= len(texts) {
			return nil, fmt.Errorf("embed: index %d out of range", d.Index)
		}
		out[d.Index] = d.Embedding
	}
	for i, v := range out {
		if len(v) == 0 {
			return nil, fmt.Errorf("embed: no embedding for input %d", i)
		}
	}
	return out, nil
}
