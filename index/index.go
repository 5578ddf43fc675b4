package index

import (
	"fmt"
	"math/bits"
	"slices"

	"github.com/leakhound/leakhound/ngram"
)

// Index maps seed n-grams of benchmark items to their positions.
type Index struct {
	n      int // seed n-gram length in tokens
	stride int // n-grams are indexed at item positions that are multiples of stride
	// templateKeys counts the n-grams left out for being in too many items.
	templateKeys int
	tokens       []uint64 // token hashes of all items, concatenated
	starts       []uint32 // item i's tokens are tokens[starts[i]:starts[i+1]]

	bloom     []uint64
	bloomBits uint // log2(len(bloom))

	// slots is an open-addressing table of reduce(g)<<32 | head, where
	// postings[head] is the number of positions that follow it. head is
	// never 0, so an empty slot is 0.
	slots    []uint64
	postings []uint32
	keys     int // distinct reduced keys
}

// Build indexes the n-grams of every item that start at a multiple of
// stride (every n-gram when stride is 1). tokens holds the token hashes of
// all items, concatenated; item i's are tokens[starts[i]:starts[i+1]], so
// len(starts) is the number of items plus one and starts[0] is 0. Build
// keeps both slices. Items shorter than n contribute no n-grams.
//
// A match of at least n+stride-1 tokens always covers one indexed n-gram,
// wherever it starts in the item.
//
// An n-gram that occurs in more than maxItems distinct items (counted over
// every position, before sampling) is a template, not evidence, and is left
// out of the index; 0 keeps every n-gram.
func Build(tokens []uint64, starts []uint32, n, stride, maxItems int) (*Index, error) {
	if n < 1 || stride < 1 {
		return nil, fmt.Errorf("index: n-gram length %d and stride %d, want both at least 1", n, stride)
	}
	if len(starts) == 0 || starts[0] != 0 || int(starts[len(starts)-1]) != len(tokens) {
		return nil, fmt.Errorf("index: item starts do not span the %d tokens", len(tokens))
	}
	if len(tokens) >= 1<<31 {
		return nil, fmt.Errorf("index: %d benchmark tokens, more than the 2^31 this index holds", len(tokens))
	}
	ix := &Index{n: n, stride: stride, tokens: tokens, starts: starts}
	ix.build(ix.entries(ix.templates(maxItems)))
	return ix, nil
}

// Append adds one item's token hashes to the flat form Build takes.
func Append(tokens []uint64, starts []uint32, item []uint64) ([]uint64, []uint32) {
	if len(starts) == 0 {
		starts = append(starts, 0)
	}
	tokens = append(tokens, item...)
	return tokens, append(starts, uint32(len(tokens)))
}

// entry is one n-gram occurrence: reduced key and global token position.
type entry struct {
	key uint32
	pos uint32
}

func reduce(g uint64) uint32 { return uint32(g ^ g>>32) }

// templates returns the reduced keys of the n-grams that occur in more than
// maxItems distinct items, or nil when maxItems is 0.
//
// A key in more than maxItems items occurs at more than maxItems
// positions, so one pass counts positions per hash bucket (a count that
// can only be too high), and only the positions of keys whose bucket
// passes maxItems are sorted to count their items exactly. Sorting every
// position took 0.7 of the 1.0 CPU-seconds of the index of the nine scan
// benchmarks (3.8 M tokens) to find 43 templates.
func (ix *Index) templates(maxItems int) map[uint32]bool {
	if maxItems <= 0 {
		return nil
	}
	counts, shift := ix.bucketCounts()
	var pairs []uint64 // key<<32 | item, every position of a candidate key
	var grams []uint64
	for i := 0; i+1 < len(ix.starts); i++ {
		grams = ngram.Ngrams(grams[:0], ix.tokens[ix.starts[i]:ix.starts[i+1]], ix.n)
		for _, g := range grams {
			if key := reduce(g); int(counts[key*0x9e3779b1>>shift]) > maxItems {
				pairs = append(pairs, uint64(key)<<32|uint64(i))
			}
		}
	}
	slices.Sort(pairs)
	hot := map[uint32]bool{}
	items := 0
	for k, p := range pairs {
		switch {
		case k > 0 && p == pairs[k-1]: // the same item again
		case k > 0 && p>>32 == pairs[k-1]>>32:
			items++
		default:
			items = 1
		}
		if items > maxItems {
			hot[uint32(p>>32)] = true
		}
	}
	return hot
}

// bucketCounts counts the n-gram positions of all items per bucket of
// their reduced keys: bucket key*0x9e3779b1>>shift, about one bucket per
// position.
func (ix *Index) bucketCounts() (counts []uint32, shift uint) {
	positions := 0
	for i := 0; i+1 < len(ix.starts); i++ {
		positions += max(0, int(ix.starts[i+1]-ix.starts[i])-ix.n+1)
	}
	b := uint(max(10, bits.Len(uint(positions))))
	counts, shift = make([]uint32, 1<<b), 32-b
	var grams []uint64
	for i := 0; i+1 < len(ix.starts); i++ {
		grams = ngram.Ngrams(grams[:0], ix.tokens[ix.starts[i]:ix.starts[i+1]], ix.n)
		for _, g := range grams {
			counts[reduce(g)*0x9e3779b1>>shift]++
		}
	}
	return counts, shift
}

// Templates returns the number of n-grams left out as templates.
func (ix *Index) Templates() int { return ix.templateKeys }

func (ix *Index) entries(templates map[uint32]bool) []entry {
	ix.templateKeys = len(templates)
	count := 0
	for i := 0; i+1 < len(ix.starts); i++ {
		count += (max(0, int(ix.starts[i+1]-ix.starts[i])-ix.n+1) + ix.stride - 1) / ix.stride
	}
	es := make([]entry, 0, count)
	var grams []uint64
	for i := 0; i+1 < len(ix.starts); i++ {
		start := ix.starts[i]
		grams = ngram.Ngrams(grams[:0], ix.tokens[start:ix.starts[i+1]], ix.n)
		for p := 0; p < len(grams); p += ix.stride {
			if key := reduce(grams[p]); !templates[key] {
				es = append(es, entry{key, start + uint32(p)})
			}
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

// allocTables sizes the Bloom filter at 8 to 16 bits per key (1 to 3%
// false positives with 3 bits per key in one 64-bit word) and the table at
// a load factor of 2/3.
//
// The filter is sized to stay in the L2 cache (2 MiB per core on the
// machine measured), which it can because the matcher indexes only every
// stride-th n-gram of an item: for all of shared/data with gpt3, 0.9 M keys
// and a 1 MB filter. Profiles of a 200 MB scan: a 1 MB filter passed 2.6%
// of the probes and filter plus lookups took 0.49 CPU-seconds; a 2 MB one
// passed 0.3% but took 0.66, its probes missing the cache more often than
// the extra lookups (300 ns each) cost.
func (ix *Index) allocTables(keys int) {
	ix.bloomBits = uint(max(10, bits.Len(uint(keys*8/64))))
	ix.bloom = make([]uint64, 1<<ix.bloomBits)
	ix.slots = make([]uint64, max(16, keys+keys/2))
}

// slotOf is the home slot of a reduced key: the key is mixed, then mapped
// onto the table by multiply-shift (Lemire's fast range reduction).
func (ix *Index) slotOf(key uint32) int {
	return int((uint64(key*0x9e3779b1) * uint64(len(ix.slots))) >> 32)
}

func (ix *Index) next(s int) int {
	if s++; s == len(ix.slots) {
		return 0
	}
	return s
}

func (ix *Index) insert(key, head uint32) {
	for s := ix.slotOf(key); ; s = ix.next(s) {
		if ix.slots[s] == 0 {
			ix.slots[s] = uint64(key)<<32 | uint64(head)
			break
		}
	}
	w, m := ix.bloomWord(key)
	ix.bloom[w] |= m
}

// bloomWord returns the filter word for key and the 3 bits it sets.
func (ix *Index) bloomWord(key uint32) (uint32, uint64) {
	h := uint64(key) * 0x9e3779b97f4a7c15
	w := uint32(h >> (64 - ix.bloomBits))
	m := uint64(1)<<(h&63) | uint64(1)<<(h>>6&63) | uint64(1)<<(h>>12&63)
	return w, m
}

// MayContain reports whether n-gram hash g may be in the index. False
// means certainly not.
func (ix *Index) MayContain(g uint64) bool {
	w, m := ix.bloomWord(reduce(g))
	return ix.bloom[w]&m == m
}

// Filter appends to dst the positions p of grams whose hash may be in the
// index (MayContain(grams[p])). The loop has no branch on the outcome, so
// the CPU overlaps the filter's cache misses instead of waiting for each.
// It repeats bloomWord with the shift kept in a register (calling it
// reloads ix.bloomBits every n-gram); TestFilter holds the two equal.
func (ix *Index) Filter(dst []int32, grams []uint64) []int32 {
	n := len(dst)
	dst = slices.Grow(dst, len(grams))[:n+len(grams)]
	bloom, shift := ix.bloom, 64-ix.bloomBits
	for p, g := range grams {
		h := uint64(reduce(g)) * 0x9e3779b97f4a7c15
		m := uint64(1)<<(h&63) | uint64(1)<<(h>>6&63) | uint64(1)<<(h>>12&63)
		dst[n] = int32(p)
		if bloom[h>>shift]&m == m {
			n++
		}
	}
	return dst[:n]
}

// Lookup returns the global token positions where an n-gram whose hash
// reduces like g starts. The caller verifies each position (Tokens). The
// returned slice aliases the index; do not modify it.
func (ix *Index) Lookup(g uint64) []uint32 {
	key := reduce(g)
	for s := ix.slotOf(key); ; s = ix.next(s) {
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

// Stride returns the item-side indexing stride.
func (ix *Index) Stride() int { return ix.stride }

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
