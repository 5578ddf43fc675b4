package weights

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

var updateSeeds = flag.Bool("update-fuzz-seeds", false, "rewrite testdata/fuzz seed corpora")

// seedModel is a two-tensor model small enough for fuzz seeds.
func seedModel() *Mem {
	m := NewMem()
	m.Set("model.layers.0.self_attn.q_proj.weight", []int64{4, 256}, gaussian(1024, 1))
	m.Set("model.norm.weight", []int64{8}, gaussian(8, 2))
	return m
}

func seedFiles(t testing.TB) map[string][][]byte {
	dir := t.TempDir()
	out := map[string][][]byte{}
	st := filepath.Join(dir, "m.safetensors")
	if err := WriteSafetensors(st, seedModel(), BF16, map[string]string{"format": "pt"}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(st)
	out["FuzzParseSafetensors"] = append(out["FuzzParseSafetensors"], b)
	for _, typ := range []DType{Q4_K, Q8_0, Q6_K, F16} {
		p := filepath.Join(dir, "m.gguf")
		err := WriteGGUF(p, seedModel(), []KV{{"llama.embedding_length", uint32(256)}, {"llama.attention.head_count", uint32(128)},
			{"tokenizer.ggml.tokens", []string{"a", "b"}}, {"tokenizer.ggml.scores", []float32{0, 1}}},
			GGUFOptions{Arch: "llama", HeadDim: 2, Type: func(ti TensorInfo) DType {
				if len(ti.Shape) == 1 {
					return F32
				}
				return typ
			}})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(p)
		out["FuzzParseGGUF"] = append(out["FuzzParseGGUF"], b)
	}
	return out
}

// TestWriteFuzzSeeds rewrites the committed seed corpora when run with
// -update-fuzz-seeds; otherwise it checks that they exist.
func TestWriteFuzzSeeds(t *testing.T) {
	for name, seeds := range seedFiles(t) {
		dir := filepath.Join("testdata", "fuzz", name)
		if !*updateSeeds {
			if ents, err := os.ReadDir(dir); err != nil || len(ents) == 0 {
				t.Errorf("%s: no committed seeds (run go test -run WriteFuzzSeeds -update-fuzz-seeds)", dir)
			}
			continue
		}
		os.MkdirAll(dir, 0o755)
		for i, s := range seeds {
			body := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", s)
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed-%d", i)), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// checkParsed requires every tensor of an accepted header to lie in the
// data section, then decodes them.
func checkParsed(t *testing.T, b []byte, dataStart int64, ts []TensorInfo) {
	for _, ti := range ts {
		if ti.offset < dataStart || ti.offset+ti.Bytes > int64(len(b)) {
			t.Fatalf("tensor %q [%d,+%d) outside file of %d", ti.Name, ti.offset, ti.Bytes, len(b))
		}
	}
	exercise(b, ts)
}

// exercise decodes every tensor of a parsed header that it can, the way
// Model does, so that the fuzzer reaches the dequantizers too.
func exercise(b []byte, ts []TensorInfo) {
	for _, t := range ts {
		if !CanDequantize(t.DType) || t.Elements() > 1<<16 {
			continue
		}
		dst := make([]float32, t.Elements())
		_ = Dequantize(t.DType, b[t.offset:t.offset+t.Bytes], dst)
	}
}

func FuzzParseSafetensors(f *testing.F) {
	for _, s := range seedFiles(f)["FuzzParseSafetensors"] {
		f.Add(s)
	}
	f.Add(stFile(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, 4))
	f.Fuzz(func(t *testing.T, b []byte) {
		if h, err := ParseSafetensors(b); err == nil {
			checkParsed(t, b, h.DataStart, h.Tensors)
		}
	})
}

func FuzzParseGGUF(f *testing.F) {
	for _, s := range seedFiles(f)["FuzzParseGGUF"] {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if h, err := ParseGGUF(b); err == nil {
			checkParsed(t, b, h.DataStart, h.Tensors)
		}
	})
}
