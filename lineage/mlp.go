package lineage

import (
	"fmt"
	"math"
)

// LayerTest is the independence test on one pair of matched layers.
type LayerTest struct {
	LayerA int `json:"layer_a"`
	LayerB int `json:"layer_b"`
	// Rows is the number of neurons sampled from the narrower MLP and
	// matched (LAP) against all neurons of the other; Dims the aligned
	// residual dims used in the cosines.
	Rows int `json:"rows"`
	Dims int `json:"dims"`
	// RhoMatch = Spearman(π_gate, π_up): do the neuron matchings found
	// independently on gate_proj and up_proj agree? Invariant to neuron
	// permutation (Zhu et al.'s φ_MATCH idea applied to weights).
	RhoMatch    float64 `json:"rho_match"`
	Log10PMatch float64 `json:"log10_p_match"`
	// RhoCSU = Spearman(π_up, identity): Zhu et al.'s φ_CSU; exact under
	// the independence null but blind to a neuron permutation.
	RhoCSU    float64 `json:"rho_csu"`
	Log10PCSU float64 `json:"log10_p_csu"`
	// Log10P = log10 min(1, 2·min(p_match, p_csu)), the layer's own
	// Bonferroni-combined p-value.
	Log10P float64 `json:"log10_p"`
	// Agree is the fraction of sampled neurons with π_gate = π_up.
	Agree float64 `json:"agree"`
	// MeanCos is the mean cosine of matched up_proj rows.
	MeanCos float64 `json:"mean_cos"`
}

// mlpSide is one model's view of a layer's MLP for the test: every
// neuron's gate_proj and up_proj row projected onto the aligned residual
// dims and normalized (neurons × k), as the layer pass left them.
type mlpSide struct {
	gate, up   []float32
	neurons, k int
}

// testLayer runs the matched-neuron test on layer la of A and lb of B from
// the projections in c.proj.
func (c *comparer) testLayer(la, lb int) (LayerTest, error) {
	k := len(c.dimsA)
	sideA := mlpSide{c.proj[0][0], c.proj[0][1], len(c.proj[0][1]) / k, k}
	sideB := mlpSide{c.proj[1][0], c.proj[1][1], len(c.proj[1][1]) / k, k}
	small, large := sideA, sideB
	if sideB.neurons < sideA.neurons {
		small, large = sideB, sideA
	}
	rows := spread(small.neurons, c.opt.MaxRows)
	lt := LayerTest{LayerA: la, LayerB: lb, Rows: len(rows), Dims: k}
	var pis [2][]int
	for i, pair := range [2][2][]float32{{small.gate, large.gate}, {small.up, large.up}} {
		pi, meanCos := c.matchNeurons(pair[0], rows, pair[1], large.neurons, k)
		pis[i] = pi
		lt.MeanCos = meanCos
	}
	lt.RhoMatch = spearman(pis[0], pis[1])
	lt.Log10PMatch = log10(spearmanLogP(lt.RhoMatch, len(rows)))
	lt.RhoCSU = spearman(pis[1], rows)
	lt.Log10PCSU = log10(spearmanLogP(lt.RhoCSU, len(rows)))
	lt.Log10P = math.Min(0, math.Log10(2)+math.Min(lt.Log10PMatch, lt.Log10PCSU))
	for i := range rows {
		if pis[0][i] == pis[1][i] {
			lt.Agree++
		}
	}
	lt.Agree /= float64(len(rows))
	return lt, nil
}

// setDims picks the aligned residual dims used by the neuron test (at most
// MaxDims of the alignment's pairs, evenly spread).
func (c *comparer) setDims() {
	c.dimsA, c.dimsB, c.signB = nil, nil, nil
	for _, k := range spread(len(c.al.pa), c.opt.MaxDims) {
		c.dimsA = append(c.dimsA, c.al.pa[k])
		c.dimsB = append(c.dimsB, c.al.pb[k])
		c.signB = append(c.signB, c.al.sign[k])
	}
}

// matchNeurons matches the sampled rows of the small side's projection
// against every row of the large side's and solves the LAP on their
// cosines. It returns π (a large-side row per sampled row) and the mean
// matched cosine.
func (c *comparer) matchNeurons(ps0 []float32, rows []int, pl []float32, m, k int) ([]int, float64) {
	ps := make([]float32, len(rows)*k)
	for i, r := range rows {
		copy(ps[i*k:(i+1)*k], ps0[r*k:(r+1)*k])
	}
	c.note(4 * int64(len(ps)+len(rows)*m))
	cos := matchScores(ps, len(rows), pl, m, k, spread(k, coarseFeatures), false)
	pi := assignLarge(cos, len(rows), m)
	var sum float64
	for i, j := range pi {
		sum += float64(dot(ps[i*k:(i+1)*k], pl[j*k:(j+1)*k]))
	}
	return pi, sum / float64(len(rows))
}

// layerMap pairs layers. Equal depth: i ↔ i. Otherwise each layer gets a
// sketch of its down_proj neuron columns on a few aligned dims, and the
// Hungarian algorithm pairs layers by mean best cosine (AWM-style layer
// LAP). down_proj is used so that the gate/up test on the chosen pairs is
// not the statistic that chose them.
func (c *comparer) layerMap(la, lb int) ([][2]int, string, error) {
	if la == lb {
		out := make([][2]int, la)
		for i := range out {
			out[i] = [2]int{i, i}
		}
		return out, "identity", nil
	}
	ska, err := c.downSketches(c.a, c.sa, la, c.al.pa, nil, 32)
	if err != nil {
		return nil, "", err
	}
	skb, err := c.downSketches(c.b, c.sb, lb, c.al.pb, c.al.sign, 0)
	if err != nil {
		return nil, "", err
	}
	score := make([]float32, la*lb)
	for i := range ska {
		for j := range skb {
			score[i*lb+j] = bestCosMean(ska[i], skb[j])
		}
	}
	if la <= lb {
		pi := assign(score, la, lb)
		out := make([][2]int, la)
		for i, j := range pi {
			out[i] = [2]int{i, j}
		}
		return out, "down_proj layer assignment", nil
	}
	t := make([]float32, lb*la)
	for i := 0; i < la; i++ {
		for j := 0; j < lb; j++ {
			t[j*la+i] = score[i*lb+j]
		}
	}
	pi := assign(t, lb, la)
	out := make([][2]int, lb)
	for j, i := range pi {
		out[j] = [2]int{i, j}
	}
	sortPairs(out)
	return out, "down_proj layer assignment", nil
}

// sketch is a set of unit vectors (n × k).
type sketch struct {
	v    []float32
	n, k int
}

func bestCosMean(a, b sketch) float32 {
	g := gram(a.v, a.n, b.v, b.n, a.k)
	var sum float64
	for i := 0; i < a.n; i++ {
		best := float32(math.Inf(-1))
		for _, v := range g[i*b.n : (i+1)*b.n] {
			best = max(best, v)
		}
		sum += float64(best)
	}
	return float32(sum / float64(a.n))
}

// downSketches returns, per layer, down_proj neuron columns (sample of
// nSample, or all when 0) restricted to 64 aligned residual dims.
func (c *comparer) downSketches(m *Model, sm slotMap, layers int, dims []int, sign []float32, nSample int) ([]sketch, error) {
	sel := spread(len(dims), 64)
	var out []sketch
	for l := 0; l < layers; l++ {
		t, ok := sm[Slot{l, RoleDown}]
		if !ok || len(t.Shape) != 2 {
			return nil, fmt.Errorf("layer %d of %s: no down_proj for layer matching", l, m.Path)
		}
		if err := c.read(m, t, &c.buf); err != nil {
			return nil, err
		}
		d, h := int(t.Shape[0]), int(t.Shape[1])
		cols := spread(h, nSample)
		v := make([]float32, len(cols)*len(sel))
		for ci, col := range cols {
			for k, s := range sel {
				if dims[s] >= d {
					return nil, fmt.Errorf("layer %d of %s: aligned dim outside down_proj", l, m.Path)
				}
				x := c.buf[dims[s]*h+col]
				if sign != nil {
					x *= sign[s]
				}
				v[ci*len(sel)+k] = x
			}
		}
		normalizeRows(v, len(sel))
		out = append(out, sketch{v, len(cols), len(sel)})
	}
	return out, nil
}

func sortPairs(p [][2]int) {
	for i := 1; i < len(p); i++ {
		for j := i; j > 0 && p[j][0] < p[j-1][0]; j-- {
			p[j], p[j-1] = p[j-1], p[j]
		}
	}
}
