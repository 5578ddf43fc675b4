package probe

import (
	"context"
	"fmt"
	"math"
	"strings"
)

// Caps is what a backend can do, found by Detect.
type Caps struct {
	Backend string `json:"backend"`
	Model   string `json:"model"`
	// PromptLogprobs: log-probs of tokens we supply (likelihood tests).
	PromptLogprobs bool `json:"prompt_logprobs"`
	// TopK is the number of alternatives per prompt position (-1: the
	// whole vocabulary; 0: none).
	TopK int `json:"top_k"`
	// Generate: the server generates text (greedy and sampled).
	Generate bool `json:"generate"`
	// TokenPrompts: the server continues from token-id prompts.
	TokenPrompts bool `json:"token_prompts"`
	// Notes say what the backend cannot support and why.
	Notes []string `json:"notes,omitempty"`
}

// Scored is one text scored by teacher forcing.
type Scored struct {
	// IDs are the prompt's token ids as the server tokenized it
	// (including BOS when the server adds one); nil when not reported.
	IDs []int
	// LP[i] is log p(token i+1 | tokens ≤ i): every token but the first.
	LP []float64
	// Mu and Sigma are Min-K%++'s per-position moments, aligned with LP;
	// nil when the backend gives no distributions.
	Mu, Sigma []float64
	// Exact is true when every position's distribution covered the whole
	// vocabulary (probability mass ≥ 1 − 1e-6); otherwise the moments
	// come from the renormalised top-k and are approximate.
	Exact bool
}

// GenRequest asks for continuations of a prompt.
type GenRequest struct {
	Prompt      string
	PromptIDs   []int // used instead of Prompt when set (TokenPrompts)
	MaxTokens   int
	Temperature float64 // 0: greedy
	N           int
	Seed        int64
}

// Generation is one continuation: its text and, when the server reports
// them, its token ids.
type Generation struct {
	Text string
	IDs  []int
}

// Backend is a served model.
type Backend interface {
	// Detect finds out what the server can do.
	Detect(ctx context.Context) (Caps, error)
	// Score teacher-forces texts (one batch) and returns one Scored each;
	// with dists it also asks for the next-token distributions (Min-K%++
	// moments), which costs more.
	Score(ctx context.Context, texts []string, dists bool) ([]Scored, error)
	// Generate returns req.N continuations.
	Generate(ctx context.Context, req GenRequest) ([]Generation, error)
}

// dist is the distribution a server reported at one position: token →
// log-prob, for the top alternatives (and the actual token).
type dist map[int]float64

// moments returns μ and σ of log p over d renormalised to sum to 1, and
// whether d already covered the whole distribution.
func (d dist) moments() (mu, sigma float64, full bool) {
	var z float64
	for _, lp := range d {
		z += math.Exp(lp)
	}
	if z <= 0 {
		return math.NaN(), math.NaN(), false
	}
	lz := math.Log(z)
	var m2 float64
	for _, lp := range d {
		l := lp - lz
		p := math.Exp(l)
		mu += p * l
		m2 += p * l * l
	}
	return mu, math.Sqrt(math.Max(m2-mu*mu, 0)), z >= 1-1e-6
}

// fillMoments sets sc.Mu, sc.Sigma and sc.Exact from per-position
// distributions aligned with sc.LP.
func (sc *Scored) fillMoments(ds []dist) {
	if len(ds) == 0 {
		return
	}
	sc.Exact = true
	sc.Mu = make([]float64, len(ds))
	sc.Sigma = make([]float64, len(ds))
	for i, d := range ds {
		mu, sg, full := d.moments()
		sc.Mu[i], sc.Sigma[i] = mu, sg
		sc.Exact = sc.Exact && full
	}
}

// clampedLP is the value vLLM clamps -inf log-probs to.
const clampedLP = -9999.0

// checkPrompt validates a prompt's log-probs as §5 of the reference
// asks: entry 0 null, every other entry present and above the clamp.
func checkPrompt(lps []*float64) ([]float64, error) {
	if len(lps) < 2 {
		return nil, fmt.Errorf("got %d prompt log-probs; need at least 2", len(lps))
	}
	if lps[0] != nil {
		return nil, fmt.Errorf("first prompt log-prob is %g, want null", *lps[0])
	}
	out := make([]float64, len(lps)-1)
	for i, p := range lps[1:] {
		if p == nil {
			return nil, fmt.Errorf("prompt log-prob %d is null: the server accepted the request but returned no prompt log-probs", i+1)
		}
		if *p <= clampedLP || math.IsNaN(*p) || *p > 1e-9 {
			return nil, fmt.Errorf("prompt log-prob %d is %g (clamped or invalid)", i+1, *p)
		}
		out[i] = *p
	}
	return out, nil
}

// note formats a capability note.
func note(format string, args ...any) string { return fmt.Sprintf(format, args...) }

// parseTokenID reads vLLM's "token_id:123" token names.
func parseTokenID(s string) (int, bool) {
	rest, ok := strings.CutPrefix(s, "token_id:")
	if !ok {
		return 0, false
	}
	n := 0
	if rest == "" {
		return 0, false
	}
	for _, c := range rest {
		if c < '0' || c > '9' || n > 1<<40 {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}
