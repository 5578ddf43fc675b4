package probe

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
)

// VLLM is vLLM's OpenAI-compatible /v1/completions: prompt log-probs by
// echo with logprobs, top-k (or, with --max-logprobs -1, the whole
// vocabulary) by prompt_logprobs, tokens as ids by
// return_tokens_as_token_ids.
type VLLM struct {
	c     *Client
	model string
	caps  Caps
}

// NewVLLM returns a vLLM backend; model may be empty (the first one
// /v1/models lists is used).
func NewVLLM(c *Client, model string) *VLLM { return &VLLM{c: c, model: model} }

type vllmModels struct {
	Data []struct {
		ID          string `json:"id"`
		MaxModelLen int    `json:"max_model_len"`
	} `json:"data"`
}

type vllmCompletion struct {
	Choices []struct {
		Index    int    `json:"index"`
		Text     string `json:"text"`
		Logprobs *struct {
			Tokens        []string   `json:"tokens"`
			TokenLogprobs []*float64 `json:"token_logprobs"`
		} `json:"logprobs"`
		PromptLogprobs []map[string]struct {
			Logprob float64 `json:"logprob"`
		} `json:"prompt_logprobs"`
	} `json:"choices"`
}

var maxAllowed = regexp.MustCompile(`greater than max allowed: (-?\d+)`)

// Detect reads /v1/models, then tries a prompt-logprobs request for the
// whole vocabulary and falls back to the server's --max-logprobs.
func (v *VLLM) Detect(ctx context.Context) (Caps, error) {
	caps := Caps{Backend: "vllm", Generate: true, TokenPrompts: true}
	var ms vllmModels
	if err := v.c.Get(ctx, "/v1/models", &ms); err != nil {
		return caps, fmt.Errorf("vllm: GET /v1/models: %w", err)
	}
	if v.model == "" {
		if len(ms.Data) == 0 {
			return caps, errors.New("vllm: /v1/models lists no model")
		}
		v.model = ms.Data[0].ID
	}
	caps.Model = v.model
	v.c.SetScope("vllm\n" + v.model)
	caps.TopK = -1
	_, err := v.score(ctx, []string{"Hello world."}, -1)
	var he *HTTPError
	if errors.As(err, &he) {
		if m := maxAllowed.FindStringSubmatch(he.Message); m != nil {
			caps.TopK, _ = strconv.Atoi(m[1])
			caps.Notes = append(caps.Notes, note("vllm: prompt_logprobs is capped at %d (server --max-logprobs); Min-K%%++ uses the renormalised top-%d and is approximate (start vLLM with --max-logprobs -1 for the exact score)", caps.TopK, caps.TopK))
			_, err = v.score(ctx, []string{"Hello world."}, caps.TopK)
		}
	}
	if err != nil {
		caps.TopK = 0
		caps.Notes = append(caps.Notes, note("vllm: no prompt log-probs (%v): the likelihood tests, Oren and Skywork cannot run", err))
	} else {
		caps.PromptLogprobs = true
	}
	v.caps = caps
	return caps, nil
}

// Score sends texts as one batched echo request.
func (v *VLLM) Score(ctx context.Context, texts []string, dists bool) ([]Scored, error) {
	if !dists {
		return v.score(ctx, texts, 0)
	}
	return v.score(ctx, texts, v.caps.TopK)
}

func (v *VLLM) score(ctx context.Context, texts []string, topK int) ([]Scored, error) {
	req := map[string]any{"model": v.model, "prompt": texts, "max_tokens": 0, "echo": true,
		"logprobs": 0, "temperature": 0, "return_tokens_as_token_ids": true}
	if topK != 0 {
		req["prompt_logprobs"] = topK
	}
	var resp vllmCompletion
	if err := v.c.Post(ctx, "/v1/completions", req, &resp, true); err != nil {
		return nil, err
	}
	if len(resp.Choices) != len(texts) {
		return nil, fmt.Errorf("vllm: %d choices for %d prompts", len(resp.Choices), len(texts))
	}
	sort.Slice(resp.Choices, func(i, j int) bool { return resp.Choices[i].Index < resp.Choices[j].Index })
	out := make([]Scored, len(texts))
	for i, ch := range resp.Choices {
		if ch.Logprobs == nil {
			return nil, errors.New("vllm: echo accepted but logprobs is null")
		}
		sc, err := vllmScored(ch.Logprobs.Tokens, ch.Logprobs.TokenLogprobs)
		if err != nil {
			return nil, fmt.Errorf("vllm: prompt %d: %w", i, err)
		}
		var ds []dist
		if topK != 0 && len(ch.PromptLogprobs) == len(sc.IDs) {
			for _, m := range ch.PromptLogprobs[1:] {
				d := dist{}
				for k, e := range m {
					id, err := strconv.Atoi(k)
					if err != nil {
						return nil, fmt.Errorf("vllm: prompt_logprobs key %q", k)
					}
					d[id] = e.Logprob
				}
				ds = append(ds, d)
			}
		}
		sc.fillMoments(ds)
		out[i] = sc
	}
	return out, nil
}

// vllmScored parses echoed tokens ("token_id:N") and their log-probs.
func vllmScored(tokens []string, lps []*float64) (Scored, error) {
	if len(tokens) != len(lps) {
		return Scored{}, fmt.Errorf("%d tokens but %d log-probs", len(tokens), len(lps))
	}
	ids := make([]int, len(tokens))
	for i, t := range tokens {
		id, ok := parseTokenID(t)
		if !ok {
			return Scored{}, fmt.Errorf("token %q is not token_id:N (server ignores return_tokens_as_token_ids)", t)
		}
		ids[i] = id
	}
	lp, err := checkPrompt(lps)
	if err != nil {
		return Scored{}, err
	}
	return Scored{IDs: ids, LP: lp}, nil
}

// Generate asks /v1/completions for req.N continuations.
func (v *VLLM) Generate(ctx context.Context, req GenRequest) ([]Generation, error) {
	body := map[string]any{"model": v.model, "max_tokens": req.MaxTokens, "temperature": req.Temperature,
		"n": max(req.N, 1), "seed": req.Seed, "logprobs": 0, "return_tokens_as_token_ids": true}
	body["prompt"] = req.Prompt
	if req.PromptIDs != nil {
		body["prompt"] = req.PromptIDs
	}
	var resp vllmCompletion
	if err := v.c.Post(ctx, "/v1/completions", body, &resp, true); err != nil {
		return nil, err
	}
	sort.Slice(resp.Choices, func(i, j int) bool { return resp.Choices[i].Index < resp.Choices[j].Index })
	out := make([]Generation, len(resp.Choices))
	for i, ch := range resp.Choices {
		out[i].Text = ch.Text
		if ch.Logprobs != nil {
			for _, t := range ch.Logprobs.Tokens {
				if id, ok := parseTokenID(t); ok {
					out[i].IDs = append(out[i].IDs, id)
				}
			}
		}
	}
	return out, nil
}
