package match

import (
	"bytes"
	"math/rand/v2"
	"unicode/utf8"

	"github.com/leakhound/leakhound"
	"github.com/leakhound/leakhound/index"
	"github.com/leakhound/leakhound/ngram"
)

// The gpt4 method looks for each item's sampled substrings (patterns) in
// the record's canonical character stream. Patterns are found without
// scanning every record position: each pattern's byte grams of length g
// are indexed at every offset, and the record is probed only every g
// bytes. Any occurrence of a pattern of at least 2g-1 bytes contains a
// probed position p with the whole gram [p, p+g) inside it, so no
// occurrence is missed; the hit is then verified byte for byte.
//
// Two tiers cover the pattern lengths: 25-byte grams (one probe per 25
// bytes) for patterns of 49 bytes or more, which includes every
// 50-character sample, and 8-byte grams for whole items of 15 to 48 bytes.
// Items with fewer than 15 canonical bytes are not searched: a substring
// that short is not evidence.
var charTiers = []int{25, 8}

// pattern is one sampled substring of an item's canonical stream.
type pattern struct {
	item       int
	start, end int // byte offsets into the item's canonical stream
}

// charTier indexes the grams of the patterns of one length class.
type charTier struct {
	gram     int
	ix       *index.Index
	patterns []int // index position order → pattern number
}

// charIndex is the gpt4 method's benchmark side.
type charIndex struct {
	canon    [][]byte // canonical stream of each item
	patterns []pattern
	perItem  []int // patterns per item
	tiers    []charTier
	short    int // items too short to search
}

func newCharIndex(items []leakhound.Item, opts Options) *charIndex {
	c := &charIndex{canon: make([][]byte, len(items)), perItem: make([]int, len(items))}
	for i, it := range items {
		c.canon[i] = ngram.AppendCanonicalBytes(nil, []byte(it.Text))
		for _, p := range samplePatterns(c.canon[i], it.ID, opts) {
			p.item = i
			c.patterns = append(c.patterns, p)
			c.perItem[i]++
		}
		if c.perItem[i] == 0 {
			c.short++
		}
	}
	for t, g := range charTiers {
		c.tiers = append(c.tiers, c.buildTier(g, t))
	}
	return c
}

// samplePatterns draws opts.GPT4Samples substrings of opts.GPT4Chars
// characters from canon, or takes all of canon when it is shorter, with a
// generator seeded by the seed and the item id, so the draw is the same on
// every run and machine.
func samplePatterns(canon []byte, id string, opts Options) []pattern {
	if len(canon) < 2*charTiers[len(charTiers)-1]-1 {
		return nil
	}
	starts := runeStarts(canon)
	if len(starts) <= opts.GPT4Chars {
		return []pattern{{start: 0, end: len(canon)}}
	}
	r := rand.New(rand.NewPCG(opts.GPT4Seed, ngram.HashString(id)))
	ps := make([]pattern, opts.GPT4Samples)
	for i := range ps {
		k := r.IntN(len(starts) - opts.GPT4Chars + 1)
		end := len(canon)
		if k+opts.GPT4Chars < len(starts) {
			end = starts[k+opts.GPT4Chars]
		}
		ps[i] = pattern{start: starts[k], end: end}
	}
	return ps
}

func runeStarts(b []byte) []int {
	var s []int
	for i := range b {
		if utf8.RuneStart(b[i]) {
			s = append(s, i)
		}
	}
	return s
}

// tierOf returns the tier that indexes a pattern of n bytes.
func tierOf(n int) int {
	for t, g := range charTiers {
		if n >= 2*g-1 {
			return t
		}
	}
	return -1
}

func (c *charIndex) buildTier(g, t int) charTier {
	tier := charTier{gram: g}
	var grams []uint64
	var starts []uint32
	for k, p := range c.patterns {
		if tierOf(p.end-p.start) != t {
			continue
		}
		b := c.canon[p.item][p.start:p.end]
		if len(starts) == 0 {
			starts = append(starts, 0)
		}
		for j := 0; j+g <= len(b); j++ {
			grams = append(grams, ngram.HashBytes(b[j:j+g]))
		}
		starts = append(starts, uint32(len(grams)))
		tier.patterns = append(tier.patterns, k)
	}
	if len(starts) == 0 {
		starts = []uint32{0}
	}
	tier.ix, _ = index.Build(grams, starts, 1, 1, 0) // cannot fail: n = 1, starts span grams
	return tier
}

func (c *charIndex) bytes() int {
	n := 0
	for _, b := range c.canon {
		n += len(b)
	}
	for _, t := range c.tiers {
		n += t.ix.Bytes()
	}
	return n + 24*len(c.patterns)
}

// charScratch is the per-record state of the gpt4 method.
type charScratch struct {
	found map[int][]charHit // item → patterns found
	items []int
	offs  []uint32
}

type charHit struct {
	pattern  int
	docStart int // in the record's canonical stream
}

// gpt4 reports every item with at least one pattern in the record.
// Score: the share of the item's patterns found.
func (m *Matcher) gpt4(dst []leakhound.Finding, text []byte) []leakhound.Finding {
	c := m.set.gpt4
	m.canon = ngram.AppendCanonicalBytes(m.canon[:0], text)
	sc := &m.chars
	if sc.found == nil {
		sc.found = make(map[int][]charHit)
	}
	clear(sc.found)
	sc.items = sc.items[:0]
	for _, tier := range c.tiers {
		m.probeTier(c, tier)
	}
	if len(sc.items) > 0 {
		// Offsets only for the records with a finding, to map its spans.
		m.canon, m.offs = ngram.AppendCanonical(m.canon[:0], m.offs[:0], text)
	}
	for _, item := range sc.items {
		dst = append(dst, m.gpt4Finding(text, item, sc.found[item]))
		m.markFound(GPT4, item)
	}
	return dst
}

func (m *Matcher) probeTier(c *charIndex, tier charTier) {
	sc := &m.chars
	for p := 0; p+tier.gram <= len(m.canon); p += tier.gram {
		g := ngram.HashBytes(m.canon[p : p+tier.gram])
		if !tier.ix.MayContain(g) {
			continue
		}
		for _, pos := range tier.ix.Lookup(g) {
			k, j := tier.ix.Locate(pos)
			pat := c.patterns[tier.patterns[k]]
			start := p - j
			want := c.canon[pat.item][pat.start:pat.end]
			if start < 0 || start+len(want) > len(m.canon) || !bytes.Equal(m.canon[start:start+len(want)], want) {
				continue
			}
			if hitRecorded(sc.found[pat.item], tier.patterns[k]) {
				continue
			}
			if len(sc.found[pat.item]) == 0 {
				sc.items = append(sc.items, pat.item)
			}
			sc.found[pat.item] = append(sc.found[pat.item], charHit{tier.patterns[k], start})
		}
	}
}

func hitRecorded(hits []charHit, pattern int) bool {
	for _, h := range hits {
		if h.pattern == pattern {
			return true
		}
	}
	return false
}

func (m *Matcher) gpt4Finding(text []byte, item int, hits []charHit) leakhound.Finding {
	c := m.set.gpt4
	it := &m.set.Items[item]
	_, itemOffs := ngram.AppendCanonical(nil, m.chars.offs[:0], []byte(it.Text))
	pairs := make([]leakhound.SpanPair, len(hits))
	for i, h := range hits {
		p := c.patterns[h.pattern]
		n := p.end - p.start
		pairs[i] = leakhound.SpanPair{
			Doc:  sourceSpan(text, m.offs, h.docStart, h.docStart+n),
			Item: sourceSpan([]byte(it.Text), itemOffs, p.start, p.end),
		}
	}
	score := float64(len(hits)) / float64(c.perItem[item])
	f := newFinding(text, it, GPT4, score, pairs)
	f.Verdict = "dirty"
	f.Evidence = map[string]float64{"chars": float64(m.set.opts.GPT4Chars), "samples": float64(c.perItem[item]), "samples_found": float64(len(hits))}
	return f
}

// sourceSpan converts canonical bytes [lo, hi) to the source text span
// from the first to the end of the last contributing character.
func sourceSpan(src []byte, offs []uint32, lo, hi int) leakhound.Span {
	start := int(offs[lo])
	last := int(offs[hi-1])
	_, size := utf8.DecodeRune(src[last:])
	return leakhound.Span{Start: start, End: last + size}
}
