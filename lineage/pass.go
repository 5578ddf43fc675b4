package lineage

import (
	"errors"
	"slices"
	"time"
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
	if !c.opt.SkipContext {
		for _, s := range sortedSlots(c.sa) {
			if s.Layer == p[0] && s.Role != RoleGate && s.Role != RoleUp {
				if err := c.statPair(st, s, Slot{p[1], s.Role}); err != nil {
					return err
				}
			}
		}
	}
	ok, err := c.readMLP(st, p)
	if err != nil || !ok || w.Skipped != "" {
		if !ok && w.Skipped == "" {
			w.Skipped = "layer pair without gate_proj/up_proj on both sides"
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

// readMLP reads gate and up of both layers into c.mlp, with statistics.
func (c *comparer) readMLP(st *passStats, p [2]int) (bool, error) {
	for k, role := range []Role{RoleGate, RoleUp} {
		ta, okA := c.sa[Slot{p[0], role}]
		tb, okB := c.sb[Slot{p[1], role}]
		if !okA || !okB {
			return false, nil
		}
		var errA, errB error
		both(func() { errA = c.read(c.a, ta, &c.mlp[0][k]) }, func() { errB = c.read(c.b, tb, &c.mlp[1][k]) })
		if err := errors.Join(errA, errB); err != nil {
			return false, err
		}
		c.note(0)
		if !c.opt.SkipContext && slices.Equal(ta.Shape, tb.Shape) {
			st.compare(c.mlp[0][k], c.mlp[1][k])
		}
	}
	return true, nil
}

// statPair reads slot sa of A and sb of B (when both exist) and updates
// the statistics.
func (c *comparer) statPair(st *passStats, sa, sb Slot) error {
	ta, okA := c.sa[sa]
	tb, okB := c.sb[sb]
	if !okA || !okB {
		return nil
	}
	var errA, errB error
	both(func() {
		if errA = c.read(c.a, ta, &c.buf); errA == nil {
			st.stdA[sa] = stddev(c.buf)
		}
	}, func() {
		if errB = c.read(c.b, tb, &c.bufB); errB == nil {
			st.stdB[sa] = stddev(c.bufB)
		}
	})
	if err := errors.Join(errA, errB); err != nil {
		return err
	}
	c.note(0)
	if slices.Equal(ta.Shape, tb.Shape) {
		st.compare(c.buf, c.bufB)
	}
	if isNorm(sa.Role) && len(ta.Shape) == 1 && len(tb.Shape) == 1 {
		ga, gb := c.alignedGains(c.buf, c.bufB)
		if len(ga) > 1 {
			st.cx.NormTensors++
			st.cosSum += cosine64(ga, gb)
			st.rSum += pearson(ga, gb)
		}
	}
	return nil
}

func (st *passStats) compare(a, b []float32) {
	st.ex.Compared++
	n := identical(a, b)
	st.same += n
	st.total += int64(len(a))
	if n == int64(len(a)) {
		st.ex.Identical++
	}
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
