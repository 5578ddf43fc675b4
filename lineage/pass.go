package lineage

import (
	"fmt"
	"slices"
	"time"

	"github.com/leakhound/leakhound/internal/vec"
)

// passStats accumulates the exact-reuse and context statistics.
type passStats struct {
	ex           ExactEvidence
	cx           ContextEvidence
	stdA, stdB   map[Slot]float64
	total, same  int64
	cosSum, rSum float64
}

// pass is the one streaming pass over both models, layer pair by layer
// pair: each matched tensor pair is read once (A and B concurrently) for
// the exact-reuse and context statistics, and each layer's gate/up tensors
// stay in c.mlp for the matched-neuron test. With SkipContext only
// gate/up are read. At most four MLP tensors and two other tensors are
// held at a time.
func (c *comparer) pass(pairs [][2]int, w *WeightsEvidence) (ExactEvidence, ContextEvidence, error) {
	st := &passStats{cx: ContextEvidence{Warning: contextWarning}, stdA: map[Slot]float64{}, stdB: map[Slot]float64{}}
	if !c.opt.SkipContext {
		for _, s := range sortedSlots(c.sa) {
			if s.Layer < 0 {
				if err := c.statPair(st, s, s); err != nil {
					return st.ex, st.cx, err
				}
			}
		}
	}
	for _, p := range pairs {
		if err := c.layerPair(st, p, w); err != nil {
			return st.ex, st.cx, err
		}
	}
	st.finish(c, pairs)
	return st.ex, st.cx, nil
}

func (c *comparer) layerPair(st *passStats, p [2]int, w *WeightsEvidence) error {
	if err := c.statLayer(st, p); err != nil {
		return err
	}
	ok, err := c.readMLP(st, p, w.Skipped == "")
	if err != nil || !ok || w.Skipped != "" {
		if !ok && w.Skipped == "" {
			w.Skipped = fmt.Sprintf("layer %d of A / %d of B: no 2-D gate_proj and up_proj on both sides, or MLP input narrower than the aligned residual dims", p[0], p[1])
		}
		return err
	}
	t0 := time.Now()
	lt, err := c.testLayer(p[0], p[1])
	c.secs["match"] += time.Since(t0).Seconds()
	if err != nil {
		w.Skipped = err.Error()
		return nil
	}
	w.Layers = append(w.Layers, lt)
	return nil
}

// statLayer streams the layer pair's tensors other than gate/up for the
// statistics (nothing with SkipContext).
func (c *comparer) statLayer(st *passStats, p [2]int) error {
	if c.opt.SkipContext {
		return nil
	}
	for _, s := range sortedSlots(c.sa) {
		if s.Layer == p[0] && s.Role != RoleGate && s.Role != RoleUp {
			if err := c.statPair(st, s, Slot{p[1], s.Role}); err != nil {
				return err
			}
		}
	}
	return nil
}

// readMLP streams gate and up of both layers, projecting every neuron row
// onto the aligned residual dims into c.proj for the neuron test.
func (c *comparer) readMLP(st *passStats, p [2]int, project bool) (bool, error) {
	for k, role := range []Role{RoleGate, RoleUp} {
		ta, okA := c.sa[Slot{p[0], role}]
		tb, okB := c.sb[Slot{p[1], role}]
		if !okA || !okB || len(ta.Shape) != 2 || len(tb.Shape) != 2 {
			return false, nil
		}
		var va, vb func([]float32, int)
		if project {
			kd := len(c.dimsA)
			if slices.Max(c.dimsA) >= int(ta.Shape[1]) || slices.Max(c.dimsB) >= int(tb.Shape[1]) {
				return false, nil
			}
			c.proj[0][k] = growF(c.proj[0][k], int(ta.Shape[0])*kd)
			c.proj[1][k] = growF(c.proj[1][k], int(tb.Shape[0])*kd)
			va = projector(int(ta.Shape[1]), c.dimsA, nil, c.proj[0][k])
			vb = projector(int(tb.Shape[1]), c.dimsB, c.signB, c.proj[1][k])
		}
		if _, _, err := c.streamPair(st, ta, tb, va, vb); err != nil {
			return false, err
		}
		c.note(0)
	}
	return true, nil
}

func growF(b []float32, n int) []float32 {
	if cap(b) >= n {
		return b[:n]
	}
	return make([]float32, n)
}

// statPair streams slot sa of A and sb of B (when both exist) and updates
// the statistics.
func (c *comparer) statPair(st *passStats, sa, sb Slot) error {
	ta, okA := c.sa[sa]
	tb, okB := c.sb[sb]
	if !okA || !okB {
		return nil
	}
	var ga, gb []float32
	var va, vb func([]float32, int)
	if isNorm(sa.Role) && len(ta.Shape) == 1 && len(tb.Shape) == 1 {
		va = func(x []float32, _ int) { ga = append(ga, x...) }
		vb = func(x []float32, _ int) { gb = append(gb, x...) }
	}
	stdA, stdB, err := c.streamPair(st, ta, tb, va, vb)
	if err != nil {
		return err
	}
	st.stdA[sa], st.stdB[sa] = stdA, stdB
	c.note(0)
	if x, y := c.alignedGains(ga, gb); len(x) > 1 {
		st.cx.NormTensors++
		st.cosSum += vec.Cosine(x, y)
		st.rSum += pearson(x, y)
	}
	return nil
}

func (st *passStats) finish(c *comparer, pairs [][2]int) {
	if st.total > 0 {
		st.ex.IdenticalFraction = float64(st.same) / float64(st.total)
	}
	if st.cx.NormTensors > 0 {
		st.cx.NormRawCosine = st.cosSum / float64(st.cx.NormTensors)
		st.cx.NormPearson = st.rSum / float64(st.cx.NormTensors)
	}
	if c.sa.layers() == c.sb.layers() && len(pairs) == c.sa.layers() {
		r := stdProfile(st.stdA, st.stdB, c.sa.layers())
		st.cx.StdProfilePearson = &r
	}
}
