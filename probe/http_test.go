package probe

import (
	"context"
	"errors"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/leakhound/leakhound/lm"
)

// synthModel is an LM trained on background text, the members of
// synth items 0..59 (even ones) as separate documents, and synth items
// 60..119 as one file in canonical order.
func synthModel(t testing.TB) (*lm.Model, map[string]bool) {
	t.Helper()
	items := synthItems(120, 7)
	docs := synthBackground(300, 1)
	labels := map[string]bool{}
	for i, it := range items[:60] {
		labels[it.ID] = i%2 == 0
		if labels[it.ID] {
			docs = append(docs, it.Text)
		}
	}
	file := ""
	for _, it := range items[60:] {
		file += it.Text + "\n"
	}
	docs = append(docs, file)
	return trainLM(t, lm.KindWord, 4, docs, 1), labels
}

func lmServer(t testing.TB, m *lm.Model, opt lm.ServeOptions) *httptest.Server {
	t.Helper()
	h, err := lm.Handler(m, opt)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// llamaServer answers like llama-server: no echo on /v1/completions, chat
// through the lm.
func llamaServer(t testing.TB, m *lm.Model) *httptest.Server {
	h, err := lm.Handler(m, lm.ServeOptions{Name: "llama"})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/completions", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte(`{"error":{"code":400,"message":"Only no echo is supported","type":"invalid_request_error"}}`))
	})
	mux.Handle("/", h)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// TestBackendsMatchInProcess: every backend's HTTP scores equal the
// in-process model's exactly, and each states what it cannot do.
func TestBackendsMatchInProcess(t *testing.T) {
	m, _ := synthModel(t)
	local := NewLocal(m, "synth")
	texts := []string{synthItems(120, 7)[3].Text, "An unseen sentence about 7 quiet rivers."}
	want, _ := local.Score(context.Background(), texts, true)
	full := lmServer(t, m, lm.ServeOptions{Name: "synth", MaxLogprobs: -1})
	capped := lmServer(t, m, lm.ServeOptions{Name: "synth"})
	tgi := lmServer(t, m, lm.ServeOptions{Name: "synth", APIs: []string{"tgi"}})
	tests := []struct {
		name      string
		b         Backend
		exact     bool
		moments   bool
		noteMatch string
	}{
		{"vllm full vocab", NewVLLM(NewClient(full.URL, ClientOptions{}), ""), true, true, ""},
		{"vllm top-20", NewVLLM(NewClient(capped.URL, ClientOptions{}), ""), false, true, "capped at 20"},
		{"sglang top-5", NewSGLang(NewClient(capped.URL, ClientOptions{}), 5), false, true, "top-5"},
		{"tgi", NewTGI(NewClient(tgi.URL, ClientOptions{})), false, false, "Min-K%++ cannot run"},
	}
	for _, tc := range tests {
		caps, err := tc.b.Detect(context.Background())
		if err != nil || !caps.PromptLogprobs || caps.Model != "synth" {
			t.Fatalf("%s: caps %+v, %v", tc.name, caps, err)
		}
		if tc.noteMatch != "" && !strings.Contains(strings.Join(caps.Notes, "\n"), tc.noteMatch) {
			t.Errorf("%s: notes %q lack %q", tc.name, caps.Notes, tc.noteMatch)
		}
		got, err := tc.b.Score(context.Background(), texts, true)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		for i := range texts {
			if !equalFloats(got[i].LP, want[i].LP, 0) {
				t.Errorf("%s: text %d: log-probs differ from in-process", tc.name, i)
			}
			if (got[i].Mu != nil) != tc.moments || got[i].Exact != tc.exact {
				t.Errorf("%s: text %d: moments %v exact %v", tc.name, i, got[i].Mu != nil, got[i].Exact)
			}
			if tc.exact && (!equalFloats(got[i].Mu, want[i].Mu, 1e-9) || !equalFloats(got[i].Sigma, want[i].Sigma, 1e-9)) {
				t.Errorf("%s: text %d: exact moments differ", tc.name, i)
			}
		}
	}
}

func equalFloats(a, b []float64, tol float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Abs(a[i]-b[i]) > tol {
			return false
		}
	}
	return true
}

func TestGenerationOverHTTP(t *testing.T) {
	m, _ := synthModel(t)
	local := NewLocal(m, "synth")
	srv := lmServer(t, m, lm.ServeOptions{Name: "synth"})
	tgi := lmServer(t, m, lm.ServeOptions{Name: "synth", APIs: []string{"tgi"}})
	prompt := synthItems(120, 7)[2].Text[:40]
	want, _ := local.Generate(context.Background(), GenRequest{Prompt: prompt, MaxTokens: 12})
	for name, b := range map[string]Backend{
		"vllm": NewVLLM(NewClient(srv.URL, ClientOptions{}), "synth"), "sglang": NewSGLang(NewClient(srv.URL, ClientOptions{}), 0),
		"tgi": NewTGI(NewClient(tgi.URL, ClientOptions{})), "chat": NewChat(NewClient(srv.URL, ClientOptions{}), ""),
	} {
		got, err := b.Generate(context.Background(), GenRequest{Prompt: prompt, MaxTokens: 12, N: 1})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got[0].Text != want[0].Text {
			t.Errorf("%s: greedy %q, in-process %q", name, got[0].Text, want[0].Text)
		}
		s, err := b.Generate(context.Background(), GenRequest{Prompt: prompt, MaxTokens: 12, N: 3, Temperature: 0.8, Seed: 4})
		if err != nil || len(s) != 3 {
			t.Fatalf("%s: sampling: %d outputs, %v", name, len(s), err)
		}
	}
}

// TestUnsupportedBackends: chat servers and TGI without prefill say why
// the likelihood tests cannot run, and Run marks them unsupported.
func TestUnsupportedBackends(t *testing.T) {
	m, _ := synthModel(t)
	llama := llamaServer(t, m)
	tgi := lmServer(t, m, lm.ServeOptions{Name: "synth", APIs: []string{"tgi"}, NoPrefillLogprobs: true})
	for _, tc := range []struct {
		b    Backend
		note string
	}{
		{NewChat(NewClient(llama.URL, ClientOptions{}), ""), "Only no echo is supported"},
		{NewTGI(NewClient(tgi.URL, ClientOptions{})), "--enable-prefill-logprobs"},
	} {
		caps, err := tc.b.Detect(context.Background())
		if err != nil || caps.PromptLogprobs {
			t.Fatalf("caps %+v, %v", caps, err)
		}
		if !strings.Contains(strings.Join(caps.Notes, "\n"), tc.note) {
			t.Errorf("%s notes %q lack %q", caps.Backend, caps.Notes, tc.note)
		}
		rep, err := Run(context.Background(), tc.b, caps, Inputs{Benchmark: "synth", Bench: synthItems(6, 7)},
			Config{Tests: []string{TestLikelihood, TestOren, TestTSGuessing}, TSMaxTokens: 4})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Tests[0].Status != "unsupported" || rep.Tests[1].Status != "unsupported" || rep.Tests[2].Status != "ran" {
			t.Errorf("%s: statuses %+v", caps.Backend, rep.Tests)
		}
		if rep.Verdict != "inconclusive" {
			t.Errorf("%s: verdict %s without any p-value test", caps.Backend, rep.Verdict)
		}
	}
}

func testByName(rep *Report, name string) TestResult {
	for _, tr := range rep.Tests {
		if tr.Name == name {
			return tr
		}
	}
	return TestResult{}
}

// TestProbeEndToEnd runs every test over vLLM's protocol against the
// real lm server: on the file the model saw in canonical order the
// verdict is contaminated by Oren's p-value; on the labelled items the
// likelihood scores separate members; a rerun is served from the cache.
func TestProbeEndToEnd(t *testing.T) {
	m, labels := synthModel(t)
	// vLLM's default --max-logprobs 20: Min-K%++ runs on the top-20.
	srv := lmServer(t, m, lm.ServeOptions{Name: "synth"})
	cache := t.TempDir()
	items := synthItems(120, 7)
	run := func(in Inputs, cfg Config) (*Report, *Client) {
		c := NewClient(srv.URL, ClientOptions{CacheDir: cache})
		b := NewVLLM(c, "")
		caps, err := b.Detect(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		rep, err := Run(context.Background(), b, caps, in, cfg)
		if err != nil {
			t.Fatal(err)
		}
		return rep, c
	}
	all := Config{Oren: OrenConfig{Shards: 10, Perms: 10}, GenLimit: 20, CDD: CDDConfig{Samples: 5, MaxTokens: 30}, TSMaxTokens: 8}
	fileIn := Inputs{Benchmark: "synth", Bench: items[60:], Ref: synthItems(20, 8)}
	rep, c1 := run(fileIn, all)
	if rep.Verdict != "contaminated" {
		t.Errorf("verdict %s: %s", rep.Verdict, rep.Reason)
	}
	for _, name := range append(AllTests, "minkpp") {
		if tr := testByName(rep, name); tr.Status != "ran" {
			t.Errorf("test %s: %+v", name, tr)
		}
	}
	oren := testByName(rep, TestOren)
	if oren.P == nil || *oren.P >= 0.01 {
		t.Errorf("oren: %+v", oren)
	}
	refSrv := lmServer(t, trainLM(t, lm.KindWord, 4, synthBackground(300, 1), 1), lm.ServeOptions{Name: "ref"})
	refB := NewVLLM(NewClient(refSrv.URL, ClientOptions{}), "")
	refCaps, err := refB.Detect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	lab, _ := run(Inputs{Benchmark: "synth", Bench: items[:60], Labels: labels, RefModel: refB, RefCaps: &refCaps}, Config{Tests: []string{TestLikelihood}})
	for _, s := range []string{ScoreLoss, ScoreMinKPP, ScoreRef} {
		mt, ok := metricOf(lab, s)
		t.Logf("over HTTP: %s AUROC %.3f", s, mt.AUROC)
		if !ok || mt.AUROC < 0.9 {
			t.Errorf("%s: metric %+v", s, mt)
		}
	}
	rep2, c2 := run(fileIn, all)
	if c2.Requests.Load() > 2 || c2.CacheHits.Load() == 0 {
		t.Errorf("rerun: %d requests (detection only expected), %d cache hits; first run sent %d", c2.Requests.Load(), c2.CacheHits.Load(), c1.Requests.Load())
	}
	if rep2.Verdict != rep.Verdict || *testByName(rep2, TestOren).P != *oren.P {
		t.Error("cached rerun gave a different report")
	}
}

// TestClientRetries: 429 and 5xx are retried with backoff, 4xx are not,
// and a slow server times out.
func TestClientRetries(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch n := calls.Add(1); {
		case strings.HasPrefix(r.URL.Path, "/bad"):
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"object":"error","message":"nope"}`))
		case strings.HasPrefix(r.URL.Path, "/slow"):
			time.Sleep(300 * time.Millisecond)
			w.Write([]byte(`{}`))
		case n == 1:
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
		case n == 2:
			w.WriteHeader(http.StatusServiceUnavailable)
		default:
			w.Write([]byte(`{"ok":true}`))
		}
	}))
	defer srv.Close()
	c := NewClient(srv.URL, ClientOptions{Backoff: time.Millisecond, Timeout: 100 * time.Millisecond, Retries: 3})
	var out struct{ OK bool }
	if err := c.Post(context.Background(), "/x", map[string]int{"a": 1}, &out, false); err != nil || !out.OK {
		t.Fatalf("after 429 and 503: %v %v", out, err)
	}
	if calls.Load() != 3 {
		t.Errorf("%d calls, want 3", calls.Load())
	}
	calls.Store(10)
	err := c.Post(context.Background(), "/bad", nil, &out, false)
	var he *HTTPError
	if !errors.As(err, &he) || he.Status != 400 || he.Message != "nope" || calls.Load() != 11 {
		t.Errorf("400: %v after %d calls", err, calls.Load()-10)
	}
	c = NewClient(srv.URL, ClientOptions{Backoff: time.Millisecond, Timeout: 50 * time.Millisecond, Retries: -1})
	if err := c.Get(context.Background(), "/slow", &out); err == nil {
		t.Error("slow server did not time out")
	}
}

// TestChatIgnoresN: servers that ignore n (llama-server, Ollama) get
// asked again with the next seed until n outputs are in.
func TestChatIgnoresN(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/chat/completions" {
			http.NotFound(w, r)
			return
		}
		calls.Add(1)
		w.Write([]byte(`{"choices":[{"index":0,"message":{"role":"assistant","content":"four"}}]}`))
	}))
	defer srv.Close()
	got, err := NewChat(NewClient(srv.URL, ClientOptions{}), "m").Generate(context.Background(), GenRequest{Prompt: "2+2?", MaxTokens: 4, N: 3, Temperature: 0.8})
	if err != nil || len(got) != 3 || got[2].Text != "four" || calls.Load() != 3 {
		t.Fatalf("%d outputs after %d calls: %v", len(got), calls.Load(), err)
	}
}

// TestOrenShardTooLong: a shard longer than the server's context fails
// the test (not the run) with a hint.
func TestOrenShardTooLong(t *testing.T) {
	m, _ := synthModel(t)
	srv := lmServer(t, m, lm.ServeOptions{Name: "short", MaxModelLen: 200})
	b := NewVLLM(NewClient(srv.URL, ClientOptions{Retries: -1}), "")
	caps, err := b.Detect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Run(context.Background(), b, caps, Inputs{Benchmark: "synth", Bench: synthItems(40, 7)},
		Config{Tests: []string{TestOren}, Oren: OrenConfig{Shards: 2, Perms: 2}})
	if err != nil {
		t.Fatal(err)
	}
	tr := rep.Tests[0]
	if tr.Status != "failed" || !strings.Contains(tr.Reason, "maximum context length") || !strings.Contains(tr.Reason, "--oren-shards") {
		t.Errorf("oren: %+v", tr)
	}
}
