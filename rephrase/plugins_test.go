package rephrase

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/leakhound/leakhound"
	"github.com/leakhound/leakhound/judge"
)

// fakeServer answers /v1/chat/completions with verdict and
// /v1/embeddings with equal unit vectors (cosine 1), as vLLM or Ollama
// would, and counts the requests.
func fakeServer(t *testing.T, verdict string) (*httptest.Server, *atomic.Int32) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		switch r.URL.Path {
		case "/v1/chat/completions":
			var req struct {
				Temperature float64 `json:"temperature"`
				Messages    []struct{ Role, Content string }
			}
			if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Temperature != 0 || len(req.Messages) != 2 || !strings.Contains(req.Messages[1].Content, "part2: {") {
				http.Error(w, "bad request", http.StatusBadRequest)
				return
			}
			json.NewEncoder(w).Encode(map[string]any{"choices": []map[string]any{{"message": map[string]string{"role": "assistant", "content": verdict}}}})
		case "/v1/embeddings":
			var req struct{ Input []string }
			json.NewDecoder(r.Body).Decode(&req)
			var data []map[string]any
			for i := range req.Input {
				data = append(data, map[string]any{"index": i, "embedding": []float64{1, 0}})
			}
			json.NewEncoder(w).Encode(map[string]any{"data": data})
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

func TestPlugins(t *testing.T) {
	m := testModel(t)
	items := []leakhound.Item{{ID: "t/0", Benchmark: "t", Text: itemDucks}}
	for _, c := range []struct {
		name    string
		verdict string
		want    int
		judged  float64
	}{
		{"judge confirms", "True", 1, 1},
		{"judge rejects", "False", 0, 0},
	} {
		srv, calls := fakeServer(t, c.verdict)
		d := NewDetector(m, items)
		j := judge.New(srv.URL, "test-model", 2)
		d.SetPlugins(&Plugins{Judge: j, Embedder: judge.NewEmbedder(srv.URL, "test-embed", 2), EmbedThreshold: 0.85, Gray: 0.2})
		fs, err := d.NewWorker().Detect(nil, []byte(paraDucks))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if len(fs) != c.want || calls.Load() != 2 {
			t.Fatalf("%s: %d findings after %d requests; want %d after 2 (embedding, judge)", c.name, len(fs), calls.Load(), c.want)
		}
		if c.want == 1 && (fs[0].Evidence["judge"] != c.judged || fs[0].Evidence["embed_cosine"] < 0.99) {
			t.Errorf("%s: evidence %v lacks the judge's verdict or the cosine", c.name, fs[0].Evidence)
		}
	}
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "down", http.StatusServiceUnavailable) }))
	defer down.Close()
	d := NewDetector(m, items)
	j := judge.New(down.URL, "test-model", 1)
	j.Retries, j.Backoff = 1, 0
	d.SetPlugins(&Plugins{Judge: j, Gray: 0.2})
	if _, err := d.NewWorker().Detect(nil, []byte(paraDucks)); err == nil {
		t.Error("an unreachable judge must stop the scan with an error, not count as False")
	}
}
