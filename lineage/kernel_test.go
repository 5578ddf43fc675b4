package lineage

import (
	"math/rand/v2"
	"testing"
)

func randMat(n int, seed uint64) []float32 {
	r := rand.New(rand.NewPCG(seed, 3))
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	return x
}

func BenchmarkGramGo(b *testing.B) {
	n, m, k := 256, 4096, 512
	a, c := randMat(n*k, 1), randMat(m*k, 2)
	b.SetBytes(int64(4 * m * k))
	for b.Loop() {
		gram(a, n, c, m, k)
	}
}

func BenchmarkDot(b *testing.B) {
	x, y := randMat(512, 1), randMat(512, 2)
	b.SetBytes(4 * 512)
	for b.Loop() {
		dot(x, y)
	}
}

func TestGramMatchesNaive(t *testing.T) {
	n, m, k := 7, 70, 33
	a, c := randMat(n*k, 1), randMat(m*k, 2)
	g := gram(a, n, c, m, k)
	for i := 0; i < n; i++ {
		for j := 0; j < m; j++ {
			var s float64
			for l := 0; l < k; l++ {
				s += float64(a[i*k+l]) * float64(c[j*k+l])
			}
			if d := float64(g[i*m+j]) - s; d > 1e-4 || d < -1e-4 {
				t.Fatalf("gram[%d,%d] = %g, want %g", i, j, g[i*m+j], s)
			}
		}
	}
}
