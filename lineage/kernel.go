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
				for i := 0; i < n; i++ {
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
