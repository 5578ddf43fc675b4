package probe

import (
	"math"
	"sort"
)

// StudentTCDF returns P(T ≤ t) for Student's t with df degrees of
// freedom, through the regularised incomplete beta function
// (I_x(df/2, 1/2) with x = df/(df+t²)). Checked against printed t tables
// in the tests; written here to avoid a statistics dependency.
func StudentTCDF(t, df float64) float64 {
	if math.IsNaN(t) || df <= 0 {
		return math.NaN()
	}
	if math.IsInf(t, 1) {
		return 1
	}
	if math.IsInf(t, -1) {
		return 0
	}
	x := df / (df + t*t)
	tail := 0.5 * regIncBeta(df/2, 0.5, x)
	if t > 0 {
		return 1 - tail
	}
	return tail
}

// StudentTSF returns P(T > t), computed directly in the upper tail so
// that tiny p-values keep their precision (1 − CDF would round to 0).
func StudentTSF(t, df float64) float64 {
	if math.IsNaN(t) || df <= 0 {
		return math.NaN()
	}
	if t <= 0 {
		return 1 - StudentTCDF(t, df)
	}
	if math.IsInf(t, 1) {
		return 0
	}
	return 0.5 * regIncBeta(df/2, 0.5, df/(df+t*t))
}

// NormalCDF returns P(Z ≤ z) for a standard normal Z.
func NormalCDF(z float64) float64 { return 0.5 * math.Erfc(-z/math.Sqrt2) }

// regIncBeta is I_x(a, b) by Lentz's continued fraction (Numerical
// Recipes §6.4), using the symmetry I_x(a,b) = 1 − I_{1−x}(b,a) for
// fast convergence.
func regIncBeta(a, b, x float64) float64 {
	if x <= 0 {
		return 0
	}
	if x >= 1 {
		return 1
	}
	la, _ := math.Lgamma(a + b)
	lb, _ := math.Lgamma(a)
	lc, _ := math.Lgamma(b)
	front := math.Exp(la - lb - lc + a*math.Log(x) + b*math.Log(1-x))
	if x < (a+1)/(a+b+2) {
		return front * betaCF(a, b, x) / a
	}
	return 1 - front*betaCF(b, a, 1-x)/b
}

func betaCF(a, b, x float64) float64 {
	const tiny, eps = 1e-300, 1e-15
	c, d := 1.0, 1-(a+b)*x/(a+1)
	if math.Abs(d) < tiny {
		d = tiny
	}
	d = 1 / d
	h := d
	for m := 1; m <= 10000; m++ {
		fm := float64(m)
		num := fm * (b - fm) * x / ((a + 2*fm - 1) * (a + 2*fm))
		d, c = 1+num*d, 1+num/c
		d, c = clampTiny(d, tiny), clampTiny(c, tiny)
		d = 1 / d
		h *= d * c
		num = -(a + fm) * (a + b + fm) * x / ((a + 2*fm) * (a + 2*fm + 1))
		d, c = 1+num*d, 1+num/c
		d, c = clampTiny(d, tiny), clampTiny(c, tiny)
		d = 1 / d
		del := d * c
		h *= del
		if math.Abs(del-1) < eps {
			break
		}
	}
	return h
}

func clampTiny(v, tiny float64) float64 {
	if math.Abs(v) < tiny {
		return tiny
	}
	return v
}

// meanStd returns the mean and the standard deviation of x with ddof
// degrees of freedom subtracted (0: population, 1: sample).
func meanStd(x []float64, ddof int) (float64, float64) {
	var m float64
	for _, v := range x {
		m += v
	}
	m /= float64(len(x))
	var ss float64
	for _, v := range x {
		ss += (v - m) * (v - m)
	}
	return m, math.Sqrt(ss / float64(len(x)-ddof))
}

func mean(x []float64) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	var s float64
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

// MannWhitneyGreater returns the one-sided p-value of the Mann–Whitney U
// test that x tends to be larger than y (normal approximation with tie
// and continuity correction), and the common-language effect size
// U/(n_x n_y) = P(X > Y) + P(X = Y)/2.
func MannWhitneyGreater(x, y []float64) (p, effect float64) {
	nx, ny := float64(len(x)), float64(len(y))
	if nx == 0 || ny == 0 {
		return math.NaN(), math.NaN()
	}
	type obs struct {
		v float64
		x bool
	}
	all := make([]obs, 0, len(x)+len(y))
	for _, v := range x {
		all = append(all, obs{v, true})
	}
	for _, v := range y {
		all = append(all, obs{v, false})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].v < all[j].v })
	var rx, tie float64
	for i := 0; i < len(all); {
		j := i
		for j < len(all) && all[j].v == all[i].v {
			j++
		}
		r := float64(i+j+1) / 2 // mean rank, 1-based
		t := float64(j - i)
		tie += t*t*t - t
		for k := i; k < j; k++ {
			if all[k].x {
				rx += r
			}
		}
		i = j
	}
	u := rx - nx*(nx+1)/2
	n := nx + ny
	sd := math.Sqrt(nx * ny / 12 * ((n + 1) - tie/(n*(n-1))))
	if sd == 0 {
		return 0.5, u / (nx * ny)
	}
	z := (u - nx*ny/2 - 0.5) / sd
	return 0.5 * math.Erfc(z/math.Sqrt2), u / (nx * ny) // upper tail, precise for tiny p
}
