// Package vec holds small vector helpers shared by packages that compare
// embeddings (judge, rephrase) and weights (lineage).
package vec

import "math"

// Cosine returns the cosine similarity of two vectors (0 when either is
// zero or their lengths differ).
func Cosine(a, b []float64) float64 {
	if len(a) != len(b) {
		return 0
	}
	var ab, aa, bb float64
	for i := range a {
		ab += a[i] * b[i]
		aa += a[i] * a[i]
		bb += b[i] * b[i]
	}
	if aa == 0 || bb == 0 {
		return 0
	}
	return ab / math.Sqrt(aa*bb)
}
