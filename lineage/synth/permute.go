package synth

import (
	"math/rand/v2"
)

// Permute applies the function-preserving permutations of reference §2:
// MLP neurons per layer (gate/up rows, down columns), attention heads per
// layer (KV groups with their query heads, query heads within a group,
// o_proj columns alike) and residual dims with sign flips (embedding and
// every input column, every output row, norm gains permuted).
func Permute(m *Model, seed uint64) *Model {
	out, _ := PermuteTraced(m, seed)
	return out
}

// Trace records the residual permutation applied by PermuteTraced:
// residual dim i of the input is dim Residual[i] of the output, times
// Sign[i].
type Trace struct {
	Residual []int
	Sign     []float32
}

// PermuteTraced is Permute that also returns the residual permutation, so
// tests can check that the alignment recovers it.
func PermuteTraced(m *Model, seed uint64) (*Model, Trace) {
	out := m.clone()
	r := rand.New(rand.NewPCG(seed, 0x9e))
	s := out.Spec
	for l := 0; l < s.Layers; l++ {
		out.permuteNeurons(l, r.Perm(s.FFN))
		out.permuteHeads(l, r)
	}
	pi := r.Perm(s.Hidden)
	sign := make([]float32, s.Hidden)
	for i := range sign {
		sign[i] = 1
		if r.IntN(2) == 0 {
			sign[i] = -1
		}
	}
	out.permuteResidual(pi, sign)
	return out, Trace{pi, sign}
}

// permuteNeurons moves neuron i to pi[i].
func (m *Model) permuteNeurons(l int, pi []int) {
	d := m.Spec.Hidden
	for _, role := range []string{"mlp.gate_proj", "mlp.up_proj"} {
		m.W.Data[layerName(l, role)] = permuteRows(m.W.Data[layerName(l, role)], d, pi, nil)
	}
	name := layerName(l, "mlp.down_proj")
	m.W.Data[name] = permuteCols(m.W.Data[name], len(pi), pi, nil)
}

// permuteHeads permutes KV groups, and query heads inside each group.
func (m *Model) permuteHeads(l int, r *rand.Rand) {
	s := m.Spec
	hd, group := s.HeadDim(), s.Heads/s.KVHeads
	kvPerm := r.Perm(s.KVHeads)
	qHead := make([]int, s.Heads) // old q head → new q head
	for g := 0; g < s.KVHeads; g++ {
		inner := r.Perm(group)
		for k := 0; k < group; k++ {
			qHead[g*group+k] = kvPerm[g]*group + inner[k]
		}
	}
	qRows := expand(qHead, hd)
	kvRows := expand(kvPerm, hd)
	d := s.Hidden
	for role, pi := range map[string][]int{"self_attn.q_proj": qRows, "self_attn.k_proj": kvRows, "self_attn.v_proj": kvRows} {
		m.W.Data[layerName(l, role)] = permuteRows(m.W.Data[layerName(l, role)], d, pi, nil)
	}
	o := layerName(l, "self_attn.o_proj")
	m.W.Data[o] = permuteCols(m.W.Data[o], len(qRows), qRows, nil)
}

// expand turns a head permutation into a row permutation of heads of size hd.
func expand(heads []int, hd int) []int {
	out := make([]int, len(heads)*hd)
	for h, nh := range heads {
		for i := 0; i < hd; i++ {
			out[h*hd+i] = nh*hd + i
		}
	}
	return out
}

// permuteResidual moves residual dim i to pi[i] with sign[i].
func (m *Model) permuteResidual(pi []int, sign []float32) {
	for _, name := range m.W.Names {
		x, sh := m.W.Data[name], m.W.Shape[name]
		switch {
		case len(sh) == 1: // norm gains: permuted, never sign-flipped
			m.W.Data[name] = permuteRows(x, 1, pi, nil)
		case isOutputProj(name): // rows are residual dims
			m.W.Data[name] = permuteRows(x, int(sh[1]), pi, sign)
		default: // embeddings, lm_head and input projections: columns
			m.W.Data[name] = permuteCols(x, int(sh[1]), pi, sign)
		}
	}
}

func isOutputProj(name string) bool {
	return contains(name, "o_proj") || contains(name, "down_proj")
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

// permuteRows returns x (rows × cols) with row i moved to pi[i], times
// sign[i] when sign is non-nil.
func permuteRows(x []float32, cols int, pi []int, sign []float32) []float32 {
	out := make([]float32, len(x))
	for i, j := range pi {
		dst, src := out[j*cols:(j+1)*cols], x[i*cols:(i+1)*cols]
		copy(dst, src)
		if sign != nil {
			for k := range dst {
				dst[k] *= sign[i]
			}
		}
	}
	return out
}

// permuteCols returns x (· × cols) with column i moved to pi[i].
func permuteCols(x []float32, cols int, pi []int, sign []float32) []float32 {
	out := make([]float32, len(x))
	for r := 0; r*cols < len(x); r++ {
		src, dst := x[r*cols:(r+1)*cols], out[r*cols:(r+1)*cols]
		for i, j := range pi {
			dst[j] = src[i]
			if sign != nil {
				dst[j] *= sign[i]
			}
		}
	}
	return out
}

// Prune drops the listed layers (renumbering the rest) and keeps a random
// keep fraction of each remaining layer's MLP neurons (width pruning).
func Prune(m *Model, drop []int, keep float64, seed uint64) *Model {
	src := m.clone()
	r := rand.New(rand.NewPCG(seed, 0x94))
	s := src.Spec
	newFFN := int(float64(s.FFN) * keep)
	out := &Model{Spec: s, Tokenizer: src.Tokenizer, W: src.W}
	out.Spec.FFN = newFFN
	dropped := map[int]bool{}
	for _, l := range drop {
		dropped[l] = true
	}
	w := newMemLike()
	for _, name := range src.W.Names {
		l, role, ok := splitLayer(name)
		switch {
		case !ok:
			w.Set(name, src.W.Shape[name], src.W.Data[name])
			continue
		case dropped[l]:
			continue
		}
		w.Set(layerName(l-countBelow(drop, l), role), src.W.Shape[name], src.W.Data[name])
	}
	out.W = w
	out.Spec.Layers = s.Layers - len(dropped)
	for l := 0; l < out.Spec.Layers; l++ {
		kept := r.Perm(s.FFN)[:newFFN]
		out.selectNeurons(l, kept)
	}
	return out
}

func countBelow(xs []int, l int) int {
	n := 0
	for _, x := range xs {
		if x < l {
			n++
		}
	}
	return n
}

// selectNeurons keeps the listed neurons (in that order) of layer l.
func (m *Model) selectNeurons(l int, kept []int) {
	d := m.Spec.Hidden
	for _, role := range []string{"mlp.gate_proj", "mlp.up_proj"} {
		n := layerName(l, role)
		x := m.W.Data[n]
		out := make([]float32, 0, len(kept)*d)
		for _, k := range kept {
			out = append(out, x[k*d:(k+1)*d]...)
		}
		m.W.Set(n, []int64{int64(len(kept)), int64(d)}, out)
	}
	n := layerName(l, "mlp.down_proj")
	x := m.W.Data[n]
	old := int(m.W.Shape[n][1])
	out := make([]float32, 0, d*len(kept))
	for r := 0; r < d; r++ {
		for _, k := range kept {
			out = append(out, x[r*old+k])
		}
	}
	m.W.Set(n, []int64{int64(d), int64(len(kept))}, out)
}
