package probe

import (
	"context"
	"fmt"
)

// CDDConfig configures CDD (Dong et al., ACL 2024, arXiv 2402.15938).
type CDDConfig struct {
	Samples     int     // n sampled outputs, default 20 (paper: 50)
	Temperature float64 // default 0.8
	MaxTokens   int     // tokens generated and compared, default 100
	Alpha       float64 // distance threshold α·l, default 0.05
	Xi          float64 // Peak > ξ flags an item, default 0.01
	Seed        int64
}

func (c *CDDConfig) defaults() {
	if c.Samples <= 0 {
		c.Samples = 20
	}
	if c.Temperature <= 0 {
		c.Temperature = 0.8
	}
	if c.MaxTokens <= 0 {
		c.MaxTokens = 100
	}
	if c.Alpha == 0 {
		c.Alpha = 0.05
	}
	if c.Xi == 0 {
		c.Xi = 0.01
	}
}

// Peak is CDD's peakedness: the fraction of samples whose token edit
// distance to the greedy output is at most α·l, with l the longest of
// the (truncated) outputs. Tokens are word pieces, truncated to maxTok.
func Peak(greedy string, samples []string, alpha float64, maxTok int) float64 {
	trunc := func(s string) []string {
		p := pieces(s)
		if len(p) > maxTok {
			p = p[:maxTok]
		}
		return p
	}
	g := trunc(greedy)
	l := len(g)
	toks := make([][]string, len(samples))
	for i, s := range samples {
		toks[i] = trunc(s)
		l = max(l, len(toks[i]))
	}
	if len(samples) == 0 {
		return nan()
	}
	n := 0
	for _, t := range toks {
		if float64(levenshtein(g, t)) <= alpha*float64(l) {
			n++
		}
	}
	return float64(n) / float64(len(samples))
}

// CDDItem samples the model on prompt and returns the item's Peak.
func CDDItem(ctx context.Context, b Backend, prompt string, c CDDConfig) (float64, error) {
	c.defaults()
	g, err := b.Generate(ctx, GenRequest{Prompt: prompt, MaxTokens: c.MaxTokens, Temperature: 0, N: 1, Seed: c.Seed})
	if err != nil {
		return nan(), err
	}
	s, err := b.Generate(ctx, GenRequest{Prompt: prompt, MaxTokens: c.MaxTokens, Temperature: c.Temperature, N: c.Samples, Seed: c.Seed})
	if err != nil {
		return nan(), err
	}
	if len(g) == 0 || len(s) < c.Samples {
		return nan(), fmt.Errorf("cdd: got %d greedy and %d sampled outputs", len(g), len(s))
	}
	texts := make([]string, len(s))
	for i := range s {
		texts[i] = s[i].Text
	}
	return Peak(g[0].Text, texts, c.Alpha, c.MaxTokens), nil
}
