package match

import "slices"

// Tally accumulates, for one worker, what the item-level rules need from
// the whole corpus. Tallies of all workers are merged by Summarize; the
// merge is a union, so the result does not depend on the worker count.
type Tally struct {
	found [][]bool // [method][item]: the item has a finding
	// docs[method][benchmark] counts records with a finding.
	docs [][]int
	// palmSeen marks, by global token position, the item n-grams that
	// occur somewhere in the corpus.
	palmSeen bitset
	// llamaTok marks, by global token position, the item tokens that lie
	// in a matched Llama 2 span somewhere in the corpus.
	llamaTok bitset
}

func (s *Set) newTally() *Tally {
	t := &Tally{found: make([][]bool, len(s.opts.Methods)), docs: make([][]int, len(s.opts.Methods))}
	for i := range t.found {
		t.found[i] = make([]bool, len(s.Items))
		t.docs[i] = make([]int, len(s.benchmarks))
	}
	if s.ix != nil {
		n := len(s.ix.Tokens())
		if s.opts.has(PaLM) {
			t.palmSeen = newBitset(n)
		}
		if s.opts.has(Llama2) {
			t.llamaTok = newBitset(n)
		}
	}
	return t
}

func (s *Set) methodIndex(method string) int { return slices.Index(s.opts.Methods, method) }

// Summary is one row of the scan summary: a benchmark and a method.
type Summary struct {
	Benchmark string `json:"benchmark"`
	Method    string `json:"method"`
	// Items counts the benchmark's items, with near-duplicate twins
	// counted once (so do all the counts below); Eligible those long enough
	// for the method to see.
	Items    int `json:"items"`
	Eligible int `json:"eligible"`
	// Found counts items that the method's item-level rule flags (twins
	// once): gpt3 and gpt4, any finding; palm, enough n-grams seen across
	// the corpus; llama2, dirty across the corpus.
	Found   int     `json:"found"`
	Percent float64 `json:"percent"`
	// DocsFlagged counts corpus records with at least one finding.
	DocsFlagged int `json:"docs_flagged"`
	// N is the n-gram length gpt3 used for this benchmark.
	N int `json:"n,omitempty"`
	// NotClean counts llama2 items with at least llama2-clean contaminated
	// tokens.
	NotClean   int      `json:"not_clean,omitempty"`
	FoundItems []string `json:"found_items,omitempty"`
}
