package weights

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
)

// WriteSafetensors writes the tensors of src (in inventory order) to path as
// one safetensors file of dtype F32, F16 or BF16.
func WriteSafetensors(path string, src Source, dtype DType, meta map[string]string) error {
	return writeSafetensorsFile(path, src, src.Tensors(), dtype, meta)
}

// WriteShardedSafetensors writes src as n shards
// "model-0000k-of-0000n.safetensors" plus model.safetensors.index.json in dir.
func WriteShardedSafetensors(dir string, src Source, dtype DType, n int) error {
	ts := src.Tensors()
	if n < 1 || n > len(ts) {
		return fmt.Errorf("cannot write %d tensors as %d shards", len(ts), n)
	}
	weightMap := map[string]string{}
	var total int64
	for k := 0; k < n; k++ {
		part := ts[k*len(ts)/n : (k+1)*len(ts)/n]
		name := fmt.Sprintf("model-%05d-of-%05d.safetensors", k+1, n)
		if err := writeSafetensorsFile(filepath.Join(dir, name), src, part, dtype, nil); err != nil {
			return err
		}
		for _, t := range part {
			weightMap[t.Name] = name
			total += t.Elements() * dtypeBytes(dtype)
		}
	}
	idx, err := json.MarshalIndent(map[string]any{"metadata": map[string]any{"total_size": total}, "weight_map": weightMap}, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "model.safetensors.index.json"), idx, 0o644)
}

func dtypeBytes(t DType) int64 {
	_, b, _ := BlockSize(t)
	return b
}

func writeSafetensorsFile(path string, src Source, ts []TensorInfo, dtype DType, meta map[string]string) error {
	if dtype != F32 && dtype != F16 && dtype != BF16 {
		return fmt.Errorf("safetensors writer: dtype %s not supported", dtype)
	}
	var hdr strings.Builder
	hdr.WriteByte('{')
	if len(meta) > 0 {
		mb, _ := json.Marshal(meta)
		fmt.Fprintf(&hdr, `"__metadata__":%s,`, mb)
	}
	var off int64
	for i, t := range ts {
		nb := t.Elements() * dtypeBytes(dtype)
		name, _ := json.Marshal(t.Name)
		shape, _ := json.Marshal(t.Shape)
		if t.Shape == nil {
			shape = []byte("[]")
		}
		if i > 0 {
			hdr.WriteByte(',')
		}
		fmt.Fprintf(&hdr, `%s:{"dtype":"%s","shape":%s,"data_offsets":[%d,%d]}`, name, dtype, shape, off, off+nb)
		off += nb
	}
	hdr.WriteByte('}')
	for hdr.Len()%8 != 0 {
		hdr.WriteByte(' ')
	}
	return writeFile(path, func(w *bufio.Writer) error {
		binary.Write(w, binary.LittleEndian, uint64(hdr.Len()))
		w.WriteString(hdr.String())
		return writeTensorData(w, src, ts, func(TensorInfo) DType { return dtype }, nil)
	})
}

func writeFile(path string, body func(*bufio.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	err = body(w)
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// writeTensorData encodes each tensor, applying reorder (for the llama.cpp
// Q/K permutation) when it is non-nil, with pad bytes after each tensor
// computed by padAfter.
func writeTensorData(w *bufio.Writer, src Source, ts []TensorInfo, typ func(TensorInfo) DType, pad func(int64) int64) error {
	var buf []float32
	var out []byte
	for _, t := range ts {
		var err error
		if buf, err = src.ReadF32(t.Name, buf); err != nil {
			return err
		}
		if out, err = Quantize(out[:0], typ(t), buf); err != nil {
			return fmt.Errorf("%s: %w", t.Name, err)
		}
		if _, err := w.Write(out); err != nil {
			return err
		}
		if pad != nil {
			w.Write(make([]byte, pad(int64(len(out)))))
		}
	}
	return nil
}

// KV is one GGUF metadata pair. Value may be uint32, int32, uint64, float32,
// bool, string, []string, []int32 or []float32.
type KV struct {
	Key   string
	Value any
}

// GGUFOptions controls WriteGGUF.
type GGUFOptions struct {
	// Arch is general.architecture; llama-family archs get the Q/K row
	// permutation and HeadCount/HeadCountKV must be in Meta.
	Arch string
	// Type picks the ggml type of each tensor (HF-named).
	Type func(TensorInfo) DType
	// Alignment of tensor data (default 32).
	Alignment int64
	// HeadDim is the attention head size, for the Q/K permutation.
	HeadDim int
}

// WriteGGUF writes src as a GGUF v3 file the way llama.cpp's converter
// does for llama models: HF names mapped to GGUF names, dims reversed
// (innermost first), Q and K rows permuted for llama-family archs.
func WriteGGUF(path string, src Source, meta []KV, opt GGUFOptions) error {
	al := opt.Alignment
	if al == 0 {
		al = 32
	}
	ts := src.Tensors()
	perm := qkPermutedArchs[opt.Arch] && opt.HeadDim > 0
	var hdr []byte
	hdr = append(hdr, "GGUF"...)
	hdr = binary.LittleEndian.AppendUint32(hdr, 3)
	hdr = binary.LittleEndian.AppendUint64(hdr, uint64(len(ts)))
	all := append([]KV{{"general.architecture", opt.Arch}, {"general.alignment", uint32(al)}}, meta...)
	hdr = binary.LittleEndian.AppendUint64(hdr, uint64(len(all)))
	for _, kv := range all {
		var err error
		if hdr, err = appendKV(hdr, kv); err != nil {
			return err
		}
	}
	var off int64
	for _, t := range ts {
		name, _ := GGUFName(t.Name)
		hdr = appendStr(hdr, name)
		hdr = binary.LittleEndian.AppendUint32(hdr, uint32(len(t.Shape)))
		for i := len(t.Shape) - 1; i >= 0; i-- {
			hdr = binary.LittleEndian.AppendUint64(hdr, uint64(t.Shape[i]))
		}
		typ := opt.Type(t)
		id, ok := ggmlID(typ)
		if !ok {
			return fmt.Errorf("gguf writer: no ggml id for %s", typ)
		}
		hdr = binary.LittleEndian.AppendUint32(hdr, id)
		hdr = binary.LittleEndian.AppendUint64(hdr, uint64(off))
		be, bb, _ := BlockSize(typ)
		off += alignUp(t.Elements()/be*bb, al)
	}
	for int64(len(hdr))%al != 0 {
		hdr = append(hdr, 0)
	}
	var s Source = src
	if perm {
		s = qkPermuted{src, opt.HeadDim}
	}
	return writeFile(path, func(w *bufio.Writer) error {
		w.Write(hdr)
		return writeTensorData(w, s, ts, opt.Type, func(n int64) int64 { return alignUp(n, al) - n })
	})
}

func alignUp(n, al int64) int64 { return (n + al - 1) / al * al }

// qkPermuted applies llama.cpp's Q/K row permutation on read.
type qkPermuted struct {
	Source
	hd int
}

// ReadF32 returns the tensor with Q/K rows in llama.cpp order.
func (q qkPermuted) ReadF32(name string, dst []float32) ([]float32, error) {
	dst, err := q.Source.ReadF32(name, dst)
	if err != nil || !(strings.HasSuffix(name, "self_attn.q_proj.weight") || strings.HasSuffix(name, "self_attn.k_proj.weight")) {
		return dst, err
	}
	var shape []int64
	for _, t := range q.Tensors() {
		if t.Name == name {
			shape = t.Shape
		}
	}
	if len(shape) != 2 || shape[0]%int64(q.hd) != 0 || q.hd%2 != 0 {
		return dst, fmt.Errorf("%s: shape %v does not split into heads of %d", name, shape, q.hd)
	}
	rows, cols := int(shape[0]), int(shape[1])
	out := make([]float32, len(dst))
	for r := 0; r < rows; r++ {
		g := qkTargetRow(r, q.hd)
		copy(out[g*cols:(g+1)*cols], dst[r*cols:(r+1)*cols])
	}
	copy(dst, out)
	return dst, nil
}

func appendStr(b []byte, s string) []byte {
	b = binary.LittleEndian.AppendUint64(b, uint64(len(s)))
	return append(b, s...)
}

func appendKV(b []byte, kv KV) ([]byte, error) {
	b = appendStr(b, kv.Key)
	le := binary.LittleEndian
	switch v := kv.Value.(type) {
	case uint32:
		b = le.AppendUint32(le.AppendUint32(b, 4), v)
	case int32:
		b = le.AppendUint32(le.AppendUint32(b, 5), uint32(v))
	case float32:
		b = le.AppendUint32(le.AppendUint32(b, 6), math.Float32bits(v))
	case bool:
		x := byte(0)
		if v {
			x = 1
		}
		b = append(le.AppendUint32(b, 7), x)
	case string:
		b = appendStr(le.AppendUint32(b, 8), v)
	case uint64:
		b = le.AppendUint64(le.AppendUint32(b, 10), v)
	case []string:
		b = le.AppendUint64(le.AppendUint32(le.AppendUint32(b, 9), 8), uint64(len(v)))
		for _, s := range v {
			b = appendStr(b, s)
		}
	case []int32:
		b = le.AppendUint64(le.AppendUint32(le.AppendUint32(b, 9), 5), uint64(len(v)))
		for _, x := range v {
			b = le.AppendUint32(b, uint32(x))
		}
	case []float32:
		b = le.AppendUint64(le.AppendUint32(le.AppendUint32(b, 9), 6), uint64(len(v)))
		for _, x := range v {
			b = le.AppendUint32(b, math.Float32bits(x))
		}
	default:
		return b, fmt.Errorf("gguf writer: key %s: unsupported value type %T", kv.Key, kv.Value)
	}
	return b, nil
}
