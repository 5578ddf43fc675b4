package probe

import (
	"context"
	"testing"

	"github.com/leakhound/leakhound/lm"
)

// TestReferenceSetTests is experiments E6 and E7 with GSM8K and its
// rephrasings (decontam_rephrase/rephrase_gsm8k, line i ↔ item i): on a
// model that never saw GSM8K, BenBench's originals-vs-rewrites p-value
// must not reject; on one that saw the items it must. The Skywork Δ1 is
// reported for both (its per-item p-value is not used in the verdict,
// because rephrasings differ in style).
func TestReferenceSetTests(t *testing.T) {
	gsm := loadData(t, "gsm8k/test.jsonl.gz")[:100]
	reph := loadData(t, "decontam_rephrase/rephrase_gsm8k.jsonl.gz")[:100]
	bg := background(t)
	seen := append(append([]string(nil), bg...), itemTexts(gsm)...)
	for _, tc := range []struct {
		name   string
		docs   []string
		contam bool
	}{{"clean", bg, false}, {"contaminated", seen, true}} {
		m := trainLM(t, lm.KindWord, 4, tc.docs, 1)
		rep, err := Run(context.Background(), NewLocal(m, tc.name), localCaps, Inputs{Benchmark: "gsm8k", Bench: gsm, Ref: reph},
			Config{Tests: []string{TestSkywork, TestBenBench}})
		if err != nil {
			t.Fatal(err)
		}
		sk, bb := testByName(rep, TestSkywork), testByName(rep, TestBenBench)
		t.Logf("%s: Skywork L_test %.3f L_ref %.3f Δ1 %.3f (item p %.3g); BenBench acc %.3f vs rewrites %.3f, p %.3g; verdict %s",
			tc.name, sk.Values["L_test"], sk.Values["L_ref"], sk.Values["delta1"], sk.Values["p_item_ll_greater"],
			bb.Values["ngram_accuracy"], bb.Values["ref_ngram_accuracy"], *bb.P, rep.Verdict)
		if got := *bb.P < 0.01; got != tc.contam {
			t.Errorf("%s: BenBench p = %g", tc.name, *bb.P)
		}
	}
}
