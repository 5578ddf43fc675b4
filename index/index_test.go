package index

import (
	"math/rand/v2"
	"testing"

	"github.com/leakhound/leakhound/ngram"
)

func hashes(s string) []uint64 {
	var h []uint64
	for _, t := range ngram.AppendTokens(nil, []byte(s)) {
		h = append(h, t.Hash)
	}
	return h
}

func build(t testing.TB, items [][]uint64, n int) *Index {
	t.Helper()
	var tokens []uint64
	var starts []uint32
	for _, it := range items {
		tokens, starts = Append(tokens, starts, it)
	}
	ix, err := Build(tokens, starts, n, 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	return ix
}

func TestLookup(t *testing.T) {
	items := [][]uint64{
		hashes("the cat sat on the mat"),
		hashes(""),
		hashes("a dog sat on the mat today"),
	}
	ix := build(t, items, 3)
	q := hashes("sat on the")
	g := ngram.NgramAt(q, 0, 3)
	if !ix.MayContain(g) {
		t.Fatal("MayContain = false for an indexed n-gram")
	}
	var got []string
	for _, pos := range ix.Lookup(g) {
		item, off := ix.Locate(pos)
		got = append(got, string(rune('0'+item))+":"+string(rune('0'+off)))
	}
	if want := []string{"0:2", "2:2"}; len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("Lookup(sat on the) = %v, want %v", got, want)
	}
	if ps := ix.Lookup(ngram.NgramAt(hashes("on the rug"), 0, 3)); len(ps) != 0 {
		t.Errorf("Lookup(absent) = %v, want none", ps)
	}
}

func TestBloomNoFalseNegatives(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	items := make([][]uint64, 200)
	for i := range items {
		items[i] = make([]uint64, 50)
		for j := range items[i] {
			items[i][j] = r.Uint64()
		}
	}
	ix := build(t, items, 8)
	for i, it := range items {
		for _, g := range ngram.Ngrams(nil, it, 8) {
			if !ix.MayContain(g) || len(ix.Lookup(g)) == 0 {
				t.Fatalf("item %d: indexed n-gram not found", i)
			}
		}
	}
	fp := 0
	const probes = 100000
	for i := 0; i < probes; i++ {
		if ix.MayContain(r.Uint64()) {
			fp++
		}
	}
	if rate := float64(fp) / probes; rate > 0.03 {
		t.Errorf("Bloom false-positive rate %.4f, want under 0.03 at 8 or more bits per key", rate)
	}
}

func TestTemplatesCountDistinctItems(t *testing.T) {
	stem := hashes("which of the following is true")
	var items [][]uint64
	for i := 0; i < 5; i++ { // the stem in 5 items
		items = append(items, append(append([]uint64(nil), stem...), uint64(i+1000)))
	}
	repeated := hashes("zero zero zero zero zero zero zero zero zero zero zero zero")
	items = append(items, repeated) // one item repeating one n-gram 8 times
	var tokens []uint64
	var starts []uint32
	for _, it := range items {
		tokens, starts = Append(tokens, starts, it)
	}
	ix, err := Build(tokens, starts, 5, 1, 3)
	if err != nil {
		t.Fatal(err)
	}
	if ps := ix.Lookup(ngram.NgramAt(stem, 0, 5)); len(ps) != 0 || ix.Templates() != 2 {
		t.Errorf("stem in 5 items with maxItems 3: %d postings, %d templates; want 0 and 2 (the stem has two 5-grams)", len(ps), ix.Templates())
	}
	if ps := ix.Lookup(ngram.NgramAt(repeated, 0, 5)); len(ps) != 8 {
		t.Errorf("an n-gram repeated inside one item: %d postings, want all 8", len(ps))
	}
}
