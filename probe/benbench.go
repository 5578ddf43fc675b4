package probe

import (
	"context"
	"fmt"
)

// BenBenchConfig configures n-gram accuracy (Xu et al. 2024, arXiv
// 2404.18824, calculate_n_gram_accuracy).
type BenBenchConfig struct {
	N      int // n-gram length, default 5
	Starts int // start positions per item, default 5
	MaxPos int // last position considered, default 4096 tokens
}

func (c *BenBenchConfig) defaults() {
	if c.N <= 0 {
		c.N = 5
	}
	if c.Starts <= 0 {
		c.Starts = 5
	}
	if c.MaxPos <= 0 {
		c.MaxPos = 4096
	}
}

// benbenchStarts is linspace(2, min(L, maxPos) − n, k) truncated to
// integers, or nil when the text is too short.
func benbenchStarts(l int, c BenBenchConfig) []int {
	hi := min(l, c.MaxPos) - c.N
	if hi < 2 {
		return nil
	}
	out := make([]int, c.Starts)
	for i := range out {
		if c.Starts == 1 {
			out[i] = 2
			continue
		}
		out[i] = 2 + int(float64(hi-2)*float64(i)/float64(c.Starts-1))
	}
	return out
}

// NGramAccuracy greedily continues the token prefix ids[:s] by n tokens
// at each start s and returns the fraction of starts whose n tokens equal
// ids[s:s+n] exactly (NaN when the text is too short).
func NGramAccuracy(ctx context.Context, b Backend, ids []int, c BenBenchConfig) (float64, error) {
	c.defaults()
	starts := benbenchStarts(len(ids), c)
	if starts == nil {
		return nan(), nil
	}
	hit := 0
	for _, s := range starts {
		gen, err := b.Generate(ctx, GenRequest{PromptIDs: ids[:s], MaxTokens: c.N, Temperature: 0, N: 1})
		if err != nil {
			return nan(), err
		}
		if len(gen) == 0 {
			return nan(), fmt.Errorf("benbench: no generation")
		}
		if equalIDs(gen[0].IDs, ids[s:s+c.N]) {
			hit++
		}
	}
	return float64(hit) / float64(len(starts)), nil
}

func equalIDs(a, b []int) bool {
	if len(a) < len(b) {
		return false
	}
	for i := range b {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
