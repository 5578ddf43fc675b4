package lm

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync/atomic"
)

// ServeOptions configures Handler.
type ServeOptions struct {
	// Name is the model name reported by /v1/models and friends.
	Name string
	// APIs lists the protocols to serve: "vllm", "sglang", "tgi". SGLang
	// and TGI both use POST /generate, so they cannot be served together.
	APIs []string
	// MaxLogprobs bounds logprobs and prompt_logprobs as vLLM's
	// --max-logprobs does (default 20); -1 allows the whole vocabulary.
	MaxLogprobs int
	// MaxModelLen bounds prompt plus generated tokens (default 65536).
	MaxModelLen int
	// MaxTopNTokens bounds TGI's top_n_tokens (default 5).
	MaxTopNTokens int
	// NoPrefillLogprobs makes TGI return an empty prefill, as TGI >= 3.0
	// does unless launched with --enable-prefill-logprobs.
	NoPrefillLogprobs bool
}

// server answers the HTTP APIs of one model.
type server struct {
	m    *Model
	opt  ServeOptions
	reqs atomic.Int64
}

// maxBodyBytes bounds a request body.
const maxBodyBytes = 64 << 20

// Handler serves m over the HTTP APIs named in opt: vLLM's
// OpenAI-compatible /v1/models, /v1/completions, /v1/chat/completions and
// /tokenize; SGLang's /generate and /get_model_info; TGI's /generate and
// /info; and /health for all.
func Handler(m *Model, opt ServeOptions) (http.Handler, error) {
	if opt.Name == "" {
		opt.Name = "leakhound-lm"
	}
	if opt.MaxLogprobs == 0 {
		opt.MaxLogprobs = 20
	}
	if opt.MaxModelLen <= 0 {
		opt.MaxModelLen = 65536
	}
	if opt.MaxTopNTokens <= 0 {
		opt.MaxTopNTokens = 5
	}
	if len(opt.APIs) == 0 {
		opt.APIs = []string{"vllm", "sglang"}
	}
	s := &server{m: m, opt: opt}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	have := map[string]bool{}
	for _, api := range opt.APIs {
		if have["sglang"] && api == "tgi" || have["tgi"] && api == "sglang" {
			return nil, errors.New("lm: sglang and tgi both use POST /generate; serve one of them")
		}
		if have[api] {
			continue
		}
		switch api {
		case "vllm":
			mux.HandleFunc("GET /v1/models", s.vllmModels)
			mux.HandleFunc("POST /v1/completions", vllmHandler(s, s.completions))
			mux.HandleFunc("POST /v1/chat/completions", vllmHandler(s, s.chat))
			mux.HandleFunc("POST /tokenize", s.vllmTokenize)
		case "sglang":
			mux.HandleFunc("GET /get_model_info", s.sglangInfo)
			mux.HandleFunc("POST /generate", s.sglangGenerate)
		case "tgi":
			mux.HandleFunc("GET /info", s.tgiInfo)
			mux.HandleFunc("POST /generate", s.tgiGenerate)
		default:
			return nil, fmt.Errorf("lm: unknown API %q (want vllm, sglang or tgi)", api)
		}
		have[api] = true
	}
	return mux, nil
}

// decode reads a JSON body into v, rejecting unknown trailing data.
func decode(r *http.Request, v any) error {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBodyBytes+1))
	if err != nil {
		return err
	}
	if len(body) > maxBodyBytes {
		return fmt.Errorf("request body larger than %d bytes", maxBodyBytes)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("invalid JSON body: %v", err)
	}
	return nil
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// fullPrompt returns the prompt's token ids as the model sees them: BOS
// followed by the encoded text, or the given ids unchanged.
func (s *server) fullPrompt(text *string, ids []int) ([]int, error) {
	if text != nil {
		return withBOS(s.m.tok.Encode(*text)), nil
	}
	for _, id := range ids {
		if id < 0 || id >= s.m.VocabSize() {
			return nil, fmt.Errorf("token id %d is out of vocabulary (size %d)", id, s.m.VocabSize())
		}
	}
	return ids, nil
}

// posInfo is what the server reports for one prompt position.
type posInfo struct {
	lp   float64 // log p of the actual token
	rank int     // 1-based rank of the actual token
	top  []Alt
}

// promptInfo teacher-forces prompt (which may start with BOS) and returns
// one entry per prompt token; entry 0 is empty (no log-prob for the first
// token). topK < 0 lists the whole vocabulary; ranks are computed only
// when withRank.
func (s *server) promptInfo(prompt []int, topK int, withRank bool) []posInfo {
	ids := prompt
	if len(ids) > 0 && ids[0] == BOS {
		ids = ids[1:]
	}
	off := len(prompt) - len(ids)
	out := make([]posInfo, len(prompt))
	s.m.PromptStats(ids, topK, withRank, func(i int, lp float64, rank int, top []Alt) {
		if i+off > 0 {
			out[i+off] = posInfo{lp: clampLP(lp), rank: rank, top: top}
		}
	})
	return out
}

// clampLP clamps -Inf as vLLM does (max(lp, -9999.0)).
func clampLP(lp float64) float64 { return math.Max(lp, -9999) }

// rng returns the sampling source for one request: seeded when the
// client gives a seed, otherwise from a per-server counter.
func (s *server) rng(seed *int64, stream int) *rand.Rand {
	if seed != nil {
		return rand.New(rand.NewPCG(uint64(*seed), uint64(stream)))
	}
	return rand.New(rand.NewPCG(uint64(s.reqs.Add(1)), uint64(stream)))
}

// generate runs the model after prompt and reports why it stopped:
// "stop" at EOS (which is dropped) or "length".
func (s *server) generate(prompt []int, n int, temperature float64, rng *rand.Rand) ([]Step, string) {
	ids := prompt
	if len(ids) > 0 && ids[0] == BOS {
		ids = ids[1:]
	}
	steps := s.m.Generate(ids, n, temperature, rng)
	if len(steps) > 0 && steps[len(steps)-1].ID == EOS {
		return steps[:len(steps)-1], "stop"
	}
	return steps, "length"
}

// checkLen enforces MaxModelLen with vLLM's message.
func (s *server) checkLen(prompt, gen int) error {
	if prompt+gen > s.opt.MaxModelLen {
		return fmt.Errorf("This model's maximum context length is %d tokens. However, you requested %d tokens (%d in the messages, %d in the completion). Please reduce the length of the messages or completion.", s.opt.MaxModelLen, prompt+gen, prompt, gen)
	}
	return nil
}

func (s *server) stepsText(st []Step) string {
	var b strings.Builder
	for _, x := range st {
		b.WriteString(s.m.tok.Piece(x.ID))
	}
	return b.String()
}
