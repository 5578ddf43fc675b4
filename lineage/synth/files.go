package synth

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/leakhound/leakhound/weights"
)

func newMemLike() *weights.Mem { return weights.NewMem() }

// splitLayer parses "model.layers.N.ROLE.weight".
func splitLayer(name string) (int, string, bool) {
	rest, ok := strings.CutPrefix(name, "model.layers.")
	if !ok {
		return 0, "", false
	}
	num, role, _ := strings.Cut(rest, ".")
	l, err := strconv.Atoi(num)
	return l, strings.TrimSuffix(role, ".weight"), err == nil
}

// WriteHF writes an HF-style folder: config.json, tokenizer.json and the
// weights in dtype (F32, F16 or BF16), sharded when shards > 1.
func WriteHF(dir string, m *Model, dtype weights.DType, shards int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	c := m.Config()
	cfg := map[string]any{
		"architectures": []string{c.Architecture}, "model_type": c.ModelType, "hidden_size": c.Hidden,
		"num_hidden_layers": c.Layers, "num_attention_heads": c.Heads, "num_key_value_heads": c.KVHeads,
		"intermediate_size": c.FFN, "vocab_size": c.Vocab, "rope_theta": c.RopeTheta, "rms_norm_eps": c.NormEps,
		"max_position_embeddings": c.MaxPositions, "torch_dtype": strings.ToLower(string(dtype)),
	}
	if err := writeJSON(filepath.Join(dir, "config.json"), cfg); err != nil {
		return err
	}
	if err := writeJSON(filepath.Join(dir, "tokenizer.json"), tokenizerJSON(m)); err != nil {
		return err
	}
	if shards > 1 {
		return weights.WriteShardedSafetensors(dir, m.W, dtype, shards)
	}
	return weights.WriteSafetensors(filepath.Join(dir, "model.safetensors"), m.W, dtype, map[string]string{"format": "pt"})
}

func tokenizerJSON(m *Model) map[string]any {
	t := m.Tokenizer
	vocab := map[string]int{}
	var added []map[string]any
	for id, tok := range t.Tokens {
		if _, special := t.Specials[tok]; special {
			added = append(added, map[string]any{"id": id, "content": tok, "special": true})
			continue
		}
		vocab[tok] = id
	}
	return map[string]any{
		"version":      "1.0",
		"added_tokens": added,
		"model":        map[string]any{"type": "BPE", "vocab": vocab, "merges": t.Merges},
	}
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// WriteGGUF writes the model as a llama GGUF v3 file the way llama.cpp's
// converter does (names mapped, dims reversed, Q/K rows permuted), with
// every matrix in qtype and norm gains in F32, plus the tokenizer metadata.
func WriteGGUF(path string, m *Model, qtype weights.DType) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	c := m.Config()
	t := m.Tokenizer
	types := make([]int32, len(t.Tokens))
	for i, tok := range t.Tokens {
		types[i] = 1
		if _, ok := t.Specials[tok]; ok {
			types[i] = 3
		}
	}
	meta := []weights.KV{
		{Key: "general.name", Value: "synthetic"},
		{Key: "llama.block_count", Value: uint32(c.Layers)},
		{Key: "llama.embedding_length", Value: uint32(c.Hidden)},
		{Key: "llama.feed_forward_length", Value: uint32(c.FFN)},
		{Key: "llama.attention.head_count", Value: uint32(c.Heads)},
		{Key: "llama.attention.head_count_kv", Value: uint32(c.KVHeads)},
		{Key: "llama.rope.freq_base", Value: float32(c.RopeTheta)},
		{Key: "llama.attention.layer_norm_rms_epsilon", Value: float32(c.NormEps)},
		{Key: "llama.context_length", Value: uint32(c.MaxPositions)},
		{Key: "tokenizer.ggml.model", Value: "gpt2"},
		{Key: "tokenizer.ggml.tokens", Value: t.Tokens},
		{Key: "tokenizer.ggml.token_type", Value: types},
		{Key: "tokenizer.ggml.merges", Value: t.Merges},
	}
	be, _, ok := weights.BlockSize(qtype)
	if !ok {
		return fmt.Errorf("unknown quant type %s", qtype)
	}
	return weights.WriteGGUF(path, m.W, meta, weights.GGUFOptions{
		Arch: "llama", HeadDim: m.Spec.HeadDim(),
		Type: func(ti weights.TensorInfo) weights.DType {
			if len(ti.Shape) == 1 {
				return weights.F32
			}
			if ti.Shape[len(ti.Shape)-1]%be != 0 {
				return weights.F16 // llama.cpp falls back likewise for odd rows
			}
			return qtype
		},
	})
}
