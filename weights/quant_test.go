package weights

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"testing"
)

func gaussian(n int, seed uint64) []float32 {
	r := rand.New(rand.NewPCG(seed, 1))
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(r.NormFloat64() * 0.02)
	}
	return x
}

func cosine(a, b []float32) float64 {
	var ab, aa, bb float64
	for i := range a {
		ab += float64(a[i]) * float64(b[i])
		aa += float64(a[i]) * float64(a[i])
		bb += float64(b[i]) * float64(b[i])
	}
	return ab / math.Sqrt(aa*bb)
}

func TestHalfConversions(t *testing.T) {
	for _, f := range []float32{0, 1, -2.5, 65504, 6.1035156e-05, 5.9604645e-08, 0.333251953125} {
		if got := halfToFloat(floatToHalf(f)); got != f {
			t.Errorf("half round trip %g -> %g", f, got)
		}
	}
	if !math.IsInf(float64(halfToFloat(floatToHalf(1e6))), 1) {
		t.Error("overflow should give +Inf")
	}
	for _, f := range []float32{0, 1, -3.140625, 1e30} {
		if got := bf16ToFloat(floatToBF16(f)); math.Abs(float64(got-f)) > math.Abs(float64(f))/128 {
			t.Errorf("bf16 round trip %g -> %g", f, got)
		}
	}
	// Every binary16 value round-trips exactly through float32.
	for h := 0; h < 1<<16; h++ {
		f := halfToFloat(uint16(h))
		if f != f { // NaN
			continue
		}
		if got := floatToHalf(f); got != uint16(h) {
			t.Fatalf("half 0x%04x -> %g -> 0x%04x", h, f, got)
		}
	}
}

func TestFP8(t *testing.T) {
	cases := []struct {
		b    byte
		e4m3 float32
		e5m2 float32
	}{
		{0x00, 0, 0}, {0x38, 1, 0.5}, {0xb8, -1, -0.5}, {0x7b, 352, 57344}, {0x7e, 448, float32(math.NaN())}, {0x01, 1.0 / 512, 1.0 / 65536},
	}
	for _, c := range cases {
		if got := f8e4m3ToFloat(c.b); got != c.e4m3 {
			t.Errorf("e4m3 0x%02x = %g, want %g", c.b, got, c.e4m3)
		}
		if got := f8e5m2ToFloat(c.b); got != c.e5m2 && !(got != got && c.e5m2 != c.e5m2) {
			t.Errorf("e5m2 0x%02x = %g, want %g", c.b, got, c.e5m2)
		}
	}
}

// TestBlockSizes pins the block table to ggml-common.h (reference §6.3).
func TestBlockSizes(t *testing.T) {
	want := map[DType][2]int64{
		Q4_0: {32, 18}, Q4_1: {32, 20}, Q5_0: {32, 22}, Q5_1: {32, 24}, Q8_0: {32, 34},
		"Q2_K": {256, 84}, "Q3_K": {256, 110}, Q4_K: {256, 144}, Q5_K: {256, 176}, Q6_K: {256, 210},
		"Q8_K": {256, 292}, "IQ4_NL": {32, 18}, "IQ4_XS": {256, 136}, "MXFP4": {32, 17},
		"TQ1_0": {256, 54}, "TQ2_0": {256, 66}, BF16: {1, 2}, F16: {1, 2}, F32: {1, 4},
	}
	for typ, w := range want {
		e, b, ok := BlockSize(typ)
		if !ok || e != w[0] || b != w[1] {
			t.Errorf("%s: %d elems / %d bytes, want %v", typ, e, b, w)
		}
	}
}

// TestRoundTrip quantizes Gaussian rows and checks the decoded cosine
// (reference §6.3: Q8_0 ≈ 0.99999, Q4_0 ≈ 0.996).
func TestRoundTrip(t *testing.T) {
	x := gaussian(4096, 7)
	for _, c := range []struct {
		typ    DType
		minCos float64
	}{
		{F32, 1}, {F16, 0.999999}, {BF16, 0.99998}, {Q8_0, 0.99995}, {Q6_K, 0.9995},
		{Q5_0, 0.998}, {Q5_1, 0.998}, {Q5_K, 0.998}, {Q4_0, 0.993}, {Q4_1, 0.993}, {Q4_K, 0.993},
	} {
		b, err := Quantize(nil, c.typ, x)
		if err != nil {
			t.Fatal(err)
		}
		y := make([]float32, len(x))
		if err := Dequantize(c.typ, b, y); err != nil {
			t.Fatal(err)
		}
		cos := cosine(x, y)
		t.Logf("%-5s cosine %.6f", c.typ, cos)
		if cos < c.minCos {
			t.Errorf("%s: round-trip cosine %.6f < %.6f", c.typ, cos, c.minCos)
		}
	}
}

func TestDequantizeErrors(t *testing.T) {
	y := make([]float32, 32)
	if err := Dequantize(Q8_0, make([]byte, 33), y); err == nil {
		t.Error("short Q8_0 block accepted")
	}
	if err := Dequantize("IQ2_XXS", make([]byte, 66), make([]float32, 256)); err == nil {
		t.Error("IQ2_XXS should be unsupported")
	}
	if _, err := Quantize(nil, Q4_K, make([]float32, 100)); err == nil {
		t.Error("Q4_K of 100 elements accepted")
	}
}

// randomBlocks returns n blocks of random bytes whose fp16 scale fields
// hold sane values, so that the oracles compare finite numbers.
func randomBlocks(typ DType, n int, seed uint64, scaleOffs ...int) []byte {
	_, bb, _ := BlockSize(typ)
	r := rand.New(rand.NewPCG(seed, 2))
	b := make([]byte, n*int(bb))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	for k := 0; k < n; k++ {
		for _, o := range scaleOffs {
			binary.LittleEndian.PutUint16(b[k*int(bb)+o:], floatToHalf(float32(r.Float64()*0.01)))
		}
	}
	return b
}

// The oracles below transliterate ggml-quants.c's pointer-walking
// dequantize_row_* loops (MIT), independent of the index-form decoders.

func oracleQ4K(x []byte, y []float32) {
	for i := 0; i < len(y)/256; i++ {
		blk := x[i*144:]
		d, min := f16at(blk, 0), f16at(blk, 2)
		q := blk[16:]
		is := 0
		yo := y[i*256:]
		p := 0
		for j := 0; j < 256; j += 64 {
			sc, m := oracleScaleMin(is, blk[4:16])
			d1, m1 := d*sc, min*m
			sc, m = oracleScaleMin(is+1, blk[4:16])
			d2, m2 := d*sc, min*m
			for l := 0; l < 32; l++ {
				yo[p] = d1*float32(q[l]&0xF) - m1
				p++
			}
			for l := 0; l < 32; l++ {
				yo[p] = d2*float32(q[l]>>4) - m2
				p++
			}
			q = q[32:]
			is += 2
		}
	}
}

func oracleScaleMin(j int, q []byte) (float32, float32) {
	if j < 4 {
		return float32(q[j] & 63), float32(q[j+4] & 63)
	}
	return float32((q[j+4] & 0xF) | ((q[j-4] >> 6) << 4)), float32((q[j+4] >> 4) | ((q[j-0] >> 6) << 4))
}

func oracleQ5K(x []byte, y []float32) {
	for i := 0; i < len(y)/256; i++ {
		blk := x[i*176:]
		d, min := f16at(blk, 0), f16at(blk, 2)
		ql, qh := blk[48:], blk[16:48]
		is, p := 0, 0
		u1, u2 := byte(1), byte(2)
		yo := y[i*256:]
		for j := 0; j < 256; j += 64 {
			sc, m := oracleScaleMin(is, blk[4:16])
			d1, m1 := d*sc, min*m
			sc, m = oracleScaleMin(is+1, blk[4:16])
			d2, m2 := d*sc, min*m
			for l := 0; l < 32; l++ {
				h := float32(0)
				if qh[l]&u1 != 0 {
					h = 16
				}
				yo[p] = d1*(float32(ql[l]&0xF)+h) - m1
				p++
			}
			for l := 0; l < 32; l++ {
				h := float32(0)
				if qh[l]&u2 != 0 {
					h = 16
				}
				yo[p] = d2*(float32(ql[l]>>4)+h) - m2
				p++
			}
			ql = ql[32:]
			is += 2
			u1 <<= 2
			u2 <<= 2
		}
	}
}

func oracleQ6K(x []byte, y []float32) {
	for i := 0; i < len(y)/256; i++ {
		blk := x[i*210:]
		d := f16at(blk, 208)
		ql, qh, sc := blk[0:128], blk[128:192], blk[192:208]
		yo := y[i*256:]
		for n := 0; n < 256; n += 128 {
			for l := 0; l < 32; l++ {
				is := l / 16
				q1 := int8((ql[l+0]&0xF)|(((qh[l]>>0)&3)<<4)) - 32
				q2 := int8((ql[l+32]&0xF)|(((qh[l]>>2)&3)<<4)) - 32
				q3 := int8((ql[l+0]>>4)|(((qh[l]>>4)&3)<<4)) - 32
				q4 := int8((ql[l+32]>>4)|(((qh[l]>>6)&3)<<4)) - 32
				yo[l+0] = d * float32(int8(sc[is+0])) * float32(q1)
				yo[l+32] = d * float32(int8(sc[is+2])) * float32(q2)
				yo[l+64] = d * float32(int8(sc[is+4])) * float32(q3)
				yo[l+96] = d * float32(int8(sc[is+6])) * float32(q4)
			}
			yo, ql, qh, sc = yo[128:], ql[64:], qh[32:], sc[8:]
		}
	}
}

// oracleQ5_0 follows dequantize_row_q5_0: xh_1 = (qh >> (j+12)) & 0x10.
func oracleQ5_0(x []byte, y []float32) {
	for i := 0; i < len(y)/32; i++ {
		blk := x[i*22:]
		d := f16at(blk, 0)
		qh := binary.LittleEndian.Uint32(blk[2:])
		for j := 0; j < 16; j++ {
			xh0 := ((qh >> j) << 4) & 0x10
			xh1 := (qh >> (j + 12)) & 0x10
			x0 := int32((uint32(blk[6+j])&0x0F)|xh0) - 16
			x1 := int32((uint32(blk[6+j])>>4)|xh1) - 16
			y[i*32+j] = float32(x0) * d
			y[i*32+j+16] = float32(x1) * d
		}
	}
}

func TestDecodersMatchOracles(t *testing.T) {
	const nb = 16
	for _, c := range []struct {
		typ    DType
		elems  int
		scales []int
		oracle func([]byte, []float32)
	}{
		{Q4_K, 256, []int{0, 2}, oracleQ4K},
		{Q5_K, 256, []int{0, 2}, oracleQ5K},
		{Q6_K, 256, []int{208}, oracleQ6K},
		{Q5_0, 32, []int{0}, oracleQ5_0},
	} {
		b := randomBlocks(c.typ, nb, 3, c.scales...)
		got := make([]float32, nb*c.elems)
		want := make([]float32, nb*c.elems)
		if err := Dequantize(c.typ, b, got); err != nil {
			t.Fatal(err)
		}
		c.oracle(b, want)
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("%s element %d: %g, oracle %g", c.typ, i, got[i], want[i])
			}
		}
	}
}

func BenchmarkDequantize(b *testing.B) {
	x := gaussian(1<<16, 1)
	for _, typ := range []DType{BF16, F16, Q8_0, Q4_0, Q4_K, Q6_K} {
		q, _ := Quantize(nil, typ, x)
		y := make([]float32, len(x))
		b.Run(string(typ), func(b *testing.B) {
			b.SetBytes(int64(len(q)))
			b.ReportAllocs()
			for b.Loop() {
				if err := Dequantize(typ, q, y); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
