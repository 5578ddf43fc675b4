package probe

import (
	"hash/fnv"
	"math"
	"regexp"
	"strings"
	"unicode"

	"github.com/leakhound/leakhound"
	"github.com/leakhound/leakhound/lm"
)

func nan() float64 { return math.NaN() }

// promptOf is the part of an item a generation test gives the model: the
// text before the known answer (e.g. a GSM8K question), otherwise the
// first half of its words.
func promptOf(it leakhound.Item) string {
	if it.Answer != "" && len(it.Answer) < len(it.Text) && strings.HasSuffix(it.Text, it.Answer) {
		return strings.TrimSuffix(it.Text, it.Answer)
	}
	words := strings.Fields(it.Text)
	return strings.Join(words[:len(words)/2], " ")
}

// pieces tokenises generated text for edit distances: leakhound's word
// pre-tokenizer (model tokenizers are not available over chat APIs).
func pieces(s string) []string { return lm.Pretokenize(s) }

// levenshtein is the edit distance between two token sequences.
func levenshtein(a, b []string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := prev[j-1]
			if a[i-1] != b[j-1] {
				c++
			}
			cur[j] = min(c, prev[j]+1, cur[j-1]+1)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// rougeL is the ROUGE-L F1 of two texts over lower-cased word tokens.
func rougeL(a, b string) float64 {
	x, y := strings.Fields(strings.ToLower(a)), strings.Fields(strings.ToLower(b))
	if len(x) == 0 || len(y) == 0 {
		return 0
	}
	prev := make([]int, len(y)+1)
	cur := make([]int, len(y)+1)
	for i := 1; i <= len(x); i++ {
		for j := 1; j <= len(y); j++ {
			if x[i-1] == y[j-1] {
				cur[j] = prev[j-1] + 1
			} else {
				cur[j] = max(prev[j], cur[j-1])
			}
		}
		prev, cur = cur, prev
	}
	lcs := float64(prev[len(y)])
	if lcs == 0 {
		return 0
	}
	p, r := lcs/float64(len(x)), lcs/float64(len(y))
	return 2 * p * r / (p + r)
}

// normWord lower-cases s and trims punctuation and spaces.
func normWord(s string) string {
	return strings.ToLower(strings.TrimFunc(s, func(r rune) bool { return unicode.IsPunct(r) || unicode.IsSpace(r) || r == '"' }))
}

func hashString(s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s))
	return h.Sum64()
}

var optionLine = regexp.MustCompile(`^([A-Z1-9])\. (.+)$`)

// options parses multiple-choice lines "A. text" at the end of an item
// text (the normalized format of shared/data) and returns the question,
// the labels and the option texts.
func options(text string) (question string, labels, opts []string) {
	lines := strings.Split(text, "\n")
	i := len(lines)
	for i > 0 && optionLine.MatchString(lines[i-1]) {
		i--
	}
	if len(lines)-i < 3 || i == 0 {
		return text, nil, nil
	}
	for _, l := range lines[i:] {
		m := optionLine.FindStringSubmatch(l)
		labels, opts = append(labels, m[1]), append(opts, m[2])
	}
	return strings.Join(lines[:i], "\n"), labels, opts
}
