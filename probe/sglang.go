package probe

import (
	"context"
	"encoding/json"
	"fmt"
)

// SGLang is SGLang's native /generate with return_logprob and
// logprob_start_len 0; top_logprobs_num alternatives per position give an
// approximate Min-K%++ (exact only if they cover the whole vocabulary).
type SGLang struct {
	c     *Client
	topK  int
	model string
	caps  Caps
}

// NewSGLang returns an SGLang backend asking for topK alternatives per
// prompt position (0: none).
func NewSGLang(c *Client, topK int) *SGLang { return &SGLang{c: c, topK: topK} }

// sglangEntry is [logprob, token_id, text].
type sglangEntry []json.RawMessage

func (e sglangEntry) parse() (lp *float64, id int, err error) {
	if len(e) < 2 {
		return nil, 0, fmt.Errorf("logprob entry has %d fields, want 3", len(e))
	}
	if string(e[0]) != "null" {
		var f float64
		if err := json.Unmarshal(e[0], &f); err != nil {
			return nil, 0, err
		}
		lp = &f
	}
	err = json.Unmarshal(e[1], &id)
	return lp, id, err
}

type sglangResult struct {
	Text     string `json:"text"`
	MetaInfo struct {
		InputTokenLogprobs  []sglangEntry   `json:"input_token_logprobs"`
		InputTopLogprobs    [][]sglangEntry `json:"input_top_logprobs"`
		OutputTokenLogprobs []sglangEntry   `json:"output_token_logprobs"`
		PromptTokens        int             `json:"prompt_tokens"`
	} `json:"meta_info"`
}

// Detect reads /get_model_info and tries a prompt log-prob request.
func (s *SGLang) Detect(ctx context.Context) (Caps, error) {
	caps := Caps{Backend: "sglang", Generate: true, TokenPrompts: true, TopK: s.topK}
	var info struct {
		ModelPath string `json:"model_path"`
	}
	if err := s.c.Get(ctx, "/get_model_info", &info); err != nil {
		return caps, fmt.Errorf("sglang: GET /get_model_info: %w", err)
	}
	s.model, caps.Model = info.ModelPath, info.ModelPath
	s.c.SetScope("sglang\n" + s.model)
	if _, err := s.Score(ctx, []string{"Hello world."}, true); err != nil {
		caps.TopK = 0
		caps.Notes = append(caps.Notes, note("sglang: no prompt log-probs (%v): the likelihood tests, Oren and Skywork cannot run", err))
	} else {
		caps.PromptLogprobs = true
		if s.topK > 0 {
			caps.Notes = append(caps.Notes, note("sglang: Min-K%%++ uses the renormalised top-%d alternatives (SGLang has no documented whole-vocabulary option); marked approximate unless they cover all the probability mass", s.topK))
		}
	}
	s.caps = caps
	return caps, nil
}

// Score sends texts as one batch.
func (s *SGLang) Score(ctx context.Context, texts []string, dists bool) ([]Scored, error) {
	k := s.topK
	if !dists {
		k = 0
	}
	req := map[string]any{"text": texts, "sampling_params": map[string]any{"max_new_tokens": 1, "temperature": 0},
		"return_logprob": true, "logprob_start_len": 0, "top_logprobs_num": k}
	var resp []sglangResult
	if err := s.c.Post(ctx, "/generate", req, &resp, true); err != nil {
		return nil, err
	}
	if len(resp) != len(texts) {
		return nil, fmt.Errorf("sglang: %d results for %d prompts", len(resp), len(texts))
	}
	out := make([]Scored, len(texts))
	for i, r := range resp {
		sc, err := sglangScored(&r, k)
		if err != nil {
			return nil, fmt.Errorf("sglang: prompt %d: %w", i, err)
		}
		out[i] = sc
	}
	return out, nil
}

func sglangScored(r *sglangResult, topK int) (Scored, error) {
	in := r.MetaInfo.InputTokenLogprobs
	if r.MetaInfo.PromptTokens > 0 && len(in) != r.MetaInfo.PromptTokens {
		return Scored{}, fmt.Errorf("%d input log-probs for %d prompt tokens (is logprob_start_len 0 honoured?)", len(in), r.MetaInfo.PromptTokens)
	}
	lps := make([]*float64, len(in))
	ids := make([]int, len(in))
	for j, e := range in {
		lp, id, err := e.parse()
		if err != nil {
			return Scored{}, err
		}
		lps[j], ids[j] = lp, id
	}
	lp, err := checkPrompt(lps)
	if err != nil {
		return Scored{}, err
	}
	sc := Scored{IDs: ids, LP: lp}
	if topK > 0 && len(r.MetaInfo.InputTopLogprobs) == len(in) {
		ds := make([]dist, 0, len(in)-1)
		for j, tops := range r.MetaInfo.InputTopLogprobs[1:] {
			d := dist{ids[j+1]: lp[j]}
			for _, e := range tops {
				l, id, err := e.parse()
				if err != nil || l == nil {
					return Scored{}, fmt.Errorf("bad top log-prob at %d", j+1)
				}
				d[id] = *l
			}
			ds = append(ds, d)
		}
		sc.fillMoments(ds)
	}
	return sc, nil
}

// Generate asks /generate for req.N continuations.
func (s *SGLang) Generate(ctx context.Context, req GenRequest) ([]Generation, error) {
	sp := map[string]any{"max_new_tokens": req.MaxTokens, "temperature": req.Temperature, "n": max(req.N, 1), "sampling_seed": req.Seed}
	body := map[string]any{"sampling_params": sp, "return_logprob": true}
	if req.PromptIDs != nil {
		body["input_ids"] = req.PromptIDs
	} else {
		body["text"] = req.Prompt
	}
	var raw json.RawMessage
	if err := s.c.Post(ctx, "/generate", body, &raw, true); err != nil {
		return nil, err
	}
	var list []sglangResult
	if len(raw) > 0 && raw[0] == '{' {
		var one sglangResult
		if err := json.Unmarshal(raw, &one); err != nil {
			return nil, err
		}
		list = []sglangResult{one}
	} else if err := json.Unmarshal(raw, &list); err != nil {
		return nil, err
	}
	out := make([]Generation, len(list))
	for i, r := range list {
		out[i].Text = r.Text
		for _, e := range r.MetaInfo.OutputTokenLogprobs {
			if _, id, err := e.parse(); err == nil {
				out[i].IDs = append(out[i].IDs, id)
			}
		}
	}
	return out, nil
}
