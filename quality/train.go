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
}

// DefaultTrainOptions are the settings of the shipped weights.
func DefaultTrainOptions() TrainOptions {
	return TrainOptions{Lambda: 1e-3, NegPerPos: 2, MaxFPR: 0.01, GeneratedDocs: 3000}
}

// trainingExamples returns labelled feature vectors per kind from the
// training part of the sets: positives (item, its rephrase); negatives
// (item, another original), (item, another item's rephrase) and (item,
// an ordinary instruction-tuning record).
func trainingExamples(m *rephrase.Model, sets []PairSet, ordinary []leakhound.Item, o TrainOptions) map[string][]rephrase.Example {
	out := map[string][]rephrase.Example{}
	add := func(item, doc *rephrase.Prepared, label bool) {
		k, f := m.PairFeatures(item, doc)
		out[k] = append(out[k], rephrase.Example{X: f, Label: label})
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
		items := map[int]*rephrase.Prepared{}
		prep := func(i int) *rephrase.Prepared {
			if p, ok := items[i]; ok {
				return p
			}
			p := m.Prepare(s.Items[i].Text)
			items[i] = p
			return p
		}
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

// minedNegatives runs the candidate stage of a detector built on every
// benchmark item over ordinary documents and generated text, and returns
// each candidate window as a negative: the pairs that verification really
// sees in a clean corpus.
func minedNegatives(m *rephrase.Model, bench, ordinary []leakhound.Item, docs int) map[string][]rephrase.Example {
	out := map[string][]rephrase.Example{}
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
	for _, t := range texts {
		for _, c := range w.Candidates([]byte(t)) {
			k, f := m.PairFeatures(m.Prepare(bench[c.Item].Text), m.Prepare(t[c.Lo:c.Hi]))
			out[k] = append(out[k], rephrase.Example{X: f})
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
	for k, neg := range minedNegatives(m, bench, ordinary, o.GeneratedDocs) {
		ex[k] = append(ex[k], neg...)
	}
	w := &rephrase.Weights{
		Features: rephrase.FeatureNames(),
		Models:   map[string]rephrase.Logistic{},
		Trained: fmt.Sprintf("LMSYS rephrase sets (training part: %d%% of items held out by a seeded hash), negatives: other originals, other rephrases, Alpaca/CodeAlpaca records; seed %d; L2 %g; threshold: smallest >= 0.5 flagging <= %.1f%% of training negatives",
			100-heldOutPercent, Seed, o.Lambda, 100*o.MaxFPR),
	}
	var report strings.Builder
	for _, k := range rephrase.Kinds {
		lg := rephrase.TrainLogistic(ex[k], o.Lambda, Seed)
		lg.Threshold = chooseThreshold(&lg, ex[k], o.MaxFPR)
		w.Models[k] = lg
		var c Counts
		for _, e := range ex[k] {
			c.Add(e.Label, lg.Prob(e.X) >= lg.Threshold)
		}
		fmt.Fprintf(&report, "%-6s %5d examples (%d positive)  threshold %.3f  training TP %d FP %d FN %d TN %d  F1 %.3f\n",
			k, len(ex[k]), c.TP+c.FN, lg.Threshold, c.TP, c.FP, c.FN, c.TN, c.F1())
	}
	return w, report.String()
}

// chooseThreshold returns the smallest threshold >= 0.5 under which at
// most maxFPR of the negatives are flagged.
func chooseThreshold(lg *rephrase.Logistic, ex []rephrase.Example, maxFPR float64) float64 {
	var neg []float64
	for _, e := range ex {
		if !e.Label {
			neg = append(neg, lg.Prob(e.X))
		}
	}
	if len(neg) == 0 {
		return 0.5
	}
	slices.Sort(neg)
	allowed := int(maxFPR * float64(len(neg)))
	t := neg[len(neg)-1-allowed] + 1e-9
	if allowed > 0 {
		t = (neg[len(neg)-1-allowed] + neg[len(neg)-allowed]) / 2
	}
	return max(0.5, t)
}
