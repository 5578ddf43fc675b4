package neardup

// The implementation of neardup as of commit 4dc5bee (before the record
// side was made fast), kept as the reference that the fast detector must
// agree with finding for finding (TestMatchesReference).

import (
	"slices"

	"github.com/leakhound/leakhound"
	"github.com/leakhound/leakhound/ngram"
)

const refFilterBits = 22

// The reference shares mix, addSpan, seenKey and the common words with
// the package: they define the hashes and the evidence, not the speed.

func refAllCommon(h []uint64) bool {
	for _, x := range h {
		if !common[x] {
			return false
		}
	}
	return true
}

// refDetector is the benchmark side: the sketches of every item.
type refDetector struct {
	items     []leakhound.Item
	threshold float64
	keys      []uint64 // sorted sketch hashes
	owners    []int32  // item of keys[i]
	sketchLen []int32  // per item
	filter    []uint64
}

// refShingles appends the mixed shingle hashes of a token hash sequence.
func refShingles(dst []uint64, h []uint64) []uint64 {
	for i := 0; i+Shingle <= len(h); i++ {
		dst = append(dst, mix(ngram.NgramAt(h, i, Shingle)))
	}
	return dst
}

func refTokenHashes(dst []uint64, toks []ngram.Token) []uint64 {
	for _, t := range toks {
		dst = append(dst, t.Hash)
	}
	return dst
}

// New builds the sketches of items; verification requires containment t.
func refNew(items []leakhound.Item, t float64) *refDetector {
	d := &refDetector{items: items, threshold: t, sketchLen: make([]int32, len(items)), filter: make([]uint64, 1<<refFilterBits/64)}
	type entry struct {
		key  uint64
		item int32
	}
	var all []entry
	var toks []ngram.Token
	var hs, sh []uint64
	perItem := make([][]uint64, len(items))
	df := map[uint64]int32{}
	for i, it := range items {
		toks = ngram.AppendTokens(toks[:0], []byte(it.Text))
		hs = refTokenHashes(hs[:0], toks)
		sh = sh[:0]
		for p := 0; p+Shingle <= len(hs); p++ {
			if !refAllCommon(hs[p : p+Shingle]) {
				sh = append(sh, mix(ngram.NgramAt(hs, p, Shingle)))
			}
		}
		slices.Sort(sh)
		sh = slices.Compact(sh)
		perItem[i] = slices.Clone(sh)
		for _, h := range sh {
			df[h]++
		}
	}
	for i := range items {
		sh = sh[:0]
		for _, h := range perItem[i] {
			if df[h] <= maxItemsPerShingle {
				sh = append(sh, h)
			}
		}
		if len(sh) < minShingles {
			continue
		}
		k := min(Sketch, len(sh))
		d.sketchLen[i] = int32(k)
		for _, h := range sh[:k] {
			all = append(all, entry{h, int32(i)})
		}
	}
	slices.SortFunc(all, func(a, b entry) int {
		switch {
		case a.key < b.key:
			return -1
		case a.key > b.key:
			return 1
		}
		return int(a.item - b.item)
	})
	for _, e := range all {
		d.keys = append(d.keys, e.key)
		d.owners = append(d.owners, e.item)
		b := e.key >> (64 - refFilterBits)
		d.filter[b>>6] |= 1 << (b & 63)
	}
	return d
}

// refWorker is one goroutine's state.
type refWorker struct {
	d      *refDetector
	toks   []ngram.Token
	hashes []uint64
	sh     []uint64
	hits   []hit
	itTok  []ngram.Token
	itHash []uint64
	itSh   []uint64
}

// newWorker returns a worker.
func (d *refDetector) newWorker() *refWorker { return &refWorker{d: d} }

// Detect appends the findings for one record's text.
func (w *refWorker) Detect(dst []leakhound.Finding, text []byte) ([]leakhound.Finding, error) {
	d := w.d
	w.toks = ngram.AppendTokens(w.toks[:0], text)
	w.hashes = refTokenHashes(w.hashes[:0], w.toks)
	w.sh = refShingles(w.sh[:0], w.hashes)
	w.hits = w.hits[:0]
	for p, h := range w.sh {
		b := h >> (64 - refFilterBits)
		if d.filter[b>>6]&(1<<(b&63)) == 0 {
			continue
		}
		for k, ok := slices.BinarySearch(d.keys, h); ok && k < len(d.keys) && d.keys[k] == h; k++ {
			w.hits = append(w.hits, hit{d.owners[k], int32(p), h})
		}
	}
	if len(w.hits) < minHits {
		return dst, nil
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
		dst = w.item(dst, text, w.hits[lo:hi])
		lo = hi
	}
	return dst, nil
}

// item verifies one item's hits group by group: hits closer than the
// item's length belong to one group, and each group is one window. The
// best window makes at most one finding per item and record.
func (w *refWorker) item(dst []leakhound.Finding, text []byte, hs []hit) []leakhound.Finding {
	n := int32(len(w.d.items[hs[0].item].Text)/4 + 8) // a generous bound on its shingles
	var best leakhound.Finding
	found := false
	for lo := 0; lo < len(hs); {
		hi := lo + 1
		for hi < len(hs) && hs[hi].pos-hs[hi-1].pos <= n {
			hi++
		}
		if f, ok := w.verify(text, hs[lo:hi]); ok && (!found || f.Score > best.Score) {
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
func (w *refWorker) verify(text []byte, hs []hit) (leakhound.Finding, bool) {
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
	w.itHash = refTokenHashes(w.itHash[:0], w.itTok)
	w.itSh = refShingles(w.itSh[:0], w.itHash)
	n := len(w.itSh)
	lo := max(0, int(hs[0].pos)-n)
	hi := min(len(w.sh), int(hs[len(hs)-1].pos)+n+1)
	at := make(map[uint64]int, hi-lo)
	for p := hi - 1; p >= lo; p-- {
		at[w.sh[p]] = p
	}
	var spans []leakhound.SpanPair
	shared := 0
	seen := make(map[uint64]bool, len(w.itSh))
	for q, h := range w.itSh {
		if seen[h] {
			continue
		}
		seen[h] = true
		if p, ok := at[h]; ok {
			shared++
			spans = addSpan(spans, w.toks, w.itTok, p, q)
		}
	}
	c := float64(shared) / float64(len(seen))
	if c < w.d.threshold {
		return leakhound.Finding{}, false
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
		Evidence:      map[string]float64{"containment": c, "shingles_shared": float64(shared), "item_shingles": float64(len(seen)), "sketch_hits": float64(distinct), "sketch_size": float64(k)},
	}, true
}
