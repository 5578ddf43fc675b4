package lineage

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// bruteAssign finds the best assignment by trying every injection.
func bruteAssign(s []float32, n, m int) float64 {
	best := math.Inf(-1)
	used := make([]bool, m)
	var rec func(i int, sum float64)
	rec = func(i int, sum float64) {
		if i == n {
			best = math.Max(best, sum)
			return
		}
		for j := 0; j < m; j++ {
			if !used[j] {
				used[j] = true
				rec(i+1, sum+float64(s[i*m+j]))
				used[j] = false
			}
		}
	}
	rec(0, 0)
	return best
}

func TestAssignOptimal(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 50; trial++ {
		n, m := 1+r.IntN(5), 0
		m = n + r.IntN(3)
		s := make([]float32, n*m)
		for i := range s {
			s[i] = float32(r.NormFloat64())
		}
		pi := assign(s, n, m)
		var got float64
		seen := map[int]bool{}
		for i, j := range pi {
			got += float64(s[i*m+j])
			seen[j] = true
		}
		if len(seen) != n {
			t.Fatalf("not injective: %v", pi)
		}
		if want := bruteAssign(s, n, m); math.Abs(got-want) > 1e-5 {
			t.Fatalf("trial %d (%d×%d): assignment sum %g, optimum %g", trial, n, m, got, want)
		}
	}
}

// TestAssignLargeRecoversPlanted: a noisy planted permutation on a problem
// above the exact threshold is recovered by the greedy + leftover path.
func TestAssignLargeRecoversPlanted(t *testing.T) {
	n := 1400 // n³ = 2.7e9 > exactAssignWork
	r := rand.New(rand.NewPCG(3, 4))
	perm := r.Perm(n)
	s := make([]float32, n*n)
	for i := range s {
		s[i] = float32(r.NormFloat64() * 0.1)
	}
	for i, j := range perm {
		s[i*n+j] += 1
	}
	pi := assignLarge(s, n, n)
	if !slices.Equal(pi, perm) {
		t.Error("planted permutation not recovered")
	}
	seen := map[int]bool{}
	for _, j := range pi {
		seen[j] = true
	}
	if len(seen) != n {
		t.Error("assignLarge is not injective")
	}
}

func TestSpearman(t *testing.T) {
	for _, c := range []struct {
		x, y []int
		want float64
	}{
		{[]int{1, 2, 3, 4}, []int{10, 20, 30, 40}, 1},
		{[]int{1, 2, 3, 4}, []int{4, 3, 2, 1}, -1},
		{[]int{1, 2, 3, 4, 5}, []int{2, 1, 4, 3, 5}, 0.8},
		{[]int{1, 1, 1}, []int{1, 2, 3}, 0},
	} {
		if got := spearman(c.x, c.y); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("spearman(%v, %v) = %g, want %g", c.x, c.y, got, c.want)
		}
	}
}

func TestPValues(t *testing.T) {
	// Normal tail: continuity across the asymptotic switch and known values.
	if d := logNormalSF(29.999) - logNormalSF(30.001); math.Abs(d) > 0.1 {
		t.Errorf("logNormalSF jumps at 30 by %g", d)
	}
	if got := math.Exp(logNormalSF(1.6448536)); math.Abs(got-0.05) > 1e-6 {
		t.Errorf("SF(1.645) = %g", got)
	}
	// Reference §8.3: n = 512, rho = 1 gives ≈ 4e-113 two-sided.
	if got := 2 * math.Exp(spearmanLogP(1, 512)); got < 1e-113 || got > 1e-112 {
		t.Errorf("two-sided p(rho=1, n=512) = %g, want ≈ 4e-113", got)
	}
	// Fisher with one p-value returns it; with two, the closed form.
	if got := math.Exp(fisherLogP([]float64{math.Log(0.3)})); math.Abs(got-0.3) > 1e-12 {
		t.Errorf("fisher([0.3]) = %g", got)
	}
	x := -2 * (math.Log(0.1) + math.Log(0.2)) // chi2 with 4 df: SF = e^{-x/2}(1 + x/2)
	want := math.Exp(-x/2) * (1 + x/2)
	if got := math.Exp(fisherLogP([]float64{math.Log(0.1), math.Log(0.2)})); math.Abs(got-want) > 1e-12 {
		t.Errorf("fisher([0.1 0.2]) = %g, want %g", got, want)
	}
	// Far below float64: stays finite in log space.
	lp := fisherLogP([]float64{-300, -300, -300})
	if math.IsInf(lp, 0) || lp > -800 {
		t.Errorf("fisher of tiny p-values = %g", lp)
	}
	if s := formatP(log10(lp)); s == "0" || s == "" {
		t.Errorf("formatP = %q", s)
	}
}

func TestTopK(t *testing.T) {
	row := []float32{0.1, 0.9, -1, 0.5, 0.7, 0.2}
	idx := make([]int, 3)
	topK(row, idx)
	if !slices.Equal(idx, []int{1, 4, 3}) {
		t.Errorf("topK = %v", idx)
	}
}

func TestIdentical(t *testing.T) {
	a := make([]float32, 1000)
	for i := range a {
		a[i] = float32(i) + 0.5
	}
	b := slices.Clone(a)
	if n := identical(a, b); n != 1000 {
		t.Errorf("identical copies: %d", n)
	}
	b[3], b[700] = 0, float32(math.NaN())
	a[700] = float32(math.NaN())
	a[5], b[5] = float32(math.Copysign(0, -1)), 0
	if n := identical(a, b); n != 998 { // 3 and 5 differ in bits; NaN bits equal
		t.Errorf("identical = %d, want 998", n)
	}
}
