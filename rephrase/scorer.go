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
// equally in total, from a fixed seed (the seed only shuffles nothing
// but the initial weights, which start at small seeded values).
func TrainLogistic(ex []Example, lambda float64, seed uint64) Logistic {
	d := nFeatures
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	w := make([]float64, d)
	for i := range w {
		w[i] = (rng.Float64() - 0.5) * 0.01
	}
	var b float64
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
	wp, wn := 0.5/npos, 0.5/nneg
	g := make([]float64, d)
	lr := 0.5
	for iter := 0; iter < 4000; iter++ {
		clear(g)
		var gb float64
		for k := range ex {
			e := &ex[k]
			z := b
			for i, v := range e.X {
				z += w[i] * v
			}
			p := 1 / (1 + math.Exp(-z))
			y, cw := 0.0, wn*e.weight()
			if e.Label {
				y, cw = 1, wp*e.weight()
			}
			r := (p - y) * cw
			for i, v := range e.X {
				g[i] += r * v
			}
			gb += r
		}
		for i := range w {
			w[i] -= lr * (g[i] + lambda*w[i])
		}
		b -= lr * gb
	}
	return Logistic{Weights: w, Bias: b, Threshold: 0.5}
}
