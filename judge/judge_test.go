package judge

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/leakhound/leakhound/internal/vec"
)

// chatServer speaks /v1/chat/completions like vLLM and Ollama: it answers
// True when both parts contain the word "apple". fail makes the first
// requests fail with that status.
type chatServer struct {
	mu       sync.Mutex
	calls    int
	fail     []int
	reply    string
	inflight atomic.Int32
	peak     atomic.Int32
}

func (s *chatServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/v1/chat/completions" || r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	n := s.inflight.Add(1)
	defer s.inflight.Add(-1)
	for {
		p := s.peak.Load()
		if n <= p || s.peak.CompareAndSwap(p, n) {
			break
		}
	}
	time.Sleep(5 * time.Millisecond)
	s.mu.Lock()
	s.calls++
	call := s.calls
	s.mu.Unlock()
	if call <= len(s.fail) {
		http.Error(w, `{"error":"busy"}`, s.fail[call-1])
		return
	}
	var req chatRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Model == "" || req.Temperature != 0 || len(req.Messages) != 2 ||
		req.Messages[0].Role != "system" || req.Messages[1].Role != "user" || !strings.HasPrefix(req.Messages[1].Content, "part1: {\n") {
		http.Error(w, `{"error":"bad request"}`, http.StatusBadRequest)
		return
	}
	reply := s.reply
	if reply == "" {
		parts := strings.SplitN(req.Messages[1].Content, "part2: {", 2)
		reply = "False"
		if len(parts) == 2 && strings.Contains(parts[0], "apple") && strings.Contains(parts[1], "apple") {
			reply = "True."
		}
	}
	json.NewEncoder(w).Encode(map[string]any{"id": "x", "object": "chat.completion", "model": req.Model,
		"choices": []map[string]any{{"index": 0, "message": map[string]string{"role": "assistant", "content": reply}, "finish_reason": "stop"}}})
}

func newJudge(url string) *Judge {
	j := New(url, "qwen2.5:7b", 2)
	j.Backoff = time.Millisecond
	return j
}

func TestJudge(t *testing.T) {
	ctx := context.Background()
	srv := &chatServer{}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	j := newJudge(ts.URL)
	j.CacheDir = t.TempDir()
	for _, c := range []struct {
		item, text, kind string
		same             bool
	}{
		{"an apple costs 2", "two apples cost", KindMath, true},
		{"an apple costs 2", "a pear costs 3", KindMath, false},
		{"def f(apple): return 1", "int f(int apple) { return 1; }", KindCode, true},
	} {
		v, err := j.Judge(ctx, c.kind, c.item, c.text)
		if err != nil || v.Same != c.same || v.Cached {
			t.Errorf("Judge(%q, %q) = %+v, %v; want same=%v, not cached", c.item, c.text, v, err, c.same)
		}
	}
	calls := srv.calls
	v, err := j.Judge(ctx, KindMath, "an apple costs 2", "two apples cost")
	if err != nil || !v.Same || !v.Cached || srv.calls != calls {
		t.Errorf("repeat: %+v, %v, calls %d → %d; want a cached True", v, err, calls, srv.calls)
	}
	if _, err := j.Judge(ctx, "poetry", "a", "b"); err == nil {
		t.Error("unknown kind: no error")
	}
}

func TestJudgeRetries(t *testing.T) {
	ctx := context.Background()
	srv := &chatServer{fail: []int{503, 429}}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	if v, err := newJudge(ts.URL).Judge(ctx, KindKnowledge, "apple", "apple"); err != nil || !v.Same || srv.calls != 3 {
		t.Errorf("after 503 and 429: %+v, %v, %d calls; want True after 3 calls", v, err, srv.calls)
	}
	bad := &chatServer{fail: []int{400}}
	ts2 := httptest.NewServer(bad)
	defer ts2.Close()
	if _, err := newJudge(ts2.URL).Judge(ctx, KindKnowledge, "apple", "apple"); err == nil || bad.calls != 1 {
		t.Errorf("400: err %v after %d calls; want an error and no retry", err, bad.calls)
	}
	odd := &chatServer{reply: "Perhaps"}
	ts3 := httptest.NewServer(odd)
	defer ts3.Close()
	j := newJudge(ts3.URL)
	j.Retries = 2
	if _, err := j.Judge(ctx, KindKnowledge, "apple", "apple"); err == nil || odd.calls != 3 {
		t.Errorf("unparsable reply: err %v after %d calls; want an error after 3 (never a silent False)", err, odd.calls)
	}
}

func TestJudgeConcurrencyLimit(t *testing.T) {
	srv := &chatServer{}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	j := newJudge(ts.URL)
	var wg sync.WaitGroup
	for i := 0; i < 12; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			if _, err := j.Judge(context.Background(), KindMath, "apple "+string(rune('a'+i)), "apple"); err != nil {
				t.Error(err)
			}
		}(i)
	}
	wg.Wait()
	if p := srv.peak.Load(); p > 2 || p < 1 {
		t.Errorf("peak in-flight requests %d, want 1..2", p)
	}
}

func TestParseVerdict(t *testing.T) {
	for _, c := range []struct {
		in       string
		same, ok bool
	}{{"True", true, true}, {" false.", false, true}, {"**True**", true, true}, {"TRUE, they match", true, true}, {"maybe", false, false}, {"", false, false}} {
		if same, ok := parseVerdict(c.in); same != c.same || ok != c.ok {
			t.Errorf("parseVerdict(%q) = %v, %v", c.in, same, ok)
		}
	}
}

func TestEmbedder(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req embedRequest
		if r.URL.Path != "/v1/embeddings" || json.NewDecoder(r.Body).Decode(&req) != nil || req.Model == "" {
			http.Error(w, "bad", http.StatusBadRequest)
			return
		}
		var data []map[string]any
		for i := len(req.Input) - 1; i >= 0; i-- { // out of order, as servers may answer
			v := make([]float64, 26)
			for _, c := range strings.ToLower(req.Input[i]) {
				if c >= 'a' && c <= 'z' {
					v[c-'a']++
				}
			}
			data = append(data, map[string]any{"object": "embedding", "index": i, "embedding": v})
		}
		json.NewEncoder(w).Encode(map[string]any{"object": "list", "data": data, "model": req.Model})
	}))
	defer ts.Close()
	e := NewEmbedder(ts.URL, "nomic-embed-text", 2)
	vs, err := e.Embed(context.Background(), []string{"abc", "abc", "xyz"})
	if err != nil {
		t.Fatal(err)
	}
	if c := vec.Cosine(vs[0], vs[1]); c < 0.999 {
		t.Errorf("cosine of equal texts %v", c)
	}
	if c := vec.Cosine(vs[0], vs[2]); c != 0 {
		t.Errorf("cosine of disjoint texts %v", c)
	}
	if _, err := NewEmbedder(ts.URL, "", 1).Embed(context.Background(), []string{"a"}); err == nil {
		t.Error("missing model: no error")
	}
}
