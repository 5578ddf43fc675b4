package quality

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/leakhound/leakhound"
	"github.com/leakhound/leakhound/internal/textgen"
	"github.com/leakhound/leakhound/rephrase"
)

// TrainOptions control the scorer's training.
type TrainOptions struct {
	Lambda float64 // L2 penalty (1e-3)
	// NegPerPos is how many negatives of each sort are drawn per positive.
	NegPerPos int
	// MaxFPR is the largest share of training negatives a kind's threshold
	// may flag; the threshold is the smallest that keeps to it (and at
	// least 0.5).
	MaxFPR float64
	// GeneratedDocs is how many generated English-like documents (2.7 KB,
	// internal/textgen) are mined for negatives.
	GeneratedDocs int
	// MinedWeight scales the weight of each candidate window mined on
	// clean documents in the fit.
	MinedWeight float64
	// MaxMinedFPR is the largest share of those windows a kind's
	// threshold may flag.
	MaxMinedFPR float64
}

// DefaultTrainOptions are the settings of the shipped weights.
func DefaultTrainOptions() TrainOptions {
	return TrainOptions{Lambda: 1e-3, NegPerPos: 2, MaxFPR: 0.01, GeneratedDocs: 3000, MinedWeight: 5, MaxMinedFPR: 0.01}
}

// trainingExamples returns labelled feature vectors per kind from the
// training part of the sets: positives (item, its rephrase); negatives
// (item, another original), (item, another item's rephrase) and (item,
// an ordinary instruction-tuning record).
func trainingExamples(m *rephrase.Model, sets []PairSet, ordinary []leakhound.Item, o TrainOptions) map[string][]rephrase.Example {
	out := map[string][]rephrase.Example{}
	add := func(item, doc *rephrase.Prepared, label bool) {
		k, e := m.PairExample(item, doc, label)
		out[k] = append(out[k], e)
	}
	ord := make([]*rephrase.Prepared, len(ordinary))
	for i, it := range ordinary {
		ord[i] = m.Prepare(it.Text)
	}
	for si := range sets {
		s := &sets[si]
		rng := rand.New(rand.NewPCG(Seed, uint64(si)+1))
		var idx []int
		for i := range s.Items {
			if PartTrain.has(s, i) {
				idx = append(idx, i)
			}
		}
		prep := preparer(m, s.Items)
		for _, i := range idx {
			if strings.TrimSpace(s.Rephrases[i]) == "" {
				continue
			}
			it := prep(i)
			add(it, m.Prepare(s.Rephrases[i]), true)
			for n := 0; n < o.NegPerPos && len(idx) > 1; n++ {
				j := otherIndex(rng, idx, i)
				if !sharesRun(s.Items[i].Text, s.Items[j].Text) {
					add(it, prep(j), false)
				}
				j = otherIndex(rng, idx, i)
				if strings.TrimSpace(s.Rephrases[j]) != "" {
					add(it, m.Prepare(s.Rephrases[j]), false)
				}
				add(it, ord[rng.IntN(len(ord))], false)
			}
		}
	}
	return out
}

// preparer returns a function that prepares items[i] once, on first use.
func preparer(m *rephrase.Model, items []leakhound.Item) func(i int) *rephrase.Prepared {
	memo := map[int]*rephrase.Prepared{}
	return func(i int) *rephrase.Prepared {
		p, ok := memo[i]
		if !ok {
			p = m.Prepare(items[i].Text)
			memo[i] = p
		}
		return p
	}
}

// sharesRun reports whether two texts share a run of 13 words: such
// items (MMLU questions on one passage) are not random negatives.
func sharesRun(a, b string) bool {
	const n = 13
	wa, wb := strings.Fields(a), strings.Fields(b)
	seen := map[string]bool{}
	for i := 0; i+n <= len(wa); i++ {
		seen[strings.Join(wa[i:i+n], " ")] = true
	}
	for i := 0; i+n <= len(wb); i++ {
		if seen[strings.Join(wb[i:i+n], " ")] {
			return true
		}
	}
	return false
}

func otherIndex(rng *rand.Rand, idx []int, i int) int {
	for {
		if j := idx[rng.IntN(len(idx))]; j != i {
			return j
		}
	}
}

// TrainingOrdinary returns the ordinary documents that training may use:
// the Alpaca and CodeAlpaca records outside the held-out split.
func TrainingOrdinary(ordinary []leakhound.Item) []leakhound.Item {
	var out []leakhound.Item
	for i, it := range ordinary {
		if !HeldOut("ordinary", i) {
			out = append(out, it)
		}
	}
	return out
}

// mined is a negative that the candidate stage produced on a clean
// document.
type mined struct {
	kind string
	ex   rephrase.Example
	doc  int // index of the document (ordinary records first, then generated ones)
}

// minedNegatives runs the candidate stage of a detector built on every
// benchmark item over ordinary documents and generated text, and returns
// each candidate window as a negative: the pairs that verification really
// sees in a clean corpus.
func minedNegatives(m *rephrase.Model, bench, ordinary []leakhound.Item, docs int) []mined {
	var out []mined
	d := rephrase.NewDetector(m, bench)
	w := d.NewWorker()
	texts := make([]string, 0, len(ordinary)+docs)
	for _, it := range ordinary {
		texts = append(texts, it.Text)
	}
	g := textgen.New(Seed, 100000)
	for i := 0; i < docs; i++ {
		texts = append(texts, g.Paragraph(2700))
	}
	item := preparer(m, bench)
	for di, t := range texts {
		for _, c := range w.Candidates([]byte(t)) {
			k, e := m.PairExample(item(c.Item), m.Prepare(t[c.Lo:c.Hi]), false)
			out = append(out, mined{k, e, di})
		}
	}
	return out
}

// Train fits the scorer on the training part of sets and returns the
// weights and a short account of the fit. bench is every benchmark item
// (the index the negatives are mined with) and ordinary the training part
// of the ordinary documents.
func Train(m *rephrase.Model, sets []PairSet, bench, ordinary []leakhound.Item, o TrainOptions) (*rephrase.Weights, string) {
	ex := trainingExamples(m, sets, ordinary, o)
	mn := minedNegatives(m, bench, ordinary, o.GeneratedDocs)
	minedBy := map[string][]rephrase.Example{}
	for _, x := range mn {
		x.ex.Weight = o.MinedWeight
		minedBy[x.kind] = append(minedBy[x.kind], x.ex)
	}
	w := &rephrase.Weights{
		Features: rephrase.FeatureNames(),
		Models:   map[string]rephrase.Logistic{},
		Trained: fmt.Sprintf("LMSYS rephrase sets (training part: %d%% of items held out by a seeded hash), negatives: other originals, other rephrases, Alpaca/CodeAlpaca records, candidate windows on the training Alpaca/CodeAlpaca records and %d generated documents (weight %g); seed %d; L2 %g; only pairs with the minimum aligned evidence; threshold: smallest >= 0.5 flagging <= %.1f%% of the sampled negatives and <= %.2f%% of the candidate windows",
			100-heldOutPercent, o.GeneratedDocs, o.MinedWeight, Seed, o.Lambda, 100*o.MaxFPR, 100*o.MaxMinedFPR),
	}
	var report strings.Builder
	for _, k := range rephrase.Kinds {
		// Only pairs with the minimum aligned evidence are ever scored, so
		// the fit and the threshold look at those (the thresholds' false
		// positive rates are over all negatives of the kind).
		var fit []rephrase.Example
		for _, e := range append(slices.Clone(ex[k]), minedBy[k]...) {
			if e.Eligible {
				fit = append(fit, e)
			}
		}
		lg := rephrase.TrainLogistic(fit, o.Lambda, Seed)
		lg.Threshold = max(chooseThreshold(&lg, ex[k], o.MaxFPR), chooseThreshold(&lg, minedBy[k], o.MaxMinedFPR))
		w.Models[k] = lg
		var c, cm Counts
		for _, e := range ex[k] {
			c.Add(e.Label, e.Eligible && lg.Prob(e.X) >= lg.Threshold)
		}
		for _, e := range minedBy[k] {
			cm.Add(false, e.Eligible && lg.Prob(e.X) >= lg.Threshold)
		}
		fmt.Fprintf(&report, "%-6s %5d examples (%d positive), %5d candidate windows  threshold %.3f  training TP %d FP %d FN %d TN %d  F1 %.3f; windows flagged %d\n",
			k, len(ex[k]), c.TP+c.FN, len(minedBy[k]), lg.Threshold, c.TP, c.FP, c.FN, c.TN, c.F1(), cm.FP)
	}
	flagged := map[int]bool{}
	for _, x := range mn {
		lg := w.Models[x.kind]
		if x.ex.Eligible && lg.Prob(x.ex.X) >= lg.Threshold {
			flagged[x.doc] = true
		}
	}
	nOrd := 0
	for d := range flagged {
		if d < len(ordinary) {
			nOrd++
		}
	}
	fmt.Fprintf(&report, "training ordinary records flagged: %d of %d; generated documents flagged: %d of %d\n",
		nOrd, len(ordinary), len(flagged)-nOrd, o.GeneratedDocs)
	return w, report.String()
}

// chooseThreshold returns the smallest threshold >= 0.5 under which at
// most maxFPR of the negatives are flagged (only eligible pairs can be).
func chooseThreshold(lg *rephrase.Logistic, ex []rephrase.Example, maxFPR float64) float64 {
	var neg []float64
	total := 0
	for _, e := range ex {
		if e.Label {
			continue
		}
		total++
		if e.Eligible {
			neg = append(neg, lg.Prob(e.X))
		}
	}
	allowed := int(maxFPR * float64(total))
	if len(neg) <= allowed {
		return 0.5
	}
	slices.Sort(neg)
	t := neg[len(neg)-1-allowed] + 1e-9
	if allowed > 0 {
		t = (neg[len(neg)-1-allowed] + neg[len(neg)-allowed]) / 2
	}
	return max(0.5, t)
}
