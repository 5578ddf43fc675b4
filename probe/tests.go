package probe

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
)

// benchScored scores the benchmark items once.
func (st *runState) benchScored(ctx context.Context) ([]Scored, error) {
	if st.scored != nil {
		return st.scored, nil
	}
	st.cfg.Progress.Phase("scoring "+st.in.Benchmark, len(st.in.Bench))
	sc, err := scoreTexts(ctx, st.b, itemTexts(st.in.Bench), st.wantDists(), &st.cfg)
	if err != nil {
		return nil, err
	}
	st.scored = sc
	for i, s := range sc {
		st.rep.ItemScores[i].Tokens = len(s.LP) + 1
	}
	return sc, nil
}

// wantDists reports whether scoring the benchmark should fetch
// distributions: only Min-K%++ in the likelihood test needs them.
func (st *runState) wantDists() bool {
	return slices.Contains(st.cfg.Tests, TestLikelihood) && st.caps.TopK != 0
}

// likelihood computes loss, zlib, lowercase, ref, Min-K% and Min-K%++.
func (st *runState) likelihood(ctx context.Context) error {
	sc, err := st.benchScored(ctx)
	if err != nil {
		return err
	}
	texts := itemTexts(st.in.Bench)
	lower := make([]string, len(texts))
	for i, t := range texts {
		lower[i] = strings.ToLower(t)
	}
	st.cfg.Progress.Phase("scoring lowercased", len(lower))
	lsc, err := scoreTexts(ctx, st.b, lower, false, &st.cfg)
	if err != nil {
		return err
	}
	exact, haveMoments := true, true
	for i, s := range sc {
		ll := MeanLL(s.LP)
		st.setScore(i, ScoreLoss, ll)
		st.setScore(i, ScoreZlib, ZlibScore(ll, texts[i]))
		st.setScore(i, ScoreLowercase, MeanLL(lsc[i].LP)/ll)
		st.setScore(i, ScoreMinK, MinK(s.LP, st.cfg.K))
		if s.Mu == nil {
			haveMoments = false
			continue
		}
		exact = exact && s.Exact
		st.setScore(i, ScoreMinKPP, MinKPP(s.LP, s.Mu, s.Sigma, st.cfg.K))
	}
	l := TokenLoss(sc)
	st.rep.Tests = append(st.rep.Tests, TestResult{Name: TestLikelihood, Source: sources[TestLikelihood], Status: "ran",
		Values: finite(map[string]float64{"token_loss": l, "perplexity": math.Exp(l), "k": st.cfg.K})})
	mk := TestResult{Name: "minkpp", Source: sources[TestLikelihood], Status: "ran", Exact: ptr(exact)}
	switch {
	case !haveMoments:
		mk.Status, mk.Reason, mk.Exact = "unsupported", st.caps.Backend+" returns no next-token distributions for prompt positions", nil
	case !exact:
		mk.Reason = "approximate: μ and σ from the renormalised top-k alternatives, not the whole vocabulary"
	default:
		mk.Reason = "exact: whole-vocabulary distributions"
	}
	st.rep.Tests = append(st.rep.Tests, mk)
	return st.refRatio(ctx, sc)
}

// refRatio adds ll_target − ll_ref when a reference model is given.
func (st *runState) refRatio(ctx context.Context, sc []Scored) error {
	if st.in.RefModel == nil {
		return nil
	}
	st.cfg.Progress.Phase("scoring on the reference model", len(sc))
	rsc, err := scoreTexts(ctx, st.in.RefModel, itemTexts(st.in.Bench), false, &st.cfg)
	if err != nil {
		return fmt.Errorf("reference model: %w", err)
	}
	for i := range sc {
		st.setScore(i, ScoreRef, MeanLL(sc[i].LP)-MeanLL(rsc[i].LP))
	}
	return nil
}

func (st *runState) oren(ctx context.Context) error {
	cfg := st.cfg.Oren
	cfg.defaults()
	r := min(cfg.Shards, min(len(st.in.Bench), cfg.MaxExamples)/2)
	st.cfg.Progress.Phase("oren shards", max(r, 0)*(cfg.Perms+1))
	score := func(ctx context.Context, texts []string) ([]float64, error) {
		sc, err := scoreTexts(ctx, st.b, texts, false, &st.cfg)
		if err != nil {
			return nil, err
		}
		out := make([]float64, len(sc))
		for i, s := range sc {
			for _, lp := range s.LP {
				out[i] += lp
			}
		}
		return out, nil
	}
	res, err := Oren(ctx, score, itemTexts(st.in.Bench), cfg)
	if err != nil && strings.Contains(err.Error(), "context length") {
		return fmt.Errorf("%w (each shard is one request: raise --oren-shards to shorten shards)", err)
	}
	if err != nil {
		return err
	}
	t := TestResult{Name: TestOren, Source: sources[TestOren], Status: "ran", P: ptr(res.P),
		Significant: ptr(res.P < st.cfg.Alpha), Oren: &res,
		Values: finite(map[string]float64{"z": res.Z, "mean_diff_nats": res.MeanDiff, "shards": float64(res.Shards), "perms": float64(res.Perms)})}
	t.Reason = fmt.Sprintf("examples joined with %q in file order; the test sees only verbatim, canonically ordered training on this formatting", cfg.Sep)
	st.rep.Tests = append(st.rep.Tests, t)
	return nil
}

// skywork reports the loss gaps and a Mann–Whitney p-value that the
// benchmark's per-item loss is lower than the reference set's.
func (st *runState) skywork(ctx context.Context) error {
	if len(st.in.Ref) == 0 && len(st.in.Train) == 0 {
		st.rep.Tests = append(st.rep.Tests, TestResult{Name: TestSkywork, Source: sources[TestSkywork], Status: "skipped",
			Reason: "needs a reference set (--ref) and/or the train split (--train)"})
		return nil
	}
	sc, err := st.benchScored(ctx)
	if err != nil {
		return err
	}
	lTest := TokenLoss(sc)
	v := map[string]float64{"L_test": lTest}
	t := TestResult{Name: TestSkywork, Source: sources[TestSkywork], Status: "ran"}
	if len(st.in.Train) > 0 {
		st.cfg.Progress.Phase("scoring train split", len(st.in.Train))
		tr, err := scoreTexts(ctx, st.b, itemTexts(st.in.Train), false, &st.cfg)
		if err != nil {
			return err
		}
		v["L_train"] = TokenLoss(tr)
		v["delta2"] = lTest - v["L_train"]
	}
	if len(st.in.Ref) > 0 {
		st.cfg.Progress.Phase("scoring reference set", len(st.in.Ref))
		rs, err := scoreTexts(ctx, st.b, itemTexts(st.in.Ref), false, &st.cfg)
		if err != nil {
			return err
		}
		v["L_ref"] = TokenLoss(rs)
		v["delta1"] = lTest - v["L_ref"]
		p, eff := MannWhitneyGreater(itemLLs(sc), itemLLs(rs))
		v["p_item_ll_greater"], v["effect"] = p, eff
		t.Reason = "p: one-sided Mann–Whitney test that benchmark items have higher mean log-prob than reference items; a reference set of another style shifts it too"
	}
	t.Values = finite(v)
	st.rep.Tests = append(st.rep.Tests, t)
	return nil
}

func itemLLs(sc []Scored) []float64 {
	out := make([]float64, 0, len(sc))
	for _, s := range sc {
		if len(s.LP) > 0 {
			out = append(out, MeanLL(s.LP))
		}
	}
	return out
}

// limit returns the first GenLimit items (all when 0).
func (st *runState) limit(n int) int {
	if st.cfg.GenLimit > 0 && st.cfg.GenLimit < n {
		return st.cfg.GenLimit
	}
	return n
}

func (st *runState) benbench(ctx context.Context) error {
	sc, err := st.benchScored(ctx)
	if err != nil {
		return err
	}
	n := st.limit(len(sc))
	acc, err := st.ngramAcc(ctx, sc[:n], "benbench "+st.in.Benchmark)
	if err != nil {
		return err
	}
	for i, a := range acc {
		st.setScore(i, "benbench", a)
	}
	v := map[string]float64{"ngram_accuracy": meanFinite(acc), "n": float64(st.cfg.BenBench.N), "items": float64(n)}
	t := TestResult{Name: TestBenBench, Source: sources[TestBenBench], Status: "ran"}
	if len(st.in.Ref) > 0 {
		refs := st.in.Ref[:st.limit(len(st.in.Ref))]
		rs, err := scoreTexts(ctx, st.b, itemTexts(refs), false, &st.cfg)
		if err != nil {
			return err
		}
		racc, err := st.ngramAcc(ctx, rs, "benbench reference")
		if err != nil {
			return err
		}
		v["ref_ngram_accuracy"] = meanFinite(racc)
		p, _ := MannWhitneyGreater(dropNaN(acc), dropNaN(racc))
		t.P, t.Significant = ptr(p), ptr(p < st.cfg.Alpha)
		t.Reason = "p: one-sided Mann–Whitney test that n-gram accuracy on the originals exceeds that on the reference rewrites"
	}
	t.Values = finite(v)
	st.rep.Tests = append(st.rep.Tests, t)
	return nil
}

func (st *runState) ngramAcc(ctx context.Context, sc []Scored, phase string) ([]float64, error) {
	st.cfg.Progress.Phase(phase, len(sc))
	acc := make([]float64, len(sc))
	err := parallel(ctx, len(sc), st.cfg.Workers, func(i int) error {
		a, err := NGramAccuracy(ctx, st.b, sc[i].IDs, st.cfg.BenBench)
		acc[i] = a
		st.cfg.Progress.Add(1)
		return err
	})
	return acc, err
}

func (st *runState) cdd(ctx context.Context) error {
	n := st.limit(len(st.in.Bench))
	st.cfg.Progress.Phase("cdd sampling", n)
	peaks := make([]float64, n)
	err := parallel(ctx, n, st.cfg.Workers, func(i int) error {
		c := st.cfg.CDD
		c.Seed += int64(i)
		p, err := CDDItem(ctx, st.b, promptOf(st.in.Bench[i]), c)
		peaks[i] = p
		st.cfg.Progress.Add(1)
		return err
	})
	if err != nil {
		return err
	}
	flagged := 0
	for i, p := range peaks {
		st.setScore(i, "cdd_peak", p)
		if p > st.cfg.CDD.Xi {
			flagged++
		}
	}
	st.rep.Tests = append(st.rep.Tests, TestResult{Name: TestCDD, Source: sources[TestCDD], Status: "ran",
		Reason: fmt.Sprintf("an item is flagged when Peak > ξ = %g (α = %g); no null distribution, so no p-value", st.cfg.CDD.Xi, st.cfg.CDD.Alpha),
		Values: finite(map[string]float64{"mean_peak": meanFinite(peaks), "flagged_fraction": float64(flagged) / float64(n), "samples": float64(st.cfg.CDD.Samples), "items": float64(n)})})
	return nil
}

func (st *runState) tsGuessing(ctx context.Context) error {
	n := st.limit(len(st.in.Bench))
	st.cfg.Progress.Phase("ts-guessing", n)
	em := make([]float64, n)
	rouge := make([]float64, n)
	variants := make([]string, n)
	err := parallel(ctx, n, st.cfg.Workers, func(i int) error {
		defer st.cfg.Progress.Add(1)
		em[i], rouge[i] = nan(), nan()
		p, ok := TSMask(st.in.Bench[i])
		if !ok {
			return nil
		}
		variants[i] = p.Variant
		var err error
		em[i], rouge[i], err = TSItem(ctx, st.b, p, st.cfg.TSMaxTokens)
		return err
	})
	if err != nil {
		return err
	}
	var mc, q int
	for i := range em {
		st.setScore(i, "ts_em", em[i])
		st.setScore(i, "ts_rouge", rouge[i])
		switch variants[i] {
		case "multichoice":
			mc++
		case "question":
			q++
		}
	}
	st.rep.Tests = append(st.rep.Tests, TestResult{Name: TestTSGuessing, Source: sources[TestTSGuessing], Status: "ran",
		Reason: "exact-match rate of the masked text; no null distribution, so no p-value (instruction following and option predictability confound it)",
		Values: finite(map[string]float64{"exact_match": meanFinite(em), "rouge_l": meanFinite(rouge), "multichoice_items": float64(mc), "question_items": float64(q)})})
	return nil
}

func dropNaN(x []float64) []float64 {
	var out []float64
	for _, v := range x {
		if !math.IsNaN(v) {
			out = append(out, v)
		}
	}
	return out
}

func meanFinite(x []float64) float64 { return mean(dropNaN(x)) }
