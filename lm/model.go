package lm

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"sync"
	"sync/atomic"
)

// Model is an interpolated modified Kneser–Ney n-gram model. Build one
// with NewTrainer, Add and Build; a built Model is safe for concurrent use.
type Model struct {
	tok   *Tokenizer
	order int
	// ctxs[k-1] holds the contexts of k-grams (length k-1), keyed by the
	// hash of their tokens (see ctxKeys).
	ctxs []map[uint64]*context
	// disc[k-1] holds the discounts D1, D2, D3+ of order k.
	disc [][3]float64
	// uni is the order-1 distribution (interpolated with the uniform one);
	// uniH and uniQ are Σ p log p and Σ p (log p)² over it. They let
	// momentsAt work on the sparse higher orders only.
	uni        []float64
	uniH, uniQ float64
	// uniOrder lists the tokens by decreasing uni (ties: lower id first)
	// and uniDesc holds their probabilities, for sparse top-k and ranks.
	uniOrder []int32
	uniDesc  []float64
	// memo caches momentsAt by longest context (it fixes the whole
	// chain): scoring a benchmark twice (lowercase, shards) revisits the
	// same contexts. Bounded by memoMax entries.
	memo  sync.Map
	memoN atomic.Int64
}

// memoMax bounds the moments cache (about 64 bytes an entry).
const memoMax = 1 << 20

// context is what the model knows about one context: the total count of
// its continuations, its back-off weight, and the continuations with their
// (raw or continuation) counts, sorted by token id.
type context struct {
	total float64
	gamma float64 // back-off weight (D1 N1 + D2 N2 + D3 N3+) / total
	next  []int32
	cnt   []int32
}

// count returns the count of continuation w.
func (c *context) count(w int) int32 {
	x := int32(w)
	lo, hi := 0, len(c.next)
	for lo < hi {
		h := int(uint(lo+hi) >> 1)
		if c.next[h] < x {
			lo = h + 1
		} else {
			hi = h
		}
	}
	if lo < len(c.next) && c.next[lo] == x {
		return c.cnt[lo]
	}
	return 0
}

// Tokenizer returns the model's tokenizer.
func (m *Model) Tokenizer() *Tokenizer { return m.tok }

// Order returns the n-gram order.
func (m *Model) Order() int { return m.order }

// VocabSize returns the size of the next-token distribution.
func (m *Model) VocabSize() int { return m.tok.VocabSize() }

// hashing: contexts are hashed right to left, so that the context of
// length j extends the one of length j-1 by one token.
const hashSeed = 0x9e3779b97f4a7c15

func mix(h uint64, tok int) uint64 {
	h ^= uint64(tok) + 0x632be59bd9b4e019
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 31
	h *= 0x94d049bb133111eb
	h ^= h >> 29
	return h
}

// ctxKeys fills keys[j] with the key of the context of length j that ends
// just before position t of toks (toks[t-j..t-1]), for j < len(keys), and
// returns how many keys are valid.
func ctxKeys(keys []uint64, toks []int, t int) int {
	h := uint64(hashSeed)
	keys[0] = h
	n := 1
	for j := 1; j < len(keys) && t-j >= 0; j++ {
		h = mix(h, toks[t-j])
		keys[j] = h
		n++
	}
	return n
}

func gramKey(ctx uint64, w int) uint64 { return mix(ctx^0x5851f42d4c957f2d, w) }

// Trainer counts n-grams; call Add for each document, then Build.
type Trainer struct {
	tok   *Tokenizer
	order int
	grams []map[uint64]gram // per order, keyed by gramKey
	docs  int
}

// gram is one n-gram type: its context key, its last token and its count.
type gram struct {
	ctx uint64
	w   int32
	c   int32
}

// NewTrainer returns a trainer for an order-n model over tok.
func NewTrainer(tok *Tokenizer, order int) (*Trainer, error) {
	if order < 1 || order > 16 {
		return nil, fmt.Errorf("lm: order %d out of range 1..16", order)
	}
	if tok == nil {
		return nil, errors.New("lm: nil tokenizer")
	}
	tr := &Trainer{tok: tok, order: order}
	for k := 0; k < order; k++ {
		tr.grams = append(tr.grams, map[uint64]gram{})
	}
	return tr, nil
}

// Add trains on one document, dup times (dup < 1 counts as 1). The
// document is framed as BOS text EOS.
func (tr *Trainer) Add(text string, dup int) {
	if dup < 1 {
		dup = 1
	}
	toks := append([]int{BOS}, tr.tok.Encode(text)...)
	toks = append(toks, EOS)
	keys := make([]uint64, tr.order)
	for d := 0; d < dup; d++ {
		for t := 1; t < len(toks); t++ {
			n := ctxKeys(keys, toks, t)
			// The longest gram that fits gets the raw count: an order-n
			// gram, or a shorter one that starts at BOS.
			tr.add(keys, n-1, toks[t])
		}
	}
	tr.docs++
}

// add counts the gram (context keys[j], w) of order j+1 and, when it is a
// new type, its suffix of order j (Kneser–Ney continuation counts).
func (tr *Trainer) add(keys []uint64, j int, w int) {
	for ; j >= 0; j-- {
		k := gramKey(keys[j], w)
		g, seen := tr.grams[j][k]
		if !seen {
			g = gram{ctx: keys[j], w: int32(w)}
		}
		g.c++
		tr.grams[j][k] = g
		if seen {
			return
		}
	}
}

// Docs returns the number of documents added.
func (tr *Trainer) Docs() int { return tr.docs }

// Build computes discounts and context statistics and returns the model.
// The trainer must not be used afterwards.
func (tr *Trainer) Build() *Model {
	m := &Model{tok: tr.tok, order: tr.order}
	for k := 0; k < tr.order; k++ {
		cx := map[uint64]*context{}
		for _, g := range tr.grams[k] {
			c := cx[g.ctx]
			if c == nil {
				c = &context{}
				cx[g.ctx] = c
			}
			c.next = append(c.next, g.w)
			c.cnt = append(c.cnt, g.c)
		}
		tr.grams[k] = nil
		m.ctxs = append(m.ctxs, cx)
	}
	m.finish()
	return m
}

// finish sorts continuations and sets discounts and back-off weights.
func (m *Model) finish() {
	m.disc = m.disc[:0]
	for k := range m.ctxs {
		d := discounts(m.ctxs[k])
		m.disc = append(m.disc, d)
		for _, c := range m.ctxs[k] {
			sort.Sort(byToken{c})
			c.total, c.gamma = 0, 0
			for _, n := range c.cnt {
				c.total += float64(n)
				c.gamma += disc(d, n)
			}
			c.gamma /= c.total
		}
	}
	st := m.newState()
	st.ctx[0] = m.ctxs[0][hashSeed]
	m.uni = make([]float64, m.VocabSize())
	m.dist(st, m.uni)
	m.uniOrder, m.uniDesc = m.uniOrder[:0], m.uniDesc[:0]
	for w, p := range m.uni {
		if p > 0 {
			m.uniOrder = append(m.uniOrder, int32(w))
		}
	}
	sort.SliceStable(m.uniOrder, func(i, j int) bool { return m.uni[m.uniOrder[i]] > m.uni[m.uniOrder[j]] })
	for _, w := range m.uniOrder {
		m.uniDesc = append(m.uniDesc, m.uni[w])
	}
	m.uniH, m.uniQ = 0, 0
	for _, p := range m.uni {
		if p > 0 {
			l := math.Log(p)
			m.uniH += p * l
			m.uniQ += p * l * l
		}
	}
}

// discounts returns the modified Kneser–Ney discounts of Chen & Goodman
// (1998) from the count-of-counts n1..n4 of one order.
func discounts(ctxs map[uint64]*context) [3]float64 {
	var n [5]float64
	for _, cx := range ctxs {
		for _, c := range cx.cnt {
			if c <= 4 {
				n[c]++
			}
		}
	}
	d := [3]float64{0.5, 1.0, 1.5} // fallback for tiny corpora
	if n[1] == 0 || n[2] == 0 {
		return d
	}
	y := n[1] / (n[1] + 2*n[2])
	d[0] = 1 - 2*y*n[2]/n[1]
	if n[3] > 0 {
		d[1] = 2 - 3*y*n[3]/n[2]
	}
	if n[4] > 0 && n[3] > 0 {
		d[2] = 3 - 4*y*n[4]/n[3]
	}
	for i := range d {
		d[i] = math.Min(math.Max(d[i], 0.05), float64(i+1)-0.05)
	}
	return d
}

func disc(d [3]float64, c int32) float64 {
	switch {
	case c <= 0:
		return 0
	case c == 1:
		return d[0]
	case c == 2:
		return d[1]
	}
	return d[2]
}

type byToken struct{ c *context }

func (b byToken) Len() int           { return len(b.c.next) }
func (b byToken) Less(i, j int) bool { return b.c.next[i] < b.c.next[j] }
func (b byToken) Swap(i, j int) {
	b.c.next[i], b.c.next[j] = b.c.next[j], b.c.next[i]
	b.c.cnt[i], b.c.cnt[j] = b.c.cnt[j], b.c.cnt[i]
}
