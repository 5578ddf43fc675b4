package rephrase

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
)

// Pair kinds; each has its own logistic model.
const (
	KindProse = "prose" // English (or same-language) text
	KindCode  = "code"  // source code, possibly in another language
	KindCross = "cross" // Chinese text against an English item
	KindMath  = "math"  // prose with numbers on both sides (word problems)
)

// Kinds lists the pair kinds in model order.
var Kinds = []string{KindProse, KindMath, KindCode, KindCross}

// Logistic is one kind's logistic regression: P(rephrase) =
// σ(Bias + Σ Weights[i]·x[i]) with x the features of featureNames.
type Logistic struct {
	Weights   []float64 `json:"weights"`
	Bias      float64   `json:"bias"`
	Threshold float64   `json:"threshold"` // flag when P ≥ Threshold
}

// Weights is the weights file: one model per kind, with the features they
// read and how they were trained.
type Weights struct {
	Features []string            `json:"features"`
	Models   map[string]Logistic `json:"models"`
	Trained  string              `json:"trained"` // how: data, split, seed
}

//go:embed weights.json
var weightsJSON []byte

// DefaultWeights returns the embedded weights.
func DefaultWeights() (*Weights, error) { return ParseWeights(weightsJSON) }

// ParseWeights reads a weights file and checks it against the features
// this build computes.
func ParseWeights(b []byte) (*Weights, error) {
	var w Weights
	if err := json.Unmarshal(b, &w); err != nil {
		return nil, fmt.Errorf("rephrase weights: %w", err)
	}
	if len(w.Features) != nFeatures {
		return nil, fmt.Errorf("rephrase weights: %d features, this build computes %d (retrain with leakhound eval train)", len(w.Features), nFeatures)
	}
	for i, n := range w.Features {
		if n != featureNames[i] {
			return nil, fmt.Errorf("rephrase weights: feature %d is %q, want %q", i, n, featureNames[i])
		}
	}
	for _, k := range Kinds {
		m, ok := w.Models[k]
		if !ok || len(m.Weights) != nFeatures {
			return nil, fmt.Errorf("rephrase weights: no model for %s", k)
		}
	}
	return &w, nil
}

// UntrainedWeights returns all-zero weights for the features of this
// build (every pair scores 0.5 and none is flagged): the model that
// training starts from when the embedded weights are for other features.
func UntrainedWeights() *Weights {
	w := &Weights{Features: FeatureNames(), Models: map[string]Logistic{}, Trained: "untrained"}
	for _, k := range Kinds {
		w.Models[k] = Logistic{Weights: make([]float64, nFeatures), Threshold: 1.01}
	}
	return w
}

// Prob returns the model's probability for feature vector x.
func (l *Logistic) Prob(x []float64) float64 {
	z := l.Bias
	for i, v := range x {
		z += l.Weights[i] * v
	}
	return 1 / (1 + math.Exp(-z))
}

// Example is one labelled feature vector.
type Example struct {
	X     []float64
	Label bool
	// Eligible: the pair has the minimum aligned evidence, so the scorer
	// decides it (an ineligible pair is never flagged).
	Eligible bool
	// Weight scales the example's share of its class's loss (0 means 1).
	Weight float64
}

func (e *Example) weight() float64 {
	if e.Weight == 0 {
		return 1
	}
	return e.Weight
}

// TrainLogistic fits a logistic regression by full-batch gradient
// descent with L2 penalty lambda, positives and negatives weighted
// equally in total (each example by its Weight within its class), from a
// fixed seed (the seed only sets the small initial weights). The features
// are standardized for the fit (mean 0, standard deviation 1, so that one
// step size suits them all and the penalty treats them alike) and the
// weights are mapped back to raw features.
func TrainLogistic(ex []Example, lambda float64, seed uint64) Logistic {
	d := nFeatures
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	w := make([]float64, d)
	for i := range w {
		w[i] = (rng.Float64() - 0.5) * 0.01
	}
	var npos, nneg float64
	for i := range ex {
		if ex[i].Label {
			npos += ex[i].weight()
		} else {
			nneg += ex[i].weight()
		}
	}
	if npos == 0 || nneg == 0 {
		return Logistic{Weights: w}
	}
	mean, sd := featureScale(ex)
	z := make([][]float64, len(ex))
	for k := range ex {
		z[k] = make([]float64, d)
		for i, v := range ex[k].X {
			z[k][i] = (v - mean[i]) / sd[i]
		}
	}
	b := descend(ex, z, w, 0.5/npos, 0.5/nneg, lambda)
	for i := range w {
		w[i] /= sd[i]
		b -= w[i] * mean[i]
	}
	return Logistic{Weights: w, Bias: b, Threshold: 0.5}
}

// featureScale returns each feature's mean and standard deviation (1 for
// a constant feature).
func featureScale(ex []Example) (mean, sd []float64) {
	d := nFeatures
	mean, sd = make([]float64, d), make([]float64, d)
	for _, e := range ex {
		for i, v := range e.X {
			mean[i] += v
		}
	}
	for i := range mean {
		mean[i] /= float64(len(ex))
	}
	for _, e := range ex {
		for i, v := range e.X {
			sd[i] += (v - mean[i]) * (v - mean[i])
		}
	}
	for i := range sd {
		sd[i] = math.Sqrt(sd[i] / float64(len(ex)))
		if sd[i] < 1e-9 {
			sd[i] = 1
		}
	}
	return mean, sd
}

// descend runs the gradient descent on the standardized features z,
// updating w in place, and returns the bias.
func descend(ex []Example, z [][]float64, w []float64, wp, wn, lambda float64) float64 {
	g := make([]float64, len(w))
	var b float64
	const lr = 1.0
	for iter := 0; iter < 4000; iter++ {
		clear(g)
		var gb float64
		for k := range ex {
			e := &ex[k]
			s := b
			for i, v := range z[k] {
				s += w[i] * v
			}
			p := 1 / (1 + math.Exp(-s))
			y, cw := 0.0, wn*e.weight()
			if e.Label {
				y, cw = 1, wp*e.weight()
			}
			r := (p - y) * cw
			for i, v := range z[k] {
				g[i] += r * v
			}
			gb += r
		}
		for i := range w {
			w[i] -= lr * (g[i] + lambda*w[i])
		}
		b -= lr * gb
	}
	return b
}
