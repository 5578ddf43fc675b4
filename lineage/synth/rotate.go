package synth

import (
	"math"
	"math/rand/v2"
	"strings"
)

// Rotate applies the function-preserving attack that defeats weights-only
// tests (reference §2, model-tracing rotate_model): fold every norm gain
// into the weights that read the normalised stream (γ ← 1), then rotate
// the residual stream by a random orthogonal R: embeddings E·R, input
// projections and lm_head W·R, output projections Rᵀ·W. RMSNorm commutes
// with R, so the function is unchanged.
func Rotate(m *Model, seed uint64) *Model {
	out := m.clone()
	s := out.Spec
	d := s.Hidden
	readers := map[string]string{ // norm → the tensors that read its output
		"input_layernorm":          "self_attn.q_proj self_attn.k_proj self_attn.v_proj",
		"post_attention_layernorm": "mlp.gate_proj mlp.up_proj",
	}
	for l := 0; l < s.Layers; l++ {
		for norm, rs := range readers {
			g := out.W.Data[layerName(l, norm)]
			for _, r := range strings.Fields(rs) {
				scaleCols(out.W.Data[layerName(l, r)], d, g)
			}
			fill(g, 1)
		}
	}
	g := out.W.Data["model.norm.weight"]
	scaleCols(out.W.Data["lm_head.weight"], d, g)
	fill(g, 1)
	r := orthogonal(d, seed)
	for _, name := range out.W.Names {
		x, sh := out.W.Data[name], out.W.Shape[name]
		switch {
		case len(sh) == 1:
		case isOutputProj(name): // d × in: Rᵀ·W
			out.W.Data[name] = mulTransLeft(r, x, d, int(sh[1]))
		default: // · × d: W·R
			out.W.Data[name] = mulRight(x, int(sh[0]), r, d)
		}
	}
	return out
}

// Scale applies the scaling attack of reference §2: every norm gain γ_i is
// multiplied by c_i (log-uniform in [1/2, 2], drawn per norm) and the
// columns of the weights that read the normalised stream are divided by
// c_i. The function is unchanged; raw-weight cosines and std profiles move.
func Scale(m *Model, seed uint64) *Model {
	out := m.clone()
	rng := rand.New(rand.NewPCG(seed, 0x5ca1e))
	d := out.Spec.Hidden
	scale := func(norm string, readers ...string) {
		g := out.W.Data[norm]
		c := make([]float32, d)
		inv := make([]float32, d)
		for i := range c {
			c[i] = float32(math.Exp2(2*rng.Float64() - 1))
			inv[i] = 1 / c[i]
			g[i] *= c[i]
		}
		for _, r := range readers {
			scaleCols(out.W.Data[r], d, inv)
		}
	}
	for l := 0; l < out.Spec.Layers; l++ {
		scale(layerName(l, "input_layernorm"), layerName(l, "self_attn.q_proj"), layerName(l, "self_attn.k_proj"), layerName(l, "self_attn.v_proj"))
		scale(layerName(l, "post_attention_layernorm"), layerName(l, "mlp.gate_proj"), layerName(l, "mlp.up_proj"))
	}
	scale("model.norm.weight", "lm_head.weight")
	return out
}

func scaleCols(w []float32, cols int, g []float32) {
	for i := range w {
		w[i] *= g[i%cols]
	}
}

func fill(x []float32, v float32) {
	for i := range x {
		x[i] = v
	}
}

// orthogonal returns a random d×d orthogonal matrix (Gram–Schmidt on a
// Gaussian matrix), row-major, in float64.
func orthogonal(d int, seed uint64) []float64 {
	rng := rand.New(rand.NewPCG(seed, 0x0a7))
	q := make([]float64, d*d)
	for i := range q {
		q[i] = rng.NormFloat64()
	}
	for i := 0; i < d; i++ {
		row := q[i*d : (i+1)*d]
		for j := 0; j < i; j++ {
			prev := q[j*d : (j+1)*d]
			var p float64
			for k := range row {
				p += row[k] * prev[k]
			}
			for k := range row {
				row[k] -= p * prev[k]
			}
		}
		var n float64
		for _, v := range row {
			n += v * v
		}
		n = math.Sqrt(n)
		for k := range row {
			row[k] /= n
		}
	}
	return q
}

// mulRight returns x (rows × d) · r (d × d).
func mulRight(x []float32, rows int, r []float64, d int) []float32 {
	out := make([]float32, len(x))
	acc := make([]float64, d)
	for i := 0; i < rows; i++ {
		fill64(acc)
		for k := 0; k < d; k++ {
			v := float64(x[i*d+k])
			rk := r[k*d : (k+1)*d]
			for j := range acc {
				acc[j] += v * rk[j]
			}
		}
		for j, v := range acc {
			out[i*d+j] = float32(v)
		}
	}
	return out
}

// mulTransLeft returns rᵀ (d × d) · x (d × cols).
func mulTransLeft(r []float64, x []float32, d, cols int) []float32 {
	out := make([]float64, d*cols)
	for k := 0; k < d; k++ { // out[j,:] += r[k,j] · x[k,:]
		xk := x[k*cols : (k+1)*cols]
		for j := 0; j < d; j++ {
			c := r[k*d+j]
			oj := out[j*cols : (j+1)*cols]
			for t, v := range xk {
				oj[t] += c * float64(v)
			}
		}
	}
	res := make([]float32, len(out))
	for i, v := range out {
		res[i] = float32(v)
	}
	return res
}

func fill64(x []float64) {
	for i := range x {
		x[i] = 0
	}
}
