// Package textgen writes deterministic English-like text for benchmarks
// and tests: Zipf-distributed pseudo-words in sentences, with capitals,
// commas, full stops, numbers and quotes, about 7.5 bytes per word like
// the reference corpus in shared/reference/performance.md.
package textgen

import (
	"math/rand/v2"
	"strconv"
	"strings"
)

var syllables = []string{"ka", "lo", "mi", "ne", "ra", "to", "su", "vi", "an", "el", "or", "un", "ing", "er", "st", "th", "pre", "con", "tion", "al", "ble", "ment"}

// functionWords head the Zipf ranking, as in real English.
var functionWords = []string{"the", "of", "and", "to", "a", "in", "is", "that", "for", "it", "as", "was", "with", "be", "by", "on", "not", "he", "this", "are"}

// Generator produces text from a fixed vocabulary.
type Generator struct {
	r     *rand.Rand
	zipf  *rand.Zipf
	vocab []string
}

// New returns a generator seeded with seed and a vocabulary of size words
// (at most about 200,000: the number of distinct 1-4 syllable words).
func New(seed uint64, size int) *Generator {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	vocab := append([]string(nil), functionWords...)
	seen := map[string]bool{}
	for len(vocab) < size {
		var b strings.Builder
		for n := 1 + r.IntN(4); n > 0; n-- {
			b.WriteString(syllables[r.IntN(len(syllables))])
		}
		if w := b.String(); !seen[w] {
			seen[w] = true
			vocab = append(vocab, w)
		}
	}
	return &Generator{r: r, zipf: rand.NewZipf(r, 1.1, 2, uint64(len(vocab)-1)), vocab: vocab}
}

// Word returns one word drawn from the Zipf distribution.
func (g *Generator) Word() string { return g.vocab[g.zipf.Uint64()] }

// Sentence returns a sentence of about n words.
func (g *Generator) Sentence(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(' ')
		}
		w := g.Word()
		switch {
		case i == 0:
			w = strings.ToUpper(w[:1]) + w[1:]
		case g.r.IntN(40) == 0:
			w = strconv.Itoa(g.r.IntN(2000))
		case g.r.IntN(60) == 0:
			w = `"` + w + `"`
		}
		b.WriteString(w)
		if i < n-1 && g.r.IntN(12) == 0 {
			b.WriteByte(',')
		}
	}
	b.WriteByte('.')
	return b.String()
}

// Paragraph returns about nbytes of sentences.
func (g *Generator) Paragraph(nbytes int) string {
	var b strings.Builder
	for b.Len() < nbytes {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(g.Sentence(6 + g.r.IntN(18)))
	}
	return b.String()
}
