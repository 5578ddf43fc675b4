package lineage

import (
	"math"
	"sort"
)

// assign solves the rectangular linear assignment problem: it returns, for
// each of the n rows of the n×m matrix score (n ≤ m, row-major), a distinct
// column so that the total score is maximal. It is the O(n²m)
// shortest-augmenting-path Hungarian algorithm; when most rows' best columns
// are distinct (a derived pair, or n ≪ m) each row costs O(m).
func assign(score []float32, n, m int) []int {
	const inf = math.MaxFloat64
	u := make([]float64, n+1)
	v := make([]float64, m+1)
	p := make([]int, m+1) // p[j] = row (1-based) assigned to column j
	way := make([]int, m+1)
	minv := make([]float64, m+1)
	used := make([]bool, m+1)
	for i := 1; i <= n; i++ {
		p[0] = i
		j0 := 0
		for j := range minv {
			minv[j], used[j] = inf, false
		}
		for {
			used[j0] = true
			i0 := p[j0]
			row := score[(i0-1)*m : i0*m]
			delta, j1 := inf, 0
			ui := u[i0]
			for j := 1; j <= m; j++ {
				if used[j] {
					continue
				}
				cur := -float64(row[j-1]) - ui - v[j]
				if cur < minv[j] {
					minv[j], way[j] = cur, j0
				}
				if minv[j] < delta {
					delta, j1 = minv[j], j
				}
			}
			for j := 0; j <= m; j++ {
				if used[j] {
					u[p[j]] += delta
					v[j] -= delta
				} else {
					minv[j] -= delta
				}
			}
			j0 = j1
			if p[j0] == 0 {
				break
			}
		}
		for j0 != 0 {
			j1 := way[j0]
			p[j0] = p[j1]
			j0 = j1
		}
	}
	out := make([]int, n)
	for j := 1; j <= m; j++ {
		if p[j] > 0 {
			out[p[j]-1] = j - 1
		}
	}
	return out
}

// ranks returns average ranks (1-based) of x, ties sharing their mean rank.
func ranks(x []int) []float64 {
	idx := make([]int, len(x))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return x[idx[a]] < x[idx[b]] })
	r := make([]float64, len(x))
	for i := 0; i < len(idx); {
		j := i
		for j+1 < len(idx) && x[idx[j+1]] == x[idx[i]] {
			j++
		}
		avg := float64(i+j)/2 + 1
		for k := i; k <= j; k++ {
			r[idx[k]] = avg
		}
		i = j + 1
	}
	return r
}

// spearman returns Spearman's rank correlation of x and y (0 when either
// is constant).
func spearman(x, y []int) float64 {
	return pearson(ranks(x), ranks(y))
}

// pearson returns the Pearson correlation of x and y (0 when undefined).
func pearson(x, y []float64) float64 {
	n := float64(len(x))
	if n < 2 {
		return 0
	}
	var mx, my float64
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx, my = mx/n, my/n
	var sxy, sxx, syy float64
	for i := range x {
		dx, dy := x[i]-mx, y[i]-my
		sxy += dx * dy
		sxx += dx * dx
		syy += dy * dy
	}
	if sxx == 0 || syy == 0 {
		return 0
	}
	return sxy / math.Sqrt(sxx*syy)
}

// spearmanLogP returns the natural log of the one-sided p-value
// P(ρ ≥ rho) under independence for n pairs, by the normal approximation
// z = ρ·√(n−1) to the permutation distribution (as model-tracing reports;
// the reference's 4e-113 for n = 512, ρ = 1 is its two-sided form).
func spearmanLogP(rho float64, n int) float64 {
	if n < 3 {
		return 0
	}
	return logNormalSF(rho * math.Sqrt(float64(n-1)))
}

// logNormalSF returns ln P(Z > z) for a standard normal Z, accurate far into
// the tail where the p-value itself underflows float64.
func logNormalSF(z float64) float64 {
	if z < 30 {
		return math.Log(0.5 * math.Erfc(z/math.Sqrt2))
	}
	// Mills ratio asymptotic series: SF = φ(z)/z · (1 − 1/z² + 3/z⁴ − …).
	z2 := z * z
	return -z2/2 - math.Log(z) - 0.5*math.Log(2*math.Pi) + math.Log(1-1/z2+3/(z2*z2))
}

// fisherLogP combines independent p-values given as natural logs with
// Fisher's method: X = −2 Σ ln p_i ~ χ²(2k), whose survival function has the
// closed form e^{−X/2} Σ_{j<k} (X/2)^j / j!. Computed in log space.
func fisherLogP(logps []float64) float64 {
	k := len(logps)
	if k == 0 {
		return 0
	}
	var half float64 // X/2
	for _, lp := range logps {
		half -= lp
	}
	if half <= 0 {
		return 0
	}
	terms := make([]float64, k)
	for j := 0; j < k; j++ {
		lg, _ := math.Lgamma(float64(j + 1))
		terms[j] = float64(j)*math.Log(half) - lg
	}
	return math.Min(0, -half+logSumExp(terms))
}

func logSumExp(x []float64) float64 {
	mx := math.Inf(-1)
	for _, v := range x {
		mx = math.Max(mx, v)
	}
	var s float64
	for _, v := range x {
		s += math.Exp(v - mx)
	}
	return mx + math.Log(s)
}

// log10 converts a natural-log p-value to log10, clamped to stay finite
// (JSON cannot carry −Inf).
func log10(lnp float64) float64 {
	return math.Max(lnp/math.Ln10, -1e300)
}

func sortInts(idx []int, less func(i, j int) bool) { sort.SliceStable(idx, less) }

// exactAssignWork is the n²·m above which assignLarge switches from the
// exact Hungarian algorithm to greedy matching of candidate pairs plus the
// Hungarian algorithm on the leftovers (n = m = 4,096 residual dims: 6.9e10,
// tens of seconds exact on random costs; < 1 s this way).
const exactAssignWork = 2e9

// assignLarge returns a distinct column for each of the n rows of score
// (n ≤ m). Small problems are solved exactly by assign. Large ones take,
// in order of decreasing score, each row's top candidates whose row and
// column are both still free (this is the LAP optimum whenever rows' best
// columns are mutually consistent, as for a derived pair), then solve the
// leftover rows × free columns exactly. The result is a deterministic
// function of score, which is all the independence test needs under the
// null.
func assignLarge(score []float32, n, m int) []int {
	if float64(n)*float64(n)*float64(m) <= exactAssignWork {
		return assign(score, n, m)
	}
	type cand struct {
		v    float32
		i, j int
	}
	cands := make([]cand, 0, n*fineCandidates)
	idx := make([]int, fineCandidates)
	for i := 0; i < n; i++ {
		row := score[i*m : (i+1)*m]
		topK(row, idx)
		for _, j := range idx {
			cands = append(cands, cand{row[j], i, j})
		}
	}
	sort.Slice(cands, func(a, b int) bool {
		if cands[a].v != cands[b].v {
			return cands[a].v > cands[b].v
		}
		return cands[a].i*m+cands[a].j < cands[b].i*m+cands[b].j
	})
	out := make([]int, n)
	for i := range out {
		out[i] = -1
	}
	usedCol := make([]bool, m)
	for _, c := range cands {
		if out[c.i] < 0 && !usedCol[c.j] {
			out[c.i], usedCol[c.j] = c.j, true
		}
	}
	var rows, cols []int
	for i, j := range out {
		if j < 0 {
			rows = append(rows, i)
		}
	}
	for j, u := range usedCol {
		if !u {
			cols = append(cols, j)
		}
	}
	if len(rows) == 0 {
		return out
	}
	sub := make([]float32, len(rows)*len(cols))
	for a, i := range rows {
		for b, j := range cols {
			sub[a*len(cols)+b] = score[i*m+j]
		}
	}
	for a, b := range assignLarge(sub, len(rows), len(cols)) {
		out[rows[a]] = cols[b]
	}
	return out
}
