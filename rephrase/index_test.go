package rephrase

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/leakhound/leakhound"
	"github.com/leakhound/leakhound/internal/textgen"
)

// TestSeedsFindEveryCandidate checks the prefix filter of the candidate
// stage against brute force: every item whose anchors in a record pass
// the bound must have reached its tally threshold.
func TestSeedsFindEveryCandidate(t *testing.T) {
	m := testModel(t)
	g := textgen.New(3, 20000) // a small vocabulary: items share anchors
	var items []leakhound.Item
	for i := 0; i < 400; i++ {
		text := g.Sentence(6 + i%50)
		if i%3 == 0 {
			text = g.Sentence(20) + "\n" + g.Sentence(8+i%10) + "\n(A) " + g.Sentence(3) + "\n(B) " + g.Sentence(4)
		}
		items = append(items, leakhound.Item{ID: fmt.Sprint(i), Text: text})
	}
	d := NewDetector(m, items)
	w := d.NewWorker()
	total := 0
	filler := textgen.New(4, 100000)
	rng := rand.New(rand.NewPCG(5, 6))
	near := 0
	for r := 0; r < 300; r++ {
		// Half the records keep a random part of an item's words (near the
		// bound), half are generated text.
		text := []byte(g.Paragraph(200 + 17*r))
		if r%2 == 0 {
			var b strings.Builder
			keep := 0.2 + 0.4*rng.Float64()
			for _, word := range strings.Fields(items[rng.IntN(len(items))].Text) {
				if rng.Float64() < keep {
					b.WriteString(word + " ")
				}
				b.WriteString(filler.Word() + " ")
			}
			text = []byte(b.String())
		}
		w.toks, w.buf = appendDocTokens(w.toks[:0], text, w.buf)
		w.collectHits()
		w.countSeeds()
		for it := range items {
			if _, share, ok := w.passes(int32(it)); ok {
				total++
				if share < 1.1 {
					near++
				}
				if !slices.Contains(w.hot, int32(it)) {
					t.Errorf("record %d: item %d passes the bound but its tallies stayed below the top", r, it)
				}
			}
		}
		// The full stage finds the same items, and leaves the tallies clear.
		w.candidates()
		if len(w.toks) <= 3*minWindow {
			var want []int32
			for it := range items {
				if _, _, ok := w.passes(int32(it)); ok {
					want = append(want, int32(it))
				}
			}
			var got []int32
			for _, c := range w.cands {
				got = append(got, c.item)
			}
			if len(want) <= maxVerify && !slices.Equal(got, want) {
				t.Errorf("record %d: candidates %v, want %v", r, got, want)
			}
		}
		if !slices.Equal(w.tally, d.ix.all.start) || !slices.Equal(w.qTally, d.ix.question.start) {
			t.Fatal("seed counts not reset")
		}
	}
	if total < 100 || near < 20 {
		t.Errorf("%d candidates, %d near the bound: the test does not exercise it", total, near)
	}
	if len(d.ix.question.live) == 0 || len(d.ix.all.live) == 0 {
		t.Errorf("%d items split, %d in the joint table: the test does not exercise both", len(d.ix.question.live), len(d.ix.all.live))
	}
	t.Logf("%d candidates, %d near the bound; %d items split", total, near, len(d.ix.question.live))
}

// TestSeedsFindEveryCandidateShapes checks the prefix filter against brute
// force on item shapes the first test has few of (a question without
// anchors, a question of one or two, a long passage with a short
// question, more than maxItemAnchors anchors, too few anchors) and on
// records that keep an item's question only, all of a split item (both
// tables reach the top), parts of two items, or too few anchors, one
// worker for all of them.
func TestSeedsFindEveryCandidateShapes(t *testing.T) {
	m := testModel(t)
	g := textgen.New(11, 5000) // a small vocabulary: items share anchors
	var items []leakhound.Item
	for i := 0; i < 480; i++ {
		var text string
		switch i % 8 {
		case 6: // a short passage, a long question
			text = g.Sentence(5+i%10) + "\n" + g.Sentence(20+i%20) + "\n(A) " + g.Sentence(3)
		case 7: // the first line is the question, a solution follows
			text = g.Sentence(12+i%30) + "\n" + g.Sentence(40)
		case 0: // a question without content words
			text = g.Sentence(15+i%20) + "\nwhat is it?\n(A) " + g.Sentence(3) + "\n(B) " + g.Sentence(3)
		case 1: // a question of one or two words
			text = g.Sentence(30) + "\n" + g.Word() + " " + g.Word() + "?\n(A) " + g.Sentence(2)
		case 2: // a long passage, a short question
			text = g.Sentence(60+i%40) + "\n" + g.Sentence(5+i%6) + "\n(A) " + g.Sentence(4) + "\n(B) " + g.Sentence(4)
		case 3: // more anchors than a tally byte allows
			text = g.Sentence(400 + i)
		case 4: // too few anchors to be a candidate, or barely enough
			text = g.Sentence(2 + i%5)
		default: // one line: the question is the whole item
			text = g.Sentence(6 + i%30)
		}
		items = append(items, leakhound.Item{ID: fmt.Sprint(i), Text: text})
	}
	d := NewDetector(m, items)
	w := d.NewWorker()
	long := 0
	for i := range items {
		if d.ix.itemOff[i+1]-d.ix.itemOff[i] == maxItemAnchors {
			long++
		}
	}
	noHead, fewHead := 0, 0
	for i := range items {
		if d.ix.itemOff[i+1]-d.ix.itemOff[i] < minAnchors {
			continue
		}
		switch {
		case d.ix.head[i] == 0:
			noHead++
		case d.ix.nHead[i] < minHeadAnchors:
			fewHead++
		}
	}
	if long == 0 || noHead == 0 || fewHead == 0 {
		t.Fatalf("%d items at maxItemAnchors, %d without question anchors, %d with one or two: the test does not exercise them", long, noHead, fewHead)
	}
	checkSeedPlans(t, d, w)
	rng := rand.New(rand.NewPCG(12, 13))
	filler := textgen.New(14, 100000)
	keepWords := func(b *strings.Builder, text string, keep float64) {
		for _, word := range strings.Fields(text) {
			if rng.Float64() < keep {
				b.WriteString(word + " ")
			}
			if rng.IntN(3) == 0 {
				b.WriteString(filler.Word() + " ")
			}
		}
	}
	var passed, near, both, short int
	for r := 0; r < 1500; r++ {
		it := items[rng.IntN(len(items))].Text
		var b strings.Builder
		switch r % 5 {
		case 0: // the question alone, words kept at random
			lo, hi := headSpan(it)
			keepWords(&b, it[lo:hi], 0.4+0.6*rng.Float64())
		case 1: // the whole item: a split item reaches the top in both tables
			keepWords(&b, it, 1)
		case 2: // parts of two items
			keepWords(&b, it, 0.2+0.5*rng.Float64())
			keepWords(&b, items[rng.IntN(len(items))].Text, 0.2+0.5*rng.Float64())
		case 3: // a few words: fewer than minAnchors anchors, mostly
			keepWords(&b, g.Sentence(3), 1)
		default:
			keepWords(&b, it, 0.1+0.5*rng.Float64())
		}
		text := []byte(b.String())
		w.toks, w.buf = appendDocTokens(w.toks[:0], text, w.buf)
		w.collectHits()
		var want []int32
		for it := range items {
			if _, share, ok := w.passes(int32(it)); ok {
				want = append(want, int32(it))
				if share < 1.1 {
					near++
				}
			}
		}
		w.countSeeds()
		hot := map[int32]int{}
		for _, it := range w.hot {
			hot[it]++
		}
		for it, n := range hot {
			if n == 2 && slices.Contains(d.ix.question.live, it) && slices.Contains(d.ix.all.live, it) {
				both++
			} else if n > 1 {
				t.Errorf("record %d: item %d reached the top %d times", r, it, n)
			}
		}
		w.candidates() // the tallies again, reset
		if !slices.Equal(w.tally, d.ix.all.start) || !slices.Equal(w.qTally, d.ix.question.start) {
			t.Fatalf("record %d: seed counts not reset", r)
		}
		if len(w.found) < minAnchors {
			if len(want) > 0 {
				t.Errorf("record %d: %d anchors, yet items %v pass", r, len(w.found), want)
			}
			continue
		}
		for _, it := range want {
			if hot[it] == 0 {
				t.Errorf("record %d: item %d (%q) passes the bound but its tallies stayed below the top", r, it, items[it].Text)
			}
		}
		passed += len(want)
		if len(w.toks) <= 3*minWindow && len(want) <= maxVerify {
			short++
			var got []int32
			for _, c := range w.cands {
				got = append(got, c.item)
			}
			if !slices.Equal(got, want) {
				t.Errorf("record %d: candidates %v, want %v", r, got, want)
			}
		}
	}
	if passed < 300 || near < 50 || short < 300 || both == 0 {
		t.Errorf("%d items passed (%d near the bound), %d short records compared, %d split items at the top of both tables: the test does not exercise the bound", passed, near, short, both)
	}
	t.Logf("%d items passed (%d near the bound) in 1500 records; %d short records compared in full; %d items at the cap; %d split, %d times at the top of both tables", passed, near, short, long, len(d.ix.question.live), both)
}

// checkSeedPlans checks every item's seeds at their tightest: a record
// that holds all of an item's anchors left out of its seeds and the k-1
// heaviest of its seeds (or the k-1 heaviest question seeds first) must
// fail the test the table stands for (both for an item posted once; the
// total share in all and the question share in question for a split
// item).
func checkSeedPlans(t *testing.T, d *Detector, w *Worker) {
	t.Helper()
	ix := d.ix
	set := func(anchors []uint32) {
		for _, a := range w.found {
			w.seen[a>>6] = 0
		}
		w.found = w.found[:0]
		for _, v := range anchors {
			a := int32(v >> 1)
			w.seen[a>>6] |= 1 << (a & 63)
			w.found = append(w.found, a)
		}
	}
	split := map[int32]bool{}
	for _, it := range ix.question.live {
		split[it] = true
	}
	checked := 0
	for ti, tab := range []*seedTable{&ix.all, &ix.question} {
		seedsOf := make([][]uint32, len(tab.live))
		for _, v := range ix.itemAnc {
			a := v >> 1
			for _, pos := range tab.seeds(int32(a)) {
				if !slices.ContainsFunc(seedsOf[pos], func(x uint32) bool { return x>>1 == a }) {
					seedsOf[pos] = append(seedsOf[pos], a<<1)
				}
			}
		}
		for pos, item := range tab.live {
			k := tallyTop - int(tab.start[pos])
			var rest, seeds []uint32
			for _, v := range ix.itemAnchors(item) {
				if slices.ContainsFunc(seedsOf[pos], func(x uint32) bool { return x>>1 == v>>1 }) {
					seeds = append(seeds, v)
				} else {
					rest = append(rest, v)
				}
			}
			if len(seeds) != len(seedsOf[pos]) || len(seeds) < k {
				t.Fatalf("item %d: %d seeds, %d of them its anchors, k %d", item, len(seedsOf[pos]), len(seeds), k)
			}
			weight := func(v uint32) float32 { return ix.anchors[v>>1].w }
			for _, questionFirst := range []bool{false, true} {
				slices.SortStableFunc(seeds, func(x, y uint32) int {
					if questionFirst && x&1 != y&1 {
						return int(y&1) - int(x&1)
					}
					return descending(weight(x), weight(y))
				})
				set(append(slices.Clone(rest), seeds[:k-1]...))
				acc, _, ok := w.passes(item)
				var accH float32
				n, nh := 0, 0
				for _, v := range ix.itemAnchors(item) {
					if w.has(v >> 1) {
						n++
						if v&1 != 0 {
							accH += weight(v)
							nh++
						}
					}
				}
				byTotal := n >= minAnchors && ix.totalShare(item, acc) >= 1
				byHead := n >= minAnchors && ix.headShare(item, accH, nh) >= 1
				switch {
				case !split[item] && ok,
					split[item] && ti == 0 && byTotal,
					split[item] && ti == 1 && byHead:
					t.Errorf("item %d (table %d, k %d of %d seeds, %d anchors left out): %d of its anchors pass (total %v, question %v) with k-1 seeds", item, ti, k, len(seeds), len(rest), n, byTotal, byHead)
				}
				checked++
			}
		}
	}
	set(nil)
	if checked == 0 {
		t.Fatal("no seed plan checked")
	}
}
