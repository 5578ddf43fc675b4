package lm

import (
	"encoding/json"
	"fmt"
	"net/http"
)

func sglangError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]any{"error": map[string]any{"message": msg}})
}

func (s *server) sglangInfo(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"model_path": s.opt.Name, "tokenizer_path": s.opt.Name, "is_generation": true})
}

type sglangRequest struct {
	Text           json.RawMessage `json:"text"`
	InputIDs       json.RawMessage `json:"input_ids"`
	SamplingParams struct {
		MaxNewTokens *int     `json:"max_new_tokens"`
		Temperature  *float64 `json:"temperature"`
		N            *int     `json:"n"`
		Seed         *int64   `json:"sampling_seed"`
	} `json:"sampling_params"`
	ReturnLogprob        bool `json:"return_logprob"`
	LogprobStartLen      *int `json:"logprob_start_len"`
	TopLogprobsNum       int  `json:"top_logprobs_num"`
	ReturnTextInLogprobs bool `json:"return_text_in_logprobs"`
	Stream               bool `json:"stream"`
}

// sglangGenerate answers SGLang's native /generate: one object for a
// single prompt, a list for a batch (prompts × n, prompt-major).
func (s *server) sglangGenerate(w http.ResponseWriter, r *http.Request) {
	var req sglangRequest
	if err := decode(r, &req); err != nil {
		sglangError(w, http.StatusBadRequest, err.Error())
		return
	}
	out, batch, err := s.sglang(&req)
	if err != nil {
		sglangError(w, http.StatusBadRequest, err.Error())
		return
	}
	if !batch && len(out) == 1 {
		writeJSON(w, http.StatusOK, out[0])
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *server) sglangPrompts(req *sglangRequest) ([]vllmPrompt, bool, error) {
	if len(req.Text) > 0 && len(req.InputIDs) > 0 {
		return nil, false, fmt.Errorf("Either text or input_ids should be provided.")
	}
	raw := req.Text
	if len(raw) == 0 {
		raw = req.InputIDs
	}
	if len(raw) == 0 {
		return nil, false, fmt.Errorf("Either text or input_ids should be provided.")
	}
	ps, err := parsePrompts(raw)
	if err != nil {
		return nil, false, err
	}
	if len(req.Text) > 0 {
		return ps, raw[0] == '[', nil
	}
	return ps, jsonNested(raw), nil
}

// jsonNested reports whether raw starts with "[[" (a batch of id lists).
func jsonNested(raw json.RawMessage) bool {
	var x [][]int
	return json.Unmarshal(raw, &x) == nil
}

func (s *server) sglang(req *sglangRequest) ([]map[string]any, bool, error) {
	if req.Stream {
		return nil, false, fmt.Errorf("leakhound lm serve does not stream; set stream to false")
	}
	prompts, batch, err := s.sglangPrompts(req)
	if err != nil {
		return nil, false, err
	}
	sp := req.SamplingParams
	maxNew, n, temp := 128, 1, 1.0
	if sp.MaxNewTokens != nil {
		maxNew = *sp.MaxNewTokens
	}
	if sp.N != nil {
		n = *sp.N
	}
	if sp.Temperature != nil {
		temp = *sp.Temperature
	}
	if maxNew < 0 || n < 1 || n > 256 || req.TopLogprobsNum < 0 {
		return nil, false, fmt.Errorf("max_new_tokens must be >= 0, n within 1..256, top_logprobs_num >= 0")
	}
	var out []map[string]any
	for pi, p := range prompts {
		full, err := s.fullPrompt(p.text, p.ids)
		if err != nil {
			return nil, false, err
		}
		if err := s.checkLen(len(full), maxNew); err != nil {
			return nil, false, err
		}
		for j := 0; j < n; j++ {
			out = append(out, s.sglangOne(req, full, maxNew, temp, pi*n+j))
		}
	}
	return out, batch || n > 1, nil
}

func (s *server) sglangOne(req *sglangRequest, full []int, maxNew int, temp float64, index int) map[string]any {
	steps, finish := s.generate(full, maxNew, temp, s.rng(req.SamplingParams.Seed, index))
	fr := map[string]any{"type": "length", "length": len(steps)}
	if finish == "stop" {
		fr = map[string]any{"type": "stop", "matched": EOS}
	}
	meta := map[string]any{"id": fmt.Sprintf("%d-%d", s.reqs.Add(1), index), "finish_reason": fr,
		"prompt_tokens": len(full), "completion_tokens": len(steps), "cached_tokens": 0}
	if req.ReturnLogprob {
		s.sglangLogprobs(req, meta, full, steps)
	}
	return map[string]any{"text": s.stepsText(steps), "meta_info": meta}
}

// sglangLogprobs fills input_token_logprobs ([logprob, id, text] from
// logprob_start_len; the first prompt token's logprob is null),
// output_token_logprobs and, with top_logprobs_num, the top lists.
func (s *server) sglangLogprobs(req *sglangRequest, meta map[string]any, full []int, steps []Step) {
	start := len(full)
	if req.LogprobStartLen != nil && *req.LogprobStartLen >= 0 && *req.LogprobStartLen < len(full) {
		start = *req.LogprobStartLen
	}
	entry := func(lp any, id int) []any {
		var text any
		if req.ReturnTextInLogprobs {
			text = s.m.tok.Name(id)
		}
		return []any{lp, id, text}
	}
	tops := func(alts []Alt) []any {
		out := make([]any, len(alts))
		for i, a := range alts {
			out[i] = entry(clampLP(a.LP), a.ID)
		}
		return out
	}
	k := req.TopLogprobsNum
	info := s.promptInfo(full, k, false)
	in, inTop := []any{}, []any{}
	for i := start; i < len(full); i++ {
		if i == 0 {
			in, inTop = append(in, entry(nil, full[i])), append(inTop, nil)
			continue
		}
		in, inTop = append(in, entry(info[i].lp, full[i])), append(inTop, tops(info[i].top))
	}
	hist := append([]int(nil), full...)
	if len(hist) > 0 && hist[0] == BOS {
		hist = hist[1:]
	}
	outLP, outTop := []any{}, []any{}
	for _, st := range steps {
		outLP = append(outLP, entry(clampLP(st.LP), st.ID))
		var alts []Alt
		if k > 0 {
			alts = TopOf(s.m.Dist(hist), k)
		}
		outTop = append(outTop, tops(alts))
		hist = append(hist, st.ID)
	}
	meta["input_token_logprobs"], meta["output_token_logprobs"] = in, outLP
	if k > 0 {
		meta["input_top_logprobs"], meta["output_top_logprobs"] = inTop, outTop
	}
}
