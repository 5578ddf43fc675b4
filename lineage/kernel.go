package lineage

import (
	"math"
	"runtime"
	"sync"
)

// normalizeRows scales each row of x (rows × cols) to unit L2 norm in place
// (zero rows stay zero), so that dot products are cosines.
func normalizeRows(x []float32, cols int) {
	for r := 0; r*cols < len(x); r++ {
		row := x[r*cols : (r+1)*cols]
		var s float64
		for _, v := range row {
			s += float64(v) * float64(v)
		}
		if s == 0 {
			continue
		}
		inv := float32(1 / math.Sqrt(s))
		for i := range row {
			row[i] *= inv
		}
	}
}

// gram returns the n×m matrix of dot products between the rows of a
// (n × k) and the rows of b (m × k), computed on all cores. This is the
// hot loop of the comparison: ~2·n·m·k flops.
func gram(a []float32, n int, b []float32, m, k int) []float32 {
	out := make([]float32, n*m)
	workers := min(runtime.GOMAXPROCS(0), max(1, m/64))
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(lo, hi int) {
			defer wg.Done()
			for j := lo; j < hi; j++ {
				bj := b[j*k : (j+1)*k]
				i := 0
				for ; i+4 <= n; i += 4 {
					s0, s1, s2, s3 := dot4(a[i*k:(i+4)*k], bj)
					out[i*m+j], out[(i+1)*m+j], out[(i+2)*m+j], out[(i+3)*m+j] = s0, s1, s2, s3
				}
				for ; i < n; i++ {
					out[i*m+j] = dot(a[i*k:(i+1)*k], bj)
				}
			}
		}(w*m/workers, (w+1)*m/workers)
	}
	wg.Wait()
	return out
}

// dot is an 8-way unrolled float32 dot product (independent accumulators
// let the CPU overlap the multiply-adds; ~2.5× a plain loop).
func dot(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3, s4, s5, s6, s7 float32
	i := 0
	for ; i+8 <= len(a); i += 8 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
		s4 += a[i+4] * b[i+4]
		s5 += a[i+5] * b[i+5]
		s6 += a[i+6] * b[i+6]
		s7 += a[i+7] * b[i+7]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return (s0 + s1) + (s2 + s3) + (s4 + s5) + (s6 + s7)
}

// dot4 returns the dot products of four consecutive rows of a (4 × k) with
// b: each load of b serves four multiply-adds, which measured ~1.6× faster
// than four calls of dot.
func dot4(a, b []float32) (float32, float32, float32, float32) {
	k := len(b)
	a0, a1, a2, a3 := a[:k], a[k:2*k], a[2*k:3*k], a[3*k:4*k]
	var s0, s1, s2, s3, t0, t1, t2, t3 float32
	i := 0
	for ; i+2 <= k; i += 2 {
		x, y := b[i], b[i+1]
		s0 += a0[i] * x
		s1 += a1[i] * x
		s2 += a2[i] * x
		s3 += a3[i] * x
		t0 += a0[i+1] * y
		t1 += a1[i+1] * y
		t2 += a2[i+1] * y
		t3 += a3[i+1] * y
	}
	if i < k {
		x := b[i]
		s0 += a0[i] * x
		s1 += a1[i] * x
		s2 += a2[i] * x
		s3 += a3[i] * x
	}
	return s0 + t0, s1 + t1, s2 + t2, s3 + t3
}

// Coarse-to-fine matching constants. The coarse pass scores all pairs on a
// subset of features; only each row's top candidates get the exact score.
// With 64 of 512 dims the null max cosine over 11,008 neurons is ≈ 0.54
// while a derived neuron's true partner keeps its cosine (≥ 0.45 even at
// continued-pretraining drift), so the partner is among the top 16; this
// cuts the hot loop 8× (7B: 2.9e9 → 3.6e8 multiply-adds per layer).
const (
	coarseFeatures = 64
	fineCandidates = 16
)

// matchScores returns the n×m score matrix to hand to assign: for each
// row of x (n × k, unit rows) the exact dot product with its fine
// candidates among the rows of y (m × k), and the coarse score − 4
// elsewhere, so candidates always rank first. coarse lists the feature
// subset for the coarse pass; when it is nil or covers most features the
// exact matrix is computed. With absval, scores are |dot|.
func matchScores(x []float32, n int, y []float32, m, k int, coarse []int, absval bool) []float32 {
	if coarse == nil || 2*len(coarse) > k || m <= fineCandidates {
		s := gram(x, n, y, m, k)
		if absval {
			absAll(s)
		}
		return s
	}
	xs := project(x, n, k, coarse, nil)
	ys := project(y, m, k, coarse, nil)
	s := gram(xs, n, ys, m, len(coarse))
	if absval {
		absAll(s)
	}
	cand := make([]int, fineCandidates)
	for i := 0; i < n; i++ {
		row := s[i*m : (i+1)*m]
		topK(row, cand)
		xi := x[i*k : (i+1)*k]
		for j := range row {
			row[j] -= 4
		}
		for _, j := range cand {
			v := dot(xi, y[j*k:(j+1)*k])
			if absval && v < 0 {
				v = -v
			}
			row[j] = v
		}
	}
	return s
}

func absAll(s []float32) {
	for i, v := range s {
		if v < 0 {
			s[i] = -v
		}
	}
}

// topK fills idx with the indices of the len(idx) largest values of row
// (insertion into a small sorted list: O(len(row)·k) worst, O(len(row))
// typical).
func topK(row []float32, idx []int) {
	k := len(idx)
	vals := make([]float32, 0, k)
	idx = idx[:0]
	for j, v := range row {
		if len(vals) == k && v <= vals[k-1] {
			continue
		}
		p := len(vals)
		if p < k {
			vals = append(vals, v)
			idx = append(idx, j)
		} else {
			p = k - 1
		}
		for p > 0 && vals[p-1] < v {
			vals[p], idx[p] = vals[p-1], idx[p-1]
			p--
		}
		vals[p], idx[p] = v, j
	}
}
