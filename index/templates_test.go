package index

import (
	"maps"
	"math/rand/v2"
	"testing"

	"github.com/leakhound/leakhound/ngram"
)

// TestTemplatesExact: the bucket pre-count of templates never loses or
// adds a template; the keys are those a plain count of distinct items per
// key gives, on random items over small vocabularies (many keys shared,
// buckets shared by hot and cold keys).
func TestTemplatesExact(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	total := 0
	for trial := range 20 {
		var tokens []uint64
		starts := []uint32{0}
		vocab := uint64(2 + r.IntN(100))
		for range 1 + r.IntN(2000) {
			for range r.IntN(40) {
				tokens = append(tokens, r.Uint64N(vocab)*0x9e3779b97f4a7c15)
			}
			starts = append(starts, uint32(len(tokens)))
		}
		ix := &Index{n: 1 + r.IntN(3), tokens: tokens, starts: starts}
		itemsOf := map[uint32]map[int]bool{}
		for i := 0; i+1 < len(starts); i++ {
			for _, g := range ngram.Ngrams(nil, tokens[starts[i]:starts[i+1]], ix.n) {
				if itemsOf[reduce(g)] == nil {
					itemsOf[reduce(g)] = map[int]bool{}
				}
				itemsOf[reduce(g)][i] = true
			}
		}
		for _, maxItems := range []int{1, 3, 20, 500} {
			want := map[uint32]bool{}
			for k, its := range itemsOf {
				if len(its) > maxItems {
					want[k] = true
				}
			}
			total += len(want)
			if got := ix.templates(maxItems); !maps.Equal(got, want) {
				t.Errorf("trial %d, n %d, maxItems %d: %d templates, want %d", trial, ix.n, maxItems, len(got), len(want))
			}
		}
	}
	if total < 100 {
		t.Fatalf("%d templates in all trials: the test exercises too few", total)
	}
}
