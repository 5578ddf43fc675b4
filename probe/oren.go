package probe

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
)

// OrenConfig configures the sharded likelihood comparison test of Oren
// et al. (ICLR 2024, arXiv 2310.17623).
type OrenConfig struct {
	Shards      int    // r, default 50 (fewer when the benchmark is small)
	Perms       int    // permutations per shard P, default 50 (reference 250)
	MaxExamples int    // first examples used, default 5000
	Sep         string // appended to every example, default "\n"
	Seed        uint64 // seeds the shuffles
	// PopulationStd uses the reference code's population standard
	// deviation (ddof 0, slightly anti-conservative) instead of the
	// sample standard deviation (ddof 1, the default).
	PopulationStd bool
}

func (c *OrenConfig) defaults() {
	if c.Shards <= 0 {
		c.Shards = 50
	}
	if c.Perms <= 0 {
		c.Perms = 50
	}
	if c.MaxExamples <= 0 {
		c.MaxExamples = 5000
	}
	if c.Sep == "" {
		c.Sep = "\n"
	}
}

// OrenResult is the outcome of the sharded test.
type OrenResult struct {
	Examples int     `json:"examples"`
	Shards   int     `json:"shards"`
	Perms    int     `json:"perms"`
	DDOF     int     `json:"ddof"`
	MeanDiff float64 `json:"mean_diff"` // mean over shards of c_i − mean_j s_ij (nats)
	Z        float64 `json:"z"`
	P        float64 `json:"p"`
	// Canonical[i] = c_i; Shuffled[i][j] = s_ij.
	Canonical []float64   `json:"canonical_logprobs"`
	Shuffled  [][]float64 `json:"shuffled_logprobs"`
}

// OrenStatistic computes d_i = c_i − mean_j s_ij, z = mean(d)/std(d)·√r
// and the one-sided p = 1 − F_{t,r−1}(z) (computed as the upper tail).
func OrenStatistic(canon []float64, shuffled [][]float64, ddof int) (z, p, meanDiff float64) {
	r := len(canon)
	d := make([]float64, r)
	for i := range canon {
		d[i] = canon[i] - mean(shuffled[i])
	}
	m, sd := meanStd(d, ddof)
	if sd == 0 {
		switch {
		case m > 0:
			return math.Inf(1), 0, m
		case m < 0:
			return math.Inf(-1), 1, m
		}
		return 0, 0.5, m
	}
	z = m / sd * math.Sqrt(float64(r))
	return z, StudentTSF(z, float64(r-1)), m
}

// shardBounds splits n examples into r contiguous shards whose sizes
// differ by at most one, the first n mod r shards one longer.
func shardBounds(n, r int) [][2]int {
	out := make([][2]int, r)
	lo := 0
	for i := 0; i < r; i++ {
		sz := n / r
		if i < n%r {
			sz++
		}
		out[i] = [2]int{lo, lo + sz}
		lo += sz
	}
	return out
}

// sumLogProb scores texts and returns each text's total log-prob.
type sumLogProb func(ctx context.Context, texts []string) ([]float64, error)

// orenShardTexts builds, for every shard, the canonical concatenation
// followed by Perms shuffled ones.
func orenShardTexts(examples []string, cfg OrenConfig, r int) [][]string {
	out := make([][]string, r)
	for i, b := range shardBounds(len(examples), r) {
		shard := examples[b[0]:b[1]]
		rng := rand.New(rand.NewPCG(cfg.Seed, uint64(i)))
		texts := []string{strings.Join(shard, "")}
		perm := append([]string(nil), shard...)
		for j := 0; j < cfg.Perms; j++ {
			rng.Shuffle(len(perm), func(a, b int) { perm[a], perm[b] = perm[b], perm[a] })
			texts = append(texts, strings.Join(perm, ""))
		}
		out[i] = texts
	}
	return out
}

// Oren runs the sharded likelihood comparison test on texts in their
// canonical (file) order.
func Oren(ctx context.Context, score sumLogProb, texts []string, cfg OrenConfig) (OrenResult, error) {
	cfg.defaults()
	if len(texts) > cfg.MaxExamples {
		texts = texts[:cfg.MaxExamples]
	}
	examples := make([]string, len(texts))
	for i, t := range texts {
		examples[i] = t + cfg.Sep
	}
	r := min(cfg.Shards, len(examples)/2)
	if r < 2 {
		return OrenResult{}, fmt.Errorf("oren: %d examples; need at least 4 (2 shards of 2)", len(examples))
	}
	res := OrenResult{Examples: len(examples), Shards: r, Perms: cfg.Perms, DDOF: 1}
	if cfg.PopulationStd {
		res.DDOF = 0
	}
	for _, texts := range orenShardTexts(examples, cfg, r) {
		lps, err := score(ctx, texts)
		if err != nil {
			return res, err
		}
		if len(lps) != len(texts) {
			return res, errors.New("oren: scorer returned the wrong number of scores")
		}
		res.Canonical = append(res.Canonical, lps[0])
		res.Shuffled = append(res.Shuffled, lps[1:])
	}
	res.Z, res.P, res.MeanDiff = OrenStatistic(res.Canonical, res.Shuffled, res.DDOF)
	return res, nil
}
