package weights

import (
	"math"
)

// DType names an element or block type, spelled as safetensors spells it
// ("F32", "BF16", "F8_E4M3") or as ggml spells it ("Q4_K", "Q8_0").
type DType string

// Element and block types the readers know. Dequantization covers every
// float type here and the GGML block types listed in ggmlTypes with a
// decoder.
const (
	F64     DType = "F64"
	F32     DType = "F32"
	F16     DType = "F16"
	BF16    DType = "BF16"
	F8E4M3  DType = "F8_E4M3"
	F8E5M2  DType = "F8_E5M2"
	Q4_0    DType = "Q4_0"
	Q4_1    DType = "Q4_1"
	Q5_0    DType = "Q5_0"
	Q5_1    DType = "Q5_1"
	Q8_0    DType = "Q8_0"
	Q4_K    DType = "Q4_K"
	Q5_K    DType = "Q5_K"
	Q6_K    DType = "Q6_K"
	dtNone  DType = ""
	dtOther DType = "?"
)

// halfToFloat converts an IEEE 754 binary16 value to float32 exactly.
func halfToFloat(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h) & 0x3ff
	switch {
	case exp == 0 && mant == 0:
		return math.Float32frombits(sign)
	case exp == 0: // subnormal: mant · 2^-24
		f := float32(mant) * (1.0 / (1 << 24))
		if sign != 0 {
			f = -f
		}
		return f
	case exp == 31:
		return math.Float32frombits(sign | 0x7f800000 | mant<<13)
	}
	return math.Float32frombits(sign | (exp+112)<<23 | mant<<13)
}

// floatToHalf converts float32 to binary16 with round-to-nearest-even,
// saturating to infinity on overflow.
func floatToHalf(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int32(b>>23) & 0xff
	mant := b & 0x7fffff
	if exp == 0xff { // inf or NaN
		if mant != 0 {
			return sign | 0x7e00
		}
		return sign | 0x7c00
	}
	e := exp - 127 + 15
	if e >= 31 {
		return sign | 0x7c00
	}
	if e <= 0 { // subnormal or zero in half
		if e < -10 {
			return sign
		}
		mant |= 0x800000
		shift := uint32(14 - e)
		half := uint32(1) << (shift - 1)
		r := mant >> shift
		rem := mant & (1<<shift - 1)
		if rem > half || (rem == half && r&1 == 1) {
			r++
		}
		return sign | uint16(r)
	}
	r := uint32(e)<<10 | mant>>13
	rem := mant & 0x1fff
	if rem > 0x1000 || (rem == 0x1000 && r&1 == 1) {
		r++ // may carry into the exponent, which is correct rounding
	}
	return sign | uint16(r)
}

// bf16ToFloat widens a bfloat16 value: it is the top half of a float32.
func bf16ToFloat(h uint16) float32 { return math.Float32frombits(uint32(h) << 16) }

// floatToBF16 rounds float32 to bfloat16 (nearest even).
func floatToBF16(f float32) uint16 {
	b := math.Float32bits(f)
	if b&0x7fffffff > 0x7f800000 { // NaN
		return uint16(b>>16) | 0x40
	}
	b += 0x7fff + (b>>16)&1
	return uint16(b >> 16)
}

// f8e4m3ToFloat decodes OCP FP8 E4M3 (FN variant: no infinities, S.1111.111 is NaN).
func f8e4m3ToFloat(v byte) float32 {
	sign := float32(1)
	if v&0x80 != 0 {
		sign = -1
	}
	exp := int(v>>3) & 0xf
	mant := float32(v & 7)
	if exp == 0xf && v&7 == 7 {
		return float32(math.NaN())
	}
	if exp == 0 {
		return sign * mant / 8 * (1.0 / 64) // 2^-6 subnormal scale
	}
	return sign * (1 + mant/8) * float32(math.Ldexp(1, exp-7))
}

// f8e5m2ToFloat decodes FP8 E5M2, which is the top byte of a binary16.
func f8e5m2ToFloat(v byte) float32 { return halfToFloat(uint16(v) << 8) }
