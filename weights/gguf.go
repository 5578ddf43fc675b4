package weights

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// Limits that keep a hostile GGUF header from costing unbounded memory.
// Real files: tens of KV pairs, a few hundred to a few thousand tensors,
// token arrays of ~150k-260k entries and merge arrays of ~280k.
const (
	maxGGUFTensors      = 1 << 20
	maxGGUFKV           = 1 << 16
	maxGGUFMetaElements = 1 << 23 // all array elements together
	maxGGUFNameBytes    = 1024
	maxGGUFArrayDepth   = 3
	maxGGUFAlignment    = 1 << 20
)

// GGUFHeader is a parsed, validated GGUF header.
type GGUFHeader struct {
	Version uint32
	// Metadata holds the KV pairs. Scalars are int64, uint64 (only for
	// values above MaxInt64), float64, bool or string; arrays are []int64,
	// []float64, []bool, []string or []any (nested arrays).
	Metadata map[string]any
	// Keys lists the metadata keys in file order.
	Keys []string
	// Tensors in file order, Name = Stored = the GGUF name, Shape in
	// PyTorch order (the GGUF dims reversed), absolute offsets.
	Tensors   []TensorInfo
	Alignment int64
	DataStart int64
}

// ggufCursor reads little-endian values from b with bounds checks. The first
// error sticks; later reads return zero values.
type ggufCursor struct {
	b     []byte
	off   int64
	err   error
	elems int64 // metadata array elements read so far
}

func (c *ggufCursor) need(n int64) bool {
	if c.err != nil {
		return false
	}
	if n < 0 || n > int64(len(c.b))-c.off {
		c.err = fmt.Errorf("gguf: read of %d bytes at offset %d runs past the end of the %d-byte file", n, c.off, len(c.b))
		return false
	}
	return true
}

func (c *ggufCursor) u8() uint8 {
	if !c.need(1) {
		return 0
	}
	c.off++
	return c.b[c.off-1]
}

func (c *ggufCursor) u16() uint16 {
	if !c.need(2) {
		return 0
	}
	c.off += 2
	return binary.LittleEndian.Uint16(c.b[c.off-2:])
}

func (c *ggufCursor) u32() uint32 {
	if !c.need(4) {
		return 0
	}
	c.off += 4
	return binary.LittleEndian.Uint32(c.b[c.off-4:])
}

func (c *ggufCursor) u64() uint64 {
	if !c.need(8) {
		return 0
	}
	c.off += 8
	return binary.LittleEndian.Uint64(c.b[c.off-8:])
}

func (c *ggufCursor) str(limit int64) string {
	n := c.u64()
	if c.err != nil {
		return ""
	}
	if n > uint64(limit) {
		c.err = fmt.Errorf("gguf: string of %d bytes at offset %d exceeds the limit of %d", n, c.off-8, limit)
		return ""
	}
	if !c.need(int64(n)) {
		return ""
	}
	s := string(c.b[c.off : c.off+int64(n)])
	c.off += int64(n)
	return s
}

// ParseGGUF parses and validates the header of a GGUF v2/v3 file whose
// complete contents are b: metadata, tensor infos, alignment and that every
// tensor's data lies inside the file. Big-endian and v1 files are refused.
func ParseGGUF(b []byte) (*GGUFHeader, error) {
	c := &ggufCursor{b: b}
	if string(b[:min(4, len(b))]) != "GGUF" {
		return nil, errors.New("gguf: bad magic (not a GGUF file)")
	}
	c.off = 4
	h := &GGUFHeader{Version: c.u32(), Metadata: map[string]any{}, Alignment: 32}
	switch {
	case c.err != nil:
		return nil, c.err
	case h.Version == 2 || h.Version == 3:
	case h.Version&0xffff == 0 && h.Version != 0:
		return nil, fmt.Errorf("gguf: version field 0x%08x looks byte-swapped: big-endian GGUF is not supported", h.Version)
	default:
		return nil, fmt.Errorf("gguf: unsupported version %d (need 2 or 3)", h.Version)
	}
	nt, nkv := c.u64(), c.u64()
	if c.err != nil {
		return nil, c.err
	}
	if nt > maxGGUFTensors || nkv > maxGGUFKV {
		return nil, fmt.Errorf("gguf: %d tensors / %d metadata pairs exceed the limits (%d / %d)", nt, nkv, maxGGUFTensors, maxGGUFKV)
	}
	if err := parseGGUFMeta(c, h, int(nkv)); err != nil {
		return nil, err
	}
	if err := parseGGUFTensors(c, h, int(nt)); err != nil {
		return nil, err
	}
	return h, nil
}

func parseGGUFMeta(c *ggufCursor, h *GGUFHeader, n int) error {
	for i := 0; i < n; i++ {
		key := c.str(maxGGUFNameBytes * 64)
		typ := c.u32()
		v := ggufValue(c, typ, 0)
		if c.err != nil {
			return c.err
		}
		if _, dup := h.Metadata[key]; dup {
			return fmt.Errorf("gguf: duplicate metadata key %q", key)
		}
		h.Metadata[key] = v
		h.Keys = append(h.Keys, key)
	}
	if a, ok := h.Metadata["general.alignment"]; ok {
		al, ok := a.(int64)
		if !ok || al <= 0 || al > maxGGUFAlignment || al&(al-1) != 0 {
			return fmt.Errorf("gguf: general.alignment %v is not a power of two up to %d", a, maxGGUFAlignment)
		}
		h.Alignment = al
	}
	return nil
}

// ggufValue reads one value of GGUF value type typ.
func ggufValue(c *ggufCursor, typ uint32, depth int) any {
	switch typ {
	case 0:
		return int64(c.u8())
	case 1:
		return int64(int8(c.u8()))
	case 2:
		return int64(c.u16())
	case 3:
		return int64(int16(c.u16()))
	case 4:
		return int64(c.u32())
	case 5:
		return int64(int32(c.u32()))
	case 6:
		return float64(math.Float32frombits(c.u32()))
	case 7:
		return c.u8() != 0
	case 8:
		return c.str(int64(len(c.b)))
	case 9:
		return ggufArray(c, depth)
	case 10:
		if v := c.u64(); v > math.MaxInt64 {
			return v
		} else {
			return int64(v)
		}
	case 11:
		return int64(c.u64())
	case 12:
		return math.Float64frombits(c.u64())
	}
	if c.err == nil {
		c.err = fmt.Errorf("gguf: unknown metadata value type %d at offset %d", typ, c.off-4)
	}
	return nil
}

// ggufElemMin is the smallest encoding of one element of each value type,
// used to refuse array counts that the remaining bytes cannot hold.
var ggufElemMin = map[uint32]int64{0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 8: 8, 9: 12, 10: 8, 11: 8, 12: 8}

func ggufArray(c *ggufCursor, depth int) any {
	et, n := c.u32(), c.u64()
	if c.err != nil {
		return nil
	}
	minSize, ok := ggufElemMin[et]
	switch {
	case !ok:
		c.err = fmt.Errorf("gguf: unknown array element type %d", et)
	case depth >= maxGGUFArrayDepth:
		c.err = errors.New("gguf: arrays nested too deeply")
	case n > uint64(int64(len(c.b))-c.off)/uint64(minSize):
		c.err = fmt.Errorf("gguf: array of %d elements cannot fit in the rest of the file", n)
	case int64(n) > maxGGUFMetaElements-c.elems:
		c.err = fmt.Errorf("gguf: metadata arrays exceed %d elements in total", maxGGUFMetaElements)
	}
	if c.err != nil {
		return nil
	}
	c.elems += int64(n)
	return ggufArrayValues(c, et, int(n), depth)
}

func ggufArrayValues(c *ggufCursor, et uint32, n, depth int) any {
	switch et {
	case 6, 12:
		out := make([]float64, n)
		for i := range out {
			out[i], _ = ggufValue(c, et, depth+1).(float64)
		}
		return out
	case 7:
		out := make([]bool, n)
		for i := range out {
			out[i] = c.u8() != 0
		}
		return out
	case 8:
		out := make([]string, n)
		for i := range out {
			out[i] = c.str(int64(len(c.b)))
		}
		return out
	case 9:
		out := make([]any, n)
		for i := range out {
			out[i] = ggufArray(c, depth+1)
		}
		return out
	}
	out := make([]int64, n)
	for i := range out {
		switch v := ggufValue(c, et, depth+1).(type) {
		case int64:
			out[i] = v
		case uint64:
			out[i] = int64(v) // wraps; no tokenizer field uses u64 > 2^63
		}
	}
	return out
}

func parseGGUFTensors(c *ggufCursor, h *GGUFHeader, n int) error {
	seen := map[string]bool{}
	for i := 0; i < n; i++ {
		t, err := ggufTensorInfo(c)
		if err != nil {
			return err
		}
		if seen[t.Name] {
			return fmt.Errorf("gguf: duplicate tensor name %q", t.Name)
		}
		seen[t.Name] = true
		h.Tensors = append(h.Tensors, t)
	}
	h.DataStart = (c.off + h.Alignment - 1) / h.Alignment * h.Alignment
	size := int64(len(c.b)) - h.DataStart
	for i := range h.Tensors {
		t := &h.Tensors[i]
		if t.offset%h.Alignment != 0 || t.offset > size || t.Bytes > size-t.offset {
			return fmt.Errorf("gguf: tensor %q data [%d, +%d) is misaligned or outside the %d-byte data section", t.Name, t.offset, t.Bytes, max(size, 0))
		}
		t.offset += h.DataStart
	}
	return nil
}

func ggufTensorInfo(c *ggufCursor) (TensorInfo, error) {
	name := c.str(maxGGUFNameBytes)
	nd := c.u32()
	if c.err != nil {
		return TensorInfo{}, c.err
	}
	if nd == 0 || nd > 4 {
		return TensorInfo{}, fmt.Errorf("gguf: tensor %q has %d dimensions (1..4 allowed)", name, nd)
	}
	dims := make([]int64, nd)
	for i := range dims {
		d := c.u64()
		if d > maxElements {
			return TensorInfo{}, fmt.Errorf("gguf: tensor %q dimension %d is absurd", name, d)
		}
		dims[i] = int64(d)
	}
	typ, off := c.u32(), c.u64()
	if c.err != nil {
		return TensorInfo{}, c.err
	}
	gt, ok := ggmlTypes[typ]
	if !ok {
		return TensorInfo{}, fmt.Errorf("gguf: tensor %q has unknown or deprecated ggml type %d", name, typ)
	}
	nel, err := numElements(dims)
	if err != nil {
		return TensorInfo{}, fmt.Errorf("gguf: tensor %q: %w", name, err)
	}
	if dims[0]%gt.elems != 0 {
		return TensorInfo{}, fmt.Errorf("gguf: tensor %q row of %d elements is not a multiple of the %s block (%d)", name, dims[0], gt.name, gt.elems)
	}
	if off > uint64(maxElements)*8 {
		return TensorInfo{}, fmt.Errorf("gguf: tensor %q offset %d is absurd", name, off)
	}
	shape := make([]int64, nd)
	for i, d := range dims {
		shape[int(nd)-1-i] = d
	}
	return TensorInfo{Name: name, Stored: name, Shape: shape, DType: gt.name,
		Bytes: nel / gt.elems * gt.bytes, offset: int64(off)}, nil
}
