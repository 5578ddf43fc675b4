package match

import (
	"fmt"
	"slices"
	"sync"

	"github.com/leakhound/leakhound"
	"github.com/leakhound/leakhound/index"
	"github.com/leakhound/leakhound/ngram"
)

// llama2Prefix is the exact prefix every Llama 2 span starts with: "no
// mismatches in the first 10 tokens of a span" (App. A.6).
const llama2Prefix = 10

// Set is the benchmark side of a scan, prepared for the chosen methods.
// It is read-only once built and shared by every Matcher.
type Set struct {
	Items      []leakhound.Item
	opts       Options
	benchmarks []string // distinct benchmark names, in first-seen order
	benchOf    []int32  // item → index into benchmarks
	clusterOf  []int32  // item → cluster number (items without a twin are their own)
	clusters   int
	gpt3N      []int // per benchmark
	ix         *index.Index
	gpt4       *charIndex
	external   []external
	itemIndex  map[string]int // item id → index
}

// NewSet prepares items for the methods in opts.
func NewSet(items []leakhound.Item, opts Options) (*Set, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return nil, fmt.Errorf("no benchmark items")
	}
	s := &Set{Items: items, opts: opts}
	s.groupBenchmarks()
	s.groupClusters()
	s.indexItems()
	if err := s.buildIndexes(); err != nil {
		return nil, err
	}
	return s, nil
}

// buildIndexes builds the exact methods' indexes and each registered
// method's detector, at the same time: they read the items only, and on
// all benchmarks with --method all they take some 25 CPU-seconds, most of
// it in the rephrase and neardup detectors. An error is the first one in
// method order (the exact methods first); a builder's panic is raised
// again here, in the caller's goroutine, once all builders are done.
func (s *Set) buildIndexes() error {
	exts := s.registeredInUse()
	s.external = make([]external, len(exts))
	errs := make([]error, len(exts)+1)
	panics := make([]any, len(exts)+1)
	var wg sync.WaitGroup
	build := func(i int, f func() error) {
		wg.Go(func() {
			defer func() {
				if p := recover(); p != nil {
					panics[i] = p
				}
			}()
			errs[i] = f()
		})
	}
	build(0, s.buildExact)
	for i, r := range exts {
		build(i+1, func() error {
			d, err := r.Build(s.Items, s.opts)
			if err != nil {
				return fmt.Errorf("%s: %w", r.Name, err)
			}
			s.external[i] = external{name: r.Name, detector: d}
			return nil
		})
	}
	wg.Wait()
	for _, p := range panics {
		if p != nil {
			panic(p)
		}
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// buildExact builds the seed index of gpt3, palm and llama2 and the
// character index of gpt4.
func (s *Set) buildExact() error {
	var tokens []uint64
	starts := make([]uint32, 1, len(s.Items)+1)
	var toks []ngram.Token
	for _, it := range s.Items {
		toks = ngram.AppendTokens(toks[:0], []byte(it.Text))
		for _, t := range toks {
			tokens = append(tokens, t.Hash)
		}
		starts = append(starts, uint32(len(tokens)))
	}
	s.gpt3N = s.gpt3Rule(starts)
	if n := s.seedN(); n > 0 {
		ix, err := index.Build(slices.Clip(tokens), starts, n, s.stride(), s.opts.MaxSeedItems)
		if err != nil {
			return err
		}
		s.ix = ix
	}
	if s.opts.has(GPT4) {
		s.gpt4 = newCharIndex(s.Items, s.opts)
	}
	return nil
}

func (s *Set) groupBenchmarks() {
	s.benchOf = make([]int32, len(s.Items))
	for i, it := range s.Items {
		b := slices.Index(s.benchmarks, it.Benchmark)
		if b < 0 {
			b = len(s.benchmarks)
			s.benchmarks = append(s.benchmarks, it.Benchmark)
		}
		s.benchOf[i] = int32(b)
	}
}

func (s *Set) groupClusters() {
	s.clusterOf = make([]int32, len(s.Items))
	byName := make(map[string]int32)
	for i, it := range s.Items {
		key := it.Benchmark + "\x00" + it.Cluster
		if it.Cluster == "" {
			key = "\x01" + it.ID
		}
		c, ok := byName[key]
		if !ok {
			c = int32(len(byName))
			byName[key] = c
		}
		s.clusterOf[i] = c
	}
	s.clusters = len(byName)
}

// gpt3Rule returns GPT-3's N for each benchmark: the 5th percentile of its
// item lengths in tokens (sorted lengths at index ⌊0.05·(n−1)⌋), clipped to
// [GPT3MinN, GPT3MaxN]; or GPT3N for all when it is set.
func (s *Set) gpt3Rule(starts []uint32) []int {
	ns := make([]int, len(s.benchmarks))
	for b := range s.benchmarks {
		if s.opts.GPT3N > 0 {
			ns[b] = s.opts.GPT3N
			continue
		}
		var lens []int
		for i := range s.Items {
			if int(s.benchOf[i]) == b {
				lens = append(lens, int(starts[i+1]-starts[i]))
			}
		}
		slices.Sort(lens)
		p5 := lens[int(0.05*float64(len(lens)-1))]
		ns[b] = min(max(p5, s.opts.GPT3MinN), s.opts.GPT3MaxN)
	}
	return ns
}

// maxSeedN is the longest seed n-gram. Longer seeds would hit less often
// by chance, but every token of slack between the seed and the shortest
// run a method must find is a token of probing stride saved.
const maxSeedN = 8

// minRun is the shortest exact run that any chosen token method must find:
// gpt3's smallest N, palm's n, llama2's exact prefix. 0 when no token method
// is chosen.
func (s *Set) minRun() int {
	r := 0
	use := func(k int) {
		if r == 0 || k < r {
			r = k
		}
	}
	if s.opts.has(GPT3) {
		use(slices.Min(s.gpt3N))
	}
	if s.opts.has(PaLM) {
		use(s.opts.PaLMN)
	}
	if s.opts.has(Llama2) {
		use(llama2Prefix)
	}
	return r
}

// seedN is the seed n-gram length.
func (s *Set) seedN() int { return min(maxSeedN, s.minRun()) }

// stride is the item-side sampling of seed n-grams: only those starting at
// a multiple of stride in their item are indexed. A run of minRun =
// seedN + stride - 1 tokens covers stride consecutive item positions, one
// of which is indexed, and the record side probes every position, so no
// run the methods need is missed. With gpt3 alone (N = 13) the stride is
// 6: the index holds a sixth of the n-grams and its Bloom filter fits in
// the L2 cache. Sampling the record side instead (one probe every 6
// tokens, as decon does) left the filter 4 MB large, and the probes that
// missed the cache cost 0.6 of the scan's 1.8 CPU-seconds on 200 MB.
func (s *Set) stride() int { return s.minRun() - s.seedN() + 1 }

// Benchmarks returns the benchmark names in first-seen order.
func (s *Set) Benchmarks() []string { return s.benchmarks }

// GPT3N returns the N that gpt3 uses for benchmark b.
func (s *Set) GPT3N(b string) int {
	if i := slices.Index(s.benchmarks, b); i >= 0 {
		return s.gpt3N[i]
	}
	return 0
}

// Options returns the options the set was built with.
func (s *Set) Options() Options { return s.opts }

// IndexBytes returns the approximate memory of the set's indexes.
func (s *Set) IndexBytes() int {
	n := 0
	if s.ix != nil {
		n += s.ix.Bytes()
	}
	if s.gpt4 != nil {
		n += s.gpt4.bytes()
	}
	return n
}

func (s *Set) itemLen(item int) int { return len(s.ix.ItemTokens(item)) }

// itemBase is the global token position of item's first token.
func (s *Set) itemBase(item int) int { return s.ix.ItemStart(item) }
