package probe

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// BenchmarkVLLMParse measures decoding an echo response with top-20
// prompt_logprobs for a 200-token prompt (bytes = JSON size).
func BenchmarkVLLMParse(b *testing.B) {
	var toks, lps, pl []string
	for i := 0; i < 200; i++ {
		toks = append(toks, fmt.Sprintf(`"token_id:%d"`, 300+i))
		if i == 0 {
			lps, pl = append(lps, "null"), append(pl, "null")
			continue
		}
		lps = append(lps, "-1.25")
		var alts []string
		for k := 0; k < 20; k++ {
			alts = append(alts, fmt.Sprintf(`"%d":{"logprob":-%d.5,"rank":%d,"decoded_token":"x"}`, 300+k, k, k+1))
		}
		pl = append(pl, "{"+strings.Join(alts, ",")+"}")
	}
	body := []byte(`{"choices":[{"index":0,"text":"","logprobs":{"tokens":[` + strings.Join(toks, ",") + `],"token_logprobs":[` +
		strings.Join(lps, ",") + `]},"prompt_logprobs":[` + strings.Join(pl, ",") + `]}]}`)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		var resp vllmCompletion
		if err := json.Unmarshal(body, &resp); err != nil {
			b.Fatal(err)
		}
		if _, err := vllmScored(resp.Choices[0].Logprobs.Tokens, resp.Choices[0].Logprobs.TokenLogprobs); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMinKPP measures the Min-K%++ score of a 1,000-token text
// (bytes = 8 per token).
func BenchmarkMinKPP(b *testing.B) {
	lp, mu, sg := make([]float64, 1000), make([]float64, 1000), make([]float64, 1000)
	for i := range lp {
		lp[i], mu[i], sg[i] = -float64(i%13), -3, 1+float64(i%5)
	}
	b.SetBytes(8 * int64(len(lp)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		MinKPP(lp, mu, sg, 0.2)
	}
}
