package synth

import (
	"math"
	"testing"
)

// forward1 runs the model on a single token (sequence length 1, so the
// attention weights are 1 and only the V/O path matters) and returns the
// logits: embedding, per layer RMSNorm → V → O (GQA head mapping) →
// residual, RMSNorm → SwiGLU MLP → residual, final RMSNorm → lm_head.
func forward1(m *Model, token int) []float64 {
	s := m.Spec
	d, hd := s.Hidden, s.HeadDim()
	w := func(n string) []float32 { return m.W.Data[n] }
	x := make([]float64, d)
	for i := range x {
		x[i] = float64(w("model.embed_tokens.weight")[token*d+i])
	}
	for l := 0; l < s.Layers; l++ {
		h := rmsNorm(x, w(layerName(l, "input_layernorm")))
		v := matVec(w(layerName(l, "self_attn.v_proj")), h)
		att := make([]float64, s.Heads*hd)
		for q := 0; q < s.Heads; q++ {
			kv := q / (s.Heads / s.KVHeads)
			copy(att[q*hd:(q+1)*hd], v[kv*hd:(kv+1)*hd])
		}
		add(x, matVec(w(layerName(l, "self_attn.o_proj")), att))
		h = rmsNorm(x, w(layerName(l, "post_attention_layernorm")))
		g, u := matVec(w(layerName(l, "mlp.gate_proj")), h), matVec(w(layerName(l, "mlp.up_proj")), h)
		for i := range g {
			g[i] = g[i] / (1 + math.Exp(-g[i])) * u[i]
		}
		add(x, matVec(w(layerName(l, "mlp.down_proj")), g))
	}
	return matVec(w("lm_head.weight"), rmsNorm(x, w("model.norm.weight")))
}

func rmsNorm(x []float64, g []float32) []float64 {
	var ss float64
	for _, v := range x {
		ss += v * v
	}
	r := 1 / math.Sqrt(ss/float64(len(x))+1e-5)
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = v * r * float64(g[i])
	}
	return out
}

func matVec(w []float32, x []float64) []float64 {
	out := make([]float64, len(w)/len(x))
	for i := range out {
		row := w[i*len(x) : (i+1)*len(x)]
		for j, v := range row {
			out[i] += float64(v) * x[j]
		}
	}
	return out
}

func add(x, y []float64) {
	for i := range x {
		x[i] += y[i]
	}
}

func smallSpec() Spec {
	return Spec{Vocab: 300, Hidden: 64, Layers: 2, Heads: 4, KVHeads: 2, FFN: 96, Seed: 3, TokSeed: 1}
}

// TestTransformsPreserveFunction checks that the function-preserving
// transformations really are: same logits for every probed token.
func TestTransformsPreserveFunction(t *testing.T) {
	base := Base(smallSpec())
	for name, m := range map[string]*Model{
		"permute": Permute(base, 7), "rotate": Rotate(base, 8), "scale": Scale(base, 9), "rename-yi": base,
	} {
		for _, tok := range []int{0, 17, 299} {
			a, b := forward1(base, tok), forward1(m, tok)
			var worst float64
			for i := range a {
				worst = math.Max(worst, math.Abs(a[i]-b[i]))
			}
			if worst > 1e-4 {
				t.Errorf("%s: token %d logits differ by %g", name, tok, worst)
			}
		}
	}
}

// TestFineTuneCosine is T11: cos(A, A+N) = 1/√(1+r²) for noise of r·std.
func TestFineTuneCosine(t *testing.T) {
	base := Base(smallSpec())
	for _, r := range []float64{0.1, 1} {
		ft := FineTune(base, r, 9)
		name := "model.embed_tokens.weight"
		a, b := base.W.Data[name], ft.W.Data[name]
		var ab, aa, bb float64
		for i := range a {
			ab += float64(a[i]) * float64(b[i])
			aa += float64(a[i]) * float64(a[i])
			bb += float64(b[i]) * float64(b[i])
		}
		got, want := ab/math.Sqrt(aa*bb), 1/math.Sqrt(1+r*r)
		if math.Abs(got-want) > 0.01 {
			t.Errorf("r = %g: cosine %.4f, want %.4f", r, got, want)
		}
	}
}

func TestPruneAndRename(t *testing.T) {
	s := smallSpec()
	s.Layers = 4
	p := Prune(Base(s), []int{1}, 0.5, 1)
	if p.Spec.Layers != 3 || p.Spec.FFN != 48 {
		t.Fatalf("pruned spec %+v", p.Spec)
	}
	if sh := p.W.Shape[layerName(2, "mlp.down_proj")]; sh[1] != 48 {
		t.Errorf("down_proj shape %v", sh)
	}
	if _, ok := p.W.Data[layerName(3, "mlp.up_proj")]; ok {
		t.Error("layer 3 should be gone")
	}
	meta := Rename(Base(s), "meta")
	if _, ok := meta.W.Data["layers.0.feed_forward.w3.weight"]; !ok {
		t.Errorf("meta names: %v", meta.W.Names[:4])
	}
	tok := Tokenizer(500, 1)
	if len(tok.Tokens) != 500 || len(tok.Merges) != 500-259 {
		t.Errorf("tokenizer: %d tokens, %d merges", len(tok.Tokens), len(tok.Merges))
	}
}
