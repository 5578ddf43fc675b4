package lineage

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// WriteJSON writes r as indented JSON.
func WriteJSON(w io.Writer, r *Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false) // reasons contain "<" and "≥"; keep them readable
	return enc.Encode(r)
}

// WriteText writes r as a human-readable evidence ladder, strongest rung
// first, with the limitations at the end.
func WriteText(w io.Writer, r *Result) error {
	p := &printer{w: w}
	p.f("lineage: %s (%s, %s)\n       vs %s (%s, %s)\n", r.A.Path, r.A.Format, human(r.A.Bytes), r.B.Path, r.B.Format, human(r.B.Bytes))
	p.f("verdict: %s  p = %s  (alpha %g)\n  %s\n\n", strings.ToUpper(string(r.Verdict)), formatP(r.Log10P), r.Alpha, r.Reason)
	p.declared(r)
	p.config(r.Config)
	p.tokenizer(r.Tokenizer)
	p.tensors(r.Tensors)
	p.exact(r.Exact)
	p.weights(r.Weights)
	p.context(r.Context)
	p.f("Limitations:\n")
	for _, l := range r.Limitations {
		p.f("  - %s\n", l)
	}
	return p.err
}

type printer struct {
	w   io.Writer
	err error
}

func (p *printer) f(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}

func human(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%d B", n)
}

func (p *printer) declared(r *Result) {
	if len(r.Declared) == 0 {
		return
	}
	p.f("0. Declared metadata (printed, never used to conclude):\n")
	for _, k := range sortedKeys(r.Declared) {
		p.f("   %s = %s\n", k, r.Declared[k])
	}
}

func (p *printer) config(c ConfigEvidence) {
	if c.Equal {
		p.f("1. Config: equal (hidden %d, layers %d, heads %d/%d, ffn %d, vocab %d). Necessary for a copy, never sufficient.\n",
			c.A.Hidden, c.A.Layers, c.A.Heads, c.A.KVHeads, c.A.FFN, c.A.Vocab)
		return
	}
	p.f("1. Config: %d difference(s)\n", len(c.Differences))
	for _, d := range c.Differences {
		p.f("   %-24s %s vs %s\n", d.Field, d.A, d.B)
	}
}

func (p *printer) tokenizer(t TokenizerEvidence) {
	if !t.Available {
		p.f("2. Tokenizer: not available on both sides\n")
		return
	}
	p.f("2. Tokenizer: %s — same id %d/%d, id prefix %d, merge prefix %d of %d/%d, specials equal %v\n",
		t.Relation, t.SameID, min(t.VocabA, t.VocabB), t.IDPrefix, t.MergePrefix, t.MergesA, t.MergesB, t.SpecialsEqual)
	p.f("   (vocabulary Jaccard %.3f is weak evidence: unrelated tokenizers share 70–85%% of tokens)\n", t.Jaccard)
}

func (p *printer) tensors(t TensorEvidence) {
	p.f("3. Tensors: %d vs %d, %d matched by role (%d same shape), layers %d vs %d\n",
		t.CountA, t.CountB, t.Matched, t.SameShape, t.LayersA, t.LayersB)
	if t.RenamedTotal > 0 {
		p.f("   %d renamed, e.g. %s -> %s\n", t.RenamedTotal, t.Renamed[0].A, t.Renamed[0].B)
	}
	for _, s := range t.ShapeMismatch[:min(3, len(t.ShapeMismatch))] {
		p.f("   shape differs: %s\n", s)
	}
	if len(t.OnlyA)+len(t.OnlyB) > 0 {
		p.f("   unmatched: %d only in A, %d only in B\n", len(t.OnlyA), len(t.OnlyB))
	}
}

func (p *printer) exact(e *ExactEvidence) {
	if e == nil {
		return
	}
	p.f("4. Exact reuse: %d of %d same-shape tensors bit-identical after dequantization; %.1f%% of elements identical\n",
		e.Identical, e.Compared, 100*e.IdenticalFraction)
}

func (p *printer) weights(w WeightsEvidence) {
	if !w.Ran {
		p.f("5. Weights test: not run: %s\n", w.Skipped)
		return
	}
	a := w.Alignment
	p.f("5. Weights test (Zhu et al. 2025 matched-neuron test after AWM-style residual alignment):\n")
	p.f("   alignment: %s, %d dims (%d identity, %d sign flips), %d/%d shared tokens, mean |r| %.3f (null ≈ %.3f)\n",
		a.Method, a.Dims, a.Identity, a.SignFlips, a.UsedTokens, a.SharedTokens, a.MeanAbsCorr, a.NullAbsCorr)
	if a.Note != "" {
		p.f("   note: %s\n", a.Note)
	}
	p.f("   layers (%s):\n     A   B  rows  rho_match  p_match     rho_csu  p_csu      agree  cos\n", w.LayerMap)
	for _, l := range w.Layers {
		p.f("   %3d %3d  %4d  %9.3f  %-9s  %7.3f  %-9s  %5.2f  %5.3f\n", l.LayerA, l.LayerB, l.Rows,
			l.RhoMatch, formatP(l.Log10PMatch), l.RhoCSU, formatP(l.Log10PCSU), l.Agree, l.MeanCos)
	}
	p.f("   Fisher combined: p_match = %s, p_csu = %s; verdict p = 2·min = %s; %d of %d layers significant at alpha/L\n",
		formatP(w.Log10PMatch), formatP(w.Log10PCSU), formatP(w.Log10P), w.Replicated, len(w.Layers))
}

func (p *printer) context(c *ContextEvidence) {
	if c == nil {
		return
	}
	p.f("6. Context only (never decides): ")
	if c.StdProfilePearson != nil {
		p.f("std-profile r = %.3f; ", *c.StdProfilePearson)
	}
	p.f("norm gains raw cosine %.3f, Pearson %.3f over %d tensors\n   %s\n\n", c.NormRawCosine, c.NormPearson, c.NormTensors, c.Warning)
}
