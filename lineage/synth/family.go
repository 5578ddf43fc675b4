package synth

import (
	"fmt"
	"path/filepath"

	"github.com/leakhound/leakhound/weights"
)

// Variant is one written member of a family.
type Variant struct {
	Name string `json:"name"`
	Path string `json:"path"`
	// Derived is the ground truth: true for models made from the base.
	Derived bool   `json:"derived"`
	How     string `json:"how"`
}

// Family returns the in-memory variants of the base drawn from s, with
// their ground truth, in a fixed order (without the quantized copies,
// which exist only as files).
func Family(s Spec) (base *Model, variants []*Model, names []string) {
	base = Base(s)
	ft := FineTune(base, 0.1, 11)
	return base, []*Model{
		ft,
		ContinuedPretrain(base, 1.0, 12),
		Permute(FineTune(base, 0.3, 13), 14),
		Rename(base, "yi"),
		Rename(FineTune(base, 0.1, 15), "meta"),
		Prune(FineTune(base, 0.1, 16), []int{s.Layers / 2}, 0.75, 17),
	}, []string{"finetune", "cpt", "permuted", "renamed-yi", "renamed-meta", "pruned"}
}

var hows = map[string]string{
	"finetune":     "base + N(0, 0.1·std) per tensor (SFT-like)",
	"cpt":          "base + N(0, 1.0·std) + rank-4 drift (continued pre-training)",
	"permuted":     "fine-tune r=0.3, then MLP neurons, attention heads and residual dims (with sign flips) permuted",
	"renamed-yi":   "base with input/post_attention_layernorm renamed ln1/ln2 (the Yi case)",
	"renamed-meta": "fine-tune r=0.1 with Meta's original tensor names",
	"pruned":       "fine-tune r=0.1, middle layer dropped, 25% of MLP neurons removed",
}

// WriteFamily writes the base (dir/base, BF16), every variant (HF folders,
// the cpt one in 3 shards), GGUF copies of the base in Q8_0, Q4_0 and Q4_K,
// a permuted continued-pre-training model in Q4_K (the miqu case), and
// independents models drawn with the same init (HF, the first also as Q4_K
// GGUF). It returns the variants with ground truth; the base is first.
func WriteFamily(dir string, s Spec, independents int) ([]Variant, error) {
	base, vs, names := Family(s)
	out := []Variant{{Name: "base", Path: filepath.Join(dir, "base"), How: "the reference model"}}
	if err := WriteHF(out[0].Path, base, weights.BF16, 1); err != nil {
		return nil, err
	}
	for i, v := range vs {
		shards := 1
		if names[i] == "cpt" {
			shards = 3
		}
		p := filepath.Join(dir, names[i])
		if err := WriteHF(p, v, weights.BF16, shards); err != nil {
			return nil, err
		}
		out = append(out, Variant{names[i], p, true, hows[names[i]]})
	}
	for _, q := range []weights.DType{weights.Q8_0, weights.Q4_0, weights.Q4_K} {
		name := "base-" + lower(q) + ".gguf"
		if err := WriteGGUF(filepath.Join(dir, name), base, q); err != nil {
			return nil, err
		}
		out = append(out, Variant{name, filepath.Join(dir, name), true, "base quantized to " + string(q) + " (GGUF)"})
	}
	miqu := Permute(ContinuedPretrain(base, 0.5, 21), 22)
	if err := WriteGGUF(filepath.Join(dir, "cpt-permuted-q4_k.gguf"), miqu, weights.Q4_K); err != nil {
		return nil, err
	}
	out = append(out, Variant{"cpt-permuted-q4_k.gguf", filepath.Join(dir, "cpt-permuted-q4_k.gguf"), true,
		"continued pre-training r=0.5, permuted, quantized Q4_K (the miqu case)"})
	for k := 1; k <= independents; k++ {
		ind := Independent(s, 1000+uint64(k))
		name := fmt.Sprintf("independent-%d", k)
		if err := WriteHF(filepath.Join(dir, name), ind, weights.BF16, 1); err != nil {
			return nil, err
		}
		out = append(out, Variant{name, filepath.Join(dir, name), false, "same init scheme and tokenizer, another seed"})
		if k == 1 {
			if err := WriteGGUF(filepath.Join(dir, name+"-q4_k.gguf"), ind, weights.Q4_K); err != nil {
				return nil, err
			}
			out = append(out, Variant{name + "-q4_k.gguf", filepath.Join(dir, name+"-q4_k.gguf"), false, "independent-1 quantized to Q4_K"})
		}
	}
	return out, nil
}

func lower(t weights.DType) string {
	b := []byte(t)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
