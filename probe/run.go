package probe

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/leakhound/leakhound"
)

// Test names accepted in Config.Tests.
const (
	TestLikelihood = "likelihood" // loss, zlib, lowercase, ref, Min-K%, Min-K%++
	TestOren       = "oren"
	TestSkywork    = "skywork"
	TestBenBench   = "benbench"
	TestCDD        = "cdd"
	TestTSGuessing = "ts-guessing"
)

// AllTests lists every test in the order they run.
var AllTests = []string{TestLikelihood, TestOren, TestSkywork, TestBenBench, TestCDD, TestTSGuessing}

// ReportSchemaVersion is the version of the probe report JSON.
const ReportSchemaVersion = 1

// Progress receives progress: Phase starts a phase of total steps.
type Progress interface {
	Phase(name string, total int)
	Add(n int)
}

// Config configures Run.
type Config struct {
	Tests     []string // default: AllTests
	K         float64  // Min-K% and Min-K%++ fraction, default 0.2
	Alpha     float64  // significance level, default 0.05
	BatchSize int      // texts per scoring request, default 8
	Workers   int      // requests in flight, default 4
	GenLimit  int      // items for the generation tests (0: all)
	Oren      OrenConfig
	BenBench  BenBenchConfig
	CDD       CDDConfig
	// TSMaxTokens bounds a TS-Guessing answer (default 32).
	TSMaxTokens int
	Progress    Progress
}

func (c *Config) defaults() {
	if len(c.Tests) == 0 {
		c.Tests = AllTests
	}
	if c.K <= 0 || c.K > 1 {
		c.K = 0.2
	}
	if c.Alpha <= 0 || c.Alpha >= 1 {
		c.Alpha = 0.05
	}
	if c.BatchSize <= 0 {
		c.BatchSize = 8
	}
	if c.Workers <= 0 {
		c.Workers = 4
	}
	if c.TSMaxTokens <= 0 {
		c.TSMaxTokens = 32
	}
	if c.Progress == nil {
		c.Progress = nopProgress{}
	}
	c.BenBench.defaults()
	c.CDD.defaults()
}

type nopProgress struct{}

func (nopProgress) Phase(string, int) {}
func (nopProgress) Add(int)           {}

// Inputs are the texts and labels a probe runs on.
type Inputs struct {
	Benchmark string
	Bench     []leakhound.Item // in canonical (file) order
	Train     []leakhound.Item // the benchmark's train split (Skywork Δ2)
	Ref       []leakhound.Item // reference set: rewrites or look-alikes
	// Labels maps item ids to membership (true: trained on).
	Labels map[string]bool
	// RefModel is a reference model for the ref likelihood ratio.
	RefModel Backend
	RefCaps  *Caps
}

// Report is the JSON result of a probe: the verdict, each test, the
// metrics when labels are known, and per-item scores.
type Report struct {
	SchemaVersion int               `json:"schema_version"`
	Benchmark     string            `json:"benchmark"`
	Items         int               `json:"items"`
	Backend       Caps              `json:"backend"`
	RefModel      *Caps             `json:"ref_model,omitempty"`
	Convention    string            `json:"convention"`
	Alpha         float64           `json:"alpha"`
	Verdict       leakhound.Verdict `json:"verdict"`
	Reason        string            `json:"reason"`
	Tests         []TestResult      `json:"tests"`
	Metrics       []Metric          `json:"metrics,omitempty"`
	ItemScores    []ItemScore       `json:"item_scores"`
}

// TestResult is one test's outcome. P is set for tests with a calibrated
// null; Values holds the test's summary numbers (all finite).
type TestResult struct {
	Name        string             `json:"name"`
	Source      string             `json:"source"`
	Status      string             `json:"status"` // ran, unsupported, skipped, failed
	Reason      string             `json:"reason,omitempty"`
	P           *float64           `json:"p,omitempty"`
	Significant *bool              `json:"significant,omitempty"`
	Exact       *bool              `json:"exact,omitempty"`
	Values      map[string]float64 `json:"values,omitempty"`
	Oren        *OrenResult        `json:"oren,omitempty"`
}

// ItemScore holds one item's scores (higher = more likely member).
type ItemScore struct {
	ID     string             `json:"id"`
	Member *bool              `json:"member,omitempty"`
	Tokens int                `json:"tokens,omitempty"`
	Scores map[string]float64 `json:"scores"`
}

// runState is what the tests share while a probe runs.
type runState struct {
	b      Backend
	caps   Caps
	in     Inputs
	cfg    Config
	rep    *Report
	scored []Scored // bench items scored, when the likelihood family ran
}

// Run probes backend b (whose capabilities are caps) on in.
func Run(ctx context.Context, b Backend, caps Caps, in Inputs, cfg Config) (*Report, error) {
	cfg.defaults()
	if len(in.Bench) == 0 {
		return nil, fmt.Errorf("probe: no benchmark items")
	}
	rep := &Report{SchemaVersion: ReportSchemaVersion, Benchmark: in.Benchmark, Items: len(in.Bench),
		Backend: caps, RefModel: in.RefCaps, Convention: Convention, Alpha: cfg.Alpha}
	for _, it := range in.Bench {
		is := ItemScore{ID: it.ID, Scores: map[string]float64{}}
		if l, ok := in.Labels[it.ID]; ok {
			is.Member = &l
		}
		rep.ItemScores = append(rep.ItemScores, is)
	}
	st := &runState{b: b, caps: caps, in: in, cfg: cfg, rep: rep}
	for _, name := range cfg.Tests {
		if err := st.runTest(ctx, name); err != nil {
			return rep, err
		}
	}
	rep.Metrics = metrics(rep.ItemScores)
	rep.Verdict, rep.Reason = verdict(rep.Tests, cfg.Alpha)
	return rep, nil
}

func (st *runState) runTest(ctx context.Context, name string) error {
	if why := st.unsupported(name); why != "" {
		st.rep.Tests = append(st.rep.Tests, TestResult{Name: name, Source: sources[name], Status: "unsupported", Reason: why})
		return nil
	}
	var err error
	switch name {
	case TestLikelihood:
		err = st.likelihood(ctx)
	case TestOren:
		err = st.oren(ctx)
	case TestSkywork:
		err = st.skywork(ctx)
	case TestBenBench:
		err = st.benbench(ctx)
	case TestCDD:
		err = st.cdd(ctx)
	case TestTSGuessing:
		err = st.tsGuessing(ctx)
	default:
		return fmt.Errorf("probe: unknown test %q (want one of %s)", name, strings.Join(AllTests, ", "))
	}
	if err != nil && ctx.Err() != nil {
		return ctx.Err()
	}
	if err != nil {
		st.rep.Tests = append(st.rep.Tests, TestResult{Name: name, Source: sources[name], Status: "failed", Reason: err.Error()})
	}
	return nil
}

// sources cite each test.
var sources = map[string]string{
	TestLikelihood: "loss, zlib (Carlini et al. 2021), lowercase and ref (Min-K%++ run_ref.py), Min-K% (Shi et al., arXiv 2310.16789), Min-K%++ (Zhang et al., arXiv 2404.02936)",
	TestOren:       "Oren et al., Proving Test Set Contamination in Black Box Language Models, ICLR 2024, arXiv 2310.17623",
	TestSkywork:    "Skywork-13B technical report, arXiv 2310.19341, §5.2",
	TestBenBench:   "Xu et al., Benchmarking Benchmark Leakage in LLMs, arXiv 2404.18824",
	TestCDD:        "Dong et al., Generalization or Memorization (CDD), ACL 2024, arXiv 2402.15938",
	TestTSGuessing: "Deng et al., Investigating Data Contamination (TS-Guessing), NAACL 2024, arXiv 2311.09783",
}

// unsupported says why the backend cannot run a test, or "".
func (st *runState) unsupported(name string) string {
	c := st.caps
	switch name {
	case TestLikelihood, TestOren, TestSkywork:
		if !c.PromptLogprobs {
			return c.Backend + " returns no prompt log-probs"
		}
	case TestBenBench:
		if !c.PromptLogprobs || !c.TokenPrompts {
			return c.Backend + " cannot continue from token-level prefixes (needs token-id prompts and the prompt's token ids)"
		}
	case TestCDD, TestTSGuessing:
		if !c.Generate {
			return c.Backend + " does not generate"
		}
	}
	return ""
}

// parallel runs fn(0..n-1) with at most workers at once and returns the
// first error.
func parallel(ctx context.Context, n, workers int, fn func(i int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs error
		next = make(chan int)
	)
	for w := 0; w < min(workers, n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := fn(i); err != nil {
					mu.Lock()
					if errs == nil {
						errs = err
					}
					mu.Unlock()
					cancel()
				}
			}
		}()
	}
	for i := 0; i < n && ctx.Err() == nil; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	if errs == nil && ctx.Err() != nil {
		return ctx.Err()
	}
	return errs
}

// scoreTexts scores texts in batches, in parallel.
func scoreTexts(ctx context.Context, b Backend, texts []string, dists bool, cfg *Config) ([]Scored, error) {
	out := make([]Scored, len(texts))
	nb := (len(texts) + cfg.BatchSize - 1) / cfg.BatchSize
	err := parallel(ctx, nb, cfg.Workers, func(i int) error {
		lo, hi := i*cfg.BatchSize, min((i+1)*cfg.BatchSize, len(texts))
		sc, err := b.Score(ctx, texts[lo:hi], dists)
		if err != nil {
			return err
		}
		if len(sc) != hi-lo {
			return fmt.Errorf("probe: %d scores for %d texts", len(sc), hi-lo)
		}
		copy(out[lo:hi], sc)
		cfg.Progress.Add(hi - lo)
		return nil
	})
	return out, err
}

func itemTexts(items []leakhound.Item) []string {
	t := make([]string, len(items))
	for i, it := range items {
		t[i] = it.Text
	}
	return t
}

// setScore stores a finite score for item i.
func (st *runState) setScore(i int, name string, v float64) {
	if !math.IsNaN(v) && !math.IsInf(v, 0) {
		st.rep.ItemScores[i].Scores[name] = v
	}
}

// finite drops NaN and infinite values (JSON cannot hold them).
func finite(m map[string]float64) map[string]float64 {
	for k, v := range m {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			delete(m, k)
		}
	}
	return m
}

func ptr[T any](v T) *T { return &v }

// metrics computes AUROC and friends for every score with labels.
func metrics(items []ItemScore) []Metric {
	names := map[string]bool{}
	for _, it := range items {
		for k := range it.Scores {
			names[k] = true
		}
	}
	keys := make([]string, 0, len(names))
	for k := range names {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var out []Metric
	for _, k := range keys {
		var labels []bool
		var scores []float64
		for _, it := range items {
			v, ok := it.Scores[k]
			if it.Member == nil || !ok {
				continue
			}
			labels, scores = append(labels, *it.Member), append(scores, v)
		}
		if m, ok := NewMetric(k, labels, scores); ok {
			out = append(out, m)
		}
	}
	return out
}

// verdict combines the tests with a calibrated null by Bonferroni:
// contaminated when any p < α/m.
func verdict(tests []TestResult, alpha float64) (leakhound.Verdict, string) {
	var ps []TestResult
	for _, t := range tests {
		if t.Status == "ran" && t.P != nil {
			ps = append(ps, t)
		}
	}
	if len(ps) == 0 {
		return leakhound.VerdictInconclusive, "no test with a calibrated null (p-value) could run; per-item scores need labels or a reference to be read"
	}
	lvl := alpha / float64(len(ps))
	var hits, all []string
	for _, t := range ps {
		s := fmt.Sprintf("%s p=%.3g", t.Name, *t.P)
		all = append(all, s)
		if *t.P < lvl {
			hits = append(hits, s)
		}
	}
	if len(hits) > 0 {
		return leakhound.VerdictContaminated, fmt.Sprintf("%s below α/m = %.3g (α = %g, Bonferroni over %d tests)", strings.Join(hits, ", "), lvl, alpha, len(ps))
	}
	return leakhound.VerdictClean, fmt.Sprintf("no evidence: %s, none below α/m = %.3g (α = %g, Bonferroni over %d tests); absence of evidence covers only what these tests can see", strings.Join(all, ", "), lvl, alpha, len(ps))
}
