package lineage_test

import (
	"fmt"
	"testing"

	"github.com/leakhound/leakhound"
	"github.com/leakhound/leakhound/lineage"
	"github.com/leakhound/leakhound/lineage/synth"
)

// TestRotationDefeatsWeightsTests documents the known gap (reference §2,
// T7): folding the norm gains and rotating the residual stream by a random
// orthogonal matrix preserves the function exactly, yet the weights test
// no longer sees the copy. The result must not claim "derived", and every
// result states the limitation.
func TestRotationDefeatsWeightsTests(t *testing.T) {
	s := synth.DefaultSpec()
	s.Layers = 2
	base := synth.Base(s)
	r, err := lineage.Compare(base.Lineage("base"), synth.Rotate(base, 5).Lineage("rotated"), lineage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("rotated copy: %s, p = %.3g, alignment mean |r| %.3f", r.Verdict, r.PValue, r.Weights.Alignment.MeanAbsCorr)
	if r.Verdict == leakhound.VerdictDerived {
		t.Errorf("rotation was detected (p = %g): update the documented limitation", r.PValue)
	}
	if len(r.Limitations) == 0 || r.Limitations[0] != lineage.Limitations[0] {
		t.Error("the rotation limitation is not stated")
	}
}

// TestContextNeverDecides reproduces the Pangu and Solar pitfalls (T8,
// T9): independent models with the same depth schedule have highly
// correlated std profiles and norm gains with raw cosine near 1, yet the
// verdict stays independent; a derived model's gains have Pearson ≈ 1.
func TestContextNeverDecides(t *testing.T) {
	s := synth.DefaultSpec()
	a := synth.Base(s)
	ind, err := lineage.Compare(a.Lineage("a"), synth.Independent(s, 77).Lineage("b"), lineage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	der, err := lineage.Compare(a.Lineage("a"), synth.FineTune(a, 0.1, 3).Lineage("ft"), lineage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ci, cd := ind.Context, der.Context
	t.Logf("independent: std-profile r %.3f, norm raw cosine %.3f, Pearson %.3f; derived: r %.3f, cosine %.3f, Pearson %.3f",
		*ci.StdProfilePearson, ci.NormRawCosine, ci.NormPearson, *cd.StdProfilePearson, cd.NormRawCosine, cd.NormPearson)
	if ind.Verdict != leakhound.VerdictIndependent {
		t.Errorf("independent pair judged %s", ind.Verdict)
	}
	if ci.NormRawCosine < 0.98 || ci.NormPearson > 0.3 || *ci.StdProfilePearson < 0.8 {
		t.Errorf("pitfall not reproduced: independent norm cosine %.3f, Pearson %.3f, std-profile r %.3f",
			ci.NormRawCosine, ci.NormPearson, *ci.StdProfilePearson)
	}
	if cd.NormPearson < 0.9 {
		t.Errorf("derived norm-gain Pearson %.3f, want ≈ 1", cd.NormPearson)
	}
}

// TestAlignmentRecoversPermutation is T5: the residual permutation and
// sign flips planted by synth.PermuteTraced are recovered exactly from the
// embeddings of shared tokens, also after fine-tuning noise r = 1.
func TestAlignmentRecoversPermutation(t *testing.T) {
	s := synth.DefaultSpec()
	s.Layers = 1
	base := synth.Base(s)
	for _, r := range []float64{0.3, 1} {
		m, tr := synth.PermuteTraced(synth.FineTune(base, r, 2), 3)
		res, err := lineage.Compare(base.Lineage("a"), m.Lineage("b"), lineage.Options{SkipContext: true})
		if err != nil {
			t.Fatal(err)
		}
		pa, pb, sign := res.Weights.Alignment.Pairs()
		wrong := 0
		for k := range pa {
			if tr.Residual[pa[k]] != pb[k] || tr.Sign[pa[k]] != sign[k] {
				wrong++
			}
		}
		t.Logf("r = %g: %d of %d residual dims recovered with their signs", r, len(pa)-wrong, len(pa))
		if wrong > 0 || len(pa) != s.Hidden {
			t.Errorf("r = %g: %d of %d dims wrong", r, wrong, len(pa))
		}
	}
}

// TestScalingAndFolding: per-dimension norm-gain scaling compensated in
// the next weights (reference §2) keeps the verdict derived, also combined
// with permutation and Q4_K-level noise.
func TestScalingAndFolding(t *testing.T) {
	s := synth.DefaultSpec()
	s.Layers = 2
	base := synth.Base(s)
	for name, m := range map[string]*synth.Model{
		"scaled":          synth.Scale(base, 1),
		"scaled+permuted": synth.Permute(synth.Scale(synth.FineTune(base, 0.3, 2), 3), 4),
	} {
		r, err := lineage.Compare(base.Lineage("base"), m.Lineage(name), lineage.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %s, log10 p %.1f, mean matched cos %.3f", name, r.Verdict, r.Log10P, r.Weights.Layers[0].MeanCos)
		if r.Verdict != leakhound.VerdictDerived || r.Log10P > -6 {
			t.Errorf("%s: %s (log10 p %.1f): %s", name, r.Verdict, r.Log10P, r.Reason)
		}
	}
}

// TestInconclusive: when the weights test cannot run, or runs without a
// residual alignment and finds nothing, the verdict is inconclusive, never
// independent.
func TestInconclusive(t *testing.T) {
	s := synth.DefaultSpec()
	s.Layers = 2
	base := synth.Base(s)
	noMLP := synth.FineTune(base, 0.1, 1)
	for l := 0; l < s.Layers; l++ {
		noMLP.W.Delete(fmt.Sprintf("model.layers.%d.mlp.gate_proj.weight", l))
	}
	// No tokenizers and different vocab sizes: the residual dims cannot be
	// aligned, so a permuted copy goes unseen and must not read independent.
	perm := synth.Permute(base, 2)
	perm.W.Set("model.embed_tokens.weight", []int64{int64(s.Vocab - 1), int64(s.Hidden)}, perm.W.Data["model.embed_tokens.weight"][:(s.Vocab-1)*s.Hidden])
	permNoTok := lineage.NewModel("perm", perm.Config(), nil, perm.W)
	for name, b := range map[string]*lineage.Model{"no gate_proj": noMLP.Lineage("b"), "unaligned permuted copy": permNoTok} {
		r, err := lineage.Compare(base.Lineage("a"), b, lineage.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %s: %s", name, r.Verdict, r.Reason)
		if r.Verdict != leakhound.VerdictInconclusive {
			t.Errorf("%s: verdict %s, want inconclusive", name, r.Verdict)
		}
	}
}
