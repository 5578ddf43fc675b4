package neardup

import (
	"cmp"
	"flag"
	"fmt"
	"math/bits"
	"slices"
	"strings"

	"github.com/leakhound/leakhound"
	"github.com/leakhound/leakhound/match"
	"github.com/leakhound/leakhound/ngram"
)

// Method is the scan method name.
const Method = "neardup"

// Parameters (see the package documentation).
const (
	Shingle        = 3    // tokens per shingle
	Sketch         = 16   // bottom-k sketch size per item
	CandidateShare = 0.25 // share of an item's sketch found to verify it
	minHits        = 3    // and at least this many sketch entries
	minShingles    = 8    // items with fewer shingles are left to the exact methods
	// maxItemsPerShingle: a shingle of more items is boilerplate ("which
	// of the following") and never enters a sketch.
	maxItemsPerShingle = 10
)

// common are English function words (our own list); a shingle made of
// them only ("one of the") is frequent in any text and never sketched.
var common = map[uint64]bool{}

func init() {
	for _, w := range strings.Fields(`a an the of to in on at by for with from and or but not no is are was were be been
		it its this that these those as if then than so such which who what when where how all any each one two
		i you he she we they me him her us them my your his our their there here do does did have has had can will would should may might must`) {
		common[ngram.HashString(w)] = true
	}
}

// threshold is the containment a finding needs (--neardup-threshold).
var threshold = 0.4

func init() {
	match.Register(match.Registration{
		Name: Method,
		Build: func(items []leakhound.Item, _ match.Options) (match.Detector, error) {
			if threshold <= 0 || threshold > 1 {
				return nil, fmt.Errorf("--neardup-threshold %g: want 0 < t <= 1", threshold)
			}
			return detector{New(items, threshold)}, nil
		},
		AddFlags: func(fs *flag.FlagSet) {
			fs.Float64Var(&threshold, "neardup-threshold", threshold, "neardup: share of an item's 3-token shingles that a record window must contain")
		},
		InAll: true,
		Usage: "neardup   lightly edited copies: MinHash sketches of 3-token shingles, verified by containment >= 0.4",
	})
}

type detector struct{ d *Detector }

func (d detector) NewWorker() match.Worker { return tokenWorker{d.d.NewWorker()} }

// tokenWorker lets the matcher hand a worker the record's tokens
// (match.TokenWorker): in --method all the exact methods tokenize every
// record, and the tokenizer is most of the cost of Detect.
type tokenWorker struct{ *Worker }

func (w tokenWorker) DetectTokens(dst []leakhound.Finding, _ []byte, toks []ngram.Token) ([]leakhound.Finding, error) {
	return w.Worker.DetectTokens(dst, toks), nil
}

// Detector is the benchmark side: the sketches of every item.
type Detector struct {
	items     []leakhound.Item
	threshold float64
	owners    []int32 // items of every sketch key, grouped by key
	sketchLen []int32 // per item
	table     keyTable
}

// mix spreads a shingle hash (the xor-rotate n-gram hash of package ngram
// keeps low bits of its tokens) before taking minima.
func mix(x uint64) uint64 {
	x ^= x >> 33
	x *= 0xff51afd7ed558ccd
	x ^= x >> 33
	x *= 0xc4ceb9fe1a85ec53
	x ^= x >> 33
	return x
}

// unmix inverts mix: unmix(mix(x)) == x. The filter of keyTable takes
// the shingle hash before mixing (the token hashes are well mixed, and so
// is the xor of their rotations), which saves the two multiplies of mix
// on the 99% of record shingles that the filter rejects.
func unmix(x uint64) uint64 {
	x ^= x >> 33
	x *= 0x9cb4b2f8129337db // inverse of 0xc4ceb9fe1a85ec53 mod 2^64
	x ^= x >> 33
	x *= 0x4f74430c22a54005 // inverse of 0xff51afd7ed558ccd
	x ^= x >> 33
	return x
}

// shingle returns the mixed hash of the shingle of token hashes a, b, c:
// mix(ngram.NgramAt(h, p, 3)) for h[p:p+3] = a, b, c.
func shingle(a, b, c uint64) uint64 {
	return mix(bits.RotateLeft64(a, 2) ^ bits.RotateLeft64(b, 1) ^ c)
}

// New builds the sketches of items; verification requires containment t.
func New(items []leakhound.Item, t float64) *Detector {
	d := &Detector{items: items, threshold: t, sketchLen: make([]int32, len(items))}
	sketch, survivors := bottomK(sortEntries(itemShingles(items)), len(items))
	var keys []uint64
	var first []uint32
	for _, e := range sketch {
		if survivors[e.item] < minShingles {
			continue
		}
		if len(keys) == 0 || e.key != keys[len(keys)-1] {
			keys = append(keys, e.key)
			first = append(first, uint32(len(d.owners)))
		}
		d.owners = append(d.owners, e.item)
		d.sketchLen[e.item]++
	}
	first = append(first, uint32(len(d.owners)))
	d.table = newKeyTable(keys, first)
	return d
}

// bottomK walks the (shingle, item) pairs of all in shingle order: a
// shingle's run gives its items (its document frequency), and each item
// takes its first Sketch shingles of at most maxItemsPerShingle items,
// which are its smallest. It returns those entries in (shingle, item)
// order and, per item, the number of its shingles of at most
// maxItemsPerShingle items.
func bottomK(all []entry, nItems int) (sketch []entry, survivors []int32) {
	survivors = make([]int32, nItems)
	var run []int32
	for lo := 0; lo < len(all); {
		hi := lo
		run = run[:0]
		for ; hi < len(all) && all[hi].key == all[lo].key; hi++ {
			if len(run) == 0 || run[len(run)-1] != all[hi].item {
				run = append(run, all[hi].item)
			}
		}
		if len(run) <= maxItemsPerShingle {
			for _, it := range run {
				if survivors[it]++; survivors[it] <= Sketch {
					sketch = append(sketch, entry{all[lo].key, it})
				}
			}
		}
		lo = hi
	}
	return sketch, survivors
}

// entry is one shingle of one item.
type entry struct {
	key  uint64
	item int32
}

// itemShingles returns the mixed shingle hashes of every item, in item
// order, leaving out the shingles of function words only.
func itemShingles(items []leakhound.Item) []entry {
	size := 0
	for _, it := range items {
		size += len(it.Text)
	}
	all := make([]entry, 0, size/5) // about one shingle per 5 bytes of English
	var toks []ngram.Token
	var isCommon []bool
	for i, it := range items {
		toks = ngram.AppendTokens(toks[:0], []byte(it.Text))
		isCommon = isCommon[:0]
		for _, tk := range toks {
			isCommon = append(isCommon, common[tk.Hash])
		}
		for p := 0; p+Shingle <= len(toks); p++ {
			if !isCommon[p] || !isCommon[p+1] || !isCommon[p+2] {
				all = append(all, entry{shingle(toks[p].Hash, toks[p+1].Hash, toks[p+2].Hash), int32(i)})
			}
		}
	}
	return all
}

// sortEntries sorts entries by key, then item: one counting pass
// distributes them by the top 16 bits of the key (the keys are mixed, so
// the buckets are even), then each bucket is sorted. It replaced per-item
// sorts and a Go map of document frequencies, which took 2.3 of the 7
// CPU-seconds of a neardup scan of 20 MB against the nine benchmarks
// (3.6 M shingles); this sort takes about 0.5 s of a build of 1.2 s, the
// same as an 8-pass LSD radix sort.
func sortEntries(a []entry) []entry {
	const bucketBits = 16
	var start [1<<bucketBits + 1]int
	for _, e := range a {
		start[e.key>>(64-bucketBits)+1]++
	}
	for i := 1; i < len(start); i++ {
		start[i] += start[i-1]
	}
	b := make([]entry, len(a))
	next := start
	for _, e := range a {
		c := e.key >> (64 - bucketBits)
		b[next[c]] = e
		next[c]++
	}
	for i := 0; i < 1<<bucketBits; i++ {
		slices.SortFunc(b[start[i]:start[i+1]], func(x, y entry) int {
			if c := cmp.Compare(x.key, y.key); c != 0 {
				return c
			}
			return cmp.Compare(x.item, y.item)
		})
	}
	return b
}

// Worker is one goroutine's state.
type Worker struct {
	d      *Detector
	toks   []ngram.Token // of the record, when Detect tokenizes it
	passed []int32       // shingle positions that passed the filter
	hits   []hit
	itTok  []ngram.Token // of the item being verified
	set    shingleSet    // its distinct shingles
}

type hit struct {
	item int32
	pos  int32
	key  uint64
}

// NewWorker returns a worker.
func (d *Detector) NewWorker() *Worker {
	return &Worker{d: d}
}

// Detect appends the findings for one record's text.
func (w *Worker) Detect(dst []leakhound.Finding, text []byte) ([]leakhound.Finding, error) {
	w.toks = ngram.AppendTokens(w.toks[:0], text)
	return w.DetectTokens(dst, w.toks), nil
}

// DetectTokens is Detect for a record already tokenized: toks must be
// ngram.AppendTokens(nil, text) for the record's text, and the spans of
// the findings are offsets in that text. A caller that tokenizes the
// record for other methods (the exact methods of package match) saves the
// tokenizer, which is most of the cost of Detect. The worker does not keep
// toks after the call.
func (w *Worker) DetectTokens(dst []leakhound.Finding, toks []ngram.Token) []leakhound.Finding {
	if len(toks) < Shingle {
		return dst
	}
	w.passed = w.d.table.filterPass(w.passed[:0], toks)
	if len(w.passed) == 0 {
		return dst
	}
	w.hits = w.hits[:0]
	for _, p := range w.passed {
		h := shingle(toks[p].Hash, toks[p+1].Hash, toks[p+2].Hash)
		if lo, hi := w.d.table.get(h); lo < hi {
			for _, it := range w.d.owners[lo:hi] {
				w.hits = append(w.hits, hit{it, p, h})
			}
		}
	}
	if len(w.hits) < minHits {
		return dst
	}
	slices.SortFunc(w.hits, func(a, b hit) int {
		if a.item != b.item {
			return int(a.item - b.item)
		}
		return int(a.pos - b.pos)
	})
	for lo := 0; lo < len(w.hits); {
		hi := lo
		for hi < len(w.hits) && w.hits[hi].item == w.hits[lo].item {
			hi++
		}
		dst = w.item(dst, toks, w.hits[lo:hi])
		lo = hi
	}
	return dst
}

// item verifies one item's hits group by group: hits closer than the
// item's length belong to one group, and each group is one window. The
// best window makes at most one finding per item and record.
func (w *Worker) item(dst []leakhound.Finding, toks []ngram.Token, hs []hit) []leakhound.Finding {
	n := int32(len(w.d.items[hs[0].item].Text)/4 + 8) // a generous bound on its shingles
	var best leakhound.Finding
	found := false
	for lo := 0; lo < len(hs); {
		hi := lo + 1
		for hi < len(hs) && hs[hi].pos-hs[hi-1].pos <= n {
			hi++
		}
		if f, ok := w.verify(toks, hs[lo:hi]); ok && (!found || f.Score > best.Score) {
			best, found = f, true
		}
		lo = hi
	}
	if found {
		dst = append(dst, best)
	}
	return dst
}

// verify checks one item's hits: enough distinct sketch entries, then the
// exact containment in the window around them.
func (w *Worker) verify(toks []ngram.Token, hs []hit) (leakhound.Finding, bool) {
	item := hs[0].item
	distinct := 0
	for i, h := range hs {
		if i == 0 || h.key != hs[i-1].key && !seenKey(hs[:i], h.key) {
			distinct++
		}
	}
	k := w.d.sketchLen[item]
	if distinct < minHits || float64(distinct) < CandidateShare*float64(k) {
		return leakhound.Finding{}, false
	}
	it := &w.d.items[item]
	w.itTok = ngram.AppendTokens(w.itTok[:0], []byte(it.Text))
	n := max(0, len(w.itTok)-Shingle+1)
	nsh := len(toks) - Shingle + 1
	lo := max(0, int(hs[0].pos)-n)
	hi := min(nsh, int(hs[len(hs)-1].pos)+n+1)
	set := &w.set
	set.reset(n)
	for q := range n {
		set.add(shingle(w.itTok[q].Hash, w.itTok[q+1].Hash, w.itTok[q+2].Hash), q)
	}
	for p := lo; p < hi; p++ {
		set.see(shingle(toks[p].Hash, toks[p+1].Hash, toks[p+2].Hash), p)
	}
	shared := 0
	for _, p := range set.first {
		if p >= 0 {
			shared++
		}
	}
	c := float64(shared) / float64(len(set.keys))
	if c < w.d.threshold {
		return leakhound.Finding{}, false
	}
	// Spans only for a candidate that passes (no allocation for the rest).
	var spans []leakhound.SpanPair
	for i, p := range set.first {
		if p >= 0 {
			spans = addSpan(spans, toks, w.itTok, int(p), int(set.q[i]))
		}
	}
	return leakhound.Finding{
		SchemaVersion: leakhound.SchemaVersion,
		Item:          it.ID,
		Benchmark:     it.Benchmark,
		Part:          it.Part,
		Method:        Method,
		Score:         c,
		Verdict:       "near-duplicate",
		Cluster:       it.Cluster,
		Spans:         spans,
		Evidence:      map[string]float64{"containment": c, "shingles_shared": float64(shared), "item_shingles": float64(len(set.keys)), "sketch_hits": float64(distinct), "sketch_size": float64(k)},
	}, true
}

func seenKey(hs []hit, k uint64) bool {
	for _, h := range hs {
		if h.key == k {
			return true
		}
	}
	return false
}

// addSpan adds the shingle at record position p / item position q,
// merging it with the last span when the two overlap on both sides.
func addSpan(spans []leakhound.SpanPair, doc, item []ngram.Token, p, q int) []leakhound.SpanPair {
	s := leakhound.SpanPair{
		Doc:  leakhound.Span{Start: int(doc[p].Start), End: int(doc[p+Shingle-1].End)},
		Item: leakhound.Span{Start: int(item[q].Start), End: int(item[q+Shingle-1].End)},
	}
	if n := len(spans); n > 0 {
		last := &spans[n-1]
		if s.Doc.Start <= last.Doc.End && s.Doc.Start >= last.Doc.Start && s.Item.Start <= last.Item.End && s.Item.Start >= last.Item.Start {
			last.Doc.End = max(last.Doc.End, s.Doc.End)
			last.Item.End = max(last.Item.End, s.Item.End)
			return spans
		}
	}
	return append(spans, s)
}
