package index

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/leakhound/leakhound/ngram"
)

// randomItems returns the token hashes and starts of items of perItem
// random tokens each.
func randomItems(r *rand.Rand, items, perItem int) ([]uint64, []uint32) {
	tokens := make([]uint64, items*perItem)
	for i := range tokens {
		tokens[i] = r.Uint64()
	}
	starts := make([]uint32, items+1)
	for i := range starts {
		starts[i] = uint32(i * perItem)
	}
	return tokens, starts
}

// filterIndex indexes 2,000 random items of 50 tokens at every position.
func filterIndex(tb testing.TB) (*Index, []uint64) {
	r := rand.New(rand.NewPCG(7, 7))
	const items = 2000
	tokens, starts := randomItems(r, items, 50)
	ix, err := Build(tokens, starts, 4, 1, 0)
	if err != nil {
		tb.Fatal(err)
	}
	// Probes: half random, half n-grams of the items.
	var grams []uint64
	for i := range items {
		grams = append(grams, r.Uint64(), ngram.NgramAt(tokens[starts[i]:starts[i+1]], 0, 4))
	}
	return ix, grams
}

// TestFilter: Filter keeps exactly the positions MayContain passes, after
// what dst already holds.
func TestFilter(t *testing.T) {
	ix, grams := filterIndex(t)
	want := []int32{-1}
	for p, g := range grams {
		if ix.MayContain(g) {
			want = append(want, int32(p))
		}
	}
	if got := ix.Filter([]int32{-1}, grams); !slices.Equal(got, want) {
		t.Fatalf("Filter kept %d positions, MayContain %d", len(got)-1, len(want)-1)
	}
	if len(want) < len(grams)/2 {
		t.Fatalf("only %d of the %d item n-grams pass the filter", len(want)-1, len(grams)/2)
	}
}

// BenchmarkFilter measures Filter over 64 Ki probes, almost all misses.
func BenchmarkFilter(b *testing.B) {
	ix, _ := filterIndex(b)
	r := rand.New(rand.NewPCG(8, 8))
	probes := make([]uint64, 1<<16)
	for i := range probes {
		probes[i] = r.Uint64()
	}
	var dst []int32
	b.SetBytes(int64(8 * len(probes)))
	b.ReportAllocs()
	for b.Loop() {
		dst = ix.Filter(dst[:0], probes)
	}
}
