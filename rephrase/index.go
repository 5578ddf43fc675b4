package rephrase

import (
	"maps"
	"math/bits"
	"slices"
	"strings"

	"github.com/leakhound/leakhound"
)

// Candidate index parameters. They set the trade between the share of
// rephrases that reach verification and the cost per record; the numbers
// in doc/detection-quality.md were measured with these values.
const (
	// minAnchorIDF: words and numbers at least this rare (IDF of the
	// background table) are anchors; at 4.5 a word is in at most ~1,600 of
	// the 48,000 reference texts, so "the", "number" and "value" are not.
	minAnchorIDF = 4.5
	// minAnchors: a candidate shares at least this many distinct anchors
	// with its item.
	minAnchors = 4
	// minShare: and at least this share of the item's anchor weight, or
	// minHeadShare of its question's (a rephrase often keeps the question
	// alone: MMLU's LMSYS rephrases drop the options and the passage).
	minShare     = 0.35
	minHeadShare = 0.5
	// minHeadAnchors: the question's share counts only when the record
	// holds this many of its anchors. A question of one or two anchors
	// (an MMLU history item's passage has 60, its question 1) is matched
	// by chance; with this rule the candidates per record on the synthetic
	// corpus fell from 0.135 to 0.014, and no training rephrase was lost.
	minHeadAnchors = 3
	// prefilterBits is the size of the bit filter in front of the table
	// (2^23 bits = 1 MiB, inside L2): most record tokens that are not
	// anchors stop at one bit test.
	prefilterBits = 23
)

// anchor is one concept of the candidate stage.
type anchor struct {
	w  float32
	df int32 // items that hold it
}

// candIndex maps record token hashes (and Chinese character bigrams) to
// anchors, anchors to the items they seed, and items to all their
// anchors.
//
// Seeds (prefix filtering, as in similarity joins: Chaudhuri et al. 2006;
// Bayardo et al. 2007). A candidate must hold minAnchors of its item's
// anchors and a share of the item's weight, so it holds at least k of them,
// k fixed per item (a long item needs many to reach 35% of its weight).
// Leave out of the item's postings its most common anchors E, as many as
// can be left out while every record that passes the bound still holds k
// anchors outside E. Then counting, per record, the seeds of every item
// (one byte add per posting) and checking in full only the items that
// reach k finds exactly the items that pass the bound, with no cap on any
// posting list: the first version capped postings at 400 items, which lost
// MMLU rephrases, and walked every posting with float adds into a 12-byte
// tally. On the synthetic corpus against all benchmarks a record walks
// about 11,800 postings and checks 18 items in full (70 before the
// question share was planned apart, see buildSeeds); E cannot be larger
// than about a third of an item's anchors (the bound leaves no more
// slack), so the walk stays the main cost of a record.
type candIndex struct {
	forms   map[uint64][]int32 // token hash → anchors, while building
	table   formTable          // the same, for lookups
	anchors []anchor
	// all posts items under seeds that bound the whole share test (both
	// ways an item can pass); question posts the items whose question
	// share is planned apart (see buildSeeds) under question anchors only.
	all, question seedTable
	itemOff       []uint32  // item i has anchors itemAnc[itemOff[i]:itemOff[i+1]]
	itemAnc       []uint32  // anchor<<1 | 1 when the anchor is in the item's question; ascending
	itemW         []float32 // the weight of each itemAnc entry (read in order, no lookup)
	filter        []uint64
	total         []float32 // per item: summed anchor weight
	head          []float32 // per item: summed weight of the question's anchors
	nHead         []uint16  // per item: the question's anchors
}

// seedTable posts items under their seed anchors. An item is counted in a
// tally byte at its position in live (the items that can be candidates
// this way; the tallies are indexed by position so that they take less
// cache), which starts each record at tallyTop minus the seeds a record
// must hold.
type seedTable struct {
	postOff []uint32 // anchor a seeds positions post[postOff[a]:postOff[a+1]]
	post    []int32
	live    []int32 // position → item
	start   []byte  // position → tally at the start of a record
}

// seeds returns the tally positions that anchor a seeds.
func (t *seedTable) seeds(a int32) []int32 {
	return t.post[t.postOff[a]:t.postOff[a+1]]
}

// add posts item under seeds (anchor<<1 | head), to be checked when the
// record holds k of them.
func (t *seedTable) add(item int32, seeds []uint32, k int, seedsOf *[][]uint32) {
	t.live = append(t.live, item)
	t.start = append(t.start, byte(tallyTop-k))
	*seedsOf = append(*seedsOf, slices.Clone(seeds))
}

// build lays out the postings of the seeds added.
func (t *seedTable) build(nAnchors int, seedsOf [][]uint32) {
	t.postOff = make([]uint32, nAnchors+1)
	for _, ss := range seedsOf {
		for _, v := range ss {
			t.postOff[v>>1+1]++
		}
	}
	for a := range nAnchors {
		t.postOff[a+1] += t.postOff[a]
	}
	t.post = make([]int32, t.postOff[nAnchors])
	fill := slices.Clone(t.postOff[:nAnchors])
	for pos, ss := range seedsOf {
		for _, v := range ss {
			t.post[fill[v>>1]] = int32(pos)
			fill[v>>1]++
		}
	}
}

func (c *candIndex) mayHave(h uint64) bool {
	b := h >> (64 - prefilterBits)
	return c.filter[b>>6]&(1<<(b&63)) != 0
}

// itemAnchors returns item i's anchors (anchor<<1 | head), ascending.
func (c *candIndex) itemAnchors(i int32) []uint32 {
	return c.itemAnc[c.itemOff[i]:c.itemOff[i+1]]
}

// itemWeights returns the weights of item i's anchors.
func (c *candIndex) itemWeights(i int32) []float32 {
	return c.itemW[c.itemOff[i]:c.itemOff[i+1]]
}

// bigramKey combines two character token hashes.
func bigramKey(a, b uint64) uint64 { return bits.RotateLeft64(a, 17) ^ b*0x9e3779b97f4a7c15 }

// buildIndex collects the anchors of every item.
func buildIndex(m *Model, items []leakhound.Item) *candIndex {
	c := &candIndex{forms: map[uint64][]int32{}, filter: make([]uint64, 1<<prefilterBits/64), total: make([]float32, len(items)), head: make([]float32, len(items)), nHead: make([]uint16, len(items))}
	byKey := map[uint64]int32{}
	stems := map[string]bool{}
	seen := map[rawKey][]anchorForm{}
	c.itemOff = make([]uint32, 1, len(items)+1)
	var mine []uint32
	for i, it := range items {
		mine = mine[:0]
		lo, hi := headSpan(it.Text)
		for _, f := range m.an.anchorForms(it.Text, seen) {
			if f.w < minAnchorIDF {
				continue
			}
			a, ok := byKey[f.key]
			if !ok {
				a = int32(len(c.anchors))
				byKey[f.key] = a
				c.anchors = append(c.anchors, anchor{w: f.w})
			}
			inHead := uint32(0)
			if f.start >= lo && f.start < hi {
				inHead = 1
			}
			mine = append(mine, uint32(a)<<1|inHead)
			for _, form := range f.forms {
				c.addForm(form, a)
			}
			if f.stem != "" && m.an.lex != nil {
				stems[f.stem] = true
			}
		}
		c.addItem(int32(i), mine)
	}
	if m.an.lex != nil {
		tr := m.an.lex.Translations(stems)
		for _, st := range slices.Sorted(maps.Keys(stems)) {
			a := byKey[wordKey(st)]
			for _, hw := range tr[st] {
				rs := []rune(hw)
				c.addForm(bigramKey(formHash(string(rs[0])), formHash(string(rs[1]))), a)
			}
		}
	}
	c.table = newFormTable(c.forms)
	c.forms = nil
	c.buildSeeds()
	return c
}

// addItem records item i's anchors (anchor<<1 | head, with repeats): each
// distinct anchor once, in the question when any occurrence is, at most
// maxItemAnchors of them (the heaviest).
func (c *candIndex) addItem(i int32, mine []uint32) {
	slices.Sort(mine)
	distinct := mine[:0]
	for k, v := range mine {
		if k+1 < len(mine) && mine[k+1]>>1 == v>>1 {
			continue // the next one is the same anchor, with the head bit if any has it
		}
		distinct = append(distinct, v)
	}
	for _, v := range distinct {
		c.total[i] += c.anchors[v>>1].w
		if v&1 != 0 {
			c.head[i] += c.anchors[v>>1].w
		}
	}
	// The lightest of a very long item's anchors are dropped, but still
	// count in its total: the bound only gets harder.
	if len(distinct) > maxItemAnchors {
		slices.SortStableFunc(distinct, func(x, y uint32) int {
			if wx, wy := c.anchors[x>>1].w, c.anchors[y>>1].w; wx != wy {
				if wx > wy {
					return -1
				}
				return 1
			}
			return 0
		})
		distinct = distinct[:maxItemAnchors]
		slices.Sort(distinct)
	}
	for _, v := range distinct {
		c.itemAnc = append(c.itemAnc, v)
		c.itemW = append(c.itemW, c.anchors[v>>1].w)
		if v&1 != 0 {
			c.nHead[i]++
		}
		c.anchors[v>>1].df++
	}
	c.itemOff = append(c.itemOff, uint32(len(c.itemAnc)))
}

// buildSeeds chooses each item's seed anchors and the number of them a
// record must hold, and builds the postings and the tallies' start values.
//
// An item passes by its total share or by its question's share, and the
// plan of plan covers both at once: the fewest anchors of either way. For
// an item whose question is short and whose passage or options are long
// (MMLU with a passage, HellaSwag), that is a few anchors out of dozens,
// and random text reaches it often: on the synthetic corpus 70 items per
// record were checked in full, nearly all of them such items, and failed.
// Planned apart, the total share needs many of all the anchors and the
// question share a few of the question's own; a record reaches either
// count far less often. Split items are posted in all for the total share
// and in question for the question's; an item is split when that posts it
// under at most splitGrowth times as many anchors as the joint plan (on
// the synthetic corpus: 2% more postings walked, and 18 full checks per
// record instead of 70). The candidates are the same either way.
func (c *candIndex) buildSeeds() {
	var allSeeds, questionSeeds [][]uint32
	var order []uint32
	var p seedPlanner
	for i := range len(c.itemOff) - 1 {
		order = append(order[:0], c.itemAnchors(int32(i))...)
		// Most common first; ties by anchor, so the choice is deterministic.
		slices.SortFunc(order, func(x, y uint32) int {
			if dx, dy := c.anchors[x>>1].df, c.anchors[y>>1].df; dx != dy {
				return int(dy - dx)
			}
			return int(x>>1) - int(y>>1)
		})
		e, k := p.plan(c, order, int32(i))
		if k == 0 {
			continue // never a candidate
		}
		sp := p.splitPlan(c, order, int32(i))
		if sp.kTotal == k || float64(len(sp.total)+len(sp.question)) > splitGrowth*float64(len(order)-e) {
			c.all.add(int32(i), order[e:], k, &allSeeds)
			continue
		}
		if sp.kTotal > 0 {
			c.all.add(int32(i), sp.total, sp.kTotal, &allSeeds)
		}
		c.question.add(int32(i), sp.question, sp.kQuestion, &questionSeeds)
	}
	c.all.build(len(c.anchors), allSeeds)
	c.question.build(len(c.anchors), questionSeeds)
}

// margin loosens every planned bound a little, so that float rounding
// errs on the side of checking an item in full.
const margin = 0.999

// splitGrowth bounds how many more postings a split plan may take.
const splitGrowth = 1.25

// split is the plan of an item's two ways apart: the seeds of its total
// share and how many a record must hold (kTotal; 0: never by total), and
// those of its question share, from the question's anchors.
type split struct {
	total, question   []uint32
	kTotal, kQuestion int
}

// splitPlan plans the total share over all of an item's anchors and the
// question share over the question's (order is most common first).
func (p *seedPlanner) splitPlan(c *candIndex, order []uint32, item int32) split {
	var sp split
	p.ws = p.ws[:0]
	for _, v := range order {
		p.ws = append(p.ws, c.anchors[v>>1].w)
	}
	if e, k := p.prefix(p.ws, margin*minShare*c.total[item], minAnchors); k > 0 {
		sp.total, sp.kTotal = order[e:], k
	}
	var q []uint32
	p.hs = p.hs[:0]
	for _, v := range order {
		if v&1 != 0 {
			q = append(q, v)
			p.hs = append(p.hs, c.anchors[v>>1].w)
		}
	}
	if c.head[item] > 0 {
		if e, k := p.prefix(p.hs, margin*minHeadShare*c.head[item], minHeadAnchors); k > 0 {
			sp.question, sp.kQuestion = q[e:], k
		}
	}
	return sp
}

// prefix plans one share test over anchors of weights ws (most common
// first): a record passes when it holds at least minCount of them
// weighing at least bound. k is the fewest a passing record holds (0:
// none passes), and e the most of the commonest that can be left out of
// the seeds while a record holding fewer than k of the others still fails.
func (p *seedPlanner) prefix(ws []float32, bound float32, minCount int) (e, k int) {
	p.sorted = append(p.sorted[:0], ws...)
	slices.SortFunc(p.sorted, descending)
	if k = fewest(p.sorted, bound, minCount); k == 0 {
		return len(ws), 0
	}
	var ew float32
	for e = 0; e+k <= len(ws); e++ {
		if e > 0 {
			ew += ws[e-1]
			p.sorted = removeOne(p.sorted, ws[e-1])
		}
		if e+k-1 < minCount {
			continue
		}
		if ew+sum(p.sorted[:min(k-1, len(p.sorted))]) >= bound {
			break
		}
	}
	return e - 1, k
}

func descending(a, b float32) int {
	switch {
	case a > b:
		return -1
	case a < b:
		return 1
	}
	return 0
}

// tallyTop is the tally byte value at which an item is checked in full:
// an item's byte starts at tallyTop - k and each seed in the record adds
// one. With at most maxItemAnchors seeds a byte never overflows.
const tallyTop = 128

// maxItemAnchors bounds the anchors of one item (the heaviest are kept),
// so that a tally byte cannot overflow.
const maxItemAnchors = 127

// seedPlanner holds the buffers of seed planning.
type seedPlanner struct {
	ws, hs []float32 // weights of the anchors not left out, descending; of those in the question
	sorted []float32
}

// plan returns how many of an item's anchors (most common first) are left
// out of its seeds, e, and how many seeds a record must hold for the item
// to be checked in full, k (0: the item can never pass). k is the fewest
// anchors a passing record can hold (a long item needs many to reach 35%
// of its weight), and e the most anchors that can be left out while any
// record with fewer than k of the others still fails the bound: no count,
// no total share and no question share (by weight or by count). The
// bound is checked with a small margin for float rounding, so both
// choices err on the side of checking.
func (p *seedPlanner) plan(c *candIndex, order []uint32, item int32) (e, k int) {
	n := len(order)
	if n < minAnchors {
		return n, 0
	}
	total, head := c.total[item], c.head[item]
	p.ws, p.hs = p.ws[:0], p.hs[:0]
	for _, v := range order {
		w := c.anchors[v>>1].w
		p.ws = append(p.ws, w)
		if v&1 != 0 {
			p.hs = append(p.hs, w)
		}
	}
	slices.SortFunc(p.ws, descending)
	slices.SortFunc(p.hs, descending)
	k = minHits(p.ws, p.hs, margin*minShare*total, margin*minHeadShare*head, minHeadAnchors)
	if k == 0 {
		return n, 0
	}
	var ew, eh float32 // weight and question weight of order[:e]
	eHeads := 0
	for e = 0; e+k <= n; e++ {
		if e > 0 {
			v := order[e-1]
			w := c.anchors[v>>1].w
			ew += w
			p.ws = removeOne(p.ws, w)
			if v&1 != 0 {
				eh += w
				eHeads++
				p.hs = removeOne(p.hs, w)
			}
		}
		if e+k-1 < minAnchors {
			continue
		}
		tw, th := sum(p.ws[:min(k-1, len(p.ws))]), sum(p.hs[:min(k-1, len(p.hs))])
		noHead := head <= 0 || eh+th < margin*minHeadShare*head || eHeads+min(k-1, len(p.hs)) < minHeadAnchors
		if ew+tw >= margin*minShare*total || !noHead {
			break
		}
	}
	return e - 1, k
}

// minHits returns the fewest anchors a passing record can hold: minAnchors,
// and enough of the heaviest (ws, descending) to reach totalBound, or
// enough of the question's heaviest (hs) to reach headBound and
// headCount; 0 when no record can pass.
func minHits(ws, hs []float32, totalBound, headBound float32, headCount int) int {
	best := fewest(ws, totalBound, minAnchors)
	if headBound > 0 {
		if j := fewest(hs, headBound, headCount); j > 0 {
			if h := max(j, minAnchors); h <= len(ws) && (best == 0 || h < best) {
				best = h
			}
		}
	}
	return best
}

// fewest returns how many of the heaviest weights (ws, descending) reach
// bound, at least minCount of them; 0 when all of them do not.
func fewest(ws []float32, bound float32, minCount int) int {
	var acc float32
	for j, w := range ws {
		acc += w
		if acc >= bound && j+1 >= minCount {
			return j + 1
		}
	}
	return 0
}

// removeOne removes one occurrence of w from the descending slice ws.
func removeOne(ws []float32, w float32) []float32 {
	for i, x := range ws {
		if x == w {
			return append(ws[:i], ws[i+1:]...)
		}
	}
	return ws
}

func sum(ws []float32) float32 {
	var s float32
	for _, w := range ws {
		s += w
	}
	return s
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
// seen caches the anchors of each token text: a token seen before (in this
// or an earlier item) is analysed once, and its forms, already added to
// the table, come back empty (building the index for all benchmarks spent
// most of its 12 CPU-seconds re-adding the forms of repeated words).
func (a *analyzer) anchorForms(text string, seen map[rawKey][]anchorForm) []anchorForm {
	var out []anchorForm
	for _, t := range scanTokens(nil, text) {
		k := rawKey{t.class, t.text}
		fs, ok := seen[k]
		if !ok {
			fs = a.tokenAnchors(t)
			seen[k] = fs
			for _, f := range fs {
				f.start = t.start
				out = append(out, f)
			}
			continue
		}
		for _, f := range fs {
			f.start, f.forms = t.start, nil
			out = append(out, f)
		}
	}
	return out
}

// rawKey identifies a token text of a class.
type rawKey struct {
	class uint8
	text  string
}

// tokenAnchors returns the anchors of one token with their surface forms:
// a number, or the content subwords of a word.
func (a *analyzer) tokenAnchors(t rawToken) []anchorForm {
	var out []anchorForm
	switch t.class {
	case rawNum:
		c, ok := canonNumber(t.text)
		if !ok {
			return nil
		}
		k := numKey(c)
		f := anchorForm{key: k, w: a.bg.idf(k)}
		f.forms = append(f.forms, formHash(strings.ReplaceAll(c, ".", "")))
		if w, ok := numberNames[c]; ok {
			f.forms = append(f.forms, formHash(w))
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
			f := anchorForm{key: k, w: a.bg.idf(k), stem: st}
			for _, form := range inflections(s) {
				f.forms = append(f.forms, formHash(form))
			}
			if len(subs) > 1 {
				f.forms = append(f.forms, formHash(joined))
			}
			out = append(out, f)
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

// formTable is an open-addressing hash table from token hashes to anchor
// lists. A slot is 8 bytes, so a probe costs one cache miss (the first
// version kept keys, offsets and lengths in three arrays, three misses;
// a Go map took half of the candidate stage's time): 32 bits of the hash
// other than the slot bits check the key, and the value is the anchor
// itself, or (top bit set) the offset in flat of a count followed by the
// anchors. A token that is not a form matches a slot's check bits with
// probability 2^-31 per slot probed, and then at worst adds a candidate
// that verification rejects.
type formTable struct {
	slots []formSlot
	flat  []int32
	mask  uint64
}

type formSlot struct {
	check uint32 // 0 = empty
	val   uint32
}

const multiAnchor = 1 << 31

// formCheck returns the check bits of hash h (never 0).
func formCheck(h uint64) uint32 { return uint32(h>>24) | 1 }

func newFormTable(m map[uint64][]int32) formTable {
	size := 16
	for size < 2*len(m) {
		size *= 2
	}
	t := formTable{slots: make([]formSlot, size), mask: uint64(size - 1)}
	keys := make([]uint64, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		i := k & t.mask
		for t.slots[i].check != 0 {
			i = (i + 1) & t.mask
		}
		as := m[k]
		v := uint32(as[0])
		if len(as) > 1 {
			v = multiAnchor | uint32(len(t.flat))
			t.flat = append(t.flat, int32(len(as)))
			t.flat = append(t.flat, as...)
		}
		t.slots[i] = formSlot{formCheck(k), v}
	}
	return t
}

// get returns the anchors of token hash h; one is returned in one (the
// caller's one-element buffer), to allocate nothing.
func (t *formTable) get(h uint64, one *[1]int32) []int32 {
	c := formCheck(h)
	for i := h & t.mask; ; i = (i + 1) & t.mask {
		switch s := t.slots[i]; s.check {
		case c:
			if s.val&multiAnchor == 0 {
				one[0] = int32(s.val)
				return one[:]
			}
			off := s.val &^ multiAnchor
			return t.flat[off+1 : off+1+uint32(t.flat[off])]
		case 0:
			return nil
		}
	}
}
