package probe

import (
	"context"
	"hash/fnv"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/leakhound/leakhound/internal/shareddata"

	"github.com/leakhound/leakhound"
	"github.com/leakhound/leakhound/lm"
)

// dataDir returns ../shared/data/normalized relative to the repository
// root, or skips the test.
func dataDir(t testing.TB) string {
	t.Helper()
	return filepath.Join(shareddata.Dir(t), "normalized")
}

func loadData(t testing.TB, rel string) []leakhound.Item {
	t.Helper()
	items, err := LoadJSONL(filepath.Join(dataDir(t), rel))
	if err != nil {
		t.Fatal(err)
	}
	return items
}

// background is training-style text (no benchmark test items): Alpaca
// and CodeAlpaca seeds and samples.
func background(t testing.TB) []string {
	var out []string
	for _, f := range []string{"alpaca_seed/train.jsonl.gz", "codealpaca_2k/train.jsonl.gz", "codealpaca_seed/train.jsonl.gz"} {
		out = append(out, itemTexts(loadData(t, f))...)
	}
	return out
}

// memberOf is a seeded hash split: i.i.d. members and non-members.
func memberOf(id string, seed uint64) bool {
	h := fnv.New64a()
	h.Write([]byte(id))
	return (h.Sum64()^seed)*0x9e3779b97f4a7c15>>63 == 1
}

func trainLM(t testing.TB, kind string, order int, docs []string, dup int) *lm.Model {
	t.Helper()
	tok := lm.NewByteTokenizer()
	if kind == lm.KindWord {
		tok = lm.NewWordTokenizer(docs, 2)
	}
	tr, err := lm.NewTrainer(tok, order)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		tr.Add(d, dup)
	}
	return tr.Build()
}

func metricOf(rep *Report, score string) (Metric, bool) {
	for _, m := range rep.Metrics {
		if m.Score == score {
			return m, true
		}
	}
	return Metric{}, false
}

// TestMembershipSeparation is experiment E1: an LM trained on background
// text plus half of GSM8K test (the members) must separate members from
// non-members with AUROC >= 0.9 for loss and Min-K%++.
func TestMembershipSeparation(t *testing.T) {
	gsm := loadData(t, "gsm8k/test.jsonl.gz")[:400]
	bg := background(t)
	labels := map[string]bool{}
	docs := append([]string(nil), bg...)
	for _, it := range gsm {
		labels[it.ID] = memberOf(it.ID, 1)
		if labels[it.ID] {
			docs = append(docs, it.Text)
		}
	}
	for _, tc := range []struct {
		kind  string
		order int
	}{{lm.KindWord, 3}, {lm.KindByte, 6}} {
		m := trainLM(t, tc.kind, tc.order, docs, 1)
		rep, err := Run(context.Background(), NewLocal(m, "e1"), localCaps,
			Inputs{Benchmark: "gsm8k", Bench: gsm, Labels: labels}, Config{Tests: []string{TestLikelihood}})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{ScoreLoss, ScoreZlib, ScoreLowercase, ScoreMinK, ScoreMinKPP} {
			mt, ok := metricOf(rep, s)
			if !ok {
				t.Fatalf("%s: no metric for %s", tc.kind, s)
			}
			t.Logf("%s order %d: %-9s AUROC %.3f TPR@5%%FPR %.3f FPR@95%%TPR %.3f (%d vs %d)", tc.kind, tc.order, s, mt.AUROC, mt.TPRAt5FPR, mt.FPRAt95TPR, mt.Members, mt.NonMembers)
			if (s == ScoreLoss || s == ScoreMinKPP) && mt.AUROC < 0.9 {
				t.Errorf("%s order %d: %s AUROC %.3f < 0.9", tc.kind, tc.order, s, mt.AUROC)
			}
		}
	}
}

// TestMembershipControl is experiment E2: trained on background text
// only, no score separates the two halves (AUROC within 0.5 ± 0.15,
// about 5 null standard errors at 200 vs 200).
func TestMembershipControl(t *testing.T) {
	gsm := loadData(t, "gsm8k/test.jsonl.gz")[:400]
	labels := map[string]bool{}
	for _, it := range gsm {
		labels[it.ID] = memberOf(it.ID, 1)
	}
	m := trainLM(t, lm.KindWord, 3, background(t), 1)
	rep, err := Run(context.Background(), NewLocal(m, "e2"), localCaps,
		Inputs{Benchmark: "gsm8k", Bench: gsm, Labels: labels}, Config{Tests: []string{TestLikelihood}})
	if err != nil {
		t.Fatal(err)
	}
	for _, mt := range rep.Metrics {
		t.Logf("control: %-9s AUROC %.3f (null SE %.3f)", mt.Score, mt.AUROC, mt.NullSE)
		if mt.AUROC < 0.35 || mt.AUROC > 0.65 {
			t.Errorf("control: %s AUROC %.3f outside 0.5 ± 0.15", mt.Score, mt.AUROC)
		}
	}
}

var localCaps = Caps{Backend: "local", PromptLogprobs: true, TopK: -1, Generate: true, TokenPrompts: true}

func orenP(t *testing.T, m *lm.Model, items []leakhound.Item, seed uint64) OrenResult {
	t.Helper()
	rep, err := Run(context.Background(), NewLocal(m, "oren"), localCaps, Inputs{Benchmark: "gsm8k", Bench: items},
		Config{Tests: []string{TestOren}, Oren: OrenConfig{Shards: 15, Perms: 15, Seed: seed}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Tests[0].Oren == nil {
		t.Fatalf("oren did not run: %+v", rep.Tests[0])
	}
	return *rep.Tests[0].Oren
}

// TestOrenCanonicalOrder is experiment E4: an LM that saw the benchmark
// file (items joined in file order) once gives p < 0.01; the same items
// seen as separate documents in another order give no signal.
func TestOrenCanonicalOrder(t *testing.T) {
	gsm := loadData(t, "gsm8k/test.jsonl.gz")[:300]
	file := ""
	for _, it := range gsm {
		file += it.Text + "\n"
	}
	m := trainLM(t, lm.KindWord, 3, append(background(t), file), 1)
	res := orenP(t, m, gsm, 1)
	t.Logf("trained on the file once: z %.2f p %.3g (%d examples, %d shards x %d perms)", res.Z, res.P, res.Examples, res.Shards, res.Perms)
	if res.P >= 0.01 {
		t.Errorf("canonical order: p = %g, want < 0.01", res.P)
	}
}

// TestOrenNull is experiment E5: when the file was not trained on, p is
// close to uniform: over 20 seeds the false-positive rate at α = 0.05 is
// at most 0.15. Each seed draws a new "file" (a random order of random
// GSM8K items); the model saw half of GSM8K as separate documents, so it
// knows the items but not any file order.
func TestOrenNull(t *testing.T) {
	gsm := loadData(t, "gsm8k/test.jsonl.gz")
	docs := background(t)
	rng := rand.New(rand.NewPCG(5, 5))
	for _, i := range rng.Perm(len(gsm))[:len(gsm)/2] {
		docs = append(docs, gsm[i].Text)
	}
	m := trainLM(t, lm.KindWord, 3, docs, 1)
	const seeds = 20
	rejections := 0
	var ps []float64
	for s := uint64(0); s < seeds; s++ {
		r := rand.New(rand.NewPCG(s, 99))
		var file []leakhound.Item
		for _, i := range r.Perm(len(gsm))[:150] {
			file = append(file, gsm[i])
		}
		res := orenP(t, m, file, s)
		ps = append(ps, res.P)
		if res.P < 0.05 {
			rejections++
		}
	}
	t.Logf("null p-values: %.3f", ps)
	t.Logf("false-positive rate at α = 0.05: %d/%d", rejections, seeds)
	if float64(rejections)/seeds > 0.15 {
		t.Errorf("false-positive rate %d/%d > 0.15", rejections, seeds)
	}
}
