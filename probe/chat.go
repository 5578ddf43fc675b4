package probe

import (
	"context"
	"errors"
	"fmt"
)

// Chat is any OpenAI-compatible chat server (llama-server, Ollama,
// OpenAI, vLLM's chat endpoint): generation only. None of them returns
// log-probs of prompt tokens, so only the generation tests (CDD,
// TS-Guessing) can run.
type Chat struct {
	c     *Client
	model string
}

// NewChat returns a chat backend for model (empty: the first model that
// /v1/models lists, or "default").
func NewChat(c *Client, model string) *Chat { return &Chat{c: c, model: model} }

// Detect lists models and checks whether the server's completions
// endpoint would echo prompt log-probs, to say why it cannot.
func (ch *Chat) Detect(ctx context.Context) (Caps, error) {
	caps := Caps{Backend: "openai-chat", Generate: true}
	var ms vllmModels
	if err := ch.c.Get(ctx, "/v1/models", &ms); err == nil && ch.model == "" && len(ms.Data) > 0 {
		ch.model = ms.Data[0].ID
	}
	if ch.model == "" {
		ch.model = "default"
	}
	caps.Model = ch.model
	ch.c.SetScope("chat\n" + ch.model)
	why := "chat completions return log-probs of generated tokens only"
	var resp vllmCompletion
	err := ch.c.Post(ctx, "/v1/completions", map[string]any{"model": ch.model, "prompt": "Hello", "max_tokens": 1, "echo": true, "logprobs": 1}, &resp, false)
	var he *HTTPError
	switch {
	case errors.As(err, &he):
		why = fmt.Sprintf("the server refuses echo with logprobs on /v1/completions (%q)", he.Message)
	case err == nil && len(resp.Choices) > 0 && resp.Choices[0].Logprobs != nil && len(resp.Choices[0].Logprobs.TokenLogprobs) > 1:
		why = "this server echoes prompt log-probs on /v1/completions: use --backend vllm for the likelihood tests"
	}
	caps.Notes = append(caps.Notes,
		"openai-chat: no prompt log-probs ("+why+"): loss, zlib, lowercase, reference, Min-K%, Min-K%++, Oren and Skywork cannot run",
		"openai-chat: no raw token-prefix continuation: BenBench n-gram accuracy cannot run")
	return caps, nil
}

// Score is not available on chat servers.
func (ch *Chat) Score(ctx context.Context, texts []string, dists bool) ([]Scored, error) {
	return nil, errors.New("openai-chat: prompt log-probs are not available")
}

type chatResponse struct {
	Choices []struct {
		Message struct {
			Content string `json:"content"`
		} `json:"message"`
	} `json:"choices"`
}

// Generate sends the prompt as one user message.
func (ch *Chat) Generate(ctx context.Context, req GenRequest) ([]Generation, error) {
	if req.PromptIDs != nil {
		return nil, errors.New("openai-chat: token-id prompts are not supported")
	}
	body := map[string]any{"model": ch.model, "messages": []map[string]string{{"role": "user", "content": req.Prompt}},
		"max_tokens": req.MaxTokens, "temperature": req.Temperature, "n": max(req.N, 1), "seed": req.Seed}
	// llama-server and Ollama ignore n: ask again with the next seed.
	want := max(req.N, 1)
	var out []Generation
	for len(out) < want {
		body["n"], body["seed"] = want-len(out), req.Seed+int64(len(out))
		var resp chatResponse
		if err := ch.c.Post(ctx, "/v1/chat/completions", body, &resp, true); err != nil {
			return nil, err
		}
		if len(resp.Choices) == 0 {
			return nil, errors.New("openai-chat: answer has no choices")
		}
		for _, c := range resp.Choices {
			out = append(out, Generation{Text: c.Message.Content})
		}
	}
	return out[:want], nil
}
