package weights

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
)

// TensorInfo describes one tensor of a model.
type TensorInfo struct {
	// Name is the tensor's name in Hugging Face convention: the stored
	// name for safetensors, the mapped name for GGUF when it is known.
	Name string `json:"name"`
	// Stored is the name as written in the file.
	Stored string `json:"stored,omitempty"`
	// Shape is in PyTorch order: a Linear weight is [out, in].
	Shape []int64 `json:"shape"`
	DType DType   `json:"dtype"`
	// Bytes is the tensor's size in the file.
	Bytes int64 `json:"bytes"`

	file   int   // index into Model.files
	offset int64 // absolute offset in the file
	qkHead int   // >0: rows are llama.cpp-permuted with this head size
}

// Elements returns the number of elements of t.
func (t TensorInfo) Elements() int64 {
	n := int64(1)
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// Rows returns the row count and row length of t viewed as a matrix whose
// rows are the innermost dimension (a 1-D tensor is one row).
func (t TensorInfo) Rows() (rows, cols int64) {
	if len(t.Shape) == 0 {
		return 1, 1
	}
	cols = t.Shape[len(t.Shape)-1]
	if cols == 0 {
		return 0, 0
	}
	return t.Elements() / cols, cols
}

// Source is what a comparison needs from a model's weights: the tensor
// inventory and float32 reads of whole tensors or selected rows. Model
// (files) and Mem (in memory) implement it.
type Source interface {
	Tensors() []TensorInfo
	// ReadF32 returns the tensor as float32 in row-major PyTorch order,
	// reusing dst's storage when it is large enough.
	ReadF32(name string, dst []float32) ([]float32, error)
	// ReadRowsF32 returns the listed rows (see TensorInfo.Rows) back to back.
	ReadRowsF32(name string, rows []int, dst []float32) ([]float32, error)
}

// Model is an opened model: one GGUF file or one or more safetensors files,
// memory-mapped. It reads one tensor at a time and never loads a whole model.
type Model struct {
	// Format is "safetensors" or "gguf".
	Format string
	// Paths are the files that hold the tensors.
	Paths []string
	// GGUF is the parsed header of a GGUF file, nil for safetensors.
	GGUF *GGUFHeader
	// Metadata is the safetensors __metadata__ of the first file.
	Metadata map[string]string

	tensors []TensorInfo
	byName  map[string]int
	files   [][]byte
	closers []func() error
}

// Open opens a model: a folder (sharded safetensors via
// model.safetensors.index.json, else its *.safetensors files, else its one
// *.gguf file), a .gguf file, an index .json file or a .safetensors file.
func Open(path string) (*Model, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return openDir(path)
	}
	switch {
	case strings.HasSuffix(path, ".gguf"):
		return openGGUF(path)
	case strings.HasSuffix(path, ".json"):
		return openIndex(path)
	}
	return openSafetensors([]string{path})
}

func openDir(dir string) (*Model, error) {
	idx := filepath.Join(dir, "model.safetensors.index.json")
	if _, err := os.Stat(idx); err == nil {
		return openIndex(idx)
	}
	st, _ := filepath.Glob(filepath.Join(dir, "*.safetensors"))
	if len(st) > 0 {
		sort.Strings(st)
		return openSafetensors(st)
	}
	gg, _ := filepath.Glob(filepath.Join(dir, "*.gguf"))
	if len(gg) == 1 {
		return openGGUF(gg[0])
	}
	if len(gg) > 1 {
		return nil, fmt.Errorf("%s: %d .gguf files; name one", dir, len(gg))
	}
	return nil, fmt.Errorf("%s: no safetensors or GGUF weights", dir)
}

func openIndex(path string) (*Model, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	files, err := parseShardIndex(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for i, f := range files {
		files[i] = filepath.Join(filepath.Dir(path), f)
	}
	return openSafetensors(files)
}

func (m *Model) mapPath(p string) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, closer, err := mapFile(f)
	if err != nil {
		return nil, err
	}
	m.Paths = append(m.Paths, p)
	m.files = append(m.files, b)
	m.closers = append(m.closers, closer)
	return b, nil
}

func openSafetensors(paths []string) (*Model, error) {
	m := &Model{Format: "safetensors", byName: map[string]int{}}
	for i, p := range paths {
		b, err := m.mapPath(p)
		if err != nil {
			m.Close()
			return nil, err
		}
		h, err := ParseSafetensors(b)
		if err != nil {
			m.Close()
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		if i == 0 {
			m.Metadata = h.Metadata
		}
		for _, t := range h.Tensors {
			t.file = i
			if err := m.add(t); err != nil {
				m.Close()
				return nil, fmt.Errorf("%s: %w", p, err)
			}
		}
	}
	return m, nil
}

func (m *Model) add(t TensorInfo) error {
	if _, dup := m.byName[t.Name]; dup {
		return fmt.Errorf("tensor %q appears twice", t.Name)
	}
	m.byName[t.Name] = len(m.tensors)
	m.tensors = append(m.tensors, t)
	return nil
}

func openGGUF(path string) (*Model, error) {
	m := &Model{Format: "gguf", byName: map[string]int{}}
	b, err := m.mapPath(path)
	if err != nil {
		return nil, err
	}
	h, err := ParseGGUF(b)
	if err != nil {
		m.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	m.GGUF = h
	hd := qkHeadSizes(h)
	for _, t := range h.Tensors {
		if hf, ok := HFName(t.Stored); ok {
			t.Name = hf
		}
		if strings.HasSuffix(t.Name, "self_attn.q_proj.weight") {
			t.qkHead = hd[0]
		} else if strings.HasSuffix(t.Name, "self_attn.k_proj.weight") {
			t.qkHead = hd[1]
		}
		if t.qkHead > 0 && (len(t.Shape) != 2 || t.Shape[0]%int64(t.qkHead) != 0) {
			t.qkHead = 0
		}
		if err := m.add(t); err != nil {
			m.Close()
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	return m, nil
}

// qkHeadSizes returns the head size used to undo the llama.cpp Q and K row
// permutation (0 when the architecture is not permuted or heads are unknown).
// Both Q and K use the same head size; K has n_head_kv heads.
func qkHeadSizes(h *GGUFHeader) [2]int {
	arch, _ := h.Metadata["general.architecture"].(string)
	if !qkPermutedArchs[arch] {
		return [2]int{}
	}
	nh, _ := h.Metadata[arch+".attention.head_count"].(int64)
	emb, _ := h.Metadata[arch+".embedding_length"].(int64)
	if nh <= 0 || emb <= 0 || emb%nh != 0 || (emb/nh)%2 != 0 {
		return [2]int{}
	}
	hd := int(emb / nh)
	if kl, ok := h.Metadata[arch+".attention.key_length"].(int64); ok && kl > 0 && kl%2 == 0 {
		hd = int(kl)
	}
	return [2]int{hd, hd}
}

// Close unmaps the files.
func (m *Model) Close() error {
	var errs []error
	for _, c := range m.closers {
		errs = append(errs, c())
	}
	m.closers, m.files = nil, nil
	return errors.Join(errs...)
}

// Tensors returns the tensor inventory in file order.
func (m *Model) Tensors() []TensorInfo { return m.tensors }

// Tensor returns the named tensor (HF name, or the stored name).
func (m *Model) Tensor(name string) (TensorInfo, bool) {
	if i, ok := m.byName[name]; ok {
		return m.tensors[i], true
	}
	for _, t := range m.tensors {
		if t.Stored == name {
			return t, true
		}
	}
	return TensorInfo{}, false
}

// Size returns the total bytes of tensor data.
func (m *Model) Size() int64 {
	var n int64
	for _, t := range m.tensors {
		n += t.Bytes
	}
	return n
}

// ReadF32 implements Source. Large tensors are decoded on all cores.
func (m *Model) ReadF32(name string, dst []float32) ([]float32, error) {
	t, ok := m.Tensor(name)
	if !ok {
		return dst, fmt.Errorf("tensor %q not found", name)
	}
	rows, _ := t.Rows()
	return m.readRows(t, int(rows), nil, dst)
}

// ReadRowsF32 implements Source.
func (m *Model) ReadRowsF32(name string, rows []int, dst []float32) ([]float32, error) {
	t, ok := m.Tensor(name)
	if !ok {
		return dst, fmt.Errorf("tensor %q not found", name)
	}
	return m.readRows(t, len(rows), rows, dst)
}

// readRows decodes n rows of t: rows[i] when rows is non-nil, else row i.
func (m *Model) readRows(t TensorInfo, n int, rows []int, dst []float32) ([]float32, error) {
	if !CanDequantize(t.DType) {
		return dst, fmt.Errorf("tensor %q: %w: %s", t.Name, ErrUnsupported, t.DType)
	}
	if m.files == nil {
		return dst, errors.New("model is closed")
	}
	nrows, cols := t.Rows()
	rowBytes := int64(0)
	if nrows > 0 {
		rowBytes = t.Bytes / nrows
	}
	dst = grow(dst, n*int(cols))
	data := m.files[t.file][t.offset : t.offset+t.Bytes]
	src := func(i int) (int, error) {
		r := i
		if rows != nil {
			r = rows[i]
		}
		if r < 0 || int64(r) >= nrows {
			return 0, fmt.Errorf("tensor %q: row %d out of range [0, %d)", t.Name, r, nrows)
		}
		if t.qkHead > 0 {
			r = qkSourceRow(r, t.qkHead)
		}
		return r, nil
	}
	err := parallelRows(n, int(cols), func(i int) error {
		r, err := src(i)
		if err != nil {
			return err
		}
		return Dequantize(t.DType, data[int64(r)*rowBytes:int64(r+1)*rowBytes], dst[i*int(cols):(i+1)*int(cols)])
	})
	return dst, err
}

// parallelRows runs f over rows 0..n-1, on all cores when the work is
// large enough (≥ 1M elements) to repay the goroutines.
func parallelRows(n, cols int, f func(int) error) error {
	workers := runtime.GOMAXPROCS(0)
	if n*cols < 1<<20 || workers == 1 || n < 2 {
		for i := 0; i < n; i++ {
			if err := f(i); err != nil {
				return err
			}
		}
		return nil
	}
	workers = min(workers, n)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w * n / workers; i < (w+1)*n/workers; i++ {
				if err := f(i); err != nil {
					errs[w] = err
					return
				}
			}
		}(w)
	}
	wg.Wait()
	return errors.Join(errs...)
}

func grow(dst []float32, n int) []float32 {
	if cap(dst) >= n {
		return dst[:n]
	}
	return make([]float32, n)
}

// Mem is an in-memory model: float32 tensors by HF name. It implements
// Source and is what the synthetic generator builds before writing files.
type Mem struct {
	Names []string
	Data  map[string][]float32
	Shape map[string][]int64
}

// NewMem returns an empty in-memory model.
func NewMem() *Mem {
	return &Mem{Data: map[string][]float32{}, Shape: map[string][]int64{}}
}

// Set adds or replaces a tensor.
func (m *Mem) Set(name string, shape []int64, data []float32) {
	if _, ok := m.Data[name]; !ok {
		m.Names = append(m.Names, name)
	}
	m.Data[name] = data
	m.Shape[name] = shape
}

// Delete removes a tensor.
func (m *Mem) Delete(name string) {
	delete(m.Data, name)
	delete(m.Shape, name)
	for i, n := range m.Names {
		if n == name {
			m.Names = append(m.Names[:i], m.Names[i+1:]...)
			break
		}
	}
}

// Tensors implements Source (dtype F32).
func (m *Mem) Tensors() []TensorInfo {
	out := make([]TensorInfo, 0, len(m.Names))
	for _, n := range m.Names {
		out = append(out, TensorInfo{Name: n, Stored: n, Shape: m.Shape[n], DType: F32, Bytes: 4 * int64(len(m.Data[n]))})
	}
	return out
}

// ReadF32 implements Source.
func (m *Mem) ReadF32(name string, dst []float32) ([]float32, error) {
	d, ok := m.Data[name]
	if !ok {
		return dst, fmt.Errorf("tensor %q not found", name)
	}
	dst = grow(dst, len(d))
	copy(dst, d)
	return dst, nil
}

// ReadRowsF32 implements Source.
func (m *Mem) ReadRowsF32(name string, rows []int, dst []float32) ([]float32, error) {
	d, ok := m.Data[name]
	if !ok {
		return dst, fmt.Errorf("tensor %q not found", name)
	}
	sh := m.Shape[name]
	t := TensorInfo{Shape: sh}
	nrows, cols := t.Rows()
	dst = grow(dst, len(rows)*int(cols))
	for i, r := range rows {
		if r < 0 || int64(r) >= nrows {
			return dst, fmt.Errorf("tensor %q: row %d out of range", name, r)
		}
		copy(dst[i*int(cols):], d[r*int(cols):(r+1)*int(cols)])
	}
	return dst, nil
}
