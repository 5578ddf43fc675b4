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

// mlpSide is one model's view of a layer's MLP for the test: the full
// gate_proj and up_proj tensors (already read by the layer pass) and the
// aligned residual dims in this model's basis.
type mlpSide struct {
	gate, up   []float32
	neurons, d int
	dims       []int     // aligned residual dims in this model's basis
	sign       []float32 // nil for the reference side
}

// testLayer runs the matched-neuron test on layer la of A and lb of B from
// the gate/up tensors in c.mlp.
func (c *comparer) testLayer(la, lb int) (LayerTest, error) {
	sideA, err := c.mlpSide(c.a, c.sa, la, c.al.pa, nil, c.mlp[0])
	if err != nil {
		return LayerTest{}, err
	}
	sideB, err := c.mlpSide(c.b, c.sb, lb, c.al.pb, c.al.sign, c.mlp[1])
	if err != nil {
		return LayerTest{}, err
	}
	small, large := sideA, sideB
	if sideB.neurons < sideA.neurons {
		small, large = sideB, sideA
	}
	rows := spread(small.neurons, c.opt.MaxRows)
	lt := LayerTest{LayerA: la, LayerB: lb, Rows: len(rows), Dims: len(small.dims)}
	var pis [2][]int
	for k, pair := range [2][2][]float32{{small.gate, large.gate}, {small.up, large.up}} {
		pi, meanCos := c.matchNeurons(small, pair[0], rows, large, pair[1])
		pis[k] = pi
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

func (c *comparer) mlpSide(m *Model, sm slotMap, layer int, dims []int, sign []float32, data [2][]float32) (mlpSide, error) {
	g, okG := sm[Slot{layer, RoleGate}]
	u, okU := sm[Slot{layer, RoleUp}]
	if !okG || !okU {
		return mlpSide{}, fmt.Errorf("layer %d of %s: no gate_proj/up_proj pair", layer, m.Path)
	}
	if len(g.Shape) != 2 || len(u.Shape) != 2 || g.Shape[0] != u.Shape[0] || g.Shape[1] != u.Shape[1] {
		return mlpSide{}, fmt.Errorf("layer %d of %s: gate %v and up %v shapes differ", layer, m.Path, g.Shape, u.Shape)
	}
	d := int(u.Shape[1])
	sel := spread(len(dims), c.opt.MaxDims)
	s := mlpSide{gate: data[0], up: data[1], neurons: int(u.Shape[0]), d: d}
	for _, k := range sel {
		if dims[k] >= d {
			return mlpSide{}, fmt.Errorf("layer %d of %s: aligned dim %d outside the MLP input width %d", layer, m.Path, dims[k], d)
		}
		s.dims = append(s.dims, dims[k])
		if sign != nil {
			s.sign = append(s.sign, sign[k])
		}
	}
	return s, nil
}

// matchNeurons projects the sampled rows of the small side and all rows of
// the large side onto the aligned dims and solves the LAP on their cosines.
// It returns π (a large-side row per sampled row) and the mean matched
// cosine.
func (c *comparer) matchNeurons(small mlpSide, xs []float32, rows []int, large mlpSide, xl []float32) ([]int, float64) {
	sub := make([]float32, len(rows)*small.d)
	for i, r := range rows {
		copy(sub[i*small.d:(i+1)*small.d], xs[r*small.d:(r+1)*small.d])
	}
	ps := project(sub, len(rows), small.d, small.dims, small.sign)
	pl := project(xl, large.neurons, large.d, large.dims, large.sign)
	c.note(4 * int64(len(sub)+len(ps)+len(pl)+len(rows)*large.neurons))
	k := len(small.dims)
	cos := matchScores(ps, len(rows), pl, large.neurons, k, spread(k, coarseFeatures), false)
	pi := assignLarge(cos, len(rows), large.neurons)
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
