package lm

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
)

// vllmError writes vLLM's error object.
func vllmError(w http.ResponseWriter, code int, msg string) {
	typ := "BadRequestError"
	if code == http.StatusNotFound {
		typ = "NotFoundError"
	}
	writeJSON(w, code, map[string]any{"object": "error", "message": msg, "type": typ, "param": nil, "code": code})
}

func (s *server) vllmModels(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"object": "list", "data": []map[string]any{{
		"id": s.opt.Name, "object": "model", "created": 0, "owned_by": "leakhound",
		"root": s.opt.Name, "parent": nil, "max_model_len": s.opt.MaxModelLen,
	}}})
}

// vllmPrompt is one prompt of a completions request: text or token ids.
type vllmPrompt struct {
	text *string
	ids  []int
}

// parsePrompts accepts a string, a list of strings, a list of token ids or
// a list of lists of token ids.
func parsePrompts(raw json.RawMessage) ([]vllmPrompt, error) {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []vllmPrompt{{text: &one}}, nil
	}
	var texts []string
	if json.Unmarshal(raw, &texts) == nil && len(texts) > 0 {
		out := make([]vllmPrompt, len(texts))
		for i := range texts {
			out[i] = vllmPrompt{text: &texts[i]}
		}
		return out, nil
	}
	var ids []int
	if json.Unmarshal(raw, &ids) == nil && len(ids) > 0 {
		return []vllmPrompt{{ids: ids}}, nil
	}
	var batch [][]int
	if json.Unmarshal(raw, &batch) == nil && len(batch) > 0 {
		out := make([]vllmPrompt, len(batch))
		for i := range batch {
			if len(batch[i]) == 0 {
				return nil, fmt.Errorf("prompt %d is empty", i)
			}
			out[i] = vllmPrompt{ids: batch[i]}
		}
		return out, nil
	}
	return nil, fmt.Errorf("prompt must be a string, a list of strings, or token ids")
}

type vllmCompletionRequest struct {
	Model                  string          `json:"model"`
	Prompt                 json.RawMessage `json:"prompt"`
	MaxTokens              *int            `json:"max_tokens"`
	Temperature            *float64        `json:"temperature"`
	N                      *int            `json:"n"`
	Seed                   *int64          `json:"seed"`
	Echo                   bool            `json:"echo"`
	Logprobs               *int            `json:"logprobs"`
	PromptLogprobs         *int            `json:"prompt_logprobs"`
	ReturnTokensAsTokenIDs bool            `json:"return_tokens_as_token_ids"`
	Stream                 bool            `json:"stream"`
}

// checkModel answers vLLM's error for a wrong model name.
func (s *server) checkModel(name string) error {
	if name != "" && name != s.opt.Name {
		return fmt.Errorf("The model `%s` does not exist.", name)
	}
	return nil
}

// checkLogprobs enforces --max-logprobs with vLLM's messages.
func (s *server) checkLogprobs(kind string, n *int) error {
	if n == nil {
		return nil
	}
	v := *n
	if v < -1 {
		return fmt.Errorf("%s must be a non-negative value or -1", kind)
	}
	if v == -1 {
		v = s.m.VocabSize()
	}
	max := s.opt.MaxLogprobs
	if max == -1 {
		max = s.m.VocabSize()
	}
	if v > max {
		return fmt.Errorf("Requested %s logprobs of %d, which is greater than max allowed: %d", kind, *n, s.opt.MaxLogprobs)
	}
	return nil
}

func (r *vllmCompletionRequest) modelName() string { return r.Model }

// vllmHandler decodes a vLLM request, checks the model name, runs do and
// answers with its result or vLLM's error object.
func vllmHandler[T any, P interface {
	*T
	modelName() string
}](s *server, do func(P) (map[string]any, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		req := P(new(T))
		if err := decode(r, req); err != nil {
			vllmError(w, http.StatusBadRequest, err.Error())
			return
		}
		if err := s.checkModel(req.modelName()); err != nil {
			vllmError(w, http.StatusNotFound, err.Error())
			return
		}
		resp, err := do(req)
		if err != nil {
			vllmError(w, http.StatusBadRequest, err.Error())
			return
		}
		writeJSON(w, http.StatusOK, resp)
	}
}

func (s *server) completions(req *vllmCompletionRequest) (map[string]any, error) {
	if req.Stream {
		return nil, fmt.Errorf("leakhound lm serve does not stream; set stream to false")
	}
	prompts, err := parsePrompts(req.Prompt)
	if err != nil {
		return nil, err
	}
	maxTokens, n, temp := 16, 1, 1.0
	if req.MaxTokens != nil {
		maxTokens = *req.MaxTokens
	}
	if req.N != nil {
		n = *req.N
	}
	if req.Temperature != nil {
		temp = *req.Temperature
	}
	if maxTokens < 0 || maxTokens == 0 && !req.Echo || n < 1 || n > 256 {
		return nil, fmt.Errorf("max_tokens must be at least 1 (0 only with echo), n within 1..256")
	}
	if err := s.checkLogprobs("sample", req.Logprobs); err != nil {
		return nil, err
	}
	if err := s.checkLogprobs("prompt", req.PromptLogprobs); err != nil {
		return nil, err
	}
	var choices []map[string]any
	usage := map[string]int{"prompt_tokens": 0, "completion_tokens": 0}
	for pi, p := range prompts {
		full, err := s.fullPrompt(p.text, p.ids)
		if err != nil {
			return nil, err
		}
		if err := s.checkLen(len(full), maxTokens); err != nil {
			return nil, err
		}
		usage["prompt_tokens"] += len(full)
		for j := 0; j < n; j++ {
			c, gen := s.completionChoice(req, full, maxTokens, temp, pi*n+j)
			usage["completion_tokens"] += gen
			choices = append(choices, c)
		}
	}
	usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
	return map[string]any{
		"id": fmt.Sprintf("cmpl-%d", s.reqs.Add(1)), "object": "text_completion", "created": 0,
		"model": s.opt.Name, "choices": choices, "usage": usage,
	}, nil
}

// completionChoice builds one choice and returns it with the number of
// generated tokens.
func (s *server) completionChoice(req *vllmCompletionRequest, full []int, maxTokens int, temp float64, index int) (map[string]any, int) {
	steps, finish := s.generate(full, maxTokens, temp, s.rng(req.Seed, index))
	text := s.stepsText(steps)
	var info []posInfo
	need := req.PromptLogprobs != nil || req.Echo && req.Logprobs != nil
	if need {
		k := 0
		if req.Logprobs != nil {
			k = *req.Logprobs
		}
		if req.PromptLogprobs != nil {
			k = *req.PromptLogprobs
		}
		info = s.promptInfo(full, k, req.PromptLogprobs != nil)
	}
	c := map[string]any{"index": index, "finish_reason": finish, "stop_reason": nil, "logprobs": nil, "prompt_logprobs": nil}
	if req.Echo {
		text = s.m.tok.Decode(full) + text
	}
	c["text"] = text
	if req.Logprobs != nil {
		c["logprobs"] = s.completionLogprobs(req, full, info, steps, *req.Logprobs)
	}
	if req.PromptLogprobs != nil {
		c["prompt_logprobs"] = s.promptLogprobs(full, info)
	}
	return c, len(steps)
}

// tokenName is a token as vLLM prints it in logprobs.
func (s *server) tokenName(id int, asIDs bool) string {
	if asIDs {
		return "token_id:" + strconv.Itoa(id)
	}
	return s.m.tok.Name(id)
}

// completionLogprobs is the OpenAI-style logprobs object: tokens,
// token_logprobs, top_logprobs and text_offset, prompt first when echo.
func (s *server) completionLogprobs(req *vllmCompletionRequest, full []int, info []posInfo, steps []Step, k int) map[string]any {
	var toks []string
	var lps []any
	var tops []any
	var offs []int
	off := 0
	add := func(id int, lp any, top any) {
		toks = append(toks, s.tokenName(id, req.ReturnTokensAsTokenIDs))
		lps = append(lps, lp)
		tops = append(tops, top)
		offs = append(offs, off)
		off += len(s.m.tok.Piece(id))
	}
	if req.Echo {
		for i, id := range full {
			if i == 0 {
				add(id, nil, nil)
				continue
			}
			add(id, info[i].lp, s.topMap(id, info[i].lp, info[i].top, k, req.ReturnTokensAsTokenIDs))
		}
	}
	if len(steps) > 0 {
		ids := full
		if len(ids) > 0 && ids[0] == BOS {
			ids = ids[1:]
		}
		var sc []Alt
		for i, st := range steps {
			if k > 0 {
				sc = TopOf(s.m.Dist(append(append([]int(nil), ids...), stepIDs(steps[:i])...)), k)
			}
			add(st.ID, clampLP(st.LP), s.topMap(st.ID, clampLP(st.LP), sc, k, req.ReturnTokensAsTokenIDs))
		}
	}
	return map[string]any{"tokens": toks, "token_logprobs": lps, "top_logprobs": tops, "text_offset": offs}
}

// topMap is one top_logprobs entry: the k best tokens plus the actual one.
func (s *server) topMap(id int, lp float64, top []Alt, k int, asIDs bool) map[string]float64 {
	m := map[string]float64{s.tokenName(id, asIDs): lp}
	for i, a := range top {
		if i >= k && k >= 0 {
			break
		}
		m[s.tokenName(a.ID, asIDs)] = clampLP(a.LP)
	}
	return m
}

// promptLogprobs is vLLM's prompt_logprobs: null, then per token a map
// from token id to {logprob, rank, decoded_token} with the actual token
// and the top alternatives.
func (s *server) promptLogprobs(full []int, info []posInfo) []any {
	out := make([]any, len(full))
	for i, id := range full {
		if i == 0 {
			continue
		}
		m := map[string]any{}
		for r, a := range info[i].top {
			m[strconv.Itoa(a.ID)] = map[string]any{"logprob": clampLP(a.LP), "rank": r + 1, "decoded_token": s.m.tok.Name(a.ID)}
		}
		m[strconv.Itoa(id)] = map[string]any{"logprob": info[i].lp, "rank": info[i].rank, "decoded_token": s.m.tok.Name(id)}
		out[i] = m
	}
	return out
}

func (s *server) vllmTokenize(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Model            string `json:"model"`
		Prompt           string `json:"prompt"`
		AddSpecialTokens *bool  `json:"add_special_tokens"`
	}
	if err := decode(r, &req); err != nil {
		vllmError(w, http.StatusBadRequest, err.Error())
		return
	}
	ids := s.m.tok.Encode(req.Prompt)
	if req.AddSpecialTokens == nil || *req.AddSpecialTokens {
		ids = withBOS(ids)
	}
	writeJSON(w, http.StatusOK, map[string]any{"count": len(ids), "max_model_len": s.opt.MaxModelLen, "tokens": ids})
}
