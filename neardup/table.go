package neardup

import (
	"math/bits"
	"slices"

	"github.com/leakhound/leakhound/ngram"
)

// keyTable finds the items whose sketch holds a shingle hash: a blocked
// Bloom filter in front of an open-addressing table.
//
// The first version kept the sorted keys and ran a binary search for every
// record shingle that passed a one-bit-per-key filter of 512 KiB: against
// all 42,710 items of the nine scan benchmarks (548,580 distinct keys) the
// filter passed 12% of the shingles of the synthetic corpus, and the
// search (20 dependent loads into 5 MB) took 45% of Detect. This filter
// (1 MiB, three bits per key in one word) passes 0.9% of them, a 16 MB
// table resolves those with one cache miss each, and 0.04% are keys.
// Filter layouts measured on the same records: 512 KiB with two bits per
// key passes 5.8%, 512 KiB with three 4.2%, 1 MiB with two 1.9%; 2 MiB
// with two bits passed fewer but scanned slower (430–475 against 520–690
// MB per CPU-second in BenchmarkDetectTokens), its loads missing the L2
// cache.
type keyTable struct {
	// filter sets three bits per key in one 64-bit word, so a probe
	// costs one load; it has 8 to 16 bits per key.
	filter     []uint64
	filterMask uint64
	slots      []slot
	mask       uint64
}

// slot holds one distinct key and its owners d.owners[first:first+n];
// n == 0 marks an empty slot. A slot is 16 bytes, so a lookup touches one
// cache line unless it probes on.
type slot struct {
	key   uint64
	first uint32
	n     uint32
}

// filterBits returns the word of the filter and the three bits in it for
// the unmixed shingle hash h (see unmix): the word from bits 32 and up,
// the bits from bits 14–31.
func (t *keyTable) filterBits(h uint64) (word uint64, mask uint64) {
	return (h >> 32) & t.filterMask, 1<<(h>>14&63) | 1<<(h>>20&63) | 1<<(h>>26&63)
}

// newKeyTable indexes the distinct keys; key i owns the owner entries
// first[i]:first[i+1].
func newKeyTable(keys []uint64, first []uint32) keyTable {
	words := 1
	for words*64 < 8*len(keys) { // at least 8 bits per key
		words *= 2
	}
	size := 16
	for 3*size < 4*len(keys) { // load at most 3/4: 548,580 keys in 16 MB
		size *= 2
	}
	t := keyTable{filter: make([]uint64, words), filterMask: uint64(words - 1), slots: make([]slot, size), mask: uint64(size - 1)}
	for i, k := range keys {
		w, m := t.filterBits(unmix(k))
		t.filter[w] |= m
		j := k & t.mask
		for t.slots[j].n != 0 {
			j = (j + 1) & t.mask
		}
		t.slots[j] = slot{key: k, first: first[i], n: first[i+1] - first[i]}
	}
	return t
}

// get returns the range of d.owners that holds the items of key h (empty
// when h is no sketch key).
func (t *keyTable) get(h uint64) (lo, hi uint32) {
	for j := h & t.mask; ; j = (j + 1) & t.mask {
		s := &t.slots[j]
		if s.n == 0 {
			return 0, 0
		}
		if s.key == h {
			return s.first, s.first + s.n
		}
	}
}

// filterPass appends to dst the positions p of toks whose shingle
// toks[p:p+3] passes the filter. The loop has no branch on the filter
// (the position is always written and the length grows by the test), so
// the CPU overlaps the filter loads of successive shingles.
func (t *keyTable) filterPass(dst []int32, toks []ngram.Token) []int32 {
	n := len(toks) - Shingle + 1
	if n <= 0 {
		return dst
	}
	start := len(dst)
	dst = slices.Grow(dst, n)[:start+n]
	out := dst[start:]
	k := 0
	a, b := toks[0].Hash, toks[1].Hash
	for p, tk := range toks[2:] {
		c := tk.Hash
		w, m := t.filterBits(bits.RotateLeft64(a, 2) ^ bits.RotateLeft64(b, 1) ^ c)
		out[k] = int32(p)
		x := t.filter[w]&m ^ m // 0 when all three bits are set
		k += int(1 ^ (x|-x)>>63)
		a, b = b, c
	}
	return dst[:start+k]
}

// shingleSet holds the distinct shingles of the item being verified, in
// order of first occurrence, and the first record position of each in the
// verification window. It replaced two Go maps (window shingle → first
// position, item shingles seen) that took half of Detect on records that
// each hold an edited benchmark item, a quarter of it in clearing them.
type shingleSet struct {
	keys  []uint64 // distinct item shingles, in item order
	q     []int32  // item position of keys[i]'s first occurrence
	first []int32  // first window position of keys[i], or -1
	slots []int32  // open addressing: index+1 into keys, 0 = empty
	mask  uint64
}

// reset empties the set for an item of n shingles.
func (s *shingleSet) reset(n int) {
	size := 16
	for size < 2*n {
		size *= 2
	}
	if cap(s.slots) < size {
		s.slots = make([]int32, size)
	}
	s.slots = s.slots[:size]
	clear(s.slots)
	s.mask = uint64(size - 1)
	s.keys, s.q, s.first = s.keys[:0], s.q[:0], s.first[:0]
}

// slot returns the slot of h: the one holding it, or the empty one where
// it would go.
func (s *shingleSet) slot(h uint64) *int32 {
	for j := h & s.mask; ; j = (j + 1) & s.mask {
		if i := s.slots[j]; i == 0 || s.keys[i-1] == h {
			return &s.slots[j]
		}
	}
}

// add adds item shingle h at item position q unless the set has it.
func (s *shingleSet) add(h uint64, q int) {
	if sl := s.slot(h); *sl == 0 {
		s.keys = append(s.keys, h)
		s.q = append(s.q, int32(q))
		s.first = append(s.first, -1)
		*sl = int32(len(s.keys))
	}
}

// see records window position p for record shingle h if h is an item
// shingle seen for the first time.
func (s *shingleSet) see(h uint64, p int) {
	if i := *s.slot(h); i != 0 && s.first[i-1] < 0 {
		s.first[i-1] = int32(p)
	}
}
