package lm

import (
	"math"
	"math/rand/v2"
	"sort"
)

// state is the chain of contexts that predicts the next token.
type state struct {
	keys []uint64
	ctx  []*context // ctx[j]: context of length j, nil when unseen
}

func (m *Model) newState() *state {
	return &state{keys: make([]uint64, m.order), ctx: make([]*context, m.order)}
}

// at loads the contexts that predict token hist[t] (hist[0] is BOS).
func (m *Model) at(s *state, hist []int, t int) {
	n := ctxKeys(s.keys, hist, t)
	for j := 0; j < m.order; j++ {
		s.ctx[j] = nil
		if j < n {
			s.ctx[j] = m.ctxs[j][s.keys[j]]
		}
		if s.ctx[j] == nil {
			break
		}
	}
}

// prob returns p(w | state) by the Kneser–Ney recursion from the uniform
// distribution over every token but BOS up to the longest seen context.
func (m *Model) prob(s *state, w int) float64 {
	if w == BOS || w < 0 || w >= m.VocabSize() {
		return 0
	}
	if s.ctx[0] == nil {
		return 1 / float64(m.VocabSize()-1)
	}
	p := m.uni[w] // order 1, precomputed
	for j := 1; j < m.order && s.ctx[j] != nil; j++ {
		c := s.ctx[j]
		n := c.count(w)
		p = math.Max(float64(n)-disc(m.disc[j], n), 0)/c.total + c.gamma*p
	}
	return p
}

// dist writes the full next-token distribution of state into dst.
func (m *Model) dist(s *state, dst []float64) {
	u := 1 / float64(m.VocabSize()-1)
	for i := range dst {
		dst[i] = u
	}
	dst[BOS] = 0
	for j := 0; j < m.order && s.ctx[j] != nil; j++ {
		c := s.ctx[j]
		for i := range dst {
			dst[i] *= c.gamma
		}
		for i, w := range c.next {
			n := c.cnt[i]
			dst[w] += math.Max(float64(n)-disc(m.disc[j], n), 0) / c.total
		}
	}
}

// sparse is scratch space for momentsAt: a dense accumulator and the
// list of the entries it touched.
type sparse struct {
	acc     []float64
	seen    []bool
	touched []int32
}

func newSparse(n int) *sparse { return &sparse{acc: make([]float64, n), seen: make([]bool, n)} }

// momentsAt returns the Min-K%++ moments of the distribution of state
// without materialising it: p(w) = Γ·p₁(w) + s(w), where p₁ is the fixed
// order-1 distribution, Γ the product of the higher back-off weights and
// s is non-zero only on tokens seen after the higher-order contexts. The
// sums over the other tokens come from precomputed Σ p₁ log p₁ terms.
// Cost: O(continuations of the contexts) instead of O(vocabulary).
func (m *Model) momentsAt(s *state, sp *sparse) Moments {
	top := 0
	for top+1 < m.order && s.ctx[top+1] != nil {
		top++
	}
	key := mix(s.keys[top], top)
	if v, ok := m.memo.Load(key); ok {
		return v.(Moments)
	}
	mo := m.momentsSlow(s, sp, top)
	if m.memoN.Load() < memoMax {
		m.memoN.Add(1)
		m.memo.Store(key, mo)
	}
	return mo
}

// sparseAt fills sp.acc with p(w) for every token that a higher-order
// context names (listed in sp.touched) and returns Γ: any other token w
// has p(w) = Γ·uni[w]. The caller must call sp.reset.
func (m *Model) sparseAt(s *state, sp *sparse) float64 {
	top := 0
	for top+1 < m.order && s.ctx[top+1] != nil {
		top++
	}
	gamma := 1.0
	for j := top; j >= 1; j-- {
		c := s.ctx[j]
		for i, w := range c.next {
			n := c.cnt[i]
			a := math.Max(float64(n)-disc(m.disc[j], n), 0) / c.total
			if !sp.seen[w] {
				sp.seen[w] = true
				sp.touched = append(sp.touched, w)
			}
			sp.acc[w] += gamma * a
		}
		gamma *= c.gamma
	}
	for _, w := range sp.touched {
		sp.acc[w] += gamma * m.uni[w]
	}
	return gamma
}

func (sp *sparse) reset() {
	for _, w := range sp.touched {
		sp.acc[w], sp.seen[w] = 0, false
	}
	sp.touched = sp.touched[:0]
}

func (m *Model) momentsSlow(s *state, sp *sparse, top int) Moments {
	gamma := m.sparseAt(s, sp)
	defer sp.reset()
	var mu, m2, pu, hu, qu float64
	for _, w := range sp.touched {
		p1 := m.uni[w]
		if p1 > 0 {
			l1 := math.Log(p1)
			pu += p1
			hu += p1 * l1
			qu += p1 * l1 * l1
		}
		if p := sp.acc[w]; p > 0 {
			l := math.Log(p)
			mu += p * l
			m2 += p * l * l
		}
	}
	if lg := math.Log(gamma); gamma > 0 {
		mu += gamma * (lg*(1-pu) + (m.uniH - hu))
		m2 += gamma * (lg*lg*(1-pu) + 2*lg*(m.uniH-hu) + (m.uniQ - qu))
	}
	return Moments{Mu: mu, Sigma: math.Sqrt(math.Max(m2-mu*mu, 0))}
}

// topAt returns the k most likely next tokens (ties: lower id first)
// without materialising the distribution: the candidates are the tokens
// the higher-order contexts name plus the k best of the rest, which are
// ordered by uni.
func (m *Model) topAt(s *state, sp *sparse, k int) []Alt {
	gamma := m.sparseAt(s, sp)
	defer sp.reset()
	type cand struct {
		w int
		p float64
	}
	cands := make([]cand, 0, len(sp.touched)+k)
	for _, w := range sp.touched {
		cands = append(cands, cand{int(w), sp.acc[w]})
	}
	for i, taken := 0, 0; i < len(m.uniOrder) && taken < k; i++ {
		if w := m.uniOrder[i]; !sp.seen[w] {
			cands = append(cands, cand{int(w), gamma * m.uniDesc[i]})
			taken++
		}
	}
	sort.Slice(cands, func(i, j int) bool {
		if cands[i].p != cands[j].p {
			return cands[i].p > cands[j].p
		}
		return cands[i].w < cands[j].w
	})
	out := make([]Alt, 0, k)
	for _, c := range cands {
		if len(out) == k || c.p <= 0 {
			break
		}
		out = append(out, Alt{ID: c.w, LP: math.Log(c.p)})
	}
	return out
}

// rankAt returns 1 + the number of tokens other than w more likely than
// p (the probability of w).
func (m *Model) rankAt(s *state, sp *sparse, w int, p float64) int {
	gamma := m.sparseAt(s, sp)
	defer sp.reset()
	rank := 1
	// tokens outside the sparse set with Γ·uni > p: a prefix of uniOrder
	n := sort.Search(len(m.uniDesc), func(i int) bool { return gamma*m.uniDesc[i] <= p })
	rank += n
	for _, t := range sp.touched {
		if gamma*m.uni[t] > p {
			rank-- // counted in the prefix, but its real p is below
		}
		if int(t) != w && sp.acc[t] > p {
			rank++
		}
	}
	if !sp.seen[w] && w < len(m.uni) && gamma*m.uni[w] > p {
		rank-- // w itself sits in the prefix
	}
	return rank
}

// PromptStats teacher-forces ids (after BOS) and calls fn for each
// position with the log-prob of ids[i], its 1-based rank (0 unless
// withRank) and the k most likely alternatives (none for k = 0, the
// whole vocabulary for k < 0). Small k costs O(continuations), not
// O(vocabulary).
func (m *Model) PromptStats(ids []int, k int, withRank bool, fn func(i int, lp float64, rank int, top []Alt)) {
	if k < 0 || k >= m.VocabSize()-1 {
		m.Walk(ids, func(i int, d []float64) {
			rank := 0
			if withRank {
				rank = 1
				for _, q := range d {
					if q > d[ids[i]] {
						rank++
					}
				}
			}
			fn(i, math.Log(d[ids[i]]), rank, TopOf(d, m.VocabSize()))
		})
		return
	}
	h := withBOS(ids)
	s := m.newState()
	sp := newSparse(m.VocabSize())
	for t := 1; t < len(h); t++ {
		m.at(s, h, t)
		p := m.prob(s, h[t])
		rank := 0
		if withRank {
			rank = m.rankAt(s, sp, h[t], p)
		}
		var top []Alt
		if k > 0 {
			top = m.topAt(s, sp, k)
		}
		fn(t-1, math.Log(p), rank, top)
	}
}

// withBOS returns BOS followed by ids.
func withBOS(ids []int) []int {
	return append([]int{BOS}, ids...)
}

// LogProbs returns log p(ids[i] | BOS, ids[:i]) (natural log) for every i.
func (m *Model) LogProbs(ids []int) []float64 {
	h := withBOS(ids)
	s := m.newState()
	out := make([]float64, len(ids))
	for t := 1; t < len(h); t++ {
		m.at(s, h, t)
		out[t-1] = math.Log(m.prob(s, h[t]))
	}
	return out
}

// Dist returns the full next-token distribution after BOS and ids; it
// sums to 1 and gives BOS probability 0.
func (m *Model) Dist(ids []int) []float64 {
	h := withBOS(ids)
	s := m.newState()
	m.at(s, h, len(h))
	d := make([]float64, m.VocabSize())
	m.dist(s, d)
	return d
}

// Moments holds, for one position, the mean and standard deviation of
// log p over the full next-token distribution (Min-K%++'s μ and σ).
type Moments struct {
	Mu, Sigma float64
}

// MomentsOf returns μ = Σ p log p and σ = sqrt(Σ p (log p)² − μ²) of d,
// skipping zero probabilities.
func MomentsOf(d []float64) Moments {
	var mu, m2 float64
	for _, p := range d {
		if p > 0 {
			l := math.Log(p)
			mu += p * l
			m2 += p * l * l
		}
	}
	return Moments{Mu: mu, Sigma: math.Sqrt(math.Max(m2-mu*mu, 0))}
}

// Walk calls fn for each position i of ids with the full next-token
// distribution that predicts ids[i] (after BOS and ids[:i]). d is reused
// between calls.
func (m *Model) Walk(ids []int, fn func(i int, d []float64)) {
	h := withBOS(ids)
	s := m.newState()
	d := make([]float64, m.VocabSize())
	for t := 1; t < len(h); t++ {
		m.at(s, h, t)
		m.dist(s, d)
		fn(t-1, d)
	}
}

// Scored is the teacher-forced view of a text: per-token log-probs, and
// when asked the moments and top alternatives of each full distribution.
type Scored struct {
	IDs     []int
	LP      []float64
	Moments []Moments // nil unless requested
	Top     [][]Alt   // nil unless topK > 0
}

// Alt is one alternative token at a position with its log-prob.
type Alt struct {
	ID int
	LP float64
}

// Score scores ids (BOS is prepended). With moments it also computes the
// exact Min-K%++ moments; with topK > 0 it lists the topK most likely
// tokens at each position (all of them when topK >= VocabSize).
func (m *Model) Score(ids []int, moments bool, topK int) Scored {
	h := withBOS(ids)
	s := m.newState()
	out := Scored{IDs: ids, LP: make([]float64, len(ids))}
	var d []float64
	if topK > 0 {
		d = make([]float64, m.VocabSize())
	}
	sp := newSparse(m.VocabSize())
	for t := 1; t < len(h); t++ {
		m.at(s, h, t)
		out.LP[t-1] = math.Log(m.prob(s, h[t]))
		if moments {
			out.Moments = append(out.Moments, m.momentsAt(s, sp))
		}
		if topK > 0 {
			m.dist(s, d)
			out.Top = append(out.Top, TopOf(d, topK))
		}
	}
	return out
}

// TopOf returns the k most likely tokens of d, most likely first, ties by
// lower id; tokens of probability 0 are left out.
func TopOf(d []float64, k int) []Alt {
	idx := make([]int, 0, len(d))
	for i, p := range d {
		if p > 0 {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool { return d[idx[a]] > d[idx[b]] })
	if k < len(idx) {
		idx = idx[:k]
	}
	out := make([]Alt, len(idx))
	for i, id := range idx {
		out[i] = Alt{ID: id, LP: math.Log(d[id])}
	}
	return out
}

// Step is one generated token with its log-prob under the model
// (before temperature).
type Step struct {
	ID int
	LP float64
}

// Generate continues BOS+prefix by up to n tokens, stopping after EOS
// (which is included). temperature <= 0 decodes greedily (ties go to the
// lower id); otherwise it samples from p^(1/temperature) with rng.
func (m *Model) Generate(prefix []int, n int, temperature float64, rng *rand.Rand) []Step {
	h := withBOS(prefix)
	s := m.newState()
	d := make([]float64, m.VocabSize())
	var out []Step
	sp := newSparse(m.VocabSize())
	for len(out) < n {
		m.at(s, h, len(h))
		var w int
		if temperature <= 0 || rng == nil {
			w = m.topAt(s, sp, 1)[0].ID
		} else {
			m.dist(s, d)
			w = pick(d, temperature, rng)
		}
		out = append(out, Step{ID: w, LP: math.Log(m.prob(s, w))})
		if w == EOS {
			break
		}
		h = append(h, w)
	}
	return out
}

// Greedy returns the ids of the greedy continuation of prefix.
func (m *Model) Greedy(prefix []int, n int) []int {
	return stepIDs(m.Generate(prefix, n, 0, nil))
}

// Sample returns the ids of a sampled continuation of prefix.
func (m *Model) Sample(prefix []int, n int, temperature float64, rng *rand.Rand) []int {
	return stepIDs(m.Generate(prefix, n, temperature, rng))
}

func stepIDs(st []Step) []int {
	ids := make([]int, len(st))
	for i, s := range st {
		ids[i] = s.ID
	}
	return ids
}

func pick(d []float64, temperature float64, rng *rand.Rand) int {
	best := 0
	for i, p := range d {
		if p > d[best] {
			best = i
		}
	}
	if temperature <= 0 || rng == nil {
		return best
	}
	var z float64
	w := make([]float64, len(d))
	for i, p := range d {
		if p > 0 {
			w[i] = math.Exp(math.Log(p/d[best]) / temperature)
			z += w[i]
		}
	}
	r := rng.Float64() * z
	for i, x := range w {
		r -= x
		if r < 0 && x > 0 {
			return i
		}
	}
	return best
}
