package match

import "math/bits"

// bitset is a fixed-size set of small integers.
type bitset []uint64

func newBitset(n int) bitset { return make(bitset, (n+63)/64) }

func (b bitset) set(i int)      { b[i>>6] |= 1 << (i & 63) }
func (b bitset) has(i int) bool { return b[i>>6]&(1<<(i&63)) != 0 }

// setRange sets [lo, hi).
func (b bitset) setRange(lo, hi int) {
	for i := lo; i < hi; i++ {
		b.set(i)
	}
}

// count returns the number of members in [lo, hi).
func (b bitset) count(lo, hi int) int {
	n := 0
	for i := lo; i < hi; {
		if i&63 == 0 && i+64 <= hi {
			n += bits.OnesCount64(b[i>>6])
			i += 64
			continue
		}
		if b.has(i) {
			n++
		}
		i++
	}
	return n
}

func (b bitset) or(c bitset) {
	for i := range b {
		b[i] |= c[i]
	}
}
