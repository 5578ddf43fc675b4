package lm

import (
	"bytes"
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func serve(t *testing.T, opt ServeOptions) (*Model, *httptest.Server) {
	t.Helper()
	m := trained(t, KindWord, 4)
	h, err := Handler(m, opt)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return m, srv
}

func post(t *testing.T, url, body string) (int, map[string]any) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v any
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		t.Fatal(err)
	}
	m, _ := v.(map[string]any)
	if l, ok := v.([]any); ok {
		m = map[string]any{"list": l}
	}
	return resp.StatusCode, m
}

func TestServeVLLMEcho(t *testing.T) {
	m, srv := serve(t, ServeOptions{Name: "m"})
	text := "She sold half as many clips in June."
	want := m.LogProbs(m.tok.Encode(text))
	code, v := post(t, srv.URL+"/v1/completions", `{"model":"m","prompt":"`+text+`","max_tokens":0,"echo":true,"logprobs":2,"prompt_logprobs":2,"temperature":0}`)
	if code != 200 {
		t.Fatalf("status %d: %v", code, v)
	}
	ch := v["choices"].([]any)[0].(map[string]any)
	lps := ch["logprobs"].(map[string]any)["token_logprobs"].([]any)
	if len(lps) != len(want)+1 || lps[0] != nil {
		t.Fatalf("token_logprobs %v", lps)
	}
	for i, w := range want {
		if math.Abs(lps[i+1].(float64)-w) > 1e-12 {
			t.Fatalf("pos %d: %v vs %v", i, lps[i+1], w)
		}
	}
	if ch["text"] != text {
		t.Errorf("echo text %q", ch["text"])
	}
	pl := ch["prompt_logprobs"].([]any)
	if pl[0] != nil || len(pl) != len(want)+1 {
		t.Fatalf("prompt_logprobs %v", pl)
	}
}

func TestServeErrors(t *testing.T) {
	_, srv := serve(t, ServeOptions{Name: "m"})
	tests := []struct {
		path, body, msg string
	}{
		{"/v1/completions", `{"model":"m","prompt":"x","echo":true,"max_tokens":0,"prompt_logprobs":21}`, "greater than max allowed: 20"},
		{"/v1/completions", `{"model":"m","prompt":"x","echo":true,"max_tokens":0,"prompt_logprobs":-1}`, "greater than max allowed: 20"},
		{"/v1/completions", `{"model":"other","prompt":"x"}`, "does not exist"},
		{"/v1/completions", `{"model":"m","prompt":{}}`, "prompt must be"},
		{"/v1/completions", `{"model":"m","prompt":"x","max_tokens":0}`, "max_tokens"},
		{"/v1/completions", `not json`, "invalid JSON"},
		{"/generate", `{"sampling_params":{}}`, "Either text or input_ids"},
	}
	for _, tc := range tests {
		code, v := post(t, srv.URL+tc.path, tc.body)
		b, _ := json.Marshal(v)
		if code < 400 || !bytes.Contains(b, []byte(tc.msg)) {
			t.Errorf("%s %s: status %d, body %s; want error containing %q", tc.path, tc.body, code, b, tc.msg)
		}
	}
	if _, err := Handler(trained(t, KindByte, 2), ServeOptions{APIs: []string{"sglang", "tgi"}}); err == nil {
		t.Error("sglang and tgi served together")
	}
}

func TestServeSGLangAndTGI(t *testing.T) {
	m, srv := serve(t, ServeOptions{Name: "m"})
	text := "Natalia sold clips to 48 of her friends."
	want := m.LogProbs(m.tok.Encode(text))
	code, v := post(t, srv.URL+"/generate", `{"text":"`+text+`","sampling_params":{"max_new_tokens":3,"temperature":0},"return_logprob":true,"logprob_start_len":0,"top_logprobs_num":3,"return_text_in_logprobs":true}`)
	if code != 200 {
		t.Fatalf("sglang status %d: %v", code, v)
	}
	in := v["meta_info"].(map[string]any)["input_token_logprobs"].([]any)
	if len(in) != len(want)+1 || in[0].([]any)[0] != nil {
		t.Fatalf("input_token_logprobs %v", in)
	}
	for i, w := range want {
		if got := in[i+1].([]any)[0].(float64); math.Abs(got-w) > 1e-12 {
			t.Fatalf("sglang pos %d: %g vs %g", i, got, w)
		}
	}
	_, v = post(t, srv.URL+"/generate", `{"text":"Natalia sold clips to","sampling_params":{"max_new_tokens":3,"temperature":0}}`)
	if v["text"] != " 48 of her" {
		t.Errorf("sglang greedy text %q, want %q", v["text"], " 48 of her")
	}
	_, tgi := serve(t, ServeOptions{Name: "m", APIs: []string{"tgi"}})
	code, v = post(t, tgi.URL+"/generate", `{"inputs":"`+text+`","parameters":{"max_new_tokens":1,"details":true,"decoder_input_details":true}}`)
	if code != 200 {
		t.Fatalf("tgi status %d: %v", code, v)
	}
	pre := v["details"].(map[string]any)["prefill"].([]any)
	if len(pre) != len(want)+1 || pre[0].(map[string]any)["logprob"] != nil {
		t.Fatalf("prefill %v", pre)
	}
	if got := pre[len(pre)-1].(map[string]any)["logprob"].(float64); math.Abs(got-want[len(want)-1]) > 1e-12 {
		t.Errorf("tgi last lp %g vs %g", got, want[len(want)-1])
	}
}
