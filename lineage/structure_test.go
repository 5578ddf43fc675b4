package lineage

import (
	"testing"
)

func TestClassify(t *testing.T) {
	for name, want := range map[string]Slot{
		"model.layers.3.self_attn.q_proj.weight":         {3, RoleQ},
		"layers.0.attention.wk.weight":                   {0, RoleK},
		"model.layers.12.mlp.down_proj.weight":           {12, RoleDown},
		"layers.5.feed_forward.w3.weight":                {5, RoleUp},
		"layers.5.feed_forward.w1.weight":                {5, RoleGate},
		"model.layers.0.ln1.weight":                      {0, RoleAttnNorm},
		"model.layers.0.ln2.weight":                      {0, RoleMLPNorm},
		"model.layers.7.post_attention_layernorm.weight": {7, RoleMLPNorm},
		"model.embed_tokens.weight":                      {-1, RoleEmbed},
		"tok_embeddings.weight":                          {-1, RoleEmbed},
		"lm_head.weight":                                 {-1, RoleLMHead},
		"output.weight":                                  {-1, RoleLMHead},
		"model.norm.weight":                              {-1, RoleFinalNorm},
	} {
		if got, ok := classify(name); !ok || got != want {
			t.Errorf("classify(%s) = %v, %v; want %v", name, got, ok, want)
		}
	}
	if got, ok := classify("model.layers.2.self_attn.q_proj.bias"); !ok || got != (Slot{2, RoleQ + "_bias"}) {
		t.Errorf("bias classified as %v, %v", got, ok)
	}
	for _, name := range []string{"model.layers.0.self_attn.q_proj.scales", "transformer.h.0.attn.c_attn.weight", "rope_freqs.weight"} {
		if s, ok := classify(name); ok {
			t.Errorf("classify(%s) = %v, want unclassified", name, s)
		}
	}
}

func TestCompareTokenizers(t *testing.T) {
	base := &Tokenizer{Tokens: []string{"<s>", "a", "b", "ab"}, Merges: []string{"a b"}, Specials: map[string]int{"<s>": 0}}
	ext := &Tokenizer{Tokens: []string{"<s>", "a", "b", "ab", "abb"}, Merges: []string{"a b", "ab b"}, Specials: map[string]int{"<s>": 0}}
	other := &Tokenizer{Tokens: []string{"<s>", "b", "a", "ba"}, Merges: []string{"b a"}, Specials: map[string]int{"<s>": 0}}
	for _, c := range []struct {
		a, b     *Tokenizer
		relation string
		sameID   int
	}{
		{base, base, "identical", 4},
		{base, ext, "extension", 4},
		{base, other, "different", 1},
		{base, nil, "unavailable", 0},
	} {
		ev := compareTokenizers(c.a, c.b)
		if ev.Relation != c.relation || ev.SameID != c.sameID {
			t.Errorf("relation %s same-id %d, want %s %d", ev.Relation, ev.SameID, c.relation, c.sameID)
		}
	}
	if ev := compareTokenizers(base, other); ev.Jaccard != 3.0/5 || ev.MergePrefix != 0 {
		t.Errorf("jaccard %.2f merge prefix %d", ev.Jaccard, ev.MergePrefix)
	}
}

func TestParseTokenizerJSON(t *testing.T) {
	bpe := `{"model":{"type":"BPE","vocab":{"a":1,"b":2,"ab":3},"merges":[["a","b"]]},
		"added_tokens":[{"id":0,"content":"<s>","special":true}]}`
	tok, err := ParseTokenizerJSON([]byte(bpe))
	if err != nil || len(tok.Tokens) != 4 || tok.Tokens[3] != "ab" || tok.Merges[0] != "a b" || tok.Specials["<s>"] != 0 {
		t.Errorf("BPE: %+v, %v", tok, err)
	}
	uni := `{"model":{"type":"Unigram","vocab":[["<unk>",0],["▁a",-1.5]]}}`
	tok, err = ParseTokenizerJSON([]byte(uni))
	if err != nil || len(tok.Tokens) != 2 || tok.Tokens[1] != "▁a" {
		t.Errorf("Unigram: %+v, %v", tok, err)
	}
	for _, bad := range []string{`{`, `{"model":{"vocab":7}}`, `{"model":{"vocab":{"a":99999999}}}`} {
		if _, err := ParseTokenizerJSON([]byte(bad)); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

func TestDiffConfig(t *testing.T) {
	a := Config{Hidden: 4096, Layers: 32, NormEps: 1e-5, Vocab: 32000}
	b := a
	b.NormEps = float64(float32(1e-5)) // as stored in GGUF
	if ev := diffConfig(a, b); !ev.Equal {
		t.Errorf("float32 rounding reported as a difference: %+v", ev.Differences)
	}
	b.Vocab, b.Layers = 64000, 60
	if ev := diffConfig(a, b); ev.Equal || len(ev.Differences) != 2 {
		t.Errorf("differences %+v", ev.Differences)
	}
}
