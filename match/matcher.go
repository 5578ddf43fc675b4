package match

import (
	"slices"
	"unicode/utf8"

	"github.com/leakhound/leakhound"
	"github.com/leakhound/leakhound/ngram"
)

// Run is a maximal exact token match between a record and an item: the
// record's tokens [DocPos, DocPos+Len) equal the item's [ItemPos,
// ItemPos+Len), and the match cannot be extended to the right.
type Run struct {
	Item    int
	DocPos  int
	ItemPos int
	Len     int
}

// Matcher is one worker's detector state; it reuses its buffers from
// record to record. It is not safe for concurrent use: make one per worker
// with Set.NewMatcher.
type Matcher struct {
	set     *Set
	tally   *Tally
	toks    []ngram.Token
	hashes  []uint64
	grams   []uint64
	passed  []int32 // positions whose seed passed the Bloom filter
	runs    []Run
	covered map[uint64]int // (item, diagonal) → record position the last run ended at
	itemTok []ngram.Token
	canon   []byte
	offs    []uint32
	chars   charScratch
	workers []Worker // of the registered detectors in use
}

// NewMatcher returns a Matcher for s with an empty Tally.
func (s *Set) NewMatcher() *Matcher {
	m := &Matcher{set: s, tally: s.newTally(), covered: make(map[uint64]int)}
	for _, e := range s.external {
		m.workers = append(m.workers, e.detector.NewWorker())
	}
	return m
}

// Tally returns the matcher's corpus-wide accumulation so far.
func (m *Matcher) Tally() *Tally { return m.tally }

// Match appends to dst the findings for one record's text. Doc is left
// for the caller to fill in. An error comes only from a registered
// detector (an unreachable plug-in server, say) and stops the scan.
func (m *Matcher) Match(dst []leakhound.Finding, text []byte) ([]leakhound.Finding, error) {
	first := len(dst)
	tokenized := false
	if m.set.ix != nil {
		m.tokenize(text)
		tokenized = true
		m.exactRuns()
		dst = m.tokenMethods(dst, text)
	}
	if m.set.gpt4 != nil {
		dst = m.gpt4(dst, text)
	}
	for i, w := range m.workers {
		start := len(dst)
		var err error
		if tw, ok := w.(TokenWorker); ok {
			if !tokenized {
				m.tokenize(text)
				tokenized = true
			}
			dst, err = tw.DetectTokens(dst, text, m.toks)
		} else {
			dst, err = w.Detect(dst, text)
		}
		if err != nil {
			return dst, err
		}
		for _, f := range dst[start:] {
			if item, ok := m.set.itemIndex[f.Item]; ok {
				m.markFound(m.set.external[i].name, item)
			}
		}
	}
	m.sortFindings(dst[first:])
	m.countDocs(dst[first:])
	return dst, nil
}

// sortFindings puts one record's findings in the documented order: by
// method in option order, then by item in benchmark order.
func (m *Matcher) sortFindings(fs []leakhound.Finding) {
	if len(fs) < 2 {
		return
	}
	slices.SortStableFunc(fs, func(a, b leakhound.Finding) int {
		if ma, mb := m.set.methodIndex(a.Method), m.set.methodIndex(b.Method); ma != mb {
			return ma - mb
		}
		return m.set.itemIndex[a.Item] - m.set.itemIndex[b.Item]
	})
}

func (m *Matcher) tokenize(text []byte) {
	m.toks = ngram.AppendTokens(m.toks[:0], text)
	m.hashes = m.hashes[:0]
	for _, t := range m.toks {
		m.hashes = append(m.hashes, t.Hash)
	}
}

// exactRuns probes the index with the seed n-gram at every position of
// the record, verifies each hit token by token and extends it both ways to
// a maximal run. Seeds that fall inside a run already found on the same
// diagonal are skipped.
func (m *Matcher) exactRuns() {
	ix := m.set.ix
	n := ix.N()
	h := m.hashes
	m.runs = m.runs[:0]
	clear(m.covered)
	m.grams = ngram.Ngrams(m.grams[:0], h, n)
	m.passed = ix.Filter(m.passed[:0], m.grams)
	for _, p32 := range m.passed {
		p := int(p32)
		for _, pos := range ix.Lookup(m.grams[p]) {
			item, q := ix.Locate(pos)
			key := uint64(item)<<32 | uint64(uint32(p-q))
			if end, ok := m.covered[key]; ok && p < end {
				continue
			}
			if r, ok := extendRun(h, ix.ItemTokens(item), p, q, n); ok {
				r.Item = item
				m.covered[key] = r.DocPos + r.Len
				m.runs = append(m.runs, r)
			}
		}
	}
}

// extendRun verifies that h[p:p+n] equals it[q:q+n] (the index keys are
// reduced hashes, so a hit may be another n-gram) and grows the match to
// the left and to the right as far as the tokens agree.
func extendRun(h, it []uint64, p, q, n int) (Run, bool) {
	for i := 0; i < n; i++ {
		if h[p+i] != it[q+i] {
			return Run{}, false
		}
	}
	for p > 0 && q > 0 && h[p-1] == it[q-1] {
		p--
		q--
	}
	l := n
	for p+l < len(h) && q+l < len(it) && h[p+l] == it[q+l] {
		l++
	}
	return Run{DocPos: p, ItemPos: q, Len: l}, true
}

// tokenMethods groups the runs by item and applies each token method.
func (m *Matcher) tokenMethods(dst []leakhound.Finding, text []byte) []leakhound.Finding {
	if len(m.runs) == 0 {
		return dst
	}
	slices.SortFunc(m.runs, func(a, b Run) int {
		if a.Item != b.Item {
			return a.Item - b.Item
		}
		return a.DocPos - b.DocPos
	})
	for i := 0; i < len(m.runs); {
		j := i
		for j < len(m.runs) && m.runs[j].Item == m.runs[i].Item {
			j++
		}
		runs := m.runs[i:j]
		for _, method := range m.set.opts.Methods {
			switch method {
			case GPT3:
				dst = m.gpt3(dst, text, runs)
			case PaLM:
				dst = m.palm(dst, text, runs)
			case Llama2:
				dst = m.llama2(dst, text, runs)
			}
		}
		i = j
	}
	return dst
}

func (m *Matcher) countDocs(fs []leakhound.Finding) {
	for i, f := range fs {
		seen := false
		for _, g := range fs[:i] {
			if g.Method == f.Method && g.Benchmark == f.Benchmark {
				seen = true
				break
			}
		}
		if !seen {
			m.tally.docs[m.set.methodIndex(f.Method)][slices.Index(m.set.benchmarks, f.Benchmark)]++
		}
	}
}

// span is a matched region in token positions of the record and the item.
type span struct{ docLo, docHi, itemLo, itemHi int }

// finding builds a finding for item with the given token spans, converting
// them to byte spans of the record text and the item text.
func (m *Matcher) finding(text []byte, item int, method string, score float64, spans []span) leakhound.Finding {
	it := &m.set.Items[item]
	m.itemTok = ngram.AppendTokens(m.itemTok[:0], []byte(it.Text))
	pairs := make([]leakhound.SpanPair, len(spans))
	for i, s := range spans {
		pairs[i] = leakhound.SpanPair{
			Doc:  leakhound.Span{Start: int(m.toks[s.docLo].Start), End: int(m.toks[s.docHi-1].End)},
			Item: leakhound.Span{Start: int(m.itemTok[s.itemLo].Start), End: int(m.itemTok[s.itemHi-1].End)},
		}
	}
	return newFinding(text, it, method, score, pairs)
}

func newFinding(text []byte, it *leakhound.Item, method string, score float64, pairs []leakhound.SpanPair) leakhound.Finding {
	return leakhound.Finding{
		SchemaVersion: leakhound.SchemaVersion,
		Item:          it.ID,
		Benchmark:     it.Benchmark,
		Part:          it.Part,
		Method:        method,
		Score:         score,
		Spans:         pairs,
		Cluster:       it.Cluster,
		Excerpt:       excerpt(text, pairs),
	}
}

// Excerpt bounds.
const (
	excerptContext  = 160     // bytes shown around the matched spans
	excerptMaxBytes = 8 << 10 // an excerpt never exceeds 8 KiB
)

// excerpt returns the record text around the matched spans.
func excerpt(text []byte, pairs []leakhound.SpanPair) *leakhound.Excerpt {
	if len(pairs) == 0 {
		return nil
	}
	lo, hi := pairs[0].Doc.Start, pairs[0].Doc.End
	for _, p := range pairs[1:] {
		lo, hi = min(lo, p.Doc.Start), max(hi, p.Doc.End)
	}
	lo, hi = max(0, lo-excerptContext), min(len(text), hi+excerptContext)
	if hi-lo > excerptMaxBytes {
		hi = lo + excerptMaxBytes
	}
	for lo > 0 && !utf8.RuneStart(text[lo]) {
		lo--
	}
	for hi < len(text) && !utf8.RuneStart(text[hi]) {
		hi++
	}
	return &leakhound.Excerpt{Offset: lo, Text: string(text[lo:hi])}
}
