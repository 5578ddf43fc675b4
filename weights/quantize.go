package weights

import (
	"encoding/binary"
	"fmt"
	"math"
)

// Quantize encodes src as type t and appends the bytes to dst. len(src)
// must be a multiple of t's block size. The block quantizers are simple
// min/max (not llama.cpp's error-minimising search); they produce valid
// blocks in the ggml layouts and serve the round-trip tests and the
// synthetic model generator.
func Quantize(dst []byte, t DType, src []float32) ([]byte, error) {
	be, bb, ok := BlockSize(t)
	if !ok {
		return dst, fmt.Errorf("%w: %s", ErrUnsupported, t)
	}
	if int64(len(src))%be != 0 {
		return dst, fmt.Errorf("quantize %s: %d elements is not a multiple of %d", t, len(src), be)
	}
	start := len(dst)
	dst = append(dst, make([]byte, int64(len(src))/be*bb)...)
	out := dst[start:]
	switch t {
	case F32:
		for i, v := range src {
			binary.LittleEndian.PutUint32(out[4*i:], math.Float32bits(v))
		}
	case F16:
		for i, v := range src {
			binary.LittleEndian.PutUint16(out[2*i:], floatToHalf(v))
		}
	case BF16:
		for i, v := range src {
			binary.LittleEndian.PutUint16(out[2*i:], floatToBF16(v))
		}
	case Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q4_K, Q5_K, Q6_K:
		for b := 0; int64(b)*be < int64(len(src)); b++ {
			quantBlock(t, src[int64(b)*be:int64(b+1)*be], out[int64(b)*bb:int64(b+1)*bb])
		}
	default:
		return dst[:start], fmt.Errorf("%w: no quantizer for %s", ErrUnsupported, t)
	}
	return dst, nil
}

func quantBlock(t DType, x []float32, b []byte) {
	switch t {
	case Q4_0:
		quantSym(x, b, 4)
	case Q5_0:
		quantSym(x, b, 5)
	case Q4_1:
		quantAsym(x, b, 4)
	case Q5_1:
		quantAsym(x, b, 5)
	case Q8_0:
		quantQ8_0(x, b)
	case Q4_K:
		quantK(x, b, false)
	case Q5_K:
		quantK(x, b, true)
	case Q6_K:
		quantQ6K(x, b)
	}
}

func putF16(b []byte, f float32) float32 {
	h := floatToHalf(f)
	binary.LittleEndian.PutUint16(b, h)
	return halfToFloat(h)
}

func clampRound(v float32, lo, hi int) int {
	r := int(math.Round(float64(v)))
	return min(max(r, lo), hi)
}

// quantSym is Q4_0/Q5_0 as in ggml: d = max/−2^(bits−1) where max is the
// signed value of largest magnitude.
func quantSym(x []float32, b []byte, bits int) {
	var mx float32
	for _, v := range x {
		if abs32(v) > abs32(mx) {
			mx = v
		}
	}
	half := 1 << (bits - 1)
	d := putF16(b, mx/float32(-half))
	inv := float32(0)
	if d != 0 {
		inv = 1 / d
	}
	off := 2
	var qh uint32
	if bits == 5 {
		off = 6
	}
	for j := 0; j < 16; j++ {
		q0 := clampRound(x[j]*inv, -half, half-1) + half
		q1 := clampRound(x[j+16]*inv, -half, half-1) + half
		b[off+j] = byte(q0&0xf) | byte(q1&0xf)<<4
		qh |= uint32(q0>>4&1)<<j | uint32(q1>>4&1)<<(j+16)
	}
	if bits == 5 {
		binary.LittleEndian.PutUint32(b[2:], qh)
	}
}

// quantAsym is Q4_1/Q5_1: d = (max−min)/(2^bits−1), m = min.
func quantAsym(x []float32, b []byte, bits int) {
	lo, hi := minMax(x)
	levels := 1<<bits - 1
	d := putF16(b, (hi-lo)/float32(levels))
	m := putF16(b[2:], lo)
	inv := float32(0)
	if d != 0 {
		inv = 1 / d
	}
	off := 4
	var qh uint32
	if bits == 5 {
		off = 8
	}
	for j := 0; j < 16; j++ {
		q0 := clampRound((x[j]-m)*inv, 0, levels)
		q1 := clampRound((x[j+16]-m)*inv, 0, levels)
		b[off+j] = byte(q0&0xf) | byte(q1&0xf)<<4
		qh |= uint32(q0>>4&1)<<j | uint32(q1>>4&1)<<(j+16)
	}
	if bits == 5 {
		binary.LittleEndian.PutUint32(b[4:], qh)
	}
}

func quantQ8_0(x []float32, b []byte) {
	var amax float32
	for _, v := range x {
		amax = max(amax, abs32(v))
	}
	d := putF16(b, amax/127)
	inv := float32(0)
	if d != 0 {
		inv = 1 / d
	}
	for j, v := range x {
		b[2+j] = byte(int8(clampRound(v*inv, -127, 127)))
	}
}

// quantK is Q4_K (and Q5_K with fifth): 8 sub-blocks of 32 with 6-bit
// scales and mins relative to the fp16 super-block d and dmin.
func quantK(x []float32, b []byte, fifth bool) {
	levels := 15
	if fifth {
		levels = 31
	}
	var scales, mins [8]float32
	var maxScale, maxMin float32
	for k := 0; k < 8; k++ {
		lo, hi := minMax(x[32*k : 32*k+32])
		lo = min(lo, 0)
		scales[k] = (hi - lo) / float32(levels)
		mins[k] = -lo
		maxScale, maxMin = max(maxScale, scales[k]), max(maxMin, mins[k])
	}
	d := putF16(b, maxScale/63)
	dmin := putF16(b[2:], maxMin/63)
	var sc, mn [8]int
	for k := 0; k < 8; k++ {
		if d > 0 {
			sc[k] = clampRound(scales[k]/d, 0, 63)
		}
		if dmin > 0 {
			mn[k] = clampRound(mins[k]/dmin, 0, 63)
		}
	}
	packScalesK(b[4:16], sc, mn)
	qsOff := 16
	if fifth {
		qsOff = 48
	}
	for k := 0; k < 8; k++ {
		ds, dm := d*float32(sc[k]), dmin*float32(mn[k])
		for l := 0; l < 32; l++ {
			q := 0
			if ds > 0 {
				q = clampRound((x[32*k+l]+dm)/ds, 0, levels)
			}
			p, hiHalf := k/2, k%2
			idx := qsOff + 32*p + l
			b[idx] |= byte(q&0xf) << (4 * hiHalf)
			if fifth && q >= 16 {
				b[16+l] |= 1 << (2*p + hiHalf)
			}
		}
	}
}

// packScalesK stores eight 6-bit scales and mins in 12 bytes, the inverse
// of scaleMinK4.
func packScalesK(s []byte, sc, mn [8]int) {
	for k := 0; k < 4; k++ {
		s[k] = byte(sc[k] & 63)
		s[k+4] = byte(mn[k] & 63)
	}
	for k := 4; k < 8; k++ {
		s[k+4] = byte(sc[k]&0xf) | byte(mn[k]&0xf)<<4
		s[k-4] |= byte(sc[k]>>4) << 6
		s[k] |= byte(mn[k]>>4) << 6
	}
}

// quantQ6K: 16 sub-blocks of 16 with int8 scales relative to fp16 d.
func quantQ6K(x []float32, b []byte) {
	var scales [16]float32
	var maxScale float32
	for k := 0; k < 16; k++ {
		var amax float32
		for _, v := range x[16*k : 16*k+16] {
			amax = max(amax, abs32(v))
		}
		scales[k] = amax / 31
		maxScale = max(maxScale, scales[k])
	}
	d := putF16(b[208:], maxScale/127)
	var sc [16]int
	for k := range sc {
		if d > 0 {
			sc[k] = clampRound(scales[k]/d, -128, 127)
		}
		b[192+k] = byte(int8(sc[k]))
	}
	for e := 0; e < 256; e++ {
		ds := d * float32(sc[e/16])
		q := 32
		if ds > 0 {
			q = clampRound(x[e]/ds, -32, 31) + 32
		}
		h, r := e/128, e%128
		t, l := r/32, r%32
		qlIdx := 64*h + l + 32*(t%2)
		b[qlIdx] |= byte(q&0xf) << (4 * (t / 2))
		b[128+32*h+l] |= byte(q>>4&3) << (2 * t)
	}
}

func minMax(x []float32) (lo, hi float32) {
	lo, hi = x[0], x[0]
	for _, v := range x[1:] {
		lo, hi = min(lo, v), max(hi, v)
	}
	return lo, hi
}

func abs32(v float32) float32 { return math.Float32frombits(math.Float32bits(v) &^ (1 << 31)) }
