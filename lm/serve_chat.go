package lm

import (
	"fmt"
	"strings"
)

type chatRequest struct {
	Model    string `json:"model"`
	Messages []struct {
		Role    string `json:"role"`
		Content string `json:"content"`
	} `json:"messages"`
	MaxTokens           *int     `json:"max_tokens"`
	MaxCompletionTokens *int     `json:"max_completion_tokens"`
	Temperature         *float64 `json:"temperature"`
	N                   *int     `json:"n"`
	Seed                *int64   `json:"seed"`
	Logprobs            bool     `json:"logprobs"`
	TopLogprobs         *int     `json:"top_logprobs"`
	Stream              bool     `json:"stream"`
}

// chatPrompt is the model's chat template: an n-gram model has no roles,
// so the prompt is the message contents joined by newlines.
func chatPrompt(req *chatRequest) string {
	parts := make([]string, len(req.Messages))
	for i, m := range req.Messages {
		parts[i] = m.Content
	}
	return strings.Join(parts, "\n")
}

// modelName is implemented by the vLLM request bodies.
func (r *chatRequest) modelName() string { return r.Model }

// chat answers /v1/chat/completions with logprobs for generated tokens
// only, as every chat server does.
func (s *server) chat(req *chatRequest) (map[string]any, error) {
	if req.Stream {
		return nil, fmt.Errorf("leakhound lm serve does not stream; set stream to false")
	}
	if len(req.Messages) == 0 {
		return nil, fmt.Errorf("messages must not be empty")
	}
	maxTokens, n, temp := 256, 1, 1.0
	if req.MaxTokens != nil {
		maxTokens = *req.MaxTokens
	}
	if req.MaxCompletionTokens != nil {
		maxTokens = *req.MaxCompletionTokens
	}
	if req.N != nil {
		n = *req.N
	}
	if req.Temperature != nil {
		temp = *req.Temperature
	}
	if maxTokens < 1 || n < 1 || n > 256 {
		return nil, fmt.Errorf("max_tokens must be at least 1 and n within 1..256")
	}
	k := 0
	if req.TopLogprobs != nil {
		k = *req.TopLogprobs
		if err := s.checkLogprobs("sample", req.TopLogprobs); err != nil {
			return nil, err
		}
	}
	p := chatPrompt(req)
	full, _ := s.fullPrompt(&p, nil)
	if err := s.checkLen(len(full), maxTokens); err != nil {
		return nil, err
	}
	var choices []map[string]any
	gen := 0
	for j := 0; j < n; j++ {
		steps, finish := s.generate(full, maxTokens, temp, s.rng(req.Seed, j))
		gen += len(steps)
		c := map[string]any{"index": j, "finish_reason": finish, "logprobs": nil,
			"message": map[string]any{"role": "assistant", "content": s.stepsText(steps)}}
		if req.Logprobs {
			c["logprobs"] = map[string]any{"content": s.chatLogprobs(full, steps, k)}
		}
		choices = append(choices, c)
	}
	return map[string]any{
		"id": fmt.Sprintf("chatcmpl-%d", s.reqs.Add(1)), "object": "chat.completion", "created": 0,
		"model": s.opt.Name, "choices": choices,
		"usage": map[string]int{"prompt_tokens": len(full), "completion_tokens": gen, "total_tokens": len(full) + gen},
	}, nil
}

func (s *server) chatLogprobs(full []int, steps []Step, k int) []map[string]any {
	hist := append([]int(nil), full[1:]...)
	out := make([]map[string]any, 0, len(steps))
	for _, st := range steps {
		var tops []map[string]any
		if k > 0 {
			for _, a := range TopOf(s.m.Dist(hist), k) {
				tops = append(tops, map[string]any{"token": s.m.tok.Name(a.ID), "logprob": clampLP(a.LP), "bytes": bytesList(s.m.tok.Piece(a.ID))})
			}
		}
		out = append(out, map[string]any{"token": s.m.tok.Name(st.ID), "logprob": clampLP(st.LP),
			"bytes": bytesList(s.m.tok.Piece(st.ID)), "top_logprobs": tops})
		hist = append(hist, st.ID)
	}
	return out
}

// bytesList is the OpenAI "bytes" field: a list of byte values.
func bytesList(s string) []int {
	b := make([]int, len(s))
	for i := 0; i < len(s); i++ {
		b[i] = int(s[i])
	}
	return b
}
