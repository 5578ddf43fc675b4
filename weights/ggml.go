package weights

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"sync"
)

// ErrUnsupported reports a dtype or block type that the readers recognise
// (so header sizes validate) but cannot dequantize.
var ErrUnsupported = errors.New("unsupported tensor type")

// ggmlType describes one GGML element or block type: its name, the number of
// elements in a block and the bytes a block takes (ggml-common.h; sizes
// cross-checked against gpustack/gguf-parser-go ggml.go).
type ggmlType struct {
	name  DType
	elems int64
	bytes int64
}

// ggmlTypes is indexed by the GGML type id stored in GGUF tensor infos.
// Deprecated repacked layouts (31-33, 36-38) are absent and refused.
var ggmlTypes = map[uint32]ggmlType{
	0: {F32, 1, 4}, 1: {F16, 1, 2}, 2: {Q4_0, 32, 18}, 3: {Q4_1, 32, 20},
	6: {Q5_0, 32, 22}, 7: {Q5_1, 32, 24}, 8: {Q8_0, 32, 34}, 9: {"Q8_1", 32, 36},
	10: {"Q2_K", 256, 84}, 11: {"Q3_K", 256, 110}, 12: {Q4_K, 256, 144},
	13: {Q5_K, 256, 176}, 14: {Q6_K, 256, 210}, 15: {"Q8_K", 256, 292},
	16: {"IQ2_XXS", 256, 66}, 17: {"IQ2_XS", 256, 74}, 18: {"IQ3_XXS", 256, 98},
	19: {"IQ1_S", 256, 50}, 20: {"IQ4_NL", 32, 18}, 21: {"IQ3_S", 256, 110},
	22: {"IQ2_S", 256, 82}, 23: {"IQ4_XS", 256, 136}, 24: {"I8", 1, 1},
	25: {"I16", 1, 2}, 26: {"I32", 1, 4}, 27: {"I64", 1, 8}, 28: {F64, 1, 8},
	29: {"IQ1_M", 256, 56}, 30: {BF16, 1, 2}, 34: {"TQ1_0", 256, 54},
	35: {"TQ2_0", 256, 66}, 39: {"MXFP4", 32, 17},
}

// ggmlID returns the GGML type id of a dtype, for the GGUF writer.
func ggmlID(t DType) (uint32, bool) {
	for id, g := range ggmlTypes {
		if g.name == t {
			return id, true
		}
	}
	return 0, false
}

// BlockSize returns the elements per block and bytes per block of t, or
// ok false when t is unknown.
func BlockSize(t DType) (elems, bytes int64, ok bool) {
	switch t { // the common types without a map walk: this runs per row
	case F8E4M3, F8E5M2:
		return 1, 1, true
	case BF16, F16:
		return 1, 2, true
	case F32:
		return 1, 4, true
	case Q8_0:
		return 32, 34, true
	case Q4_K:
		return 256, 144, true
	}
	for _, g := range ggmlTypes {
		if g.name == t {
			return g.elems, g.bytes, true
		}
	}
	return 0, 0, false
}

// CanDequantize reports whether Dequantize supports t.
func CanDequantize(t DType) bool {
	switch t {
	case F64, F32, F16, BF16, F8E4M3, F8E5M2, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q4_K, Q5_K, Q6_K:
		return true
	}
	return false
}

// Dequantize decodes src, which holds exactly len(dst) elements of type t
// (whole blocks), into dst.
func Dequantize(t DType, src []byte, dst []float32) error {
	be, bb, ok := BlockSize(t)
	if !ok || !CanDequantize(t) {
		return fmt.Errorf("%w: %s", ErrUnsupported, t)
	}
	n := int64(len(dst))
	if n%be != 0 || int64(len(src)) != n/be*bb {
		return fmt.Errorf("dequantize %s: %d bytes for %d elements", t, len(src), n)
	}
	switch t {
	case F32:
		for i := range dst {
			dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(src[4*i:]))
		}
	case F64:
		for i := range dst {
			dst[i] = float32(math.Float64frombits(binary.LittleEndian.Uint64(src[8*i:])))
		}
	case F16:
		tab := halfTable()
		src = src[:2*len(dst)]
		for i := range dst {
			dst[i] = tab[uint16(src[2*i])|uint16(src[2*i+1])<<8]
		}
	case BF16:
		dequantBF16(src, dst)
	case F8E4M3:
		for i, v := range src {
			dst[i] = f8e4m3ToFloat(v)
		}
	case F8E5M2:
		for i, v := range src {
			dst[i] = f8e5m2ToFloat(v)
		}
	default:
		dequantBlocks(t, src, dst, int(be), int(bb))
	}
	return nil
}

// halfTable returns the 64Ki-entry binary16 → float32 table (256 KiB,
// built once): a lookup decodes F16 about 4× faster than the branchy
// conversion.
var halfTable = sync.OnceValue(func() *[1 << 16]float32 {
	var t [1 << 16]float32
	for i := range t {
		t[i] = halfToFloat(uint16(i))
	}
	return &t
})

func dequantBF16(src []byte, dst []float32) {
	n := len(dst)
	src = src[:2*n]
	i := 0
	for ; i+4 <= n; i += 4 { // four values per 64-bit load: ~3× the byte loop
		v := binary.LittleEndian.Uint64(src[2*i:])
		d := dst[i : i+4 : i+4]
		d[0] = math.Float32frombits(uint32(v) << 16)
		d[1] = math.Float32frombits(uint32(v>>16) << 16)
		d[2] = math.Float32frombits(uint32(v>>32) << 16)
		d[3] = math.Float32frombits(uint32(v>>48) << 16)
	}
	for ; i < n; i++ {
		dst[i] = math.Float32frombits(uint32(src[2*i])<<16 | uint32(src[2*i+1])<<24)
	}
}

// dequantBlocks decodes whole GGML blocks; lengths were checked by the caller.
func dequantBlocks(t DType, src []byte, dst []float32, be, bb int) {
	for b := 0; b*be < len(dst); b++ {
		blk := src[b*bb : (b+1)*bb]
		y := dst[b*be : (b+1)*be]
		switch t {
		case Q4_0:
			deqQ4_0(blk, y)
		case Q4_1:
			deqQ4_1(blk, y)
		case Q5_0:
			deqQ5(blk, y, false)
		case Q5_1:
			deqQ5(blk, y, true)
		case Q8_0:
			deqQ8_0(blk, y)
		case Q4_K:
			deqQ4K(blk, y)
		case Q5_K:
			deqQ5K(blk, y)
		case Q6_K:
			deqQ6K(blk, y)
		}
	}
}

func f16at(b []byte, off int) float32 { return halfToFloat(binary.LittleEndian.Uint16(b[off:])) }

// deqQ4_0: d, qs[16]; y[j] = d·(lo−8), y[j+16] = d·(hi−8).
func deqQ4_0(b []byte, y []float32) {
	d := f16at(b, 0)
	qs := b[2:18]
	for j := 0; j < 16; j++ {
		y[j] = d * float32(int(qs[j]&0xf)-8)
		y[j+16] = d * float32(int(qs[j]>>4)-8)
	}
}

// deqQ4_1: d, m, qs[16]; y = d·q + m.
func deqQ4_1(b []byte, y []float32) {
	d, m := f16at(b, 0), f16at(b, 2)
	qs := b[4:20]
	for j := 0; j < 16; j++ {
		y[j] = d*float32(qs[j]&0xf) + m
		y[j+16] = d*float32(qs[j]>>4) + m
	}
}

// deqQ5 decodes Q5_0 (d, qh, qs; q−16) and Q5_1 (d, m, qh, qs; d·q+m).
// Bit e of qh is the fifth bit of element e.
func deqQ5(b []byte, y []float32, withMin bool) {
	d := f16at(b, 0)
	off, bias, m := 2, float32(16), float32(0)
	if withMin {
		m, off, bias = f16at(b, 2), 4, 0
	}
	qh := binary.LittleEndian.Uint32(b[off:])
	qs := b[off+4 : off+20]
	for j := 0; j < 16; j++ {
		lo := uint32(qs[j]&0xf) | (qh>>j&1)<<4
		hi := uint32(qs[j]>>4) | (qh>>(j+16)&1)<<4
		y[j] = d*(float32(lo)-bias) + m
		y[j+16] = d*(float32(hi)-bias) + m
	}
}

// deqQ8_0: d, qs[32] int8; y = d·q.
func deqQ8_0(b []byte, y []float32) {
	d := f16at(b, 0)
	qs := b[2:34]
	for j := range 32 {
		y[j] = d * float32(int8(qs[j]))
	}
}

// scaleMinK4 unpacks the 6-bit scale and min of sub-block k from the 12
// packed bytes of a Q4_K/Q5_K super-block.
func scaleMinK4(k int, s []byte) (sc, m float32) {
	if k < 4 {
		return float32(s[k] & 63), float32(s[k+4] & 63)
	}
	return float32(s[k+4]&0xf | (s[k-4]>>6)<<4), float32(s[k+4]>>4 | (s[k]>>6)<<4)
}

// deqQ4K: d, dmin, scales[12], qs[128]. For pair p, low nibbles of
// qs[32p..] are elements 64p+l (sub-block 2p), high nibbles 64p+32+l.
func deqQ4K(b []byte, y []float32) { deqK(b, y, nil, b[16:144]) }

// deqQ5K: d, dmin, scales[12], qh[32], qs[128]; as Q4_K plus a fifth bit,
// bit 2p (first half of pair p) or 2p+1 (second half) of qh[l].
func deqQ5K(b []byte, y []float32) { deqK(b, y, b[16:48], b[48:176]) }

// deqK decodes a Q4_K (qh nil) or Q5_K super-block.
func deqK(b []byte, y []float32, qh, qs []byte) {
	d, dmin := f16at(b, 0), f16at(b, 2)
	sc := b[4:16]
	for p := 0; p < 4; p++ {
		s1, m1 := scaleMinK4(2*p, sc)
		s2, m2 := scaleMinK4(2*p+1, sc)
		d1, mm1, d2, mm2 := d*s1, dmin*m1, d*s2, dmin*m2
		q := qs[32*p : 32*p+32]
		o := y[64*p : 64*p+64]
		for l := 0; l < 32; l++ {
			lo, hi := q[l]&0xf, q[l]>>4
			if qh != nil {
				lo |= (qh[l] >> (2 * p) & 1) << 4
				hi |= (qh[l] >> (2*p + 1) & 1) << 4
			}
			o[l] = d1*float32(lo) - mm1
			o[l+32] = d2*float32(hi) - mm2
		}
	}
}

// deqQ6K: ql[128], qh[64], scales[16] int8, d. Two halves of 128 elements;
// in each, element 32t+l takes a nibble of ql and two bits of qh.
func deqQ6K(b []byte, y []float32) {
	d := f16at(b, 208)
	for h := 0; h < 2; h++ {
		ql := b[64*h : 64*h+64]
		qh := b[128+32*h : 128+32*h+32]
		sc := b[192+8*h : 192+8*h+8]
		o := y[128*h : 128*h+128]
		for l := 0; l < 32; l++ {
			is := l / 16
			q1 := int(ql[l]&0xf|(qh[l]&3)<<4) - 32
			q2 := int(ql[l+32]&0xf|(qh[l]>>2&3)<<4) - 32
			q3 := int(ql[l]>>4|(qh[l]>>4&3)<<4) - 32
			q4 := int(ql[l+32]>>4|(qh[l]>>6&3)<<4) - 32
			o[l] = d * float32(int8(sc[is])) * float32(q1)
			o[l+32] = d * float32(int8(sc[is+2])) * float32(q2)
			o[l+64] = d * float32(int8(sc[is+4])) * float32(q3)
			o[l+96] = d * float32(int8(sc[is+6])) * float32(q4)
		}
	}
}
