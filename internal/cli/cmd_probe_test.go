package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/leakhound/leakhound/lm"
)

const synthFixture = "../../testdata/probe/synth.jsonl"

func runProbeCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// TestLMTrainAndProbe trains a model on background text plus the synth
// fixture in canonical order, serves it, and probes it: exit status 1
// (contaminated) with an Oren p-value, and a JSON report.
func TestLMTrainAndProbe(t *testing.T) {
	dir := t.TempDir()
	bg := filepath.Join(dir, "background.txt")
	var b strings.Builder
	for i := 0; i < 200; i++ {
		fmt.Fprintf(&b, "The weather was calm on day %d and %d birds sang near the river.\n", i, i%17)
	}
	os.WriteFile(bg, []byte(b.String()), 0o644)
	model := filepath.Join(dir, "m.lm")
	code, out, errs := runProbeCLI(t, "lm", "train", "--out", model, "--concat", synthFixture, bg)
	if code != 0 || !strings.Contains(out, "trained a word order-4 model on 2 documents") {
		t.Fatalf("lm train: %d %q %q", code, out, errs)
	}
	m, err := loadModel(model)
	if err != nil {
		t.Fatal(err)
	}
	h, _ := lm.Handler(m, lm.ServeOptions{Name: "m"})
	srv := httptest.NewServer(h)
	defer srv.Close()
	report := filepath.Join(dir, "r.json")
	args := []string{"probe", "--backend", "vllm", "--url", srv.URL, "--bench", synthFixture, "--cache-dir", filepath.Join(dir, "cache"),
		"--tests", "likelihood,oren", "--oren-shards", "10", "--oren-perms", "10", "--json", report}
	code, out, errs = runProbeCLI(t, args...)
	if code != ExitFound || !strings.Contains(out, "verdict: CONTAMINATED") || !strings.Contains(out, "oren") {
		t.Fatalf("probe: exit %d\n%s\n%s", code, out, errs)
	}
	var rep struct {
		Verdict string `json:"verdict"`
		Tests   []struct {
			Name string   `json:"name"`
			P    *float64 `json:"p"`
		} `json:"tests"`
	}
	data, _ := os.ReadFile(report)
	if err := json.Unmarshal(data, &rep); err != nil || rep.Verdict != "contaminated" {
		t.Fatalf("report %s: %v", data, err)
	}
	code, out, _ = runProbeCLI(t, args...)
	if code != ExitFound || !strings.Contains(out, "requests: 2 sent") {
		t.Errorf("cached rerun: exit %d, %s", code, out[strings.LastIndex(out, "requests"):])
	}
}

func TestProbeUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"probe"},
		{"probe", "--backend", "vllm", "--url", "http://127.0.0.1:1", "--bench", "gsm8k"},
		{"probe", "--backend", "nope", "--url", "http://x", "--bench", synthFixture},
		{"lm", "train", "--out", "x"},
		{"lm", "serve"},
		{"lm", "bogus"},
	} {
		if code, _, errs := runProbeCLI(t, args...); code != ExitError || errs == "" {
			t.Errorf("%v: exit %d, stderr %q", args, code, errs)
		}
	}
}

// TestLMServe starts 'lm serve' on a free port, checks /v1/models and
// stops it by cancelling the context.
func TestLMServe(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "s.lm")
	if code, _, errs := runProbeCLI(t, "lm", "train", "--tokenizer", "byte", "--order", "3", "--out", model, synthFixture); code != 0 {
		t.Fatal(errs)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	var errb bytes.Buffer
	go func() {
		done <- Run(ctx, []string{"lm", "serve", "--model", model, "--addr", addr}, nil, &bytes.Buffer{}, &errb)
	}()
	var resp *http.Response
	for i := 0; i < 100; i++ {
		if resp, err = http.Get("http://" + addr + "/v1/models"); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("server did not come up: %v", err)
	}
	var v struct {
		Data []struct{ ID string } `json:"data"`
	}
	json.NewDecoder(resp.Body).Decode(&v)
	resp.Body.Close()
	if len(v.Data) != 1 || v.Data[0].ID != "s" {
		t.Errorf("/v1/models: %+v", v)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("serve exit %d: %s", code, errb.String())
	}
}
