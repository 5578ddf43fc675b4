package rephrase

import (
	"math"
	"slices"
	"strings"
)

// Feature names, in vector order. They are documented in
// doc/detection-quality.md and carried in each finding's Evidence.
var featureNames = []string{
	"recall",         // IDF-weighted share of the item question's content words aligned in the window
	"recall_all",     // the same over the whole item (question, options, solution)
	"precision",      // IDF-weighted share of the content words aligned to the item, in the window's stretch from its first to its last aligned word
	"num_doc",        // share of the window's numbers that are among the item's (multisets)
	"num_item",       // share of the item's numbers found in the window
	"num_shared",     // log(1 + numbers shared)
	"order",          // longest order-preserving chain of aligned words / aligned words
	"evidence",       // log(1 + summed IDF of aligned words and numbers)
	"exact",          // share of aligned words that match by stem (not synonym or translation)
	"code",           // winnowing fingerprints shared / fingerprints of the smaller side
	"ident",          // share of the item's identifiers found in the window
	"len_ratio",      // |log(window units / item units)|
	"harmonic",       // 2·recall·precision / (recall + precision)
	"rare_unmatched", // log(1 + summed IDF of question words above the median weight left unaligned)
	"distinct",       // log(1 + summed IDF of the distinct aligned item words and numbers: a repeated one counts once)
	"head_info",      // log(1 + summed IDF of the distinct words and numbers of the item's question): how specific the item is
	"num_missed",     // log(1 + summed IDF of the question's numbers not found in the window)
	"words",          // log(1 + distinct aligned content words)
	"code_evidence",  // log(1 + summed code IDF of the distinct aligned item words and numbers): how rare the shared words are in programs
	"head_evidence",  // log(1 + summed IDF of the distinct aligned words and numbers of the item's question)
	"compound",       // log(1 + the item's multi-word identifiers (below_zero, filterBySubstring) found in the window)
}

// nFeatures is the length of a feature vector.
var nFeatures = len(featureNames)

// Match strengths of an aligned pair.
const (
	matchExact = iota // same stem, number or Chinese word
	matchSyn          // shared WordNet synset or CC-CEDICT gloss
)

// link is one aligned pair: item unit i and window unit j.
type link struct {
	i, j int
	how  uint8
}

// pairFeatures compares item it with the window units win of doc d (and
// the window's code stream and identifiers). It returns the feature
// vector and the alignment.
func pairFeatures(it, win *analysis) (f []float64, links []link, missed float64) {
	f = make([]float64, nFeatures)
	links = align(it, win)
	var itW, itMatched, headW, headMatched, winW, winMatched, evid float64
	usedI := make([]bool, len(it.units))
	usedJ := make([]bool, len(win.units))
	exact, words := 0, 0
	for _, l := range links {
		usedI[l.i], usedJ[l.j] = true, true
		evid += float64(it.units[l.i].w)
		if it.units[l.i].kind != kindNum {
			words++
			if l.how == matchExact {
				exact++
			}
		}
	}
	ws := make([]float64, 0, len(it.units))
	for i, u := range it.units {
		if u.kind == kindNum {
			continue
		}
		itW += float64(u.w)
		if usedI[i] {
			itMatched += float64(u.w)
		}
		if i >= it.head0 && i < it.head {
			ws = append(ws, float64(u.w))
			headW += float64(u.w)
			if usedI[i] {
				headMatched += float64(u.w)
			}
		}
	}
	jlo, jhi := alignedStretch(links)
	for j, u := range win.units[jlo:jhi] {
		j += jlo
		if u.kind == kindNum {
			continue
		}
		winW += float64(u.w)
		if usedJ[j] {
			winMatched += float64(u.w)
		}
	}
	f[0] = ratio(headMatched, headW)
	f[1] = ratio(itMatched, itW)
	f[2] = ratio(winMatched, winW)
	nd, ni, ns := numberAgreement(it, win)
	f[3], f[4], f[5] = nd, ni, math.Log1p(ns)
	f[6] = orderScore(links, words)
	f[7] = math.Log1p(evid)
	f[8] = ratio(float64(exact), float64(words))
	fa, fb := fingerprints(it.code), fingerprints(win.code)
	f[9] = ratio(float64(overlap(fa, fb)), float64(min(len(fa), len(fb))))
	ia, ib := sortedSet(it.idents), sortedSet(win.idents)
	f[10] = ratio(float64(overlap(ia, ib)), float64(len(ia)))
	f[11] = math.Abs(math.Log(float64(jhi-jlo+1) / float64(it.head-it.head0+1)))
	f[12] = ratio(2*f[0]*f[2], f[0]+f[2])
	if len(ws) > 0 {
		med := median(ws)
		var miss float64
		for i, u := range it.units[it.head0:it.head] {
			i += it.head0
			if u.kind != kindNum && !usedI[i] && float64(u.w) > med {
				miss += float64(u.w)
			}
		}
		f[13] = math.Log1p(miss)
	}
	f[14], f[17] = distinctEvidence(it, links)
	f[15] = headInfo(it)
	missed = numbersMissed(it, win)
	f[16] = math.Log1p(missed)
	f[18] = codeEvidence(it, links)
	f[20] = math.Log1p(float64(overlap(sortedSet(it.compounds), sortedSet(win.compounds))))
	f[19] = headEvidence(it, links)
	return f, links, missed
}

// distinctEvidence returns log(1 + the summed IDF of the distinct primary
// keys of the aligned item units) and log(1 + the number of distinct
// aligned words). A word that the item repeats (an identifier used ten
// times in a solution, "arr") is one piece of evidence, not ten.
func distinctEvidence(it *analysis, links []link) (evid, words float64) {
	seen := make(map[uint64]bool, len(links))
	var sum float64
	n := 0
	for _, l := range links {
		u := it.units[l.i]
		if seen[u.keys[0]] {
			continue
		}
		seen[u.keys[0]] = true
		sum += float64(u.w)
		if u.kind != kindNum {
			n++
		}
	}
	return math.Log1p(sum), math.Log1p(float64(n))
}

// codeEvidence is log(1 + the summed code IDF of the distinct aligned
// item keys): "binary", "tree", "left", "right" and "root" make up any tree
// program, "postfix" and "palindrome" do not.
func codeEvidence(it *analysis, links []link) float64 {
	seen := make(map[uint64]bool, len(links))
	var sum float64
	for _, l := range links {
		u := it.units[l.i]
		if !seen[u.keys[0]] {
			seen[u.keys[0]] = true
			sum += float64(u.wc)
		}
	}
	return math.Log1p(sum)
}

// headEvidence is log(1 + the summed IDF of the distinct aligned units of
// the item's question): how much of the question's own information the
// window carries, whatever the options or the solution share.
func headEvidence(it *analysis, links []link) float64 {
	seen := make(map[uint64]bool, len(links))
	var sum float64
	for _, l := range links {
		u := it.units[l.i]
		if l.i >= it.head0 && l.i < it.head && !seen[u.keys[0]] {
			seen[u.keys[0]] = true
			sum += float64(u.w)
		}
	}
	return math.Log1p(sum)
}

// headInfo is log(1 + the summed IDF of the distinct units of the item's
// question): a generic task ("find the length of a string") carries little
// information, so that matching all of it says little.
func headInfo(it *analysis) float64 {
	seen := map[uint64]bool{}
	var sum float64
	for _, u := range it.units[it.head0:it.head] {
		if !seen[u.keys[0]] {
			seen[u.keys[0]] = true
			sum += float64(u.w)
		}
	}
	return math.Log1p(sum)
}

// numbersMissed is the summed IDF of the question's numbers that the
// window lacks (as multisets): a copy of a word problem keeps its data.
func numbersMissed(it, win *analysis) float64 {
	cnt := map[uint64]int{}
	for _, u := range win.units {
		if u.kind == kindNum {
			cnt[u.keys[0]]++
		}
	}
	var miss float64
	for _, u := range it.units[it.head0:it.head] {
		if u.kind != kindNum {
			continue
		}
		if cnt[u.keys[0]] > 0 {
			cnt[u.keys[0]]--
		} else {
			miss += float64(u.w)
		}
	}
	return miss
}

// alignedStretch returns the window units from the first to the last
// aligned one (links are in window order), or all when nothing aligned.
func alignedStretch(links []link) (lo, hi int) {
	if len(links) == 0 {
		return 0, 0
	}
	return links[0].j, links[len(links)-1].j + 1
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

func ratio(a, b float64) float64 {
	if b <= 0 {
		return 0
	}
	return a / b
}

// align matches item units to window units: heavier item units first,
// each to the first unused window unit with its primary key (an exact
// match), else with any shared key (a synonym or a translation).
func align(it, win *analysis) []link {
	byKey := make(map[uint64][]int32, len(win.units)*2)
	byUp := map[uint64][]int32{}
	for j, u := range win.units {
		for _, k := range u.keys {
			byKey[k] = append(byKey[k], int32(j))
		}
		for _, k := range u.up {
			byUp[k] = append(byUp[k], int32(j))
		}
	}
	order := make([]int, len(it.units))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch wa, wb := it.units[a].w, it.units[b].w; {
		case wa > wb:
			return -1
		case wa < wb:
			return 1
		}
		return 0
	})
	used := make([]bool, len(win.units))
	var links []link
	for _, i := range order {
		u := it.units[i]
		if j := firstUnused(byKey[u.keys[0]], used, win, u, true); j >= 0 {
			used[j] = true
			links = append(links, link{i, j, matchExact})
			continue
		}
		if u.kind == kindNum {
			continue
		}
		if j := synonymMatch(u, byKey, byUp, used, win); j >= 0 {
			used[j] = true
			links = append(links, link{i, j, matchSyn})
		}
	}
	slices.SortFunc(links, func(a, b link) int { return a.j - b.j })
	return links
}

// synonymMatch returns the first unused window unit that shares a key
// with u (a synonym, a shared prefix or a translation), else one whose
// sense is a direct hypernym of u's or the other way round; -1 if none.
func synonymMatch(u unit, byKey, byUp map[uint64][]int32, used []bool, win *analysis) int {
	for _, k := range u.keys {
		if j := firstUnused(byKey[k], used, win, u, false); j >= 0 {
			return j
		}
	}
	for _, k := range u.keys[1:] {
		if j := firstUnused(byUp[k], used, win, u, false); j >= 0 {
			return j
		}
	}
	for _, k := range u.up {
		if j := firstUnused(byKey[k], used, win, u, false); j >= 0 {
			return j
		}
	}
	return -1
}

// firstUnused returns the first window unit of js not used yet whose kind
// is compatible with u; primary asks that the primary keys be equal.
func firstUnused(js []int32, used []bool, win *analysis, u unit, primary bool) int {
	for _, j := range js {
		v := win.units[j]
		if used[j] || (v.kind == kindNum) != (u.kind == kindNum) {
			continue
		}
		if primary && v.keys[0] != u.keys[0] && v.kind == u.kind {
			continue
		}
		return int(j)
	}
	return -1
}

// numberAgreement compares the number multisets: the share of the
// window's numbers that the item has, the share of the item's numbers
// that the window has, and the count shared.
func numberAgreement(it, win *analysis) (docShare, itemShare, shared float64) {
	cnt := map[uint64]int{}
	ni, nw := 0, 0
	for _, u := range it.units {
		if u.kind == kindNum {
			cnt[u.keys[0]]++
			ni++
		}
	}
	for _, u := range win.units {
		if u.kind == kindNum {
			nw++
			if cnt[u.keys[0]] > 0 {
				cnt[u.keys[0]]--
				shared++
			}
		}
	}
	return ratio(shared, float64(nw)), ratio(shared, float64(ni)), shared
}

// orderScore is the longest chain of aligned word pairs that keeps the
// item's order, over the number of aligned words (links are in window
// order).
func orderScore(links []link, words int) float64 {
	if words == 0 {
		return 0
	}
	var tails []int // patience sorting: LIS of item positions
	for _, l := range links {
		k, _ := slices.BinarySearch(tails, l.i)
		if k == len(tails) {
			tails = append(tails, l.i)
		} else {
			tails[k] = l.i
		}
	}
	return ratio(float64(len(tails)), float64(len(links)))
}

// looksLikeCode reports whether a text is source code: keywords of a
// function definition and a share of symbol tokens.
func looksLikeCode(text string) bool {
	for _, kw := range []string{"def ", "function ", "return ", "#include", "func ", "fn ", "public static", "=>"} {
		if strings.Contains(text, kw) {
			return strings.Count(text, "(") >= 2
		}
	}
	return false
}
