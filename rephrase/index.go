package rephrase

import (
	"math/bits"
	"slices"
	"strings"

	"github.com/leakhound/leakhound"
	"github.com/leakhound/leakhound/ngram"
)

// Candidate index parameters. They set the trade between the share of
// rephrases that reach verification and the cost per record; the numbers
// in doc/detection-quality.md were measured with these values.
const (
	// minAnchorIDF: words and numbers at least this rare (IDF of the
	// background table) are anchors; at 4.5 a word is in at most ~1,600 of
	// the 48,000 reference texts, so "the", "number" and "value" are not.
	minAnchorIDF = 4.5
	// maxPostings: an anchor of more items than this is dropped from the
	// candidate stage (it still counts in verification).
	maxPostings = 400
	// minAnchors: a candidate shares at least this many distinct anchors
	// with its item.
	minAnchors = 4
	// minShare: and at least this share of the item's anchor weight, or
	// minHeadShare of its question's (a rephrase often keeps the question
	// alone: MMLU's LMSYS rephrases drop the options and the passage).
	minShare     = 0.35
	minHeadShare = 0.5
	// prefilterBits is the size of the bit filter in front of the table
	// (2^22 bits = 512 KiB, inside L2): most record tokens are not anchors
	// and stop at one bit test.
	prefilterBits = 22
)

// anchor is one concept of the candidate stage with the items that hold it.
type anchor struct {
	w     float32
	items []int32
	head  []bool // per item: the anchor is in the item's question
}

// candIndex maps record token hashes (and Chinese character bigrams) to
// anchors.
type candIndex struct {
	forms   map[uint64][]int32 // token hash → anchors, while building
	table   formTable          // the same, for lookups
	anchors []anchor
	filter  []uint64
	total   []float32 // per item: summed anchor weight
	head    []float32 // per item: summed weight of the question's anchors
}

func (c *candIndex) mayHave(h uint64) bool {
	b := h >> (64 - prefilterBits)
	return c.filter[b>>6]&(1<<(b&63)) != 0
}

// bigramKey combines two character token hashes.
func bigramKey(a, b uint64) uint64 { return bits.RotateLeft64(a, 17) ^ b*0x9e3779b97f4a7c15 }

// buildIndex collects the anchors of every item.
func buildIndex(m *Model, items []leakhound.Item) *candIndex {
	c := &candIndex{forms: map[uint64][]int32{}, filter: make([]uint64, 1<<prefilterBits/64), total: make([]float32, len(items)), head: make([]float32, len(items))}
	byKey := map[uint64]int32{}
	stems := map[string]bool{}
	infl := map[string][]uint64{}
	for i, it := range items {
		seen := map[int32]bool{}
		lo, hi := headSpan(it.Text)
		for _, f := range m.an.anchorForms(it.Text, infl) {
			if f.w < minAnchorIDF {
				continue
			}
			a, ok := byKey[f.key]
			if !ok {
				a = int32(len(c.anchors))
				byKey[f.key] = a
				c.anchors = append(c.anchors, anchor{w: f.w})
			}
			inHead := f.start >= lo && f.start < hi
			if !seen[a] {
				seen[a] = true
				c.anchors[a].items = append(c.anchors[a].items, int32(i))
				c.anchors[a].head = append(c.anchors[a].head, inHead)
				c.total[i] += f.w
				if inHead {
					c.head[i] += f.w
				}
			} else if inHead && !c.anchors[a].head[len(c.anchors[a].head)-1] {
				c.anchors[a].head[len(c.anchors[a].head)-1] = true
				c.head[i] += f.w
			}
			for _, form := range f.forms {
				c.addForm(form, a)
			}
			if f.stem != "" && m.an.lex != nil {
				stems[f.stem] = true
			}
		}
	}
	if m.an.lex != nil {
		tr := m.an.lex.Translations(stems)
		for _, st := range sortedKeys(stems) {
			a := byKey[wordKey(st)]
			for _, hw := range tr[st] {
				rs := []rune(hw)
				c.addForm(bigramKey(ngram.HashString(string(rs[0])), ngram.HashString(string(rs[1]))), a)
			}
		}
	}
	c.table = newFormTable(c.forms)
	c.forms = nil
	for i := range c.anchors {
		if len(c.anchors[i].items) > maxPostings {
			for k, it := range c.anchors[i].items {
				c.total[it] -= c.anchors[i].w
				if c.anchors[i].head[k] {
					c.head[it] -= c.anchors[i].w
				}
			}
			c.anchors[i].items, c.anchors[i].head = nil, nil
		}
	}
	return c
}

func (c *candIndex) addForm(h uint64, a int32) {
	if !slices.Contains(c.forms[h], a) {
		c.forms[h] = append(c.forms[h], a)
	}
	b := h >> (64 - prefilterBits)
	c.filter[b>>6] |= 1 << (b & 63)
}

// anchorForm is one anchor of an item: its concept key, weight, the token
// hashes of the surface forms that a record may show it in, and for words
// the stem (to add Chinese translations).
type anchorForm struct {
	key   uint64
	w     float32
	forms []uint64
	stem  string
	start int // byte offset in the item text
}

// anchorForms returns the anchors of a text with their surface forms.
// infl caches the inflection hashes of words.
func (a *analyzer) anchorForms(text string, infl map[string][]uint64) []anchorForm {
	var out []anchorForm
	for _, t := range scanTokens(nil, text) {
		switch t.class {
		case rawNum:
			c, ok := canonNumber(t.text)
			if !ok {
				continue
			}
			k := numKey(c)
			f := anchorForm{key: k, w: a.bg.idf(k), start: t.start}
			f.forms = append(f.forms, ngram.HashString(strings.ReplaceAll(c, ".", "")))
			if w, ok := numberNames[c]; ok {
				f.forms = append(f.forms, ngram.HashString(w))
			}
			out = append(out, f)
		case rawWord:
			joined := strings.ToLower(strings.ReplaceAll(t.text, "_", ""))
			subs := subwords(t.text)
			for _, s := range subs {
				if stopwords[s] || len(s) < 3 || isAllDigits(s) {
					continue
				}
				if _, ok := numberWords[s]; ok {
					continue
				}
				st := stem(s)
				k := wordKey(st)
				f := anchorForm{key: k, w: a.bg.idf(k), stem: st, start: t.start}
				hs, ok := infl[s]
				if !ok {
					for _, form := range inflections(s) {
						hs = append(hs, ngram.HashString(form))
					}
					infl[s] = hs
				}
				f.forms = append(f.forms, hs...)
				if len(subs) > 1 {
					f.forms = append(f.forms, ngram.HashString(joined))
				}
				out = append(out, f)
			}
		}
	}
	return out
}

// numberNames are the one-word English names of numbers ("12" → "twelve").
var numberNames = map[string]string{}

func init() {
	for w, v := range numberWords {
		if _, dup := numberNames[itoa(v)]; !dup && w != "double" && w != "triple" && w != "twice" && w != "thrice" && w != "dozen" {
			numberNames[itoa(v)] = w
		}
	}
}

// inflections returns the forms of a lower-case word that stem like it:
// the word, its regular inflections and derivations.
func inflections(w string) []string {
	st := stem(w)
	bases := []string{w, st, st + "e"}
	if strings.HasSuffix(st, "i") {
		bases = append(bases, st[:len(st)-1]+"y")
	}
	var out []string
	for _, b := range bases {
		for _, suf := range []string{"", "s", "es", "ed", "d", "ing", "er", "ers", "ion", "ions", "ation", "ations", "ly", "al", "ment", "ments", "ness", "ity", "ies", "ied"} {
			f := b + suf
			if suf == "ies" || suf == "ied" {
				if !strings.HasSuffix(b, "y") {
					continue
				}
				f = b[:len(b)-1] + suf
			}
			if stem(f) == st && !slices.Contains(out, f) {
				out = append(out, f)
			}
		}
		if n := len(b); n >= 3 && !isVowel(b, n-1) && isVowel(b, n-2) && !isVowel(b, n-3) {
			for _, suf := range []string{"ed", "ing", "er"} { // doubled consonant
				if f := b + b[n-1:] + suf; stem(f) == st && !slices.Contains(out, f) {
					out = append(out, f)
				}
			}
		}
	}
	return out
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// formTable is an open-addressing hash table from token hashes to anchor
// lists: one cache line per probe instead of a Go map's several (the map
// took half of the candidate stage's time).
type formTable struct {
	keys []uint64 // 0 = empty; key 0 is stored as 1
	off  []uint32 // anchors of keys[i]: flat[off[i]:off[i+1 of its run]]
	n    []uint32
	flat []int32
	mask uint64
}

func newFormTable(m map[uint64][]int32) formTable {
	size := 16
	for size < 2*len(m) {
		size *= 2
	}
	t := formTable{keys: make([]uint64, size), off: make([]uint32, size), n: make([]uint32, size), mask: uint64(size - 1)}
	keys := make([]uint64, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		h := k
		if h == 0 {
			h = 1
		}
		i := h & t.mask
		for t.keys[i] != 0 {
			i = (i + 1) & t.mask
		}
		t.keys[i] = h
		t.off[i] = uint32(len(t.flat))
		t.n[i] = uint32(len(m[k]))
		t.flat = append(t.flat, m[k]...)
	}
	return t
}

// get returns the anchors of token hash h.
func (t *formTable) get(h uint64) []int32 {
	if h == 0 {
		h = 1
	}
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		switch t.keys[i] {
		case h:
			return t.flat[t.off[i] : t.off[i]+t.n[i]]
		case 0:
			return nil
		}
	}
}
