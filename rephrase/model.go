package rephrase

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
)

// Config says where the optional language resources are. The zero value
// finds them by themselves: CC-CEDICT from $LEAKHOUND_LEXICON, and WordNet
// from $LEAKHOUND_WORDNET or /usr/share/wordnet.
type Config struct {
	// Lexicon is a CC-CEDICT file; "" searches $LEAKHOUND_LEXICON and
	// LexiconDirs; "none" turns the cross-lingual path off.
	Lexicon     string
	LexiconDirs []string // folders that may hold lexicon/cedict_ts.u8.gz
	// WordNet is a WordNet dict folder; "" searches the default places;
	// "none" turns synonyms off.
	WordNet string
	// Weights overrides the embedded weights when not nil.
	Weights *Weights
	// MinProb raises every kind's threshold to at least this probability
	// (--rephrase-min-prob): fewer false positives, fewer rephrases found.
	MinProb float64
	// Warnf receives notes about missing resources; nil discards them.
	Warnf func(format string, args ...any)
}

// Model scores (item, text) pairs: analysis, features and the logistic
// scorer. It is safe for concurrent use.
type Model struct {
	an      analyzer
	weights *Weights
	minProb float64 // Config.MinProb
}

// NewModel loads the resources of cfg and the weights.
func NewModel(cfg Config) (*Model, error) {
	warnf := cfg.Warnf
	if warnf == nil {
		warnf = func(string, ...any) {}
	}
	m := &Model{weights: cfg.Weights, minProb: cfg.MinProb}
	if m.weights == nil {
		w, err := DefaultWeights()
		if err != nil {
			return nil, err
		}
		m.weights = w
	}
	bg, err := defaultBackground()
	if err != nil {
		return nil, err
	}
	m.useBackground(bg)
	if err := m.loadLexicon(cfg, warnf); err != nil {
		return nil, err
	}
	switch wn := cfg.WordNet; wn {
	case "none":
	case "":
		if d := FindWordNet(); d != "" {
			w, err := LoadWordNet(d)
			if err != nil {
				return nil, err
			}
			m.an.wn = w
		} else {
			warnf("%v", ErrNoWordNet)
		}
	default:
		w, err := LoadWordNet(wn)
		if err != nil {
			return nil, fmt.Errorf("wordnet: %w", err)
		}
		m.an.wn = w
	}
	return m, nil
}

func (m *Model) loadLexicon(cfg Config, warnf func(string, ...any)) error {
	path := cfg.Lexicon
	switch path {
	case "none":
		return nil
	case "":
		path = FindLexicon(cfg.LexiconDirs...)
		if path == "" {
			warnf("%v", ErrNoLexicon)
			return nil
		}
	}
	l, err := LoadLexicon(path)
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("lexicon %s: %w", path, ErrNoLexicon)
	}
	if err != nil {
		return err
	}
	m.an.lex = l
	return nil
}

// HasLexicon reports whether the cross-lingual path is on.
func (m *Model) HasLexicon() bool { return m.an.lex != nil }

// HasWordNet reports whether synonym classes are on.
func (m *Model) HasWordNet() bool { return m.an.wn != nil }

// Weights returns the model's weights.
func (m *Model) Weights() *Weights { return m.weights }

// Prepared is a text analysed once for many comparisons.
type Prepared struct {
	text string
	an   *analysis
	code bool
}

// Prepare analyses a text.
func (m *Model) Prepare(text string) *Prepared {
	return &Prepared{text: text, an: m.an.analyze(text), code: looksLikeCode(text)}
}

// Pair is the outcome of comparing an item with a text.
type Pair struct {
	Kind     string
	Features []float64
	Prob     float64
	Flag     bool
	// Eligible reports whether the pair has the minimum aligned evidence
	// (enough); only eligible pairs are flagged.
	Eligible bool
	links    []link
}

// kindOf chooses the model for a pair.
func kindOf(item, doc *Prepared) string {
	switch {
	case item.code:
		return KindCode
	case doc.an.cjk > 2*doc.an.words && item.an.cjk < item.an.words:
		return KindCross
	case numbers(item.an) >= 3 && numbers(doc.an) >= 2:
		return KindMath
	}
	return KindProse
}

// Compare scores item against doc.
func (m *Model) Compare(item, doc *Prepared) Pair {
	f, links, missed := pairFeatures(item.an, doc.an)
	k := kindOf(item, doc)
	lg := m.weights.Models[k]
	p := lg.Prob(f)
	ok := enough(item.an, links, f[0], item.code, missed)
	return Pair{Kind: k, Features: f, Prob: p, Eligible: ok, Flag: ok && p >= max(lg.Threshold, m.minProb), links: links}
}

// Minimum evidence of a flagged pair: a paraphrase of a short item shares
// too few words to tell it from chance (decon and Paloma set similar
// floors on short items, data-detection.md §9.4).
const (
	minAlignedWords = 4
	minAlignedAll   = 5 // words and numbers together
)

// A short question with 2 or 3 aligned words passes when they carry
// shortRecall of its IDF weight: "What does the trend of decarceration
// encompass?" shares "trend" and "decarceration" with "The trend of
// decarceration involves:". (On the training part, 0.6 → 0.5 → 0.4 raised
// MMLU English F1 0.80 → 0.93 → 0.94; 0.3 raised it to 0.95 but flagged
// 4 more training negatives of the prose kind.)
const shortRecall = 0.4

func enough(it *analysis, links []link, recall float64, code bool, missedNumbers float64) bool {
	words := 0
	for _, l := range links {
		if it.units[l.i].kind != kindNum {
			words++
		}
	}
	if !code && lostNumbers(it, missedNumbers) {
		return false
	}
	return words >= minAlignedWords || len(links) >= minAlignedAll && words >= 1 || words >= 2 && recall >= shortRecall
}

// A rephrase or a translation keeps a question's data: "the greatest
// common divisor of 315 and 108" without 315 and 108 is another question
// on the same topic (an instruction to write a GCD function). A pair is
// not eligible when more than half of the question's number weight, and
// at least minLostNumbers of IDF (one number rarer than 0–9), is missing
// from the window. Code is exempt: a rewrite may change its test values.
const minLostNumbers = 4.5

func lostNumbers(it *analysis, miss float64) bool {
	var total float64
	for _, u := range it.units[it.head0:it.head] {
		if u.kind == kindNum {
			total += float64(u.w)
		}
	}
	return miss >= minLostNumbers && miss > total/2
}

// PairExample returns the kind of a pair and its training example (the
// features and whether the pair has the minimum aligned evidence), with
// the given label. It does not read the weights.
func (m *Model) PairExample(item, doc *Prepared, label bool) (string, Example) {
	f, links, missed := pairFeatures(item.an, doc.an)
	return kindOf(item, doc), Example{X: f, Label: label, Eligible: enough(item.an, links, f[0], item.code, missed)}
}

// FeatureNames returns the names of the features, in vector order.
func FeatureNames() []string { return append([]string(nil), featureNames...) }

// BuildBackground computes the IDF table of a reference collection, in
// the embedded file's format (written to rephrase/background.bin by
// `leakhound eval train`).
func (m *Model) BuildBackground(texts []string) []byte {
	bg := &background{df: map[uint64]uint32{}}
	for _, t := range texts {
		bg.count(m.an.analyze(t), looksLikeCode(t))
	}
	return bg.encode(2)
}

// SetBackground replaces the IDF table (for training from a fresh one).
func (m *Model) SetBackground(table []byte) error {
	bg, err := decodeBackground(table)
	if err != nil {
		return err
	}
	m.useBackground(bg)
	return nil
}

// useBackground installs an IDF table and empties the word cache, whose
// weights come from the table.
func (m *Model) useBackground(bg *background) {
	m.an.bg = bg
	m.an.words, m.an.nwords = &sync.Map{}, &atomic.Int64{}
}

// DebugAlign renders the alignment of a pair: each aligned pair of the
// item's and the text's words and how they matched, then the item's
// unaligned words.
func DebugAlign(item, doc *Prepared) string {
	_, links, _ := pairFeatures(item.an, doc.an)
	return renderLinks(item, doc, links)
}

func numbers(an *analysis) int {
	n := 0
	for _, u := range an.units[an.head0:an.head] {
		if u.kind == kindNum {
			n++
		}
	}
	return n
}
