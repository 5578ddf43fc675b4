package lm

import (
	"net/http"
	"strconv"
)

func tgiError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]any{"error": msg, "error_type": "validation"})
}

func (s *server) tgiInfo(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"model_id": s.opt.Name, "model_dtype": "float64", "model_device_type": "cpu",
		"max_concurrent_requests": 128, "max_best_of": 2, "max_stop_sequences": 4,
		"max_input_tokens": s.opt.MaxModelLen - 1, "max_total_tokens": s.opt.MaxModelLen,
		"max_top_n_tokens": s.opt.MaxTopNTokens, "version": "3.0.0-leakhound-lm",
	})
}

type tgiRequest struct {
	Inputs     *string `json:"inputs"`
	Parameters struct {
		MaxNewTokens        *int     `json:"max_new_tokens"`
		Details             bool     `json:"details"`
		DecoderInputDetails bool     `json:"decoder_input_details"`
		TopNTokens          *int     `json:"top_n_tokens"`
		Temperature         *float64 `json:"temperature"`
		DoSample            bool     `json:"do_sample"`
		Seed                *int64   `json:"seed"`
	} `json:"parameters"`
	Stream bool `json:"stream"`
}

// tgiGenerate answers TGI's /generate: generated_text and, with details,
// the prefill (prompt tokens, first logprob null) and generated tokens.
func (s *server) tgiGenerate(w http.ResponseWriter, r *http.Request) {
	var req tgiRequest
	if err := decode(r, &req); err != nil {
		tgiError(w, http.StatusUnprocessableEntity, err.Error())
		return
	}
	p := req.Parameters
	if req.Inputs == nil {
		tgiError(w, http.StatusUnprocessableEntity, "Failed to deserialize the JSON body into the target type: missing field `inputs`")
		return
	}
	if req.Stream && p.DecoderInputDetails {
		tgiError(w, http.StatusUnprocessableEntity, "`decoder_input_details` == true is not supported when streaming tokens")
		return
	}
	if p.Temperature != nil && *p.Temperature <= 0 {
		tgiError(w, http.StatusUnprocessableEntity, "`temperature` must be strictly positive")
		return
	}
	maxNew, k := 100, 0
	if p.MaxNewTokens != nil {
		maxNew = *p.MaxNewTokens
	}
	if p.TopNTokens != nil {
		k = *p.TopNTokens
	}
	if maxNew < 1 {
		tgiError(w, http.StatusUnprocessableEntity, "`max_new_tokens` must be strictly positive")
		return
	}
	if k < 0 || k > s.opt.MaxTopNTokens {
		tgiError(w, http.StatusUnprocessableEntity, "`top_n_tokens` must be >= 0 and <= "+strconv.Itoa(s.opt.MaxTopNTokens))
		return
	}
	full, _ := s.fullPrompt(req.Inputs, nil)
	if err := s.checkLen(len(full), maxNew); err != nil {
		tgiError(w, http.StatusUnprocessableEntity, err.Error())
		return
	}
	temp := 0.0
	if p.DoSample {
		temp = 1
		if p.Temperature != nil {
			temp = *p.Temperature
		}
	}
	steps, finish := s.generate(full, maxNew, temp, s.rng(p.Seed, 0))
	resp := map[string]any{"generated_text": s.stepsText(steps)}
	if p.Details {
		resp["details"] = s.tgiDetails(&req, full, steps, finish, k)
	}
	writeJSON(w, http.StatusOK, resp)
}

func (s *server) tgiDetails(req *tgiRequest, full []int, steps []Step, finish string, k int) map[string]any {
	if finish == "stop" {
		finish = "eos_token"
	}
	tok := func(id int, lp any) map[string]any {
		return map[string]any{"id": id, "text": s.m.tok.Name(id), "logprob": lp, "special": id == BOS || id == EOS}
	}
	prefill := []any{}
	if req.Parameters.DecoderInputDetails && !s.opt.NoPrefillLogprobs {
		info := s.promptInfo(full, 0, false)
		for i, id := range full {
			var lp any
			if i > 0 {
				lp = info[i].lp
			}
			t := tok(id, lp)
			delete(t, "special")
			prefill = append(prefill, t)
		}
	}
	toks, tops := []any{}, []any{}
	hist := append([]int(nil), full[1:]...)
	for _, st := range steps {
		toks = append(toks, tok(st.ID, clampLP(st.LP)))
		if k > 0 {
			var alts []any
			for _, a := range TopOf(s.m.Dist(hist), k) {
				alts = append(alts, tok(a.ID, clampLP(a.LP)))
			}
			tops = append(tops, alts)
		}
		hist = append(hist, st.ID)
	}
	d := map[string]any{"finish_reason": finish, "generated_tokens": len(steps), "seed": req.Parameters.Seed,
		"prefill": prefill, "tokens": toks}
	if k > 0 {
		d["top_tokens"] = tops
	}
	return d
}
