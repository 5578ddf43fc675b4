package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/leakhound/leakhound"
	"github.com/leakhound/leakhound/evalset"
	"github.com/leakhound/leakhound/probe"
)

var cmdProbe = &command{
	Name:      "probe",
	UsageLine: "probe --backend vllm|sglang|tgi|openai-chat --url URL --bench FILE [flags]",
	Short:     "test a served model for benchmark contamination",
	Long: `
Probe runs model-side contamination tests against a served model and gives
a verdict per benchmark with p-values, plus per-item scores.

Backends (over their real HTTP APIs):

  vllm         /v1/completions with echo, logprobs and prompt_logprobs
               (start vLLM with --no-enable-prefix-caching; --max-logprobs -1
               makes Min-K%++ exact)
  sglang       native /generate with return_logprob and logprob_start_len 0
  tgi          /generate with decoder_input_details (TGI >= 3.0 needs
               --enable-prefill-logprobs); no prompt alternatives, text only
  openai-chat  any OpenAI-compatible chat server (llama-server, Ollama,
               OpenAI): generation only

At start probe asks the server what it can do and says which tests it
cannot run and why.

Tests (--tests, default all):

  likelihood   per-item loss, zlib, lowercase, ref (with --ref-url), Min-K%
               and Min-K%++ (exact or top-k approximate, labelled)
  oren         Oren et al. sharded likelihood test: p-value that the model
               prefers the file's canonical order
  skywork      loss gaps to --ref (Δ1) and --train (Δ2)
  benbench     n-gram accuracy of greedy continuations from token prefixes;
               with --ref, a p-value that originals beat the rewrites
  cdd          peakedness of sampled outputs
  ts-guessing  fill in a masked word or a masked wrong option

--bench, --ref and --train take benchmark names from the catalog (with
--bench-dir; see 'leakhound bench list') or JSONL(.gz) files with "id"
and "text" fields (the normalized format of shared/data). --labels (lines "id<TAB>1|0") adds AUROC,
TPR at 5% FPR and FPR at 95% TPR for every score.

The verdict is "contaminated" when a test with a calibrated null (oren,
benbench with --ref) has p < alpha/m (Bonferroni over the m such tests),
"clean" when they ran and none did, and "inconclusive" when none could run.
Exit status 1 means contaminated.

Responses are cached on disk (--cache-dir), so a rerun costs nothing.
--json writes the full report (schema in doc/probes.md).
`,
	Run: runProbe,
}

type probeFlags struct {
	backend, url, model, bench, ref, train, labels, refURL, refBackend, refModel string
	tests                                                                        listFlag
	jsonOut, cacheDir, apiKeyEnv, orenSep                                        string
	noCache, orenDDOF0                                                           bool
	limit, genLimit, concurrency, batch, retries, topK                           int
	orenShards, orenPerms, cddSamples                                            int
	k, alpha                                                                     float64
	timeout                                                                      time.Duration
	seed                                                                         int64
	benchOpts                                                                    evalset.Options
}

func runProbe(ctx context.Context, e *env, args []string) int {
	var f probeFlags
	fs := e.newFlagSet()
	fs.StringVar(&f.backend, "backend", "", "vllm, sglang, tgi or openai-chat (required)")
	fs.StringVar(&f.url, "url", "", "server base `URL`, e.g. http://127.0.0.1:8000 (required)")
	fs.StringVar(&f.model, "model", "", "model name (default: the first one the server lists)")
	fs.StringVar(&f.bench, "bench", "", "benchmark: a JSONL(.gz) `file` or a catalog name (gsm8k, mmlu, ... with --bench-dir), items in canonical order (required)")
	fs.StringVar(&f.ref, "ref", "", "reference set JSONL(.gz): rewrites or look-alikes of the benchmark")
	fs.StringVar(&f.train, "train", "", "the benchmark's train split JSONL(.gz) (Skywork Δ2)")
	fs.StringVar(&f.labels, "labels", "", "membership labels: lines id<TAB>1|0 or JSON {\"id\",\"label\"}")
	fs.StringVar(&f.refURL, "ref-url", "", "reference model server for the ref likelihood ratio")
	fs.StringVar(&f.refBackend, "ref-backend", "", "reference model backend (default: --backend)")
	fs.StringVar(&f.refModel, "ref-model", "", "reference model name")
	fs.Var(&f.tests, "tests", "tests to run, comma-separated (default all): "+strings.Join(probe.AllTests, ","))
	fs.StringVar(&f.jsonOut, "json", "", "write the JSON report to this `file` (- for stdout)")
	fs.StringVar(&f.cacheDir, "cache-dir", defaultCacheDir(), "request cache directory")
	fs.BoolVar(&f.noCache, "no-cache", false, "do not read or write the request cache")
	fs.StringVar(&f.apiKeyEnv, "api-key-env", "OPENAI_API_KEY", "environment variable holding a bearer token, if any")
	fs.IntVar(&f.limit, "limit", 0, "use only the first N benchmark items (0: all)")
	fs.IntVar(&f.genLimit, "gen-limit", 100, "items for the generation tests benbench, cdd, ts-guessing (0: all)")
	fs.IntVar(&f.concurrency, "concurrency", 4, "requests in flight")
	fs.IntVar(&f.batch, "batch", 8, "texts per scoring request (vllm, sglang)")
	fs.IntVar(&f.retries, "retries", 4, "retries after 429, 5xx or network errors")
	fs.DurationVar(&f.timeout, "timeout", 2*time.Minute, "timeout of one request")
	fs.IntVar(&f.topK, "top-k", 20, "sglang: alternatives per prompt position for Min-K%++")
	fs.Float64Var(&f.k, "k", 0.2, "Min-K% and Min-K%++ fraction")
	fs.Float64Var(&f.alpha, "alpha", 0.05, "significance level")
	fs.IntVar(&f.orenShards, "oren-shards", 50, "Oren: number of shards r")
	fs.IntVar(&f.orenPerms, "oren-perms", 50, "Oren: permutations per shard (reference code: 250)")
	fs.StringVar(&f.orenSep, "oren-sep", `\n`, "Oren: separator after every example (escapes \\n \\t)")
	fs.BoolVar(&f.orenDDOF0, "oren-ddof0", false, "Oren: population std as the reference code (default: sample std)")
	fs.IntVar(&f.cddSamples, "cdd-samples", 20, "CDD: sampled outputs per item (paper: 50)")
	fs.Int64Var(&f.seed, "seed", 0, "seed for shuffles and sampling")
	fs.StringVar(&f.benchOpts.Field, "bench-field", "", "text field of generic benchmark files (default \"text\")")
	f.benchOpts.AddFlags(fs)
	if _, code, ok := e.parseFlags(fs, args); !ok {
		return code
	}
	if f.backend == "" || f.url == "" || f.bench == "" {
		return e.errorf("probe: need --backend, --url and --bench (see 'leakhound help probe')")
	}
	return f.run(ctx, e)
}

func defaultCacheDir() string {
	d, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(d, "leakhound", "probe")
}

// loadBench loads one benchmark, reference or train set through the
// catalog (files, names under --bench-dir, hf:// datasets), in the file's
// order: the Oren test needs the canonical order, and near-duplicate
// clusters do not matter to a probe.
func (f *probeFlags) loadBench(spec string) ([]leakhound.Item, error) {
	opts := f.benchOpts
	opts.NoClusters = true
	items, err := evalset.LoadAll(context.Background(), []string{spec}, opts)
	if err == nil && len(items) == 0 {
		err = fmt.Errorf("%s: no items", spec)
	}
	return items, err
}

func (f *probeFlags) inputs() (probe.Inputs, error) {
	var in probe.Inputs
	items, err := f.loadBench(f.bench)
	if err != nil {
		return in, err
	}
	if f.limit > 0 && f.limit < len(items) {
		items = items[:f.limit]
	}
	in.Bench, in.Benchmark = items, items[0].Benchmark
	for _, p := range []struct {
		path string
		dst  *[]leakhound.Item
	}{{f.ref, &in.Ref}, {f.train, &in.Train}} {
		if p.path == "" {
			continue
		}
		if *p.dst, err = f.loadBench(p.path); err != nil {
			return in, err
		}
	}
	if f.labels != "" {
		if in.Labels, err = probe.LoadLabels(f.labels); err != nil {
			return in, err
		}
	}
	return in, nil
}

func (f *probeFlags) backendFor(kind, url, model string) (probe.Backend, *probe.Client, error) {
	opt := probe.ClientOptions{Concurrency: f.concurrency, Timeout: f.timeout, Retries: f.retries, APIKey: os.Getenv(f.apiKeyEnv)}
	if f.retries == 0 {
		opt.Retries = -1
	}
	if !f.noCache {
		opt.CacheDir = f.cacheDir
	}
	c := probe.NewClient(url, opt)
	switch kind {
	case "vllm":
		return probe.NewVLLM(c, model), c, nil
	case "sglang":
		return probe.NewSGLang(c, f.topK), c, nil
	case "tgi":
		return probe.NewTGI(c), c, nil
	case "openai-chat", "chat", "llama-server", "ollama", "openai":
		return probe.NewChat(c, model), c, nil
	}
	return nil, nil, fmt.Errorf("unknown backend %q (want vllm, sglang, tgi or openai-chat)", kind)
}

func (f *probeFlags) config(e *env) probe.Config {
	sep := strings.NewReplacer(`\n`, "\n", `\t`, "\t").Replace(f.orenSep)
	cfg := probe.Config{Tests: f.tests, K: f.k, Alpha: f.alpha, BatchSize: f.batch, Workers: f.concurrency, GenLimit: f.genLimit,
		Oren: probe.OrenConfig{Shards: f.orenShards, Perms: f.orenPerms, Sep: sep, Seed: uint64(f.seed), PopulationStd: f.orenDDOF0},
		CDD:  probe.CDDConfig{Samples: f.cddSamples, Seed: f.seed}}
	if e.stderrIsTerminal() {
		cfg.Progress = &ttyProgress{w: e.stderr}
	}
	return cfg
}

func (f *probeFlags) run(ctx context.Context, e *env) int {
	in, err := f.inputs()
	if err != nil {
		return e.errorf("probe: %v", err)
	}
	b, client, err := f.backendFor(f.backend, f.url, f.model)
	if err != nil {
		return e.errorf("probe: %v", err)
	}
	caps, err := b.Detect(ctx)
	if err != nil {
		return e.errorf("probe: %v", err)
	}
	if f.refURL != "" {
		kind := f.refBackend
		if kind == "" {
			kind = f.backend
		}
		rb, _, err := f.backendFor(kind, f.refURL, f.refModel)
		if err != nil {
			return e.errorf("probe: reference model: %v", err)
		}
		rc, err := rb.Detect(ctx)
		if err != nil {
			return e.errorf("probe: reference model: %v", err)
		}
		if !rc.PromptLogprobs {
			return e.errorf("probe: reference model %s returns no prompt log-probs", rc.Model)
		}
		in.RefModel, in.RefCaps = rb, &rc
	}
	printCaps(e.stdout, caps, len(in.Bench), in.Benchmark)
	rep, err := probe.Run(ctx, b, caps, in, f.config(e))
	if err != nil {
		return e.errorf("probe: %v", err)
	}
	printReport(e.stdout, rep)
	fmt.Fprintf(e.stdout, "requests: %d sent, %d from the cache\n", client.Requests.Load(), client.CacheHits.Load())
	if err := writeReport(e, f.jsonOut, rep); err != nil {
		return e.errorf("probe: %v", err)
	}
	if rep.Verdict == leakhound.VerdictContaminated {
		return ExitFound
	}
	return ExitClean
}

func printCaps(w io.Writer, c probe.Caps, n int, bench string) {
	fmt.Fprintf(w, "backend %s, model %q: prompt logprobs %v, top-k %d, generation %v, token prompts %v\n",
		c.Backend, c.Model, c.PromptLogprobs, c.TopK, c.Generate, c.TokenPrompts)
	for _, n := range c.Notes {
		fmt.Fprintf(w, "  note: %s\n", n)
	}
	fmt.Fprintf(w, "benchmark %s: %d items\n\n", bench, n)
}

func printReport(w io.Writer, r *probe.Report) {
	for _, t := range r.Tests {
		line := fmt.Sprintf("%-12s %-11s", t.Name, t.Status)
		if t.P != nil {
			line += fmt.Sprintf(" p=%-10.3g", *t.P)
		}
		keys := make([]string, 0, len(t.Values))
		for k := range t.Values {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			line += fmt.Sprintf(" %s=%.4g", k, t.Values[k])
		}
		fmt.Fprintln(w, strings.TrimRight(line, " "))
		if t.Reason != "" && t.Status != "ran" || t.Name == "minkpp" {
			fmt.Fprintf(w, "             %s\n", t.Reason)
		}
	}
	if len(r.Metrics) > 0 {
		fmt.Fprintf(w, "\n%-10s %7s %10s %11s %6s\n", "score", "AUROC", "TPR@5%FPR", "FPR@95%TPR", "n1/n0")
		for _, m := range r.Metrics {
			fmt.Fprintf(w, "%-10s %7.3f %10.3f %11.3f %d/%d\n", m.Score, m.AUROC, m.TPRAt5FPR, m.FPRAt95TPR, m.Members, m.NonMembers)
		}
	}
	fmt.Fprintf(w, "\nverdict: %s\n  %s\n", strings.ToUpper(string(r.Verdict)), r.Reason)
}

func writeReport(e *env, path string, rep *probe.Report) error {
	if path == "" {
		return nil
	}
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	if path == "-" {
		_, err = e.stdout.Write(b)
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// ttyProgress draws "phase: done/total" on one terminal line.
type ttyProgress struct {
	mu          sync.Mutex
	w           io.Writer
	name        string
	done, total int
	last        time.Time
}

func (p *ttyProgress) Phase(name string, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.name, p.done, p.total = name, 0, total
	p.draw(true)
}

func (p *ttyProgress) Add(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done += n
	p.draw(p.done >= p.total)
}

func (p *ttyProgress) draw(force bool) {
	if !force && time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.last = time.Now()
	const width = 30
	fill := 0
	if p.total > 0 {
		fill = min(width, width*p.done/p.total)
	}
	fmt.Fprintf(p.w, "\r\033[K%-28s [%s%s] %d/%d", p.name, strings.Repeat("#", fill), strings.Repeat(".", width-fill), p.done, p.total)
	if p.done >= p.total {
		fmt.Fprint(p.w, "\n")
	}
}
