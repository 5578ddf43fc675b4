package weights

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
)

// MaxSafetensorsHeader caps the JSON header of a safetensors file, as the
// reference Rust reader does (100 MB).
const MaxSafetensorsHeader = 100 << 20

// maxElements caps the element count of any one tensor (2^40 ≈ 1.1e12,
// far above the largest real tensors, ~1e9).
const maxElements = 1 << 40

// safetensorsDTypes maps safetensors dtype names to bytes per element
// (huggingface/safetensors safetensors/src/tensor.rs). Sub-byte F4/F6
// types are absent: such files are refused with a clear error.
var safetensorsDTypes = map[string]int64{
	"BOOL": 1, "U8": 1, "I8": 1, "F8_E5M2": 1, "F8_E4M3": 1, "F8_E8M0": 1,
	"F8_E4M3FNUZ": 1, "F8_E5M2FNUZ": 1, "I16": 2, "U16": 2, "F16": 2,
	"BF16": 2, "I32": 4, "U32": 4, "F32": 4, "C64": 8, "F64": 8, "I64": 8,
	"U64": 8,
}

type stEntry struct {
	DType       string  `json:"dtype"`
	Shape       []int64 `json:"shape"`
	DataOffsets []int64 `json:"data_offsets"`
}

// SafetensorsHeader is the parsed, validated header of one safetensors file.
type SafetensorsHeader struct {
	// Tensors in file order of their data, with absolute byte offsets.
	Tensors []TensorInfo
	// Metadata is the optional "__metadata__" string map.
	Metadata map[string]string
	// DataStart is the absolute offset of the byte buffer.
	DataStart int64
}

// ParseSafetensors parses and validates the header of a safetensors file
// whose complete contents are b. It checks the header size against the
// file, rejects duplicate names and unknown dtypes, and requires every
// tensor's byte range to match its shape and the ranges to tile the buffer
// exactly (no holes, no overlaps), as the reference reader does.
func ParseSafetensors(b []byte) (*SafetensorsHeader, error) {
	if len(b) < 8 {
		return nil, errors.New("safetensors: file shorter than the 8-byte header length")
	}
	n := binary.LittleEndian.Uint64(b)
	if n > MaxSafetensorsHeader {
		return nil, fmt.Errorf("safetensors: header of %d bytes exceeds the %d-byte limit", n, MaxSafetensorsHeader)
	}
	if n > uint64(len(b)-8) {
		return nil, fmt.Errorf("safetensors: header of %d bytes runs past the end of the %d-byte file", n, len(b))
	}
	hdr := b[8 : 8+n]
	if len(bytes.TrimSpace(hdr)) == 0 || bytes.TrimLeft(hdr, " ")[0] != '{' {
		return nil, errors.New("safetensors: header is not a JSON object")
	}
	h := &SafetensorsHeader{DataStart: int64(8 + n)}
	if err := decodeSTHeader(hdr, h); err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	if err := checkTiling(h.Tensors, int64(len(b))-h.DataStart); err != nil {
		return nil, fmt.Errorf("safetensors: %w", err)
	}
	for i := range h.Tensors {
		h.Tensors[i].offset += h.DataStart
	}
	return h, nil
}

// decodeSTHeader walks the top-level object token by token so that
// duplicate keys are caught (encoding/json would keep the last silently).
func decodeSTHeader(hdr []byte, h *SafetensorsHeader) error {
	dec := json.NewDecoder(bytes.NewReader(hdr))
	dec.UseNumber()
	if _, err := dec.Token(); err != nil {
		return err
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		name, _ := tok.(string)
		if seen[name] {
			return fmt.Errorf("duplicate tensor name %q", name)
		}
		seen[name] = true
		if name == "__metadata__" {
			if err := dec.Decode(&h.Metadata); err != nil {
				return fmt.Errorf("__metadata__: %w", err)
			}
			continue
		}
		var e stEntry
		if err := dec.Decode(&e); err != nil {
			return fmt.Errorf("tensor %q: %w", name, err)
		}
		ti, err := stTensor(name, e)
		if err != nil {
			return err
		}
		h.Tensors = append(h.Tensors, ti)
	}
	if _, err := dec.Token(); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("trailing data after the header object")
	}
	return nil
}

func stTensor(name string, e stEntry) (TensorInfo, error) {
	size, ok := safetensorsDTypes[e.DType]
	if !ok {
		return TensorInfo{}, fmt.Errorf("tensor %q: %w: dtype %q", name, ErrUnsupported, e.DType)
	}
	if len(e.DataOffsets) != 2 {
		return TensorInfo{}, fmt.Errorf("tensor %q: data_offsets must have 2 entries", name)
	}
	nel, err := numElements(e.Shape)
	if err != nil {
		return TensorInfo{}, fmt.Errorf("tensor %q: %w", name, err)
	}
	begin, end := e.DataOffsets[0], e.DataOffsets[1]
	if begin < 0 || end < begin || end-begin != nel*size {
		return TensorInfo{}, fmt.Errorf("tensor %q: data_offsets [%d, %d] do not hold %d elements of %s", name, begin, end, nel, e.DType)
	}
	return TensorInfo{Name: name, Stored: name, Shape: e.Shape, DType: DType(e.DType), Bytes: end - begin, offset: begin}, nil
}

// numElements multiplies dims, refusing negative dims and absurd totals.
func numElements(shape []int64) (int64, error) {
	if len(shape) > 8 {
		return 0, fmt.Errorf("%d dimensions", len(shape))
	}
	n := int64(1)
	for _, d := range shape {
		if d < 0 || d > maxElements {
			return 0, fmt.Errorf("dimension %d out of range", d)
		}
		if d != 0 && n > maxElements/d {
			return 0, fmt.Errorf("shape %v has more than 2^40 elements", shape)
		}
		n *= d
	}
	return n, nil
}

// checkTiling requires the tensors' byte ranges to cover [0, bufLen)
// exactly once.
func checkTiling(ts []TensorInfo, bufLen int64) error {
	idx := make([]int, len(ts))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return ts[idx[a]].offset < ts[idx[b]].offset })
	var pos int64
	for _, i := range idx {
		t := ts[i]
		if t.offset != pos {
			return fmt.Errorf("tensor %q starts at %d, expected %d (hole or overlap)", t.Name, t.offset, pos)
		}
		pos += t.Bytes
	}
	if pos != bufLen {
		return fmt.Errorf("tensors cover %d bytes of a %d-byte buffer", pos, bufLen)
	}
	return nil
}

// shardIndex is model.safetensors.index.json.
type shardIndex struct {
	WeightMap map[string]string `json:"weight_map"`
}

// parseShardIndex reads the index and returns the shard files in sorted
// order. Shard names must be plain file names (no path separators), so an
// index cannot point outside its folder.
func parseShardIndex(b []byte) ([]string, error) {
	var idx shardIndex
	if err := json.Unmarshal(b, &idx); err != nil {
		return nil, fmt.Errorf("safetensors index: %w", err)
	}
	if len(idx.WeightMap) == 0 {
		return nil, errors.New("safetensors index: empty weight_map")
	}
	set := map[string]bool{}
	for _, f := range idx.WeightMap {
		if f == "" || f == "." || f == ".." || bytes.ContainsAny([]byte(f), `/\`) {
			return nil, fmt.Errorf("safetensors index: bad shard name %q", f)
		}
		set[f] = true
	}
	files := make([]string, 0, len(set))
	for f := range set {
		files = append(files, f)
	}
	sort.Strings(files)
	return files, nil
}
