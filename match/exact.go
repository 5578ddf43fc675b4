package match

import (
	"slices"

	"github.com/leakhound/leakhound"
)

// gpt3 flags the item when a run is at least N tokens long (N from the
// benchmark's rule). Score: the share of the item's tokens inside such runs.
func (m *Matcher) gpt3(dst []leakhound.Finding, text []byte, runs []Run) []leakhound.Finding {
	item := runs[0].Item
	n := m.set.gpt3N[m.set.benchOf[item]]
	var spans []span
	longest := 0
	for _, r := range runs {
		if r.Len >= n {
			spans = append(spans, span{r.DocPos, r.DocPos + r.Len, r.ItemPos, r.ItemPos + r.Len})
			longest = max(longest, r.Len)
		}
	}
	if len(spans) == 0 {
		return dst
	}
	total := m.set.itemLen(item)
	covered := itemCoverage(spans, total)
	f := m.finding(text, item, GPT3, float64(covered)/float64(total), spans)
	f.Verdict = "dirty"
	f.Evidence = map[string]float64{"n": float64(n), "longest_run": float64(longest), "item_tokens": float64(total), "covered_tokens": float64(covered)}
	m.markFound(GPT3, item)
	return append(dst, f)
}

// itemCoverage counts the item tokens inside at least one span.
func itemCoverage(spans []span, itemLen int) int {
	seen := newBitset(itemLen)
	for _, s := range spans {
		seen.setRange(s.itemLo, s.itemHi)
	}
	return seen.count(0, itemLen)
}

func (m *Matcher) markFound(method string, item int) {
	m.tally.found[m.set.methodIndex(method)][item] = true
}

// palm records which of the item's n-grams the record holds (for the
// corpus-wide rule) and reports the record when it alone holds at least
// the threshold share of them.
func (m *Matcher) palm(dst []leakhound.Finding, text []byte, runs []Run) []leakhound.Finding {
	item := runs[0].Item
	n := m.set.opts.PaLMN
	total := m.set.itemLen(item) - n + 1
	if total <= 0 {
		return dst
	}
	seen := newBitset(total)
	base := m.set.itemBase(item)
	var spans []span
	for _, r := range runs {
		if r.Len < n {
			continue
		}
		seen.setRange(r.ItemPos, r.ItemPos+r.Len-n+1)
		m.tally.palmSeen.setRange(base+r.ItemPos, base+r.ItemPos+r.Len-n+1)
		spans = append(spans, span{r.DocPos, r.DocPos + r.Len, r.ItemPos, r.ItemPos + r.Len})
	}
	share := float64(seen.count(0, total)) / float64(total)
	if share < m.set.opts.PaLMThreshold {
		return dst
	}
	f := m.finding(text, item, PaLM, share, spans)
	f.Verdict = "contaminated"
	f.Evidence = map[string]float64{"n": float64(n), "ngrams": float64(total), "ngrams_seen": float64(seen.count(0, total))}
	m.markFound(PaLM, item)
	return append(dst, f)
}

// llama2 grows each exact run of at least llama2Prefix tokens to the right
// under the skip budget, keeps the spans longer than Llama2MinLen, and
// marks their item tokens as contaminated. The record is reported when its
// spans cover at least the clean threshold; the verdict names the record's
// own bucket.
func (m *Matcher) llama2(dst []leakhound.Finding, text []byte, runs []Run) []leakhound.Finding {
	item := runs[0].Item
	it := m.set.ix.ItemTokens(item)
	base := m.set.itemBase(item)
	var spans []span
	for _, r := range runs {
		// Every exact run of the prefix length starts a span of its own:
		// a span grown from another run may have resynchronised on a wrong
		// alignment and stopped early, so it must not hide this one. The
		// skip budget (4) keeps each growth cheap.
		if r.Len < llama2Prefix {
			continue
		}
		s := m.extendSkipping(r, it)
		if s.itemHi-s.itemLo > m.set.opts.Llama2MinLen && !slices.Contains(spans, s) {
			spans = append(spans, s)
			m.tally.llamaTok.setRange(base+s.itemLo, base+s.itemHi)
		}
	}
	if len(spans) == 0 {
		return dst
	}
	c := float64(itemCoverage(spans, len(it))) / float64(len(it))
	if c < m.set.opts.Llama2Clean {
		return dst
	}
	f := m.finding(text, item, Llama2, c, spans)
	f.Verdict = m.llama2Bucket(c)
	f.Evidence = map[string]float64{"min_len": float64(m.set.opts.Llama2MinLen), "skip": float64(m.set.opts.Llama2Skip), "item_tokens": float64(len(it))}
	return append(dst, f)
}

// llama2Bucket names the bucket of a contaminated-token share: Llama 2's
// four buckets overlap, so the most specific one is named.
func (m *Matcher) llama2Bucket(c float64) string {
	switch {
	case c >= m.set.opts.Llama2Dirty:
		return "dirty"
	case c >= m.set.opts.Llama2Clean:
		return "not-clean"
	}
	return "clean"
}

// extendSkipping grows run r to the right: after a mismatch it skips up to
// the remaining budget of tokens in the record, the item or both, resumes
// where two tokens match again, and ends at the last matched token, so a
// span never ends in a mismatch.
func (m *Matcher) extendSkipping(r Run, it []uint64) span {
	h := m.hashes
	pd, pq := r.DocPos+r.Len, r.ItemPos+r.Len
	endD, endQ := pd, pq
	for budget := m.set.opts.Llama2Skip; budget > 0; {
		a, b, ok := resync(h, it, pd, pq, budget)
		if !ok {
			break
		}
		budget -= max(a, b)
		pd, pq = pd+a, pq+b
		for pd < len(h) && pq < len(it) && h[pd] == it[pq] {
			pd++
			pq++
		}
		endD, endQ = pd, pq
	}
	return span{r.DocPos, endD, r.ItemPos, endQ}
}

// resync finds the cheapest skip (a tokens of the record, b of the item;
// cost max(a, b) ≤ budget; substitutions first) after which the next two
// tokens match, or the item's last token matches.
func resync(h, it []uint64, pd, pq, budget int) (a, b int, ok bool) {
	matchAt := func(a, b int) bool {
		d, q := pd+a, pq+b
		if d >= len(h) || q >= len(it) || h[d] != it[q] {
			return false
		}
		return q+1 == len(it) || d+1 < len(h) && h[d+1] == it[q+1]
	}
	for c := 1; c <= budget; c++ {
		if matchAt(c, c) {
			return c, c, true
		}
		for k := c - 1; k >= 0; k-- {
			if matchAt(c, k) {
				return c, k, true
			}
			if matchAt(k, c) {
				return k, c, true
			}
		}
	}
	return 0, 0, false
}
