package evalset

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/leakhound/leakhound"
)

// Part names which part of a benchmark item the item text holds.
type Part string

// The parts an item can be matched on. See doc/benchmarks.md for what each
// holds per benchmark.
const (
	// PartQuestion is the question, prompt or context alone.
	PartQuestion Part = "question"
	// PartQuestionOptions is the question followed by one "<label>. <option>"
	// line per option; for items without options it equals PartQuestion.
	PartQuestionOptions Part = "question+options"
	// PartFull is everything: for generation items the prompt and the
	// reference solution, for multiple-choice items the question, the
	// options and an "Answer: <label>" line (and C-Eval's explanation).
	PartFull Part = "full"
	// PartAnswer is the reference answer alone: the correct option's text
	// or the reference solution. It is only used when asked for, and an
	// answer too short to be evidence is left out (see answerIsEvidence).
	PartAnswer Part = "answer"
)

// Parts lists the parts in the order of --bench-part's help.
var Parts = []Part{PartQuestion, PartQuestionOptions, PartFull, PartAnswer}

// ParsePart checks a part name.
func ParsePart(s string) (Part, error) {
	for _, p := range Parts {
		if string(p) == s {
			return p, nil
		}
	}
	return "", fmt.Errorf("unknown part %q (want question, question+options, full or answer)", s)
}

// record is one benchmark item as a loader reads it, before it is rendered
// into a leakhound.Item for a chosen part.
type record struct {
	split  string
	source string // "<path under the benchmark dir>#<k>", as in normalized files
	// question is the question, prompt or context.
	question string
	// labels and options are the choices of a multiple-choice item.
	labels, options []string
	// key is the label of the correct option; empty when unknown.
	key string
	// sep joins question and solution in the full text.
	sep string
	// solution is the reference solution of a generation item.
	solution string
	// extra is appended to a multiple-choice item's full text (C-Eval's
	// explanation).
	extra string
	// answer is the short reference answer for leakhound.Item.Answer.
	answer string
}

func (r *record) multipleChoice() bool { return len(r.options) > 0 }

// optionsBlock renders "<label>. <option>" lines joined with "\n".
func optionsBlock(labels, options []string) string {
	var b strings.Builder
	for i, o := range options {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(labels[i])
		b.WriteString(". ")
		b.WriteString(o)
	}
	return b.String()
}

// keyOption returns the text of the correct option, or "" when unknown.
func (r *record) keyOption() string {
	for i, l := range r.labels {
		if l == r.key && r.key != "" {
			return r.options[i]
		}
	}
	return ""
}

// text renders the record for part p. ok is false when the record has no
// text for p (an answer part that is unknown or too short to be evidence).
func (r *record) text(p Part) (s string, ok bool) {
	switch p {
	case PartQuestion:
		return r.question, true
	case PartQuestionOptions:
		if !r.multipleChoice() {
			return r.question, true
		}
		return r.question + "\n" + optionsBlock(r.labels, r.options), true
	case PartFull:
		if !r.multipleChoice() {
			return r.question + r.sep + r.solution, true
		}
		s = r.question + "\n" + optionsBlock(r.labels, r.options)
		if r.key != "" {
			s += "\nAnswer: " + r.key
		}
		if r.extra != "" {
			s += "\n" + r.extra
		}
		return s, true
	case PartAnswer:
		a := r.solution
		if r.multipleChoice() {
			a = r.keyOption()
		}
		return a, answerIsEvidence(a)
	}
	return "", false
}

// itemAnswer is the value of leakhound.Item.Answer.
func (r *record) itemAnswer() string {
	if r.answer != "" {
		return r.answer
	}
	if r.multipleChoice() {
		return r.keyOption()
	}
	return r.solution
}

// minAnswerWords is the number of words (a CJK character counts as one) an
// answer needs to count as evidence on its own: a bare "42", "True" or
// "Paris" occurs in any corpus. Five words is also the shingle length of
// the near-duplicate check.
const minAnswerWords = 5

// answerIsEvidence reports whether an answer text is long enough, and not
// purely numeric or symbolic, to be matched on its own.
func answerIsEvidence(a string) bool {
	words := 0
	letter := false
	forEachWord(a, func(w string) {
		words++
		for _, c := range w {
			if unicode.IsLetter(c) {
				letter = true
				break
			}
		}
	})
	return words >= minAnswerWords && letter
}

// item renders r as a leakhound.Item with id "<dataset>/<split>/<n>".
func (r *record) item(dataset string, n int, p Part) (leakhound.Item, bool) {
	s, ok := r.text(p)
	if !ok {
		return leakhound.Item{}, false
	}
	return leakhound.Item{
		ID:        fmt.Sprintf("%s/%s/%d", dataset, r.split, n),
		Benchmark: dataset,
		Split:     r.split,
		Part:      string(p),
		Text:      s,
		Answer:    r.itemAnswer(),
	}, true
}
