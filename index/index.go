package index

import (
	"fmt"
	"math/bits"
	"slices"

	"github.com/leakhound/leakhound/ngram"
)

// Index maps seed n-grams of benchmark items to their positions.
type Index struct {
	n      int      // seed n-gram length in tokens
	tokens []uint64 // token hashes of all items, concatenated
	starts []uint32 // item i's tokens are tokens[starts[i]:starts[i+1]]

	bloom     []uint64
	bloomBits uint // log2(len(bloom))

	// slots is an open-addressing table of reduce(g)<<32 | head, where
	// postings[head] is the number of positions that follow it. head is
	// never 0, so an empty slot is 0.
	slots     []uint64
	slotShift uint
	postings  []uint32
	keys      int // distinct reduced keys
}

// Build indexes every n-gram of every item. tokens[i] holds the token
// hashes of item i; items shorter than n contribute tokens but no n-grams.
func Build(tokens [][]uint64, n int) (*Index, error) {
	if n < 1 {
		return nil, fmt.Errorf("index: n-gram length %d, want at least 1", n)
	}
	ix := &Index{n: n, starts: make([]uint32, 1, len(tokens)+1)}
	total := 0
	for _, t := range tokens {
		total += len(t)
	}
	if total >= 1<<31 {
		return nil, fmt.Errorf("index: %d benchmark tokens, more than the 2^31 this index holds", total)
	}
	ix.tokens = make([]uint64, 0, total)
	for _, t := range tokens {
		ix.tokens = append(ix.tokens, t...)
		ix.starts = append(ix.starts, uint32(len(ix.tokens)))
	}
	ix.build(ix.entries())
	return ix, nil
}

// entry is one n-gram occurrence: reduced key and global token position.
type entry struct {
	key uint32
	pos uint32
}

func reduce(g uint64) uint32 { return uint32(g ^ g>>32) }

func (ix *Index) entries() []entry {
	var es []entry
	var grams []uint64
	for i := 0; i+1 < len(ix.starts); i++ {
		start := ix.starts[i]
		grams = ngram.Ngrams(grams[:0], ix.tokens[start:ix.starts[i+1]], ix.n)
		for p, g := range grams {
			es = append(es, entry{reduce(g), start + uint32(p)})
		}
	}
	return es
}

func (ix *Index) build(es []entry) {
	slices.SortFunc(es, func(a, b entry) int {
		if a.key != b.key {
			return int(int64(a.key) - int64(b.key))
		}
		return int(int64(a.pos) - int64(b.pos))
	})
	distinct := 0
	for i := range es {
		if i == 0 || es[i].key != es[i-1].key {
			distinct++
		}
	}
	ix.keys = distinct
	ix.allocTables(distinct)
	ix.postings = make([]uint32, 1, 1+distinct+len(es)) // postings[0] unused: head 0 means empty
	for i := 0; i < len(es); {
		j := i
		for j < len(es) && es[j].key == es[i].key {
			j++
		}
		head := uint32(len(ix.postings))
		ix.postings = append(ix.postings, uint32(j-i))
		for _, e := range es[i:j] {
			ix.postings = append(ix.postings, e.pos)
		}
		ix.insert(es[i].key, head)
		i = j
	}
}

// allocTables sizes the Bloom filter at 16 bits per key and the table at
// a load factor between 1/4 and 1/2.
func (ix *Index) allocTables(keys int) {
	ix.bloomBits = uint(max(10, bits.Len(uint(keys*16/64))))
	ix.bloom = make([]uint64, 1<<ix.bloomBits)
	slotBits := uint(max(4, bits.Len(uint(keys*2))))
	ix.slots = make([]uint64, 1<<slotBits)
	ix.slotShift = 32 - slotBits
}

// slotOf is the home slot of a reduced key (Fibonacci hashing).
func (ix *Index) slotOf(key uint32) uint32 {
	return (key * 0x9e3779b1) >> ix.slotShift
}

func (ix *Index) insert(key, head uint32) {
	mask := uint32(len(ix.slots) - 1)
	for s := ix.slotOf(key); ; s = (s + 1) & mask {
		if ix.slots[s] == 0 {
			ix.slots[s] = uint64(key)<<32 | uint64(head)
			break
		}
	}
	w, m := ix.bloomWord(key)
	ix.bloom[w] |= m
}

// bloomWord returns the filter word for key and the 4 bits it sets.
func (ix *Index) bloomWord(key uint32) (uint32, uint64) {
	h := uint64(key) * 0x9e3779b97f4a7c15
	w := uint32(h >> (64 - ix.bloomBits))
	m := uint64(1)<<(h&63) | uint64(1)<<(h>>6&63) | uint64(1)<<(h>>12&63) | uint64(1)<<(h>>18&63)
	return w, m
}

// MayContain reports whether n-gram hash g may be in the index. False
// means certainly not.
func (ix *Index) MayContain(g uint64) bool {
	w, m := ix.bloomWord(reduce(g))
	return ix.bloom[w]&m == m
}

// Lookup returns the global token positions where an n-gram whose hash
// reduces like g starts. The caller verifies each position (Tokens). The
// returned slice aliases the index; do not modify it.
func (ix *Index) Lookup(g uint64) []uint32 {
	key := reduce(g)
	mask := uint32(len(ix.slots) - 1)
	for s := ix.slotOf(key); ; s = (s + 1) & mask {
		v := ix.slots[s]
		if v == 0 {
			return nil
		}
		if uint32(v>>32) == key {
			head := uint32(v)
			return ix.postings[head+1 : head+1+ix.postings[head]]
		}
	}
}

// N returns the seed n-gram length.
func (ix *Index) N() int { return ix.n }

// Items returns the number of items.
func (ix *Index) Items() int { return len(ix.starts) - 1 }

// Keys returns the number of distinct reduced n-gram keys.
func (ix *Index) Keys() int { return ix.keys }

// Tokens returns the concatenated token hashes of all items; a global
// position p from Lookup indexes it.
func (ix *Index) Tokens() []uint64 { return ix.tokens }

// ItemTokens returns the token hashes of item i.
func (ix *Index) ItemTokens(i int) []uint64 { return ix.tokens[ix.starts[i]:ix.starts[i+1]] }

// ItemStart returns the global token position of item i's first token.
func (ix *Index) ItemStart(i int) int { return int(ix.starts[i]) }

// Locate converts a global token position into an item number and the
// token offset inside that item.
func (ix *Index) Locate(pos uint32) (item, off int) {
	i, found := slices.BinarySearch(ix.starts, pos)
	if !found {
		i--
	}
	for i+1 < len(ix.starts) && ix.starts[i+1] == pos { // skip empty items
		i++
	}
	return i, int(pos - ix.starts[i])
}

// Bytes returns the approximate memory the index holds.
func (ix *Index) Bytes() int {
	return 8*(len(ix.tokens)+len(ix.bloom)+len(ix.slots)) + 4*(len(ix.starts)+len(ix.postings))
}
