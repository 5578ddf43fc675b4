package weights

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// tinyLlama builds a small llama-shaped model: 2 layers, d = 256,
// 4 heads of 64 (2 KV heads), FFN 512, vocab 64.
func tinyLlama() *Mem {
	m := NewMem()
	seed := uint64(10)
	add := func(name string, shape ...int64) {
		n := int64(1)
		for _, d := range shape {
			n *= d
		}
		seed++
		m.Set(name, shape, gaussian(int(n), seed))
	}
	add("model.embed_tokens.weight", 64, 256)
	for l := 0; l < 2; l++ {
		p := "model.layers." + string(rune('0'+l)) + "."
		add(p+"input_layernorm.weight", 256)
		add(p+"self_attn.q_proj.weight", 256, 256)
		add(p+"self_attn.k_proj.weight", 128, 256)
		add(p+"self_attn.v_proj.weight", 128, 256)
		add(p+"self_attn.o_proj.weight", 256, 256)
		add(p+"post_attention_layernorm.weight", 256)
		add(p+"mlp.gate_proj.weight", 512, 256)
		add(p+"mlp.up_proj.weight", 512, 256)
		add(p+"mlp.down_proj.weight", 256, 512)
	}
	add("model.norm.weight", 256)
	add("lm_head.weight", 64, 256)
	return m
}

func llamaMeta() []KV {
	return []KV{{"llama.embedding_length", uint32(256)}, {"llama.attention.head_count", uint32(4)},
		{"llama.attention.head_count_kv", uint32(2)}, {"llama.block_count", uint32(2)}}
}

// maxAbsDiff compares every tensor of want with got by HF name.
func maxAbsDiff(t *testing.T, want *Mem, got Source) float64 {
	t.Helper()
	var worst float64
	names := map[string]bool{}
	for _, ti := range got.Tensors() {
		names[ti.Name] = true
	}
	for _, n := range want.Names {
		if !names[n] {
			t.Fatalf("tensor %s missing; have %v", n, names)
		}
		g, err := got.ReadF32(n, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range want.Data[n] {
			worst = max(worst, float64(abs32(v-g[i])))
		}
	}
	return worst
}

func TestSafetensorsRoundTrip(t *testing.T) {
	src := tinyLlama()
	dir := t.TempDir()
	single := filepath.Join(dir, "single")
	sharded := filepath.Join(dir, "sharded")
	os.Mkdir(single, 0o755)
	os.Mkdir(sharded, 0o755)
	if err := WriteSafetensors(filepath.Join(single, "model.safetensors"), src, F32, map[string]string{"format": "pt"}); err != nil {
		t.Fatal(err)
	}
	if err := WriteShardedSafetensors(sharded, src, BF16, 3); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path string
		tol  float64
	}{{single, 0}, {sharded, 0.0005}} {
		m, err := Open(c.path)
		if err != nil {
			t.Fatal(err)
		}
		if d := maxAbsDiff(t, src, m); d > c.tol {
			t.Errorf("%s: max abs diff %g > %g", c.path, d, c.tol)
		}
		if len(m.Paths) == 0 || m.Format != "safetensors" {
			t.Errorf("%s: format %q paths %v", c.path, m.Format, m.Paths)
		}
		rows, err := m.ReadRowsF32("model.embed_tokens.weight", []int{5, 2}, nil)
		if err != nil || len(rows) != 512 || abs32(rows[0]-src.Data["model.embed_tokens.weight"][5*256]) > float32(c.tol) {
			t.Errorf("%s: ReadRowsF32 = %d values, %v", c.path, len(rows), err)
		}
		if _, err := m.ReadRowsF32("model.embed_tokens.weight", []int{64}, nil); err == nil {
			t.Error("row out of range accepted")
		}
		m.Close()
	}
}

func TestGGUFRoundTrip(t *testing.T) {
	src := tinyLlama()
	for _, c := range []struct {
		typ   DType
		align int64
		tol   float64
	}{{F32, 32, 0}, {Q8_0, 64, 0.002}, {Q4_K, 32, 0.02}, {Q6_K, 256, 0.005}} {
		path := filepath.Join(t.TempDir(), "m.gguf")
		err := WriteGGUF(path, src, llamaMeta(), GGUFOptions{Arch: "llama", HeadDim: 64, Alignment: c.align,
			Type: func(ti TensorInfo) DType {
				if len(ti.Shape) == 1 {
					return F32
				}
				return c.typ
			}})
		if err != nil {
			t.Fatal(err)
		}
		m, err := Open(path)
		if err != nil {
			t.Fatal(err)
		}
		if d := maxAbsDiff(t, src, m); d > c.tol {
			t.Errorf("%s: max abs diff %g > %g (Q/K permutation or dims wrong?)", c.typ, d, c.tol)
		}
		q, _ := m.Tensor("model.layers.1.self_attn.k_proj.weight")
		if q.Stored != "blk.1.attn_k.weight" || !slices.Equal(q.Shape, []int64{128, 256}) || q.qkHead != 64 {
			t.Errorf("k_proj info %+v", q)
		}
		if m.GGUF.Alignment != c.align {
			t.Errorf("alignment %d, want %d", m.GGUF.Alignment, c.align)
		}
		m.Close()
	}
}

// TestGGUFPermutationIsReal checks that the stored Q rows differ from the HF
// rows, i.e. the round trip above really exercises the un-permutation.
func TestGGUFPermutationIsReal(t *testing.T) {
	src := tinyLlama()
	path := filepath.Join(t.TempDir(), "m.gguf")
	if err := WriteGGUF(path, src, llamaMeta(), GGUFOptions{Arch: "llama", HeadDim: 64, Type: func(TensorInfo) DType { return F32 }}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	h, err := ParseGGUF(b)
	if err != nil {
		t.Fatal(err)
	}
	for _, ti := range h.Tensors {
		if ti.Name == "blk.0.attn_q.weight" {
			raw := make([]float32, 256)
			Dequantize(F32, b[ti.offset+256*4:ti.offset+512*4], raw)                    // stored row 1
			want := src.Data["model.layers.0.self_attn.q_proj.weight"][32*256 : 33*256] // HF row hd/2
			if cosine(raw, want) < 0.9999 {
				t.Fatal("stored row 1 is not HF row 32: permutation not applied")
			}
			return
		}
	}
	t.Fatal("attn_q not found")
}

func TestHFNames(t *testing.T) {
	for g, h := range map[string]string{
		"token_embd.weight":        "model.embed_tokens.weight",
		"blk.12.ffn_down.weight":   "model.layers.12.mlp.down_proj.weight",
		"blk.0.attn_norm.weight":   "model.layers.0.input_layernorm.weight",
		"blk.3.attn_output.weight": "model.layers.3.self_attn.o_proj.weight",
		"output.weight":            "lm_head.weight",
		"blk.0.attn_q.bias":        "model.layers.0.self_attn.q_proj.bias",
	} {
		if got, ok := HFName(g); !ok || got != h {
			t.Errorf("HFName(%s) = %s, %v", g, got, ok)
		}
		if got, ok := GGUFName(h); !ok || got != g {
			t.Errorf("GGUFName(%s) = %s, %v", h, got, ok)
		}
	}
	if _, ok := HFName("blk.x.attn_q.weight"); ok {
		t.Error("bad block number mapped")
	}
}

func TestQKRowInverse(t *testing.T) {
	for _, hd := range []int{2, 8, 64, 128} {
		seen := map[int]bool{}
		for r := 0; r < 4*hd; r++ {
			seen[qkSourceRow(r, hd)] = true
		}
		if len(seen) != 4*hd {
			t.Errorf("hd %d: not a permutation", hd)
		}
	}
	if qkSourceRow(1, 8) != 2 || qkSourceRow(4, 8) != 1 {
		t.Error("GGUF row h·hd + 2j + c must hold HF row h·hd + c·hd/2 + j")
	}
}

func stFile(header string, data int) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	b = append(b, header...)
	return append(b, make([]byte, data)...)
}

func TestSafetensorsHostile(t *testing.T) {
	huge := binary.LittleEndian.AppendUint64(nil, 1<<62)
	for _, c := range []struct {
		name string
		b    []byte
		want string
	}{
		{"short", []byte{1, 2}, "shorter"},
		{"header past end", append(binary.LittleEndian.AppendUint64(nil, 1000), "{}"...), "past the end"},
		{"header too big", append(huge, "{}"...), "limit"},
		{"not json", stFile("[1]", 0), "not a JSON object"},
		{"duplicate", stFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, 8), "duplicate"},
		{"offset beyond", stFile(`{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}`, 8), "cover"},
		{"size mismatch", stFile(`{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,16]}}`, 16), "do not hold"},
		{"absurd dims", stFile(`{"a":{"dtype":"F32","shape":[1099511627776,1099511627776],"data_offsets":[0,4]}}`, 4), "2^40"},
		{"negative dim", stFile(`{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}`, 4), "out of range"},
		{"overlap", stFile(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}`, 12), "overlap"},
		{"hole", stFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, 8), "hole"},
		{"dtype", stFile(`{"a":{"dtype":"F4","shape":[2],"data_offsets":[0,1]}}`, 1), "unsupported"},
		{"trailing", stFile(`{} {}`, 0), "trailing"},
	} {
		_, err := ParseSafetensors(c.b)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.name, err, c.want)
		}
	}
	if h, err := ParseSafetensors(stFile(`{"__metadata__":{"format":"pt"},"a":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]}}    `, 4)); err != nil || h.Metadata["format"] != "pt" || h.Tensors[0].offset != 8+int64(len(`{"__metadata__":{"format":"pt"},"a":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]}}    `)) {
		t.Errorf("valid padded header: %v %+v", err, h)
	}
}

func TestShardIndexHostile(t *testing.T) {
	for _, idx := range []string{`{"weight_map":{"a":"../x.safetensors"}}`, `{"weight_map":{}}`, `{`, `{"weight_map":{"a":"/etc/passwd"}}`} {
		if _, err := parseShardIndex([]byte(idx)); err == nil {
			t.Errorf("index %s accepted", idx)
		}
	}
}

// ggufBytes builds a GGUF header by hand for the hostile-file table.
type ggufBytes []byte

func (g ggufBytes) u32(v uint32) ggufBytes { return binary.LittleEndian.AppendUint32(g, v) }
func (g ggufBytes) u64(v uint64) ggufBytes { return binary.LittleEndian.AppendUint64(g, v) }
func (g ggufBytes) str(s string) ggufBytes { return append(g.u64(uint64(len(s))), s...) }
func ggufStart(v uint32, nt, nkv uint64) ggufBytes {
	return ggufBytes("GGUF").u32(v).u64(nt).u64(nkv)
}

func TestGGUFHostile(t *testing.T) {
	tensor := func(dims []uint64, typ uint32, off uint64) ggufBytes {
		g := ggufStart(3, 1, 0).str("t").u32(uint32(len(dims)))
		for _, d := range dims {
			g = g.u64(d)
		}
		return g.u32(typ).u64(off)
	}
	pad := func(g ggufBytes, n int) ggufBytes { return append(g, make([]byte, n)...) }
	for _, c := range []struct {
		name string
		b    []byte
		want string
	}{
		{"magic", []byte("GGML"), "magic"},
		{"empty", nil, "magic"},
		{"truncated", []byte("GGUF\x03"), "past the end"},
		{"v1", ggufStart(1, 0, 0), "version 1"},
		{"big-endian", ggufBytes("GGUF").u32(0x03000000).u64(0).u64(0), "big-endian"},
		{"too many tensors", ggufStart(3, 1<<40, 0), "limits"},
		{"huge string", ggufStart(3, 0, 1).u64(1 << 60), "exceeds the limit"},
		{"huge array", ggufStart(3, 0, 1).str("k").u32(9).u32(4).u64(1 << 50), "cannot fit"},
		{"bad value type", ggufStart(3, 0, 1).str("k").u32(77), "unknown metadata value type"},
		{"deep arrays", ggufStart(3, 0, 1).str("k").u32(9).u32(9).u64(1).u32(9).u64(1).u32(9).u64(1).u32(9).u64(1), "nested"},
		{"bad alignment", ggufStart(3, 0, 1).str("general.alignment").u32(4).u32(3), "power of two"},
		{"duplicate key", ggufStart(3, 0, 2).str("k").u32(4).u32(1).str("k").u32(4).u32(1), "duplicate"},
		{"5 dims", tensor([]uint64{1, 1, 1, 1, 1}, 0, 0), "dimensions"},
		{"absurd dims", tensor([]uint64{1 << 30, 1 << 30, 1 << 30}, 0, 0), "2^40"},
		{"unknown type", tensor([]uint64{32}, 31, 0), "deprecated"},
		{"row not block multiple", tensor([]uint64{100}, 12, 0), "multiple"},
		{"offset out of range", pad(tensor([]uint64{8}, 0, 64), 64), "outside"},
		{"misaligned offset", pad(tensor([]uint64{1}, 0, 4), 64), "misaligned"},
		{"data beyond file", tensor([]uint64{1024}, 0, 0), "outside"},
	} {
		_, err := ParseGGUF(c.b)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.name, err, c.want)
		}
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := Open(dir); err == nil {
		t.Error("empty folder opened")
	}
	p := filepath.Join(dir, "bad.gguf")
	os.WriteFile(p, []byte("GGUF\x03\x00\x00\x00"), 0o644)
	if _, err := Open(p); err == nil || !strings.Contains(err.Error(), "bad.gguf") {
		t.Errorf("truncated GGUF: %v", err)
	}
	p = filepath.Join(dir, "empty.safetensors")
	os.WriteFile(p, nil, 0o644)
	if _, err := Open(p); err == nil {
		t.Error("empty safetensors opened")
	}
}

func BenchmarkReadF32(b *testing.B) {
	src := NewMem()
	src.Set("w", []int64{1024, 1024}, gaussian(1<<20, 3))
	for _, typ := range []DType{BF16, Q8_0, Q4_K} {
		path := filepath.Join(b.TempDir(), "m.gguf")
		if err := WriteGGUF(path, src, nil, GGUFOptions{Arch: "test", Type: func(TensorInfo) DType { return typ }}); err != nil {
			b.Fatal(err)
		}
		m, err := Open(path)
		if err != nil {
			b.Fatal(err)
		}
		ti, _ := m.Tensor("w")
		var buf []float32
		b.Run(string(typ), func(b *testing.B) {
			b.SetBytes(ti.Bytes)
			b.ReportAllocs()
			for b.Loop() {
				if buf, err = m.ReadF32("w", buf); err != nil {
					b.Fatal(err)
				}
			}
		})
		m.Close()
	}
}

// TestGGUFv2 accepts version 2 (same layout as v3 for little-endian files).
func TestGGUFv2(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.gguf")
	if err := WriteGGUF(path, seedModel(), nil, GGUFOptions{Arch: "qwen2", Type: func(ti TensorInfo) DType {
		if len(ti.Shape) == 1 {
			return F32
		}
		return Q8_0
	}}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	binary.LittleEndian.PutUint32(b[4:], 2)
	h, err := ParseGGUF(b)
	if err != nil || h.Version != 2 || len(h.Tensors) != 2 {
		t.Fatalf("v2: %v %+v", err, h)
	}
	os.WriteFile(path, b, 0o644)
	m, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if q, _ := m.Tensor("model.layers.0.self_attn.q_proj.weight"); q.qkHead != 0 || q.Stored != "blk.0.attn_q.weight" {
		t.Errorf("qwen2 q_proj %+v: must be mapped but not Q/K un-permuted", q)
	}
}
