package rephrase

import (
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
	// plugins are the optional model checks (--embed, --judge).
	plugins *Plugins
}

// NewDetector prepares items for detection with model.
func NewDetector(model *Model, items []leakhound.Item) *Detector {
	d := &Detector{model: model, items: items, ix: buildIndex(model, items), words: make([]int32, len(items))}
	for i, it := range items {
		d.words[i] = int32(len(ngram.AppendTokens(nil, []byte(it.Text))))
	}
	return d
}

// Model returns the detector's model.
func (d *Detector) Model() *Model { return d.model }

// Worker is one goroutine's detection state.
type Worker struct {
	d     *Detector
	toks  []dtok
	buf   []byte
	hits  []hit
	tally []tally // per item, indexed by item
	touch []int32
	cands []cand
	items map[int32]*Prepared
	wpos  []int32
	// the last window analysed in this record (docWindow)
	lastDoc        *Prepared
	lastLo, lastHi int
}

// tally is one item's anchors found in a record: kept together, the
// three counters cost one cache miss per posting instead of three.
type tally struct {
	acc, accH float32
	cnt       int32
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
	return &Worker{d: d, tally: make([]tally, len(d.items)), items: map[int32]*Prepared{}}
}

// Detect appends the findings for one record's text.
func (w *Worker) Detect(dst []leakhound.Finding, text []byte) ([]leakhound.Finding, error) {
	w.lastDoc = nil
	w.toks, w.buf = appendDocTokens(w.toks[:0], text, w.buf)
	w.collectHits(text)
	if len(w.hits) < minAnchors {
		return dst, nil
	}
	w.candidates()
	for _, c := range w.cands {
		var err error
		if dst, err = w.verify(dst, text, c.item); err != nil {
			return dst, err
		}
	}
	return dst, nil
}

// collectHits looks every token (and Chinese character bigram) of the
// record up in the anchor table.
func (w *Worker) collectHits(text []byte) {
	ix := w.d.ix
	w.hits = w.hits[:0]
	for i, t := range w.toks {
		if ix.mayHave(t.hash) {
			for _, a := range ix.table.get(t.hash) {
				w.hits = append(w.hits, hit{a, int32(i)})
			}
		}
		if i > 0 && t.han && w.toks[i-1].han {
			k := bigramKey(w.toks[i-1].hash, t.hash)
			if ix.mayHave(k) {
				for _, a := range ix.table.get(k) {
					w.hits = append(w.hits, hit{a, int32(i)})
				}
			}
		}
	}
}

// candidates fills w.cands with the items whose distinct anchors in the
// record pass the bound, best share first.
func (w *Worker) candidates() {
	ix := w.d.ix
	slices.SortFunc(w.hits, func(a, b hit) int { return int(a.a - b.a) })
	w.touch = w.touch[:0]
	for k, h := range w.hits {
		if k > 0 && w.hits[k-1].a == h.a {
			continue
		}
		an := &ix.anchors[h.a]
		for k, it := range an.items {
			t := &w.tally[it]
			if t.cnt == 0 {
				w.touch = append(w.touch, it)
			}
			t.cnt++
			t.acc += an.w
			if an.head[k] {
				t.accH += an.w
			}
		}
	}
	w.cands = w.cands[:0]
	for _, it := range w.touch {
		t := &w.tally[it]
		if share := ix.share(it, t.acc, t.accH); t.cnt >= minAnchors && share >= 1 {
			w.cands = append(w.cands, cand{it, share, t.acc})
		}
		*t = tally{}
	}
	if len(w.toks) > 3*minWindow {
		w.cands = slices.DeleteFunc(w.cands, func(c cand) bool { return !w.dense(c.item) })
	}
	// Best first: the most anchor weight found (a short item's question
	// passes the share bound easily, the copied item has the most
	// evidence), then the share.
	slices.SortFunc(w.cands, func(a, b cand) int {
		switch {
		case a.acc != b.acc:
			if a.acc > b.acc {
				return -1
			}
			return 1
		case a.share != b.share:
			if a.share > b.share {
				return -1
			}
			return 1
		}
		return int(a.item - b.item)
	})
	if len(w.cands) > maxVerify {
		w.cands = w.cands[:maxVerify]
	}
	slices.SortFunc(w.cands, func(a, b cand) int { return int(a.item - b.item) })
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
	w.wpos = w.wpos[:0]
	for _, h := range w.hits {
		if _, ok := slices.BinarySearch(w.d.ix.anchors[h.a].items, item); ok {
			w.wpos = append(w.wpos, h.pos)
		}
	}
	slices.Sort(w.wpos)
	best, bestLo := 0, int32(0)
	for lo, hi := 0, 0; hi < len(w.wpos); hi++ {
		for w.wpos[hi]-w.wpos[lo] > span {
			lo++
		}
		if hi-lo+1 > best {
			best, bestLo = hi-lo+1, w.wpos[lo]
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
	w.toks, w.buf = appendDocTokens(w.toks[:0], text, w.buf)
	w.collectHits(text)
	if len(w.hits) < minAnchors {
		return nil
	}
	w.candidates()
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
// window of the record (twice the item's length): in a long record,
// anchors scattered over unrelated paragraphs do not make a candidate.
func (w *Worker) dense(item int32) bool {
	ix := w.d.ix
	span := max(2*w.d.words[item], minWindow)
	type pa struct {
		pos  int32
		a    int32
		head bool
	}
	var ps []pa
	for _, h := range w.hits {
		if k, ok := slices.BinarySearch(ix.anchors[h.a].items, item); ok {
			ps = append(ps, pa{h.pos, h.a, ix.anchors[h.a].head[k]})
		}
	}
	slices.SortFunc(ps, func(x, y pa) int { return int(x.pos - y.pos) })
	count := map[int32]int{}
	var weight, headW float32
	distinct := 0
	add := func(p pa, d int) {
		c := count[p.a]
		count[p.a] = c + d
		if c == 0 && d > 0 || c == 1 && d < 0 {
			weight += float32(d) * ix.anchors[p.a].w
			if p.head {
				headW += float32(d) * ix.anchors[p.a].w
			}
			distinct += d
		}
	}
	for lo, hi := 0, 0; hi < len(ps); hi++ {
		add(ps[hi], 1)
		for ps[hi].pos-ps[lo].pos > span {
			add(ps[lo], -1)
			lo++
		}
		if distinct >= minAnchors && ix.share(item, weight, headW) >= 1 {
			return true
		}
	}
	return false
}

// share returns how far an item's anchor weight found passes the bound:
// the larger of acc / (minShare · total) and accH / (minHeadShare · head);
// 1 or more passes.
func (c *candIndex) share(item int32, acc, accH float32) float32 {
	s := acc / (minShare * c.total[item])
	if c.head[item] > 0 {
		s = max(s, accH/(minHeadShare*c.head[item]))
	}
	return s
}
