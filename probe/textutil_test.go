package probe

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakhound/leakhound"
)

func TestLevenshteinAndPeak(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{{"", "", 0}, {"a b c", "a b c", 0}, {"a b c", "a x c", 1}, {"a b", "", 2}, {"the cat sat", "the cat", 1}}
	for _, tc := range tests {
		if got := levenshtein(strings.Fields(tc.a), strings.Fields(tc.b)); got != tc.want {
			t.Errorf("levenshtein(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
	// Pieces: "x y" has 2 pieces ("x", " y"). All samples equal to greedy:
	// Peak 1; none close: 0; α = 0 counts only exact copies.
	if p := Peak("a b c d", []string{"a b c d", "a b c d"}, 0.05, 100); p != 1 {
		t.Errorf("identical samples: Peak %g", p)
	}
	if p := Peak("a b c d", []string{"w x y z", "a b c d"}, 0, 100); p != 0.5 {
		t.Errorf("one of two identical: Peak %g", p)
	}
	if p := Peak("a b c d", []string{"a b c e"}, 0.25, 100); p != 1 {
		t.Errorf("distance 1 ≤ 0.25·4: Peak %g", p)
	}
	if p := Peak("a b c d e f", []string{"a b"}, 0, 2); p != 1 {
		t.Errorf("truncation to 2 tokens: Peak %g", p)
	}
}

func TestRougeL(t *testing.T) {
	if r := rougeL("the cat sat", "the cat sat"); r != 1 {
		t.Errorf("identical: %g", r)
	}
	if r := rougeL("a b c d", "a x c y"); math.Abs(r-0.5) > 1e-12 {
		t.Errorf("lcs 2 of 4 and 4: %g", r)
	}
	if r := rougeL("", "x"); r != 0 {
		t.Errorf("empty: %g", r)
	}
}

func TestTSMask(t *testing.T) {
	mc := leakhound.Item{ID: "q/1", Text: "Which planet is largest?\nA. Mars\nB. Jupiter\nC. Venus\nD. Earth", Answer: "B"}
	p, ok := TSMask(mc)
	if !ok || p.Variant != "multichoice" || p.Hidden == "Jupiter" || !strings.Contains(p.Prompt, "[MASK]") || strings.Contains(p.Prompt, p.Hidden) {
		t.Fatalf("multichoice mask %+v", p)
	}
	if em, _ := TSScore(p, p.Hidden+"\n"); em != 1 {
		t.Errorf("exact answer scored %g", em)
	}
	if em, _ := TSScore(p, "Jupiter"); em != 0 {
		t.Error("the correct option must not count for the masked wrong one")
	}
	q := leakhound.Item{ID: "g/1", Text: "Natalia sold clips to friends.\nShe sold 48.", Answer: "She sold 48."}
	p, ok = TSMask(q)
	if !ok || p.Variant != "question" || !strings.Contains(p.Prompt, "[MASK]") {
		t.Fatalf("question mask %+v", p)
	}
	if em, _ := TSScore(p, " "+strings.ToUpper(p.Hidden)+". more"); em != 1 {
		t.Errorf("first word, any case: em %g for hidden %q", em, p.Hidden)
	}
	if _, ok := TSMask(leakhound.Item{ID: "x", Text: "1 2 3"}); ok {
		t.Error("nothing maskable but ok")
	}
}

func TestLoadJSONL(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "b.jsonl")
	data := `{"id": "b/test/0", "dataset": "b", "split": "test", "text": "one", "answer": "1"}
{"text": "two", "answer": 2}
{"id": 7, "text": "three"}
`
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	items, err := LoadJSONL(path)
	if err != nil {
		t.Fatal(err)
	}
	want := []leakhound.Item{
		{ID: "b/test/0", Benchmark: "b", Split: "test", Part: "full", Text: "one", Answer: "1"},
		{ID: "b/1", Benchmark: "b", Part: "full", Text: "two"},
		{ID: "7", Benchmark: "b", Part: "full", Text: "three"},
	}
	for i := range want {
		if items[i] != want[i] {
			t.Errorf("item %d = %+v, want %+v", i, items[i], want[i])
		}
	}
	for _, bad := range []string{`{"id": "x"}`, `{"text": `, ``} {
		os.WriteFile(path, []byte(bad), 0o644)
		if _, err := LoadJSONL(path); err == nil {
			t.Errorf("LoadJSONL(%q) succeeded", bad)
		}
	}
	lab := filepath.Join(dir, "labels")
	os.WriteFile(lab, []byte("a\t1\nb\t0\n{\"id\": \"c\", \"label\": 1}\n"), 0o644)
	m, err := LoadLabels(lab)
	if err != nil || !m["a"] || m["b"] || !m["c"] || len(m) != 3 {
		t.Errorf("labels %v, %v", m, err)
	}
	os.WriteFile(lab, []byte("a\tyes\n"), 0o644)
	if _, err := LoadLabels(lab); err == nil {
		t.Error("bad label accepted")
	}
}

func FuzzReadItems(f *testing.F) {
	f.Add([]byte(`{"id": "a", "text": "x"}` + "\n"))
	f.Add([]byte(`{"text": "x", "answer": ["a"]}`))
	f.Add([]byte("\n\n{"))
	f.Fuzz(func(t *testing.T, b []byte) {
		items, err := readItems(strings.NewReader(string(b)), "f.jsonl")
		if err == nil && len(items) == 0 {
			t.Fatal("no error and no items")
		}
	})
}

func FuzzParseVLLMScored(f *testing.F) {
	f.Add(`{"choices":[{"index":0,"logprobs":{"tokens":["token_id:256","token_id:5"],"token_logprobs":[null,-1.5]}}]}`)
	f.Add(`{"choices":[{"index":0,"logprobs":{"tokens":["a"],"token_logprobs":[-9999]}}]}`)
	f.Fuzz(func(t *testing.T, s string) {
		var resp vllmCompletion
		if decodeJSON([]byte(s), &resp, "/v1/completions") != nil {
			return
		}
		for _, ch := range resp.Choices {
			if ch.Logprobs == nil {
				continue
			}
			sc, err := vllmScored(ch.Logprobs.Tokens, ch.Logprobs.TokenLogprobs)
			if err == nil && len(sc.LP) != len(sc.IDs)-1 {
				t.Fatalf("%d log-probs for %d ids", len(sc.LP), len(sc.IDs))
			}
		}
	})
}
