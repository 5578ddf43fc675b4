package synth

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/leakhound/leakhound/lineage"
	"github.com/leakhound/leakhound/weights"
)

// Spec is the shape of a synthetic model. Hidden and FFN must be multiples
// of 256 for the K-quant GGUF variants.
type Spec struct {
	Vocab, Hidden, Layers, Heads, KVHeads, FFN int
	// Seed draws the weights; TokSeed draws the tokenizer (shared by a
	// family and, by default, by the independent models too).
	Seed, TokSeed uint64
}

// DefaultSpec is the shape the tests use: 4.2M parameters, 8.4 MB in BF16.
func DefaultSpec() Spec {
	return Spec{Vocab: 2048, Hidden: 256, Layers: 4, Heads: 8, KVHeads: 4, FFN: 768, Seed: 1, TokSeed: 1}
}

// Model is a synthetic model in memory with its config and tokenizer.
type Model struct {
	Spec      Spec
	W         *weights.Mem
	Tokenizer *lineage.Tokenizer
}

// Config returns the lineage view of the model's config.
func (m *Model) Config() lineage.Config {
	s := m.Spec
	return lineage.Config{Architecture: "LlamaForCausalLM", ModelType: "llama", Hidden: s.Hidden, Layers: s.Layers,
		Heads: s.Heads, KVHeads: s.KVHeads, FFN: s.FFN, Vocab: s.Vocab, RopeTheta: 10000, NormEps: 1e-5, MaxPositions: 2048}
}

// Lineage wraps the model for lineage.Compare without writing files.
func (m *Model) Lineage(name string) *lineage.Model {
	return lineage.NewModel(name, m.Config(), m.Tokenizer, m.W)
}

// HeadDim is the attention head size.
func (s Spec) HeadDim() int { return s.Hidden / s.Heads }

func layerName(l int, role string) string {
	return fmt.Sprintf("model.layers.%d.%s.weight", l, role)
}

// Base draws a model with the init scheme shared by every model of the
// package: Gaussian std 0.02 for embeddings, lm_head and MLP gate/up,
// 0.02/√(2(ℓ+1)) for attention and MLP down (a depth schedule, so the std
// profiles of independent models correlate, as in the Pangu case), norm
// gains 1 + N(0, 0.1).
func Base(s Spec) *Model {
	r := rand.New(rand.NewPCG(s.Seed, 0x5eed))
	w := weights.NewMem()
	gauss := func(name string, std float64, shape ...int64) {
		n := int64(1)
		for _, d := range shape {
			n *= d
		}
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(r.NormFloat64() * std)
		}
		w.Set(name, shape, x)
	}
	gains := func(name string) {
		x := make([]float32, s.Hidden)
		for i := range x {
			x[i] = float32(1 + 0.1*r.NormFloat64())
		}
		w.Set(name, []int64{int64(s.Hidden)}, x)
	}
	d, kv, ffn := int64(s.Hidden), int64(s.KVHeads*s.HeadDim()), int64(s.FFN)
	gauss("model.embed_tokens.weight", 0.02, int64(s.Vocab), d)
	for l := 0; l < s.Layers; l++ {
		out := 0.02 / math.Sqrt(2*float64(l+1))
		gains(layerName(l, "input_layernorm"))
		gauss(layerName(l, "self_attn.q_proj"), out, d, d)
		gauss(layerName(l, "self_attn.k_proj"), out, kv, d)
		gauss(layerName(l, "self_attn.v_proj"), out, kv, d)
		gauss(layerName(l, "self_attn.o_proj"), out, d, d)
		gains(layerName(l, "post_attention_layernorm"))
		gauss(layerName(l, "mlp.gate_proj"), 0.02, ffn, d)
		gauss(layerName(l, "mlp.up_proj"), 0.02, ffn, d)
		gauss(layerName(l, "mlp.down_proj"), out, d, ffn)
	}
	gains("model.norm.weight")
	gauss("lm_head.weight", 0.02, int64(s.Vocab), d)
	return &Model{Spec: s, W: w, Tokenizer: Tokenizer(s.Vocab, s.TokSeed)}
}

// Tokenizer builds a deterministic BPE-like tokenizer: three specials, 256
// byte tokens, then merged tokens with their merge rules in order.
func Tokenizer(vocab int, seed uint64) *lineage.Tokenizer {
	r := rand.New(rand.NewPCG(seed, 0x70c))
	t := &lineage.Tokenizer{Kind: "BPE", Specials: map[string]int{"<unk>": 0, "<s>": 1, "</s>": 2}}
	t.Tokens = []string{"<unk>", "<s>", "</s>"}
	seen := map[string]bool{}
	for b := 0; b < 256 && len(t.Tokens) < vocab; b++ {
		tok := fmt.Sprintf("<0x%02X>", b)
		if b >= 'a' && b <= 'z' {
			tok = string(rune(b))
		}
		t.Tokens = append(t.Tokens, tok)
		seen[tok] = true
	}
	for len(t.Tokens) < vocab {
		x := t.Tokens[3+'a'+r.IntN(26)]
		y := t.Tokens[3+'a'+r.IntN(26)]
		if len(t.Tokens) > 300 && r.IntN(2) == 0 {
			x = t.Tokens[300+r.IntN(len(t.Tokens)-300)]
		}
		if seen[x+y] || len(x+y) > 12 {
			continue
		}
		seen[x+y] = true
		t.Tokens = append(t.Tokens, x+y)
		t.Merges = append(t.Merges, x+" "+y)
	}
	return t
}

// clone deep-copies a model.
func (m *Model) clone() *Model {
	w := weights.NewMem()
	for _, n := range m.W.Names {
		w.Set(n, append([]int64(nil), m.W.Shape[n]...), append([]float32(nil), m.W.Data[n]...))
	}
	return &Model{Spec: m.Spec, W: w, Tokenizer: m.Tokenizer}
}

func std32(x []float32) float64 {
	var s, ss float64
	for _, v := range x {
		s += float64(v)
		ss += float64(v) * float64(v)
	}
	n := float64(len(x))
	return math.Sqrt(math.Max(ss/n-(s/n)*(s/n), 0))
}

// FineTune adds Gaussian noise of r times each tensor's std (reference §3.2:
// cosine to the parent 1/√(1+r²)), like an SFT delta.
func FineTune(m *Model, r float64, seed uint64) *Model {
	out := m.clone()
	rng := rand.New(rand.NewPCG(seed, 0xf1))
	for _, n := range out.W.Names {
		x := out.W.Data[n]
		sd := r * std32(x)
		for i := range x {
			x[i] += float32(rng.NormFloat64() * sd)
		}
	}
	return out
}

// ContinuedPretrain adds noise of r·std plus a shared rank-4 drift of the
// same size to every matrix: larger, structured movement.
func ContinuedPretrain(m *Model, r float64, seed uint64) *Model {
	out := FineTune(m, r, seed)
	rng := rand.New(rand.NewPCG(seed, 0xc9))
	for _, n := range out.W.Names {
		sh := out.W.Shape[n]
		if len(sh) != 2 {
			continue
		}
		x := out.W.Data[n]
		rows, cols := int(sh[0]), int(sh[1])
		sd := r * std32(x) / 2 // rank-4 sum of unit products: std ≈ 2·scale
		for k := 0; k < 4; k++ {
			u, v := randVec(rng, rows), randVec(rng, cols)
			for i := 0; i < rows; i++ {
				for j := 0; j < cols; j++ {
					x[i*cols+j] += float32(sd * u[i] * v[j])
				}
			}
		}
	}
	return out
}

func randVec(r *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = r.NormFloat64()
	}
	return v
}

// Independent draws a new model with the same spec, init scheme and
// tokenizer but another weight seed: the hard negative.
func Independent(s Spec, seed uint64) *Model {
	s.Seed = seed
	return Base(s)
}

// Rename renames tensors: "yi" renames the two norms per layer to ln1/ln2
// (the Yi-34B case); "meta" uses Meta's original llama names (wq, w1,
// attention_norm, tok_embeddings, output).
func Rename(m *Model, scheme string) *Model {
	out := m.clone()
	w := weights.NewMem()
	for _, n := range out.W.Names {
		w.Set(renamed(n, scheme), out.W.Shape[n], out.W.Data[n])
	}
	out.W = w
	return out
}

func renamed(n, scheme string) string {
	if scheme == "yi" {
		n = strings.Replace(n, ".input_layernorm.", ".ln1.", 1)
		return strings.Replace(n, ".post_attention_layernorm.", ".ln2.", 1)
	}
	for _, p := range [][2]string{
		{"model.embed_tokens", "tok_embeddings"}, {"lm_head", "output"}, {"model.norm", "norm"},
		{"model.layers.", "layers."}, {"self_attn.q_proj", "attention.wq"}, {"self_attn.k_proj", "attention.wk"},
		{"self_attn.v_proj", "attention.wv"}, {"self_attn.o_proj", "attention.wo"},
		{"mlp.gate_proj", "feed_forward.w1"}, {"mlp.down_proj", "feed_forward.w2"}, {"mlp.up_proj", "feed_forward.w3"},
		{"input_layernorm", "attention_norm"}, {"post_attention_layernorm", "ffn_norm"},
	} {
		n = strings.Replace(n, p[0], p[1], 1)
	}
	return n
}
