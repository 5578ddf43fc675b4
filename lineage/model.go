package lineage

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/leakhound/leakhound/weights"
)

// Model is one side of a comparison: its config, tokenizer and weights.
type Model struct {
	// Path is what the user named.
	Path string
	// Format is "safetensors" or "gguf" (or "memory" in tests).
	Format string
	Config Config
	// Tokenizer is nil when the model has none.
	Tokenizer *Tokenizer
	// Declared holds self-declared lineage metadata (GGUF general.*,
	// README base_model lines): printed, never used to conclude.
	Declared map[string]string
	// W reads the tensors.
	W weights.Source
	// Bytes is the total size of the tensor data.
	Bytes int64

	close func() error
}

// Close releases the weight files.
func (m *Model) Close() error {
	if m.close == nil {
		return nil
	}
	return m.close()
}

// NewModel wraps an in-memory or already opened weight source, for tests
// and the synthetic generator.
func NewModel(name string, cfg Config, tok *Tokenizer, w weights.Source) *Model {
	var n int64
	for _, t := range w.Tensors() {
		n += t.Bytes
	}
	return &Model{Path: name, Format: "memory", Config: cfg, Tokenizer: tok, W: w, Bytes: n}
}

// Load opens an HF-style folder (config.json, tokenizer.json, safetensors,
// optionally sharded) or a GGUF file (config and tokenizer from its
// metadata).
func Load(path string) (*Model, error) {
	w, err := weights.Open(path)
	if err != nil {
		return nil, err
	}
	m := &Model{Path: path, Format: w.Format, W: w, Bytes: w.Size(), close: w.Close, Declared: map[string]string{}}
	if w.GGUF != nil {
		m.Config = configFromGGUF(w.GGUF.Metadata)
		m.Tokenizer = tokenizerFromGGUF(w.GGUF.Metadata)
		declaredFromGGUF(w.GGUF.Metadata, m.Declared)
	} else if err := m.loadHFFiles(hfDir(path)); err != nil {
		w.Close()
		return nil, err
	}
	m.Config.fillFromTensors(w.Tensors())
	return m, nil
}

func hfDir(path string) string {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return path
	}
	return filepath.Dir(path)
}

// loadHFFiles reads config.json, tokenizer.json and README.md base_model
// lines when they exist. A malformed or oversized file is an error; a
// missing one is not.
func (m *Model) loadHFFiles(dir string) error {
	files := []struct {
		name  string
		parse func([]byte) error
	}{
		{"config.json", func(b []byte) error {
			var raw map[string]any
			err := json.Unmarshal(b, &raw)
			m.Config = configFromHF(raw)
			return err
		}},
		{"tokenizer.json", func(b []byte) (err error) {
			m.Tokenizer, err = ParseTokenizerJSON(b)
			return err
		}},
		{"README.md", func(b []byte) error {
			for _, line := range strings.Split(string(b), "\n") {
				if k, v, ok := strings.Cut(line, ":"); ok && strings.HasPrefix(strings.TrimSpace(k), "base_model") {
					m.Declared[strings.TrimSpace(k)] = strings.TrimSpace(v)
				}
			}
			return nil
		}},
	}
	for _, f := range files {
		path := filepath.Join(dir, f.name)
		b, err := readCapped(path)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err == nil {
			err = f.parse(b)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	return nil
}

// maxSideFile caps config.json, tokenizer.json and README.md (real
// tokenizer.json files are 2–20 MB), so a hostile folder cannot exhaust
// memory through them.
const maxSideFile = 256 << 20

// readCapped reads a side file, refusing one larger than maxSideFile. A
// missing file is an os.ErrNotExist error, which callers treat as absent.
func readCapped(path string) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.Size() > maxSideFile {
		return nil, fmt.Errorf("%s: %d bytes exceeds the %d-byte limit", path, st.Size(), maxSideFile)
	}
	return os.ReadFile(path)
}

// Config is the architecture summary both formats map to.
type Config struct {
	Architecture string  `json:"architecture,omitempty"`
	ModelType    string  `json:"model_type,omitempty"`
	Hidden       int     `json:"hidden_size,omitempty"`
	Layers       int     `json:"num_hidden_layers,omitempty"`
	Heads        int     `json:"num_attention_heads,omitempty"`
	KVHeads      int     `json:"num_key_value_heads,omitempty"`
	FFN          int     `json:"intermediate_size,omitempty"`
	Vocab        int     `json:"vocab_size,omitempty"`
	RopeTheta    float64 `json:"rope_theta,omitempty"`
	NormEps      float64 `json:"rms_norm_eps,omitempty"`
	MaxPositions int     `json:"max_position_embeddings,omitempty"`
	// NameOrPath is config.json's leftover "_name_or_path" (declared).
	NameOrPath string `json:"name_or_path,omitempty"`
}

func num(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case int64:
		return float64(x)
	}
	return 0
}

func configFromHF(raw map[string]any) Config {
	c := Config{
		Hidden: int(num(raw["hidden_size"])), Layers: int(num(raw["num_hidden_layers"])),
		Heads: int(num(raw["num_attention_heads"])), KVHeads: int(num(raw["num_key_value_heads"])),
		FFN: int(num(raw["intermediate_size"])), Vocab: int(num(raw["vocab_size"])),
		RopeTheta: num(raw["rope_theta"]), NormEps: num(raw["rms_norm_eps"]),
		MaxPositions: int(num(raw["max_position_embeddings"])),
	}
	c.ModelType, _ = raw["model_type"].(string)
	c.NameOrPath, _ = raw["_name_or_path"].(string)
	if a, ok := raw["architectures"].([]any); ok && len(a) > 0 {
		c.Architecture, _ = a[0].(string)
	}
	if c.KVHeads == 0 {
		c.KVHeads = c.Heads
	}
	return c
}

func configFromGGUF(md map[string]any) Config {
	arch, _ := md["general.architecture"].(string)
	c := Config{
		ModelType: arch, Hidden: int(num(md[arch+".embedding_length"])),
		Layers: int(num(md[arch+".block_count"])), Heads: int(num(md[arch+".attention.head_count"])),
		KVHeads: int(num(md[arch+".attention.head_count_kv"])), FFN: int(num(md[arch+".feed_forward_length"])),
		RopeTheta: num(md[arch+".rope.freq_base"]), NormEps: num(md[arch+".attention.layer_norm_rms_epsilon"]),
		MaxPositions: int(num(md[arch+".context_length"])),
	}
	if toks, ok := md["tokenizer.ggml.tokens"].([]string); ok {
		c.Vocab = len(toks)
	}
	if c.KVHeads == 0 {
		c.KVHeads = c.Heads
	}
	return c
}

// fillFromTensors completes fields that the config files did not give.
func (c *Config) fillFromTensors(ts []weights.TensorInfo) {
	layers := map[int]bool{}
	for _, t := range ts {
		s, ok := classify(t.Name)
		if !ok {
			continue
		}
		if s.Layer >= 0 {
			layers[s.Layer] = true
		}
		switch {
		case s.Role == RoleEmbed && len(t.Shape) == 2:
			c.Vocab = cmpOr(c.Vocab, int(t.Shape[0]))
			c.Hidden = cmpOr(c.Hidden, int(t.Shape[1]))
		case s.Role == RoleUp && len(t.Shape) == 2:
			c.FFN = cmpOr(c.FFN, int(t.Shape[0]))
		}
	}
	c.Layers = cmpOr(c.Layers, len(layers))
}

func cmpOr(a, b int) int {
	if a != 0 {
		return a
	}
	return b
}

func declaredFromGGUF(md map[string]any, out map[string]string) {
	for k, v := range md {
		if strings.HasPrefix(k, "general.base_model.") || strings.HasPrefix(k, "general.source.") ||
			k == "general.name" || k == "general.basename" || k == "general.finetune" ||
			k == "general.organization" || strings.HasPrefix(k, "quantize.imatrix.") {
			out[k] = fmt.Sprint(v)
		}
	}
}

// Tokenizer is the identity-relevant part of a tokenizer: the token string
// of every id, the merge list in order and the special tokens.
type Tokenizer struct {
	Kind     string         `json:"kind"`
	Tokens   []string       `json:"-"`
	Merges   []string       `json:"-"`
	Specials map[string]int `json:"-"`
}

// tokenizerJSON is the subset of HF tokenizer.json that identity needs.
type tokenizerJSON struct {
	Model struct {
		Type   string          `json:"type"`
		Vocab  json.RawMessage `json:"vocab"`
		Merges json.RawMessage `json:"merges"`
	} `json:"model"`
	AddedTokens []struct {
		ID      int    `json:"id"`
		Content string `json:"content"`
		Special bool   `json:"special"`
	} `json:"added_tokens"`
}

// maxVocab bounds the vocabulary a tokenizer file may declare (real ones
// are ≤ ~260k), so a hostile id cannot force a huge allocation.
const maxVocab = 1 << 22

// ParseTokenizerJSON reads an HF tokenizer.json (BPE or WordPiece vocab
// maps, Unigram [token, score] lists; merges as "a b" strings or pairs).
func ParseTokenizerJSON(b []byte) (*Tokenizer, error) {
	var tj tokenizerJSON
	if err := json.Unmarshal(b, &tj); err != nil {
		return nil, err
	}
	t := &Tokenizer{Kind: tj.Model.Type, Specials: map[string]int{}}
	byID := map[int]string{}
	var vmap map[string]int
	var vlist [][]any
	switch {
	case len(tj.Model.Vocab) == 0:
	case json.Unmarshal(tj.Model.Vocab, &vmap) == nil:
		for s, id := range vmap {
			byID[id] = s
		}
	case json.Unmarshal(tj.Model.Vocab, &vlist) == nil:
		for id, e := range vlist {
			if len(e) > 0 {
				byID[id], _ = e[0].(string)
			}
		}
	default:
		return nil, errors.New("model.vocab is neither a map nor a list")
	}
	for _, a := range tj.AddedTokens {
		byID[a.ID] = a.Content
		if a.Special {
			t.Specials[a.Content] = a.ID
		}
	}
	if err := t.setTokens(byID); err != nil {
		return nil, err
	}
	merges, err := parseMerges(tj.Model.Merges)
	t.Merges = merges
	return t, err
}

func (t *Tokenizer) setTokens(byID map[int]string) error {
	n := 0
	for id := range byID {
		if id < 0 || id >= maxVocab {
			return fmt.Errorf("token id %d out of range", id)
		}
		n = max(n, id+1)
	}
	t.Tokens = make([]string, n)
	for id, s := range byID {
		t.Tokens[id] = s
	}
	return nil
}

func parseMerges(raw json.RawMessage) ([]string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var ss []string
	if json.Unmarshal(raw, &ss) == nil {
		return ss, nil
	}
	var pairs [][]string
	if err := json.Unmarshal(raw, &pairs); err != nil {
		return nil, fmt.Errorf("model.merges: %w", err)
	}
	out := make([]string, len(pairs))
	for i, p := range pairs {
		out[i] = strings.Join(p, " ")
	}
	return out, nil
}

func tokenizerFromGGUF(md map[string]any) *Tokenizer {
	toks, ok := md["tokenizer.ggml.tokens"].([]string)
	if !ok {
		return nil
	}
	t := &Tokenizer{Tokens: toks, Specials: map[string]int{}}
	t.Kind, _ = md["tokenizer.ggml.model"].(string)
	t.Merges, _ = md["tokenizer.ggml.merges"].([]string)
	if types, ok := md["tokenizer.ggml.token_type"].([]int64); ok {
		for id, ty := range types {
			if ty == 3 && id < len(toks) { // control
				t.Specials[toks[id]] = id
			}
		}
	}
	return t
}

// specialList renders specials sorted by id, for the evidence.
func specialList(s map[string]int) []string {
	out := make([]string, 0, len(s))
	for tok := range s {
		out = append(out, tok)
	}
	sort.Slice(out, func(i, j int) bool { return s[out[i]] < s[out[j]] })
	return out
}
