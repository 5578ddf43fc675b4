package weights

import (
	"strconv"
	"strings"
)

// ggufToHF maps llama-family GGUF tensor base names to HF names
// (llama.cpp gguf-py/gguf/tensor_mapping.py). Per-block names omit the
// "blk.N." prefix.
var (
	ggufGlobalNames = map[string]string{
		"token_embd":  "model.embed_tokens",
		"output_norm": "model.norm",
		"output":      "lm_head",
	}
	ggufBlockNames = map[string]string{
		"attn_q":      "self_attn.q_proj",
		"attn_k":      "self_attn.k_proj",
		"attn_v":      "self_attn.v_proj",
		"attn_output": "self_attn.o_proj",
		"attn_norm":   "input_layernorm",
		"ffn_norm":    "post_attention_layernorm",
		"ffn_gate":    "mlp.gate_proj",
		"ffn_up":      "mlp.up_proj",
		"ffn_down":    "mlp.down_proj",
	}
)

// HFName maps a llama-family GGUF tensor name ("blk.3.ffn_up.weight") to
// its Hugging Face name ("model.layers.3.mlp.up_proj.weight"). Names it does
// not know are returned unchanged with ok false.
func HFName(gguf string) (string, bool) {
	base, suffix := gguf, ""
	if i := strings.LastIndexByte(gguf, '.'); i >= 0 && (gguf[i+1:] == "weight" || gguf[i+1:] == "bias") {
		base, suffix = gguf[:i], gguf[i:]
	}
	if hf, ok := ggufGlobalNames[base]; ok {
		return hf + suffix, true
	}
	rest, ok := strings.CutPrefix(base, "blk.")
	if !ok {
		return gguf, false
	}
	num, role, ok := strings.Cut(rest, ".")
	if _, err := strconv.Atoi(num); !ok || err != nil {
		return gguf, false
	}
	if hf, ok := ggufBlockNames[role]; ok {
		return "model.layers." + num + "." + hf + suffix, true
	}
	return gguf, false
}

// GGUFName is the inverse of HFName, for the GGUF writer.
func GGUFName(hf string) (string, bool) {
	base, suffix := hf, ""
	if i := strings.LastIndexByte(hf, '.'); i >= 0 && (hf[i+1:] == "weight" || hf[i+1:] == "bias") {
		base, suffix = hf[:i], hf[i:]
	}
	for g, h := range ggufGlobalNames {
		if h == base {
			return g + suffix, true
		}
	}
	rest, ok := strings.CutPrefix(base, "model.layers.")
	if !ok {
		return hf, false
	}
	num, role, _ := strings.Cut(rest, ".")
	for g, h := range ggufBlockNames {
		if h == role {
			return "blk." + num + "." + g + suffix, true
		}
	}
	return hf, false
}

// qkPermutedArchs lists GGUF architectures whose converter applies
// LlamaModel.permute to Q and K (interleaved RoPE). NEOX-RoPE models such
// as qwen2 or gemma are stored unpermuted.
var qkPermutedArchs = map[string]bool{"llama": true, "mistral": true, "granite": true, "granitemoe": true}

// qkSourceRow returns the GGUF row that holds HF row r of a Q or K weight
// permuted by llama.cpp, with head size hd: GGUF row h·hd + 2j + c holds
// HF row h·hd + c·(hd/2) + j.
func qkSourceRow(r, hd int) int {
	h, w := r/hd, r%hd
	c, j := w/(hd/2), w%(hd/2)
	return h*hd + 2*j + c
}

// qkTargetRow is the inverse of qkSourceRow: the GGUF row for HF row r
// when writing.
func qkTargetRow(r, hd int) int { return qkSourceRow(r, hd) }
