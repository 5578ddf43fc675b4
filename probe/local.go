package probe

import (
	"context"
	"math/rand/v2"

	"github.com/leakhound/leakhound/lm"
)

// Local runs an lm.Model in process: exact whole-vocabulary
// distributions, token-id prompts and generation, no HTTP. Prompts start
// with BOS, as the model's servers do.
type Local struct {
	m    *lm.Model
	name string
}

// NewLocal wraps m as a Backend named name.
func NewLocal(m *lm.Model, name string) *Local { return &Local{m: m, name: name} }

// Detect reports full capabilities.
func (l *Local) Detect(ctx context.Context) (Caps, error) {
	return Caps{Backend: "local", Model: l.name, PromptLogprobs: true, TopK: -1, Generate: true, TokenPrompts: true}, nil
}

// Score teacher-forces texts with exact Min-K%++ moments.
func (l *Local) Score(ctx context.Context, texts []string, dists bool) ([]Scored, error) {
	out := make([]Scored, len(texts))
	for i, t := range texts {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		ids := l.m.Tokenizer().Encode(t)
		s := l.m.Score(ids, dists, 0)
		sc := Scored{IDs: append([]int{lm.BOS}, ids...), LP: s.LP}
		if dists {
			sc.Exact, sc.Mu, sc.Sigma = true, make([]float64, len(ids)), make([]float64, len(ids))
		}
		for j, mo := range s.Moments {
			sc.Mu[j], sc.Sigma[j] = mo.Mu, mo.Sigma
		}
		out[i] = sc
	}
	return out, nil
}

// Generate continues the prompt; sampling is seeded by req.Seed and the
// sample index.
func (l *Local) Generate(ctx context.Context, req GenRequest) ([]Generation, error) {
	ids := req.PromptIDs
	if ids == nil {
		ids = l.m.Tokenizer().Encode(req.Prompt)
	} else if len(ids) > 0 && ids[0] == lm.BOS {
		ids = ids[1:]
	}
	n := max(req.N, 1)
	out := make([]Generation, n)
	for j := 0; j < n; j++ {
		rng := rand.New(rand.NewPCG(uint64(req.Seed), uint64(j)))
		steps := l.m.Generate(ids, req.MaxTokens, req.Temperature, rng)
		for _, s := range steps {
			if s.ID == lm.EOS {
				break
			}
			out[j].IDs = append(out[j].IDs, s.ID)
		}
		out[j].Text = l.m.Tokenizer().Decode(out[j].IDs)
	}
	return out, nil
}
