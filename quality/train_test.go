package quality

import (
	"testing"

	"github.com/leakhound/leakhound/rephrase"
)

func TestChooseThresholdEligible(t *testing.T) {
	n := len(rephrase.FeatureNames())
	lg := rephrase.Logistic{Weights: make([]float64, n)}
	lg.Weights[0] = 10
	lg.Bias = -5 // P = σ(10x − 5)
	ex := func(x float64, eligible bool) rephrase.Example {
		v := make([]float64, n)
		v[0] = x
		return rephrase.Example{X: v, Eligible: eligible}
	}
	for _, tc := range []struct {
		name   string
		ex     []rephrase.Example
		maxFPR float64
		above  float64 // the threshold must be above this probability
		want05 bool    // the threshold is the floor 0.5
	}{
		{"ineligible negatives never count", []rephrase.Example{ex(0.9, false), ex(0.8, false), ex(0.1, true)}, 0, 0, true},
		{"eligible negative sets the bar", []rephrase.Example{ex(0.9, true), ex(0.1, true)}, 0, lg.Prob(ex(0.9, true).X), false},
		{"one allowed of 100", append(manyNegatives(ex, 98), ex(0.9, true), ex(0.8, true)), 0.01, lg.Prob(ex(0.8, true).X), false},
	} {
		got := chooseThreshold(&lg, tc.ex, tc.maxFPR)
		if tc.want05 && got != 0.5 || !tc.want05 && got <= tc.above {
			t.Errorf("%s: threshold %.4f (above %.4f, floor %v)", tc.name, got, tc.above, tc.want05)
		}
	}
}

func manyNegatives(ex func(float64, bool) rephrase.Example, k int) []rephrase.Example {
	out := make([]rephrase.Example, k)
	for i := range out {
		out[i] = ex(0.1, true)
	}
	return out
}
