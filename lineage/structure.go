package lineage

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/leakhound/leakhound/weights"
)

// Role is the function of a tensor in a llama-like decoder, independent of
// the naming scheme.
type Role string

// Roles the mapping recognises.
const (
	RoleEmbed     Role = "embed"
	RoleLMHead    Role = "lm_head"
	RoleFinalNorm Role = "final_norm"
	RoleAttnNorm  Role = "attn_norm"
	RoleMLPNorm   Role = "mlp_norm"
	RoleQ         Role = "q"
	RoleK         Role = "k"
	RoleV         Role = "v"
	RoleO         Role = "o"
	RoleGate      Role = "gate"
	RoleUp        Role = "up"
	RoleDown      Role = "down"
)

// Slot is a tensor's place: a layer (−1 for global tensors) and a role.
type Slot struct {
	Layer int  `json:"layer"`
	Role  Role `json:"role"`
}

var layerRE = regexp.MustCompile(`(?:^|\.)(?:layers|layer|h|blk|blocks|block|decoder\.layers)\.(\d+)\.(.+)$`)

// roleWords maps name fragments (the per-layer remainder, lower case) to
// roles: HF llama (q_proj, input_layernorm), Meta original (wq, w1,
// attention_norm), GGUF (attn_q, ffn_gate), Yi (ln1, ln2), GPT-style
// (c_fc style names are not llama-shaped and stay unclassified).
var roleWords = []struct {
	role  Role
	words []string
}{
	{RoleQ, []string{"q_proj", "attn_q", "wq", "query", "q"}},
	{RoleK, []string{"k_proj", "attn_k", "wk", "key", "k"}},
	{RoleV, []string{"v_proj", "attn_v", "wv", "value", "v"}},
	{RoleO, []string{"o_proj", "attn_output", "wo", "out_proj", "dense", "o"}},
	{RoleGate, []string{"gate_proj", "ffn_gate", "w1", "gate"}},
	{RoleUp, []string{"up_proj", "ffn_up", "w3", "up"}},
	{RoleDown, []string{"down_proj", "ffn_down", "w2", "down"}},
	{RoleAttnNorm, []string{"input_layernorm", "attn_norm", "attention_norm", "ln1", "ln_1"}},
	{RoleMLPNorm, []string{"post_attention_layernorm", "ffn_norm", "ln2", "ln_2"}},
}

var globalWords = map[string]Role{
	"embed_tokens": RoleEmbed, "token_embd": RoleEmbed, "tok_embeddings": RoleEmbed, "wte": RoleEmbed,
	"lm_head": RoleLMHead, "output": RoleLMHead,
	"norm": RoleFinalNorm, "output_norm": RoleFinalNorm, "ln_f": RoleFinalNorm, "final_layernorm": RoleFinalNorm,
}

// classify maps a tensor name (any supported scheme) to its slot.
// ".weight" tensors get the plain role, ".bias" tensors the role with a
// "_bias" suffix (Qwen2's QKV biases); MoE experts of one layer share a
// slot, so only the first expert is compared.
func classify(name string) (Slot, bool) {
	lower := strings.ToLower(name)
	if base, ok := strings.CutSuffix(lower, ".bias"); ok {
		s, ok := classifyBase(base)
		s.Role += "_bias"
		return s, ok
	}
	base, ok := strings.CutSuffix(lower, ".weight")
	if !ok {
		return Slot{}, false
	}
	return classifyBase(base)
}

func classifyBase(base string) (Slot, bool) {
	if m := layerRE.FindStringSubmatch(base); m != nil {
		layer, err := strconv.Atoi(m[1])
		if err != nil || layer > 1<<16 {
			return Slot{}, false
		}
		parts := strings.Split(m[2], ".")
		last := parts[len(parts)-1]
		for _, rw := range roleWords {
			if slices.Contains(rw.words, last) {
				return Slot{layer, rw.role}, true
			}
		}
		return Slot{}, false
	}
	parts := strings.Split(base, ".")
	if r, ok := globalWords[parts[len(parts)-1]]; ok {
		return Slot{-1, r}, true
	}
	return Slot{}, false
}

// slotMap indexes a model's classified tensors.
type slotMap map[Slot]weights.TensorInfo

func buildSlots(ts []weights.TensorInfo) (slotMap, []weights.TensorInfo) {
	sm := slotMap{}
	var rest []weights.TensorInfo
	for _, t := range ts {
		if s, ok := classify(t.Name); ok {
			if _, dup := sm[s]; !dup {
				sm[s] = t
				continue
			}
		}
		rest = append(rest, t)
	}
	return sm, rest
}

func (sm slotMap) layers() int {
	n := 0
	for s := range sm {
		n = max(n, s.Layer+1)
	}
	return n
}

// TensorEvidence is the name/shape mapping rung of the ladder.
type TensorEvidence struct {
	CountA int `json:"count_a"`
	CountB int `json:"count_b"`
	// Matched tensors share a slot (layer and role) in both models.
	Matched int `json:"matched"`
	// SameShape counts matched tensors with equal shapes.
	SameShape int `json:"same_shape"`
	// Renamed lists matched tensors whose names differ (after GGUF names
	// are mapped back to HF names): naming evidence, e.g. Yi's ln1/ln2.
	Renamed []RenamePair `json:"renamed,omitempty"`
	// RenamedTotal counts all renames; Renamed holds at most 20.
	RenamedTotal  int      `json:"renamed_total"`
	ShapeMismatch []string `json:"shape_mismatch,omitempty"`
	OnlyA         []string `json:"only_a,omitempty"`
	OnlyB         []string `json:"only_b,omitempty"`
	LayersA       int      `json:"layers_a"`
	LayersB       int      `json:"layers_b"`
}

// RenamePair is one tensor under two names.
type RenamePair struct {
	A string `json:"a"`
	B string `json:"b"`
}

const maxListed = 20

func mapTensors(a, b []weights.TensorInfo) (TensorEvidence, slotMap, slotMap) {
	sa, restA := buildSlots(a)
	sb, restB := buildSlots(b)
	ev := TensorEvidence{CountA: len(a), CountB: len(b), LayersA: sa.layers(), LayersB: sb.layers()}
	slots := make([]Slot, 0, len(sa))
	for s := range sa {
		slots = append(slots, s)
	}
	sort.Slice(slots, func(i, j int) bool {
		if slots[i].Layer != slots[j].Layer {
			return slots[i].Layer < slots[j].Layer
		}
		return slots[i].Role < slots[j].Role
	})
	for _, s := range slots {
		ta := sa[s]
		tb, ok := sb[s]
		if !ok {
			ev.OnlyA = appendCapped(ev.OnlyA, ta.Name)
			continue
		}
		ev.Matched++
		if slices.Equal(ta.Shape, tb.Shape) {
			ev.SameShape++
		} else {
			ev.ShapeMismatch = appendCapped(ev.ShapeMismatch, fmt.Sprintf("%s %v vs %v", ta.Name, ta.Shape, tb.Shape))
		}
		if ta.Name != tb.Name {
			ev.RenamedTotal++
			if len(ev.Renamed) < maxListed {
				ev.Renamed = append(ev.Renamed, RenamePair{ta.Name, tb.Name})
			}
		}
	}
	for s, tb := range sb {
		if _, ok := sa[s]; !ok {
			ev.OnlyB = appendCapped(ev.OnlyB, tb.Name)
		}
	}
	for _, t := range restA {
		ev.OnlyA = appendCapped(ev.OnlyA, t.Name)
	}
	for _, t := range restB {
		ev.OnlyB = appendCapped(ev.OnlyB, t.Name)
	}
	sort.Strings(ev.OnlyA)
	sort.Strings(ev.OnlyB)
	return ev, sa, sb
}

func appendCapped(l []string, s string) []string {
	if len(l) >= maxListed {
		return l
	}
	return append(l, s)
}

// ConfigEvidence is the config/architecture rung: a field-by-field diff.
// Equal configs are necessary for a plain copy, never sufficient (Yi vs
// Llama, Solar vs GLM share geometry with independent weights).
type ConfigEvidence struct {
	Equal       bool        `json:"equal"`
	Differences []FieldDiff `json:"differences,omitempty"`
	A           Config      `json:"a"`
	B           Config      `json:"b"`
}

// FieldDiff is one config field that differs.
type FieldDiff struct {
	Field string `json:"field"`
	A     string `json:"a"`
	B     string `json:"b"`
}

func diffConfig(a, b Config) ConfigEvidence {
	ev := ConfigEvidence{A: a, B: b}
	add := func(f string, x, y any) {
		if fx, ok := x.(float64); ok && math.Abs(fx-y.(float64)) <= 1e-6*math.Abs(fx) {
			return // GGUF stores these as float32
		}
		xs, ys := fmt.Sprint(x), fmt.Sprint(y)
		if xs != ys && xs != "0" && ys != "0" && xs != "" && ys != "" {
			ev.Differences = append(ev.Differences, FieldDiff{f, xs, ys})
		}
	}
	add("hidden_size", a.Hidden, b.Hidden)
	add("num_hidden_layers", a.Layers, b.Layers)
	add("num_attention_heads", a.Heads, b.Heads)
	add("num_key_value_heads", a.KVHeads, b.KVHeads)
	add("intermediate_size", a.FFN, b.FFN)
	add("vocab_size", a.Vocab, b.Vocab)
	add("rope_theta", a.RopeTheta, b.RopeTheta)
	add("rms_norm_eps", a.NormEps, b.NormEps)
	add("max_position_embeddings", a.MaxPositions, b.MaxPositions)
	ev.Equal = len(ev.Differences) == 0
	return ev
}

// TokenizerEvidence is the tokenizer rung. Identical id assignment and
// merge order are strong evidence of a shared tokenizer; plain vocabulary
// overlap (Jaccard) is weak: unrelated tokenizers share 70–85%.
type TokenizerEvidence struct {
	Available bool `json:"available"`
	VocabA    int  `json:"vocab_a"`
	VocabB    int  `json:"vocab_b"`
	// SameID counts token strings at the same id in both.
	SameID int `json:"same_id"`
	// IDPrefix is the length of the common id → token prefix.
	IDPrefix    int `json:"id_prefix"`
	MergesA     int `json:"merges_a"`
	MergesB     int `json:"merges_b"`
	MergePrefix int `json:"merge_prefix"`
	// SpecialsEqual: the same special tokens at the same ids.
	SpecialsEqual bool `json:"specials_equal"`
	// Shared counts token strings in both vocabularies; Jaccard is weak.
	Shared  int     `json:"shared"`
	Jaccard float64 `json:"jaccard"`
	// Relation is "identical", "extension" (one is an id prefix of the
	// other), "different" or "unavailable".
	Relation string `json:"relation"`
}

func compareTokenizers(a, b *Tokenizer) TokenizerEvidence {
	if a == nil || b == nil {
		return TokenizerEvidence{Relation: "unavailable"}
	}
	ev := TokenizerEvidence{Available: true, VocabA: len(a.Tokens), VocabB: len(b.Tokens),
		MergesA: len(a.Merges), MergesB: len(b.Merges)}
	n := min(len(a.Tokens), len(b.Tokens))
	prefixOpen := true
	for i := 0; i < n; i++ {
		if a.Tokens[i] == b.Tokens[i] {
			ev.SameID++
			if prefixOpen {
				ev.IDPrefix++
			}
		} else {
			prefixOpen = false
		}
	}
	for ev.MergePrefix < min(len(a.Merges), len(b.Merges)) && a.Merges[ev.MergePrefix] == b.Merges[ev.MergePrefix] {
		ev.MergePrefix++
	}
	ev.SpecialsEqual = mapsEqual(a.Specials, b.Specials)
	setA := map[string]bool{}
	for _, t := range a.Tokens {
		setA[t] = true
	}
	union := len(setA)
	for _, t := range uniq(b.Tokens) {
		if setA[t] {
			ev.Shared++
		} else {
			union++
		}
	}
	if union > 0 {
		ev.Jaccard = float64(ev.Shared) / float64(union)
	}
	sameMerges := ev.MergePrefix == len(a.Merges) && len(a.Merges) == len(b.Merges)
	switch {
	case ev.IDPrefix == n && len(a.Tokens) == len(b.Tokens) && sameMerges && ev.SpecialsEqual:
		ev.Relation = "identical"
	case ev.IDPrefix == n && n > 0:
		ev.Relation = "extension"
	default:
		ev.Relation = "different"
	}
	return ev
}

func uniq(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, t := range s {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}
