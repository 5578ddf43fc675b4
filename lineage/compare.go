package lineage

import (
	"fmt"
	"math"
	"time"

	"github.com/leakhound/leakhound"
)

// SchemaVersion is the version of the Result JSON.
const SchemaVersion = 1

// Options tune Compare. The zero value means the defaults.
type Options struct {
	// Alpha is the significance level for "derived" (default 0.01).
	Alpha float64
	// MaxTokens caps the shared tokens used for residual alignment (4096).
	MaxTokens int
	// MaxRows caps the neurons sampled per layer (256; 256 matched rows of
	// a derived pair already give p ≈ 1e-57 per layer).
	MaxRows int
	// MaxDims caps the aligned residual dims used in neuron cosines (512).
	MaxDims int
	// SkipContext skips the full streaming pass (exact reuse, std profile,
	// norm gains), reading only embeddings and MLP up/gate tensors.
	SkipContext bool
}

func (o Options) withDefaults() Options {
	if o.Alpha <= 0 {
		o.Alpha = 0.01
	}
	if o.MaxTokens <= 0 {
		o.MaxTokens = 4096
	}
	if o.MaxRows <= 0 {
		o.MaxRows = 256
	}
	if o.MaxDims <= 0 {
		o.MaxDims = 512
	}
	return o
}

// Result is the outcome of a comparison: the verdict, its p-value and the
// evidence ladder, strongest rung first. It is a plain struct with JSON
// tags so that report renderers (JSON, text, HTML) can show it.
type Result struct {
	SchemaVersion int               `json:"schema_version"`
	A             Summary           `json:"a"`
	B             Summary           `json:"b"`
	Verdict       leakhound.Verdict `json:"verdict"`
	// Reason is one sentence explaining the verdict.
	Reason string  `json:"reason"`
	Alpha  float64 `json:"alpha"`
	// PValue is the combined p-value of the weights test (0 when it
	// underflows float64; Log10P keeps the value), 1 when it did not run.
	PValue    float64           `json:"p_value"`
	Log10P    float64           `json:"log10_p"`
	Declared  map[string]string `json:"declared,omitempty"`
	Config    ConfigEvidence    `json:"config"`
	Tokenizer TokenizerEvidence `json:"tokenizer"`
	Tensors   TensorEvidence    `json:"tensors"`
	Exact     *ExactEvidence    `json:"exact,omitempty"`
	Weights   WeightsEvidence   `json:"weights"`
	Context   *ContextEvidence  `json:"context,omitempty"`
	// Limitations are printed with every result.
	Limitations []string `json:"limitations"`
	Run         RunStats `json:"run"`
}

// Summary names one side.
type Summary struct {
	Path    string `json:"path"`
	Format  string `json:"format"`
	Bytes   int64  `json:"bytes"`
	Tensors int    `json:"tensors"`
	// Elements counts all tensor elements; MaxElements is the largest
	// tensor's count (the unit of the streaming memory bound).
	Elements    int64 `json:"elements"`
	MaxElements int64 `json:"max_elements"`
}

// WeightsEvidence is the statistical rung.
type WeightsEvidence struct {
	Ran bool `json:"ran"`
	// Skipped says why the test did not run.
	Skipped   string      `json:"skipped,omitempty"`
	Alignment Alignment   `json:"alignment"`
	LayerMap  string      `json:"layer_map,omitempty"`
	Layers    []LayerTest `json:"layers,omitempty"`
	// Fisher-combined log10 p-values of the two per-layer statistics, and
	// the Bonferroni combination of the two that the verdict uses.
	Log10PMatch float64 `json:"log10_p_match"`
	Log10PCSU   float64 `json:"log10_p_csu"`
	Log10P      float64 `json:"log10_p"`
	layerLevel  float64 // log10(alpha/L)
	// Replicated counts layers whose own p-value is below alpha/L
	// (Bonferroni over the L tested layers); "derived" needs min(2, L).
	Replicated int `json:"replicated"`
}

// RunStats describes the work done; it holds no timings so that results
// are byte-identical across runs.
type RunStats struct {
	// BytesRead counts tensor bytes read from both models.
	BytesRead int64 `json:"bytes_read"`
	// PeakBufferBytes bounds the float32 tensor buffers held at once.
	PeakBufferBytes int64 `json:"peak_buffer_bytes"`
	// Seconds holds wall-clock time per phase ("align", "pass", "match");
	// not in the JSON, which stays byte-identical across runs.
	Seconds map[string]float64 `json:"-"`
}

// Limitations stated in every result.
var Limitations = []string{
	"An output-preserving orthogonal rotation of the residual stream (after folding norm gains into the next weights) defeats this and every weights-only test: 'independent' means no evidence of shared weights up to permutation, sign flips, scaling, pruning, quantization and fine-tuning noise, not proof of independent training.",
	"The p-values test the null hypothesis that the two models were initialised independently; they are statistical evidence, not a finding of copying.",
	"rho_match (gate vs up matching agreement) assumes that within each model gate_proj and up_proj rows are not coupled strongly enough to make two independent models' matchings agree; rho_csu does not assume this but is blind to neuron permutations.",
}

// comparer holds the state of one comparison.
type comparer struct {
	a, b   *Model
	sa, sb slotMap
	opt    Options
	al     Alignment

	secs      map[string]float64
	buf, bufB []float32
	proj      [2][2][]float32 // [A, B][gate, up] projections of the current layer
	dimsA     []int           // aligned dims used by the neuron test, A's basis
	dimsB     []int           // the same dims in B's basis
	signB     []float32
	bytesRead int64
	peak      int64
}

// note records the peak of the reusable buffers plus extra bytes held.
func (c *comparer) note(extra int64) {
	held := cap(c.buf) + cap(c.bufB)
	for _, side := range c.proj {
		held += cap(side[0]) + cap(side[1])
	}
	c.peak = max(c.peak, 4*int64(held)+extra)
}

// Compare runs the evidence ladder on a and b.
func Compare(a, b *Model, opt Options) (*Result, error) {
	opt = opt.withDefaults()
	r := &Result{SchemaVersion: SchemaVersion, Alpha: opt.Alpha, Limitations: Limitations,
		A: summary(a), B: summary(b), Declared: declared(a, b)}
	r.Config = diffConfig(a.Config, b.Config)
	r.Tokenizer = compareTokenizers(a.Tokenizer, b.Tokenizer)
	c := &comparer{a: a, b: b, opt: opt}
	r.Tensors, c.sa, c.sb = mapTensors(a.W.Tensors(), b.W.Tensors())
	c.secs = map[string]float64{}
	t0 := time.Now()
	pairs := c.prepare(&r.Weights)
	c.secs["align"] = time.Since(t0).Seconds()
	t0 = time.Now()
	if pairs == nil && c.sa.layers() == c.sb.layers() {
		pairs, _, _ = c.layerMap(c.sa.layers(), c.sb.layers())
	}
	ex, cx, err := c.pass(pairs, &r.Weights)
	if err != nil {
		return nil, err
	}
	c.secs["pass"] = time.Since(t0).Seconds() - c.secs["match"]
	c.finish(&r.Weights)
	if !opt.SkipContext {
		r.Exact, r.Context = &ex, &cx
	}
	c.note(0)
	r.Run = RunStats{BytesRead: c.bytesRead, PeakBufferBytes: c.peak, Seconds: c.secs}
	r.decide()
	return r, nil
}

func summary(m *Model) Summary {
	s := Summary{Path: m.Path, Format: m.Format, Bytes: m.Bytes, Tensors: len(m.W.Tensors())}
	for _, t := range m.W.Tensors() {
		s.Elements += t.Elements()
		s.MaxElements = max(s.MaxElements, t.Elements())
	}
	return s
}

func declared(a, b *Model) map[string]string {
	out := map[string]string{}
	for side, m := range map[string]*Model{"a": a, "b": b} {
		for k, v := range m.Declared {
			out[side+"."+k] = v
		}
		if m.Config.NameOrPath != "" {
			out[side+"._name_or_path"] = m.Config.NameOrPath
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// prepare aligns the residual dims and pairs layers. A test that cannot
// run is recorded as skipped, not an error.
func (c *comparer) prepare(w *WeightsEvidence) [][2]int {
	al, err := c.alignResidual()
	if err != nil {
		w.Skipped = err.Error()
		return nil
	}
	c.al, w.Alignment = al, al
	c.setDims()
	pairs, how, err := c.layerMap(c.sa.layers(), c.sb.layers())
	if err != nil {
		w.Skipped = err.Error()
		return nil
	}
	w.LayerMap = how
	return pairs
}

// finish combines the per-layer p-values (Fisher) and counts replication.
func (c *comparer) finish(w *WeightsEvidence) {
	if w.Skipped != "" {
		w.Layers = nil
		return
	}
	if len(w.Layers) == 0 {
		w.Skipped = "no layer pairs with MLP tensors"
		return
	}
	var lpM, lpC []float64
	for _, lt := range w.Layers {
		lpM = append(lpM, lt.Log10PMatch*math.Ln10)
		lpC = append(lpC, lt.Log10PCSU*math.Ln10)
	}
	w.Ran = true
	w.Log10PMatch = log10(fisherLogP(lpM))
	w.Log10PCSU = log10(fisherLogP(lpC))
	w.Log10P = math.Min(0, math.Log10(2)+math.Min(w.Log10PMatch, w.Log10PCSU))
	w.layerLevel = math.Log10(c.opt.Alpha / float64(len(w.Layers)))
	for _, lt := range w.Layers {
		if lt.Log10P < w.layerLevel {
			w.Replicated++
		}
	}
}

// decide sets the verdict from the weights test; the other rungs are
// reported alongside but do not decide.
func (r *Result) decide() {
	w := r.Weights
	r.Log10P, r.PValue = 0, 1
	switch {
	case !w.Ran:
		r.Verdict = leakhound.VerdictInconclusive
		r.Reason = "the weights test could not run: " + w.Skipped
		return
	case w.Log10P < math.Log10(r.Alpha) && w.Replicated >= min(2, len(w.Layers)):
		r.Verdict = leakhound.VerdictDerived
		r.Reason = fmt.Sprintf("matched MLP neurons agree far beyond chance: p = %s < alpha = %g, replicated in %d of %d layer pairs at alpha/L",
			formatP(w.Log10P), r.Alpha, w.Replicated, len(w.Layers))
	case w.Log10P < math.Log10(r.Alpha):
		r.Verdict = leakhound.VerdictInconclusive
		r.Reason = fmt.Sprintf("combined p = %s < alpha = %g, but only %d of %d layer pairs are individually significant at alpha/L (need 2): weak or localised evidence",
			formatP(w.Log10P), r.Alpha, w.Replicated, len(w.Layers))
	case w.Alignment.Method != "embeddings":
		r.Verdict = leakhound.VerdictInconclusive
		r.Reason = fmt.Sprintf("no significant agreement (p = %s), but the residual dims could not be aligned (%s)", formatP(w.Log10P), w.Alignment.Note)
	default:
		r.Verdict = leakhound.VerdictIndependent
		r.Reason = fmt.Sprintf("no evidence of shared weights: p = %s ≥ alpha = %g over %d layer pair(s)", formatP(w.Log10P), r.Alpha, len(w.Layers))
	}
	r.Log10P = w.Log10P
	r.PValue = math.Pow(10, w.Log10P)
	if r.Exact != nil && r.Exact.Compared > 0 && r.Exact.Identical == r.Exact.Compared {
		r.Reason += "; every compared tensor is bit-identical after dequantization"
	}
}

// formatP prints a p-value from its log10, also below float64's range.
func formatP(l10 float64) string {
	if l10 > -300 {
		return fmt.Sprintf("%.3g", math.Pow(10, l10))
	}
	e := math.Floor(l10)
	return fmt.Sprintf("%.2fe%d", math.Pow(10, l10-e), int(e))
}
