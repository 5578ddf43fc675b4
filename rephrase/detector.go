package rephrase

import (
	"cmp"
	"slices"

	"github.com/leakhound/leakhound"
	"github.com/leakhound/leakhound/ngram"
)

// Method is the scan method name.
const Method = "rephrase"

// maxVerify bounds the candidates verified per record, best first, so that
// a pathological record (a word list) costs a bounded time.
const maxVerify = 8

// Detector finds rephrased, translated and rewritten copies of items. It
// is read-only once built and shared by all workers.
type Detector struct {
	model *Model
	items []leakhound.Item
	ix    *candIndex
	words []int32 // per item: approximate token count
	// headWords per item: approximate token count of its question
	headWords []int32
	// plugins are the optional model checks (--embed, --judge).
	plugins *Plugins
}

// NewDetector prepares items for detection with model.
func NewDetector(model *Model, items []leakhound.Item) *Detector {
	d := &Detector{model: model, items: items, ix: buildIndex(model, items), words: make([]int32, len(items)), headWords: make([]int32, len(items))}
	var toks []ngram.Token
	for i, it := range items {
		toks = ngram.AppendTokens(toks[:0], []byte(it.Text))
		d.words[i] = int32(len(toks))
		lo, hi := headSpan(it.Text)
		for _, t := range toks {
			if int(t.Start) >= lo && int(t.End) <= hi {
				d.headWords[i]++
			}
		}
	}
	return d
}

// Model returns the detector's model.
func (d *Detector) Model() *Model { return d.model }

// Worker is one goroutine's detection state.
type Worker struct {
	d      *Detector
	toks   []dtok
	buf    []byte
	hits   []hit    // every anchor occurrence, in record order
	seen   []uint64 // bit set over anchors: in the record
	found  []int32  // the distinct anchors in the record
	tally  []byte   // per position of candIndex.all: its start plus the seeds in the record
	qTally []byte   // the same for candIndex.question
	hot    []int32  // the items whose tally reached tallyTop in this record
	slot   []int32  // per anchor: its index in an item's anchor list + 1 (itemHits)
	ihits  []itemHit
	count  []int32
	cands  []cand
	items  map[int32]*Prepared
	one    [1]int32
	// the last window analysed in this record (docWindow)
	lastDoc        *Prepared
	lastLo, lastHi int
}

type hit struct {
	a   int32 // anchor
	pos int32 // record token position
}

type cand struct {
	item  int32
	share float32
	acc   float32 // anchor weight found
}

// NewWorker returns a worker.
func (d *Detector) NewWorker() *Worker {
	return &Worker{d: d, tally: slices.Clone(d.ix.all.start), qTally: slices.Clone(d.ix.question.start), slot: make([]int32, len(d.ix.anchors)), seen: make([]uint64, (len(d.ix.anchors)+63)/64), items: map[int32]*Prepared{}}
}

// Detect appends the findings for one record's text.
func (w *Worker) Detect(dst []leakhound.Finding, text []byte) ([]leakhound.Finding, error) {
	w.lastDoc = nil
	w.candidateStage(text)
	for _, c := range w.cands {
		var err error
		if dst, err = w.verify(dst, text, c.item); err != nil {
			return dst, err
		}
	}
	return dst, nil
}

// candidateStage tokenizes the record, finds its anchors and fills
// w.cands.
func (w *Worker) candidateStage(text []byte) {
	w.toks, w.buf = appendDocTokens(w.toks[:0], text, w.buf)
	w.collectHits()
	w.candidates()
}

// collectHits looks every token (and Chinese character bigram) of the
// record up in the anchor table and records each occurrence and each
// distinct anchor.
func (w *Worker) collectHits() {
	ix := w.d.ix
	w.hits = w.hits[:0]
	for _, a := range w.found {
		w.seen[a>>6] = 0
	}
	w.found = w.found[:0]
	for i, t := range w.toks {
		if ix.mayHave(t.hash) {
			w.addHits(ix.table.get(t.hash, &w.one), int32(i))
		}
		if i > 0 && t.han && w.toks[i-1].han {
			if k := bigramKey(w.toks[i-1].hash, t.hash); ix.mayHave(k) {
				w.addHits(ix.table.get(k, &w.one), int32(i))
			}
		}
	}
}

func (w *Worker) addHits(as []int32, pos int32) {
	for _, a := range as {
		w.hits = append(w.hits, hit{a, pos})
		if w.seen[a>>6]&(1<<(a&63)) == 0 {
			w.seen[a>>6] |= 1 << (a & 63)
			w.found = append(w.found, a)
		}
	}
}

// countSeeds adds one to the tally byte of every item that each distinct
// anchor of the record seeds, and lists in hot the items whose byte
// reaches tallyTop: one byte add per posting, and a branch that is almost
// never taken. The tallies are then reset by copying their start values
// (48,000 bytes), cheaper than finding the items touched.
func (w *Worker) countSeeds() {
	ix := w.d.ix
	w.hot = w.hot[:0]
	w.hot = countTable(w.hot, &ix.all, w.tally, w.found)
	w.hot = countTable(w.hot, &ix.question, w.qTally, w.found)
	copy(w.tally, ix.all.start)
	copy(w.qTally, ix.question.start)
}

// countTable counts the seeds of the record's anchors found in one table
// and appends the items whose tally reaches tallyTop.
func countTable(hot []int32, t *seedTable, tally []byte, found []int32) []int32 {
	for _, a := range found {
		for _, pos := range t.seeds(a) {
			c := tally[pos] + 1
			tally[pos] = c
			if c == tallyTop {
				hot = append(hot, t.live[pos])
			}
		}
	}
	return hot
}

// has reports whether anchor a is in the record.
func (w *Worker) has(a uint32) bool { return w.seen[a>>6]&(1<<(a&63)) != 0 }

// candidates fills w.cands with the items whose distinct anchors in the
// record pass the bound, best share first.
func (w *Worker) candidates() {
	w.cands = w.cands[:0]
	if len(w.found) < minAnchors {
		return
	}
	w.countSeeds()
	// An item split in two tables can reach the top in both.
	slices.Sort(w.hot)
	w.hot = slices.Compact(w.hot)
	for _, it := range w.hot {
		if acc, share, ok := w.passes(it); ok {
			w.cands = append(w.cands, cand{it, share, acc})
		}
	}
	if len(w.toks) > 3*minWindow {
		w.cands = slices.DeleteFunc(w.cands, func(c cand) bool { return !w.dense(c.item) })
	}
	// Best first: the most anchor weight found (a short item's question
	// passes the share bound easily, the copied item has the most
	// evidence), then the share.
	slices.SortFunc(w.cands, func(a, b cand) int {
		return cmp.Or(cmp.Compare(b.acc, a.acc), cmp.Compare(b.share, a.share), cmp.Compare(a.item, b.item))
	})
	if len(w.cands) > maxVerify {
		w.cands = w.cands[:maxVerify]
	}
	slices.SortFunc(w.cands, func(a, b cand) int { return cmp.Compare(a.item, b.item) })
}

// passes counts all of the item's anchors in the record and applies the
// bound: minAnchors distinct anchors and a share of at least 1.
func (w *Worker) passes(item int32) (acc, share float32, ok bool) {
	ix := w.d.ix
	var accH float32
	n, nh := 0, 0
	ws := ix.itemWeights(item)
	for k, v := range ix.itemAnchors(item) {
		if w.has(v >> 1) {
			n++
			acc += ws[k]
			if v&1 != 0 {
				accH += ws[k]
				nh++
			}
		}
	}
	share = ix.share(item, acc, accH, nh)
	return acc, share, n >= minAnchors && share >= 1
}

// itemHits returns the record positions of item's anchors, in record
// order, with the index of the anchor in the item's anchor list.
func (w *Worker) itemHits(item int32) []itemHit {
	anc := w.d.ix.itemAnchors(item)
	for k, v := range anc {
		w.slot[v>>1] = int32(k + 1)
	}
	w.ihits = w.ihits[:0]
	for _, h := range w.hits {
		if k := w.slot[h.a]; k > 0 {
			w.ihits = append(w.ihits, itemHit{h.pos, k - 1})
		}
	}
	for _, v := range anc {
		w.slot[v>>1] = 0
	}
	return w.ihits
}

type itemHit struct {
	pos int32
	k   int32 // index in the item's anchor list
}

// window returns the byte range of the record to verify against item: the
// whole record when it is short, else the densest stretch of the item's
// anchors, widened by the item's length on each side.
func (w *Worker) window(text []byte, item int32) (int, int) {
	n := int32(len(w.toks))
	span := 2*w.d.words[item] + 40
	if n <= 2*span {
		return 0, len(text)
	}
	hs := w.itemHits(item) // in record order
	best, bestLo := 0, int32(0)
	for lo, hi := 0, 0; hi < len(hs); hi++ {
		for hs[hi].pos-hs[lo].pos > span {
			lo++
		}
		if hi-lo+1 > best {
			best, bestLo = hi-lo+1, hs[lo].pos
		}
	}
	a := max(0, bestLo-w.d.words[item]/2)
	b := min(n-1, bestLo+span+w.d.words[item]/2)
	return int(w.toks[a].start), int(w.toks[b].end)
}

func (w *Worker) prepared(item int32) *Prepared {
	if p, ok := w.items[item]; ok {
		return p
	}
	if len(w.items) > 4096 {
		clear(w.items)
	}
	p := w.d.model.Prepare(w.d.items[item].Text)
	w.items[item] = p
	return p
}

// verify compares the item with its window and appends a finding when
// the scorer flags the pair.
func (w *Worker) verify(dst []leakhound.Finding, text []byte, item int32) ([]leakhound.Finding, error) {
	lo, hi := w.window(text, item)
	doc := w.docWindow(text, lo, hi)
	it := w.prepared(item)
	p := w.d.model.Compare(it, doc)
	extra, err := w.d.plugins.confirm(&p, it, doc)
	if err != nil || !p.Flag {
		return dst, err
	}
	f := w.d.finding(&w.d.items[item], it, doc, p, lo, text)
	for k, v := range extra {
		f.Evidence[k] = v
	}
	return append(dst, f), nil
}

// docWindow returns the analysis of text[lo:hi], reusing the last one:
// a short record is one window for all its candidates.
func (w *Worker) docWindow(text []byte, lo, hi int) *Prepared {
	if w.lastDoc != nil && w.lastLo == lo && w.lastHi == hi {
		return w.lastDoc
	}
	w.lastDoc = w.d.model.Prepare(string(text[lo:hi]))
	w.lastLo, w.lastHi = lo, hi
	return w.lastDoc
}

// Candidate is a window of a record that the candidate stage sends to
// verification against an item.
type Candidate struct {
	Item   int // index into the detector's items
	Lo, Hi int // byte range of the window in the record
}

// Candidates returns the candidate windows of a record, without
// verifying them (for mining training negatives and for measuring the
// candidate stage).
func (w *Worker) Candidates(text []byte) []Candidate {
	w.candidateStage(text)
	out := make([]Candidate, len(w.cands))
	for i, c := range w.cands {
		lo, hi := w.window(text, c.item)
		out[i] = Candidate{int(c.item), lo, hi}
	}
	return out
}

// minWindow is the shortest candidate window in tokens.
const minWindow = 60

// dense reports whether the item's anchors also pass the bound inside one
// window of the record: in a long record, anchors scattered over unrelated
// paragraphs do not make a candidate. The window is twice the item's
// length for its total share, and twice its question's for the question's
// share (random text of 700 words holds 3 of a question's 5 anchors
// somewhere often enough; on the synthetic corpus this check halves the
// candidates).
func (w *Worker) dense(item int32) bool {
	ps := w.itemHits(item) // in record order
	return w.slide(item, ps, max(2*w.d.words[item], minWindow), false) ||
		w.slide(item, ps, max(2*w.d.headWords[item], minWindow), true)
}

// slide reports whether some window of span tokens holds minAnchors of the
// item's anchors and its total share (or, for head, the question's share).
func (w *Worker) slide(item int32, ps []itemHit, span int32, head bool) bool {
	ix := w.d.ix
	anc := ix.itemAnchors(item)
	count := append(w.count[:0], make([]int32, len(anc))...)
	w.count = count
	var weight, headW float32
	distinct, heads := 0, 0
	add := func(p itemHit, d int32) {
		c := count[p.k]
		count[p.k] = c + d
		if c == 0 && d > 0 || c == 1 && d < 0 {
			v := anc[p.k]
			weight += float32(d) * ix.anchors[v>>1].w
			if v&1 != 0 {
				headW += float32(d) * ix.anchors[v>>1].w
				heads += int(d)
			}
			distinct += int(d)
		}
	}
	for lo, hi := 0, 0; hi < len(ps); hi++ {
		add(ps[hi], 1)
		for ps[hi].pos-ps[lo].pos > span {
			add(ps[lo], -1)
			lo++
		}
		if head && distinct >= minAnchors && ix.headShare(item, headW, heads) >= 1 ||
			!head && distinct >= minAnchors && ix.totalShare(item, weight) >= 1 {
			return true
		}
	}
	return false
}

// share returns how far an item's anchor weight found passes the bound:
// the larger of acc / (minShare · total) and accH / (minHeadShare · head);
// 1 or more passes. The question's share counts only when the record holds
// minHeadAnchors of the question's anchors (a question of fewer never
// counts, as the seed plans assume): an MMLU history item has a passage of 60 anchors and a question
// of 3, and random text that holds 4 passage words and 2 question words
// is not a rephrase of it (on the synthetic corpus such items made 96% of
// the candidates).
func (c *candIndex) share(item int32, acc, accH float32, heads int) float32 {
	return max(c.totalShare(item, acc), c.headShare(item, accH, heads))
}

func (c *candIndex) totalShare(item int32, acc float32) float32 {
	return acc / (minShare * c.total[item])
}

func (c *candIndex) headShare(item int32, accH float32, heads int) float32 {
	if c.head[item] <= 0 || heads < minHeadAnchors {
		return 0
	}
	return accH / (minHeadShare * c.head[item])
}
