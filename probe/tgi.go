package probe

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// TGI is Hugging Face text-generation-inference's /generate with
// decoder_input_details: prompt log-probs (the prefill) but no prompt
// alternatives, so Min-K%++ cannot run; text prompts only.
type TGI struct {
	c     *Client
	model string
}

// NewTGI returns a TGI backend.
func NewTGI(c *Client) *TGI { return &TGI{c: c} }

type tgiResponse struct {
	GeneratedText string `json:"generated_text"`
	Details       *struct {
		Prefill []struct {
			ID      int      `json:"id"`
			Logprob *float64 `json:"logprob"`
		} `json:"prefill"`
		Tokens []struct {
			ID int `json:"id"`
		} `json:"tokens"`
	} `json:"details"`
}

// Detect reads /info and tries a prefill request.
func (t *TGI) Detect(ctx context.Context) (Caps, error) {
	caps := Caps{Backend: "tgi", Generate: true}
	var info struct {
		ModelID string `json:"model_id"`
	}
	if err := t.c.Get(ctx, "/info", &info); err != nil {
		return caps, fmt.Errorf("tgi: GET /info: %w", err)
	}
	t.model, caps.Model = info.ModelID, info.ModelID
	t.c.SetScope("tgi\n" + t.model)
	caps.Notes = append(caps.Notes,
		"tgi: prefill has no top alternatives (top_n_tokens covers generated tokens only): Min-K%++ cannot run",
		"tgi: prompts are text only (no token ids): BenBench n-gram accuracy cannot run")
	if _, err := t.Score(ctx, []string{"Hello world."}, false); err != nil {
		caps.Notes = append(caps.Notes, note("tgi: no prompt log-probs (%v); TGI >= 3.0 needs --enable-prefill-logprobs: the likelihood tests, Oren and Skywork cannot run", err))
	} else {
		caps.PromptLogprobs = true
	}
	return caps, nil
}

// Score sends one request per text, concurrently (TGI batches on the
// server side).
func (t *TGI) Score(ctx context.Context, texts []string, dists bool) ([]Scored, error) {
	out := make([]Scored, len(texts))
	errs := make([]error, len(texts))
	var wg sync.WaitGroup
	for i, text := range texts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i], errs[i] = t.scoreOne(ctx, text)
		}()
	}
	wg.Wait()
	return out, errors.Join(errs...)
}

func (t *TGI) scoreOne(ctx context.Context, text string) (Scored, error) {
	req := map[string]any{"inputs": text, "parameters": map[string]any{"max_new_tokens": 1, "details": true, "decoder_input_details": true}}
	var resp tgiResponse
	if err := t.c.Post(ctx, "/generate", req, &resp, true); err != nil {
		return Scored{}, err
	}
	if resp.Details == nil || len(resp.Details.Prefill) == 0 {
		return Scored{}, errors.New("tgi: empty prefill (TGI >= 3.0 disables prefill log-probs unless launched with --enable-prefill-logprobs)")
	}
	lps := make([]*float64, len(resp.Details.Prefill))
	ids := make([]int, len(lps))
	for i, p := range resp.Details.Prefill {
		lps[i], ids[i] = p.Logprob, p.ID
	}
	lp, err := checkPrompt(lps)
	if err != nil {
		return Scored{}, fmt.Errorf("tgi: %w", err)
	}
	return Scored{IDs: ids, LP: lp}, nil
}

// Generate sends req.N requests (seeds req.Seed, req.Seed+1, ...).
func (t *TGI) Generate(ctx context.Context, req GenRequest) ([]Generation, error) {
	if req.PromptIDs != nil {
		return nil, errors.New("tgi: token-id prompts are not supported")
	}
	n := max(req.N, 1)
	out := make([]Generation, n)
	for j := 0; j < n; j++ {
		p := map[string]any{"max_new_tokens": req.MaxTokens, "details": true, "seed": req.Seed + int64(j)}
		if req.Temperature > 0 {
			p["do_sample"], p["temperature"] = true, req.Temperature
		}
		var resp tgiResponse
		if err := t.c.Post(ctx, "/generate", map[string]any{"inputs": req.Prompt, "parameters": p}, &resp, true); err != nil {
			return nil, err
		}
		out[j].Text = resp.GeneratedText
		if resp.Details != nil {
			for _, tk := range resp.Details.Tokens {
				out[j].IDs = append(out[j].IDs, tk.ID)
			}
		}
	}
	return out, nil
}
