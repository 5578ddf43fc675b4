package ngram

import (
	"encoding/binary"
	"math/bits"
)

// Hash constants (from wyhash). Changing them changes every hash.
const (
	hashSeed = 0x243f6a8885a308d3
	hashK1   = 0xa0761d6478bd642f
	hashK2   = 0xe7037ed1a0b428db
)

// mum is wyhash's folded multiply: the xor of the high and low halves of
// the 128-bit product. One MULX; it mixes every input bit into every output
// bit, which a plain 64-bit multiply does not do for the low bits.
func mum(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}

// wordHash is the streaming token hash. Canonical bytes go in 8 at a time
// (little-endian); the last partial chunk and the length close it.
type wordHash struct {
	h       uint64
	pending uint64 // bytes not yet mixed, little-endian
	npend   uint   // number of bytes in pending (0..7)
	n       uint64 // total bytes
}

func (w *wordHash) reset() { *w = wordHash{h: hashSeed} }

// addChunk mixes 8 bytes; only valid when npend == 0.
func (w *wordHash) addChunk(c uint64) {
	w.h = mum(w.h^c, hashK1)
	w.n += 8
}

func (w *wordHash) addByte(b byte) {
	w.pending |= uint64(b) << (8 * w.npend)
	w.npend++
	w.n++
	if w.npend == 8 {
		w.h = mum(w.h^w.pending, hashK1)
		w.pending, w.npend = 0, 0
	}
}

func (w *wordHash) sum() uint64 { return mum(w.h^w.pending, hashK2^w.n) }

// HashString returns the hash of one canonical token.
func HashString(tok string) uint64 {
	var w wordHash
	w.reset()
	for len(tok) >= 8 {
		w.addChunk(binary.LittleEndian.Uint64([]byte(tok[:8])))
		tok = tok[8:]
	}
	for i := 0; i < len(tok); i++ {
		w.addByte(tok[i])
	}
	return w.sum()
}

// Ngrams appends to dst the hash of every n-gram of the token hashes h:
// len(h)-n+1 values, or none when len(h) < n. The n-gram hash is the cyclic
// polynomial XOR_{i<n} rotl(h[p+i], n-1-i), rolled in O(1) per position.
func Ngrams(dst []uint64, h []uint64, n int) []uint64 {
	if n <= 0 || len(h) < n {
		return dst
	}
	var g uint64
	for i := 0; i < n; i++ {
		g = bits.RotateLeft64(g, 1) ^ h[i]
	}
	dst = append(dst, g)
	for p := n; p < len(h); p++ {
		g = bits.RotateLeft64(g, 1) ^ bits.RotateLeft64(h[p-n], n) ^ h[p]
		dst = append(dst, g)
	}
	return dst
}

// NgramAt returns the hash of the n-gram h[p:p+n] computed directly; it
// equals the value Ngrams produces at position p.
func NgramAt(h []uint64, p, n int) uint64 {
	var g uint64
	for i := 0; i < n; i++ {
		g = bits.RotateLeft64(g, 1) ^ h[p+i]
	}
	return g
}

// HashBytes returns the hash of b; it equals HashString(string(b)).
func HashBytes(b []byte) uint64 {
	var w wordHash
	w.reset()
	for len(b) >= 8 {
		w.addChunk(binary.LittleEndian.Uint64(b))
		b = b[8:]
	}
	for _, c := range b {
		w.addByte(c)
	}
	return w.sum()
}
