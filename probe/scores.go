package probe

import (
	"bytes"
	"compress/zlib"
	"math"
	"sort"
)

// Score names, as they appear in reports. Every score is oriented so that
// higher means "more likely member".
const (
	ScoreLoss      = "loss"      // ll = mean log p (= −loss)
	ScoreZlib      = "zlib"      // ll / zlib bytes
	ScoreLowercase = "lowercase" // ll_lower / ll
	ScoreRef       = "ref"       // ll_target − ll_ref
	ScoreMinK      = "mink"      // mean of the lowest k·n log-probs
	ScoreMinKPP    = "minkpp"    // mean of the lowest k·n z-scores
)

// Convention is stored in every report.
const Convention = "higher score = more likely member (trained on)"

// MeanLL is ll = mean(lp); loss = −ll, perplexity = exp(loss).
func MeanLL(lp []float64) float64 { return mean(lp) }

// ZlibBytes is len(zlib.compress(text)) at level 6. Go's compressor gives
// lengths a few bytes off CPython's C zlib (reference §6), so compare
// AUROCs, not raw scores, across implementations.
func ZlibBytes(text string) int {
	var b bytes.Buffer
	w, _ := zlib.NewWriterLevel(&b, 6)
	w.Write([]byte(text))
	w.Close()
	return b.Len()
}

// ZlibScore is ll / zlib bytes (higher = member).
func ZlibScore(ll float64, text string) float64 { return ll / float64(ZlibBytes(text)) }

// kCount is max(1, ⌊n·k⌋): the reference code's int(n·k) can be 0.
func kCount(n int, k float64) int {
	return max(1, int(math.Floor(float64(n)*k)))
}

// lowestMean returns the mean of the lowest max(1, ⌊n·k⌋) values of x.
func lowestMean(x []float64, k float64) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), x...)
	sort.Float64s(s)
	return mean(s[:kCount(len(s), k)])
}

// MinK is Min-K% Prob (Shi et al., ICLR 2024): the mean of the lowest k
// fraction of token log-probs, in the higher = member orientation.
func MinK(lp []float64, k float64) float64 { return lowestMean(lp, k) }

// MinKPP is Min-K%++ (Zhang et al., arXiv 2404.02936): per position
// z = (lp − μ)/σ with μ, σ the mean and standard deviation of log p under
// the next-token distribution, then the mean of the lowest k fraction.
// A position with σ = 0 (a certain next token) gets z = 0.
func MinKPP(lp, mu, sigma []float64, k float64) float64 {
	if len(mu) != len(lp) || len(sigma) != len(lp) {
		return math.NaN()
	}
	z := make([]float64, len(lp))
	for i := range lp {
		if sigma[i] > 1e-12 {
			z[i] = (lp[i] - mu[i]) / sigma[i]
		}
	}
	return lowestMean(z, k)
}
