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
