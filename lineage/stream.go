package lineage

import (
	"sync"

	"github.com/leakhound/leakhound/weights"
)

// chunkElems is the size of a streamed chunk per side: 64 Ki float32
// (256 KiB) stays in L2 while it is summarised, so a tensor is decoded,
// summarised, compared and projected in one trip through memory instead
// of being materialised whole (a 7B MLP tensor is 180 MB as float32).
const chunkElems = 1 << 16

// sideStream is one model's half of a streamed tensor pair.
type sideStream struct {
	m          *Model
	t          weights.TensorInfo
	rows       int
	buf        []float32
	idx        []int
	sum, sumsq float64
	// visit, when set, sees each decoded chunk and its first row.
	visit func(x []float32, r0 int)
	err   error
}

func (s *sideStream) chunk(r0, r1 int) {
	r1 = min(r1, s.rows)
	s.buf = s.buf[:0]
	if r0 >= r1 || s.err != nil {
		return
	}
	s.idx = s.idx[:0]
	for r := r0; r < r1; r++ {
		s.idx = append(s.idx, r)
	}
	if s.buf, s.err = s.m.W.ReadRowsF32(s.t.Name, s.idx, s.buf); s.err != nil {
		return
	}
	sum, sq := moments(s.buf)
	s.sum += sum
	s.sumsq += sq
	if s.visit != nil {
		s.visit(s.buf, r0)
	}
}

func (s *sideStream) std() float64 {
	n := float64(s.t.Elements())
	if n == 0 {
		return 0
	}
	m := s.sum / n
	return sqrt(max(0, s.sumsq/n-m*m))
}

// streamPair reads ta (from A) and tb (from B) chunk by chunk, decoding the
// two sides concurrently, and returns both stds. When the shapes are equal
// the chunks are compared for exact reuse.
func (c *comparer) streamPair(st *passStats, ta, tb weights.TensorInfo, visitA, visitB func([]float32, int)) (float64, float64, error) {
	ra, ca := ta.Rows()
	rb, cb := tb.Rows()
	sa := &sideStream{m: c.a, t: ta, rows: int(ra), visit: visitA, buf: c.buf}
	sb := &sideStream{m: c.b, t: tb, rows: int(rb), visit: visitB, buf: c.bufB}
	step := max(1, chunkElems/int(max(ca, cb, 1)))
	same := sameShape(ta, tb)
	var n int64
	var wg sync.WaitGroup
	for r0 := 0; r0 < int(max(ra, rb)); r0 += step {
		wg.Add(1)
		go func() { defer wg.Done(); sb.chunk(r0, r0+step) }()
		sa.chunk(r0, r0+step)
		wg.Wait()
		if sa.err != nil || sb.err != nil {
			break
		}
		if same { // both halves at once: this was the serial part of a chunk
			h := len(sa.buf) / 2
			var n1, n2 int64
			both(func() { n1 = identical(sa.buf[:h], sb.buf[:h]) }, func() { n2 = identical(sa.buf[h:], sb.buf[h:]) })
			n += n1 + n2
		}
	}
	c.buf, c.bufB = sa.buf, sb.buf
	if sa.err != nil {
		return 0, 0, sa.err
	}
	if sb.err != nil {
		return 0, 0, sb.err
	}
	c.bytesRead += ta.Bytes + tb.Bytes
	if same && st != nil && !c.opt.SkipContext {
		st.ex.Compared++
		st.same += n
		st.total += ta.Elements()
		if n == ta.Elements() {
			st.ex.Identical++
		}
	}
	return sa.std(), sb.std(), nil
}

func sameShape(a, b weights.TensorInfo) bool {
	if len(a.Shape) != len(b.Shape) {
		return false
	}
	for i := range a.Shape {
		if a.Shape[i] != b.Shape[i] {
			return false
		}
	}
	return true
}

// projector returns a visit function that writes each row of a chunk,
// restricted to dims (times sign when non-nil) and normalized, into out
// (rows × len(dims)).
func projector(cols int, dims []int, sign []float32, out []float32) func([]float32, int) {
	k := len(dims)
	return func(x []float32, r0 int) {
		rows := len(x) / cols
		for r := 0; r < rows; r++ {
			src := x[r*cols : (r+1)*cols]
			dst := out[(r0+r)*k : (r0+r+1)*k]
			for i, j := range dims {
				dst[i] = src[j]
				if sign != nil {
					dst[i] *= sign[i]
				}
			}
			normalizeRows(dst, k)
		}
	}
}
