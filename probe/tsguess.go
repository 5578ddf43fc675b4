package probe

import (
	"context"
	"fmt"
	"strings"
	"unicode"

	"github.com/leakhound/leakhound"
)

// TS-Guessing (Deng et al., NAACL 2024, arXiv 2311.09783): hide part of
// an item and ask the model to fill it in. Multiple-choice items with a
// known answer mask one wrong option and score against that option (not
// the correct one, LLMSanitize's bug); other items mask one key word of
// the question.

// TSPrompt is one masked item: the prompt and the hidden text.
type TSPrompt struct {
	Variant string // "multichoice" or "question"
	Prompt  string
	Hidden  string
}

var stop = map[string]bool{"that": true, "this": true, "with": true, "from": true, "have": true, "what": true,
	"which": true, "there": true, "their": true, "they": true, "were": true, "will": true, "would": true,
	"many": true, "much": true, "each": true, "than": true, "then": true, "into": true, "about": true,
	"does": true, "when": true, "where": true, "some": true, "more": true, "also": true, "been": true,
	"only": true, "other": true, "these": true, "those": true, "your": true, "after": true, "before": true}

// TSMask builds the masked prompt of item it, or ok false when nothing
// can be masked.
func TSMask(it leakhound.Item) (TSPrompt, bool) {
	q, labels, opts := options(it.Text)
	if len(opts) >= 3 && it.Answer != "" {
		if p, ok := tsMultichoice(it, q, labels, opts); ok {
			return p, true
		}
	}
	return tsQuestion(it)
}

func tsMultichoice(it leakhound.Item, q string, labels, opts []string) (TSPrompt, bool) {
	var wrong []int
	for i, l := range labels {
		if l != strings.TrimSpace(it.Answer) {
			wrong = append(wrong, i)
		}
	}
	if len(wrong) == len(labels) || len(wrong) == 0 {
		return TSPrompt{}, false
	}
	k := wrong[hashString(it.ID)%uint64(len(wrong))]
	var b strings.Builder
	fmt.Fprintf(&b, "Please fill in the [MASK] in option %s based on your benchmark knowledge.\n", labels[k])
	b.WriteString("The crucial rule is that you should only respond with the content of the masked option and nothing else.\n\n")
	b.WriteString("Question: " + q + "\nOptions:\n")
	for i, l := range labels {
		o := opts[i]
		if i == k {
			o = "[MASK]"
		}
		fmt.Fprintf(&b, "%s: %s\n", l, o)
	}
	b.WriteString("Answer: ")
	return TSPrompt{Variant: "multichoice", Prompt: b.String(), Hidden: opts[k]}, true
}

func tsQuestion(it leakhound.Item) (TSPrompt, bool) {
	q := strings.TrimSpace(promptOf(it))
	words := strings.Fields(q)
	var cand []int
	for i, w := range words {
		n := normWord(w)
		if len([]rune(n)) >= 4 && !stop[n] && strings.IndexFunc(n, func(r rune) bool { return !unicode.IsLetter(r) }) < 0 {
			cand = append(cand, i)
		}
	}
	if len(cand) == 0 {
		return TSPrompt{}, false
	}
	k := cand[hashString(it.ID)%uint64(len(cand))]
	hidden := normWord(words[k])
	masked := append([]string(nil), words...)
	masked[k] = strings.Replace(words[k], strings.TrimFunc(words[k], func(r rune) bool { return !unicode.IsLetter(r) }), "[MASK]", 1)
	prompt := "Complete the sentence in one word.\nThe crucial rule is that you should only respond with the missing word and nothing else.\n\n" +
		strings.Join(masked, " ") + "\nAnswer: "
	return TSPrompt{Variant: "question", Prompt: prompt, Hidden: hidden}, true
}

// TSScore returns exact match and ROUGE-L of a model answer against the
// hidden text: for a question mask, the first word of the answer.
func TSScore(p TSPrompt, answer string) (em, rouge float64) {
	answer = strings.TrimSpace(answer)
	if p.Variant == "question" {
		f := strings.Fields(answer)
		if len(f) > 0 {
			answer = f[0]
		}
		if normWord(answer) == p.Hidden {
			return 1, 1
		}
		return 0, rougeL(answer, p.Hidden)
	}
	first, _, _ := strings.Cut(answer, "\n")
	r := rougeL(first, p.Hidden)
	if normWord(first) == normWord(p.Hidden) {
		return 1, r
	}
	return 0, r
}

// TSItem asks the model greedily and scores its answer.
func TSItem(ctx context.Context, b Backend, p TSPrompt, maxTokens int) (em, rouge float64, err error) {
	g, err := b.Generate(ctx, GenRequest{Prompt: p.Prompt, MaxTokens: maxTokens, Temperature: 0, N: 1})
	if err != nil {
		return nan(), nan(), err
	}
	if len(g) == 0 {
		return nan(), nan(), fmt.Errorf("ts-guessing: no answer")
	}
	em, rouge = TSScore(p, g[0].Text)
	return em, rouge, nil
}
