package evalset

import (
	"sort"

	"github.com/leakhound/leakhound"
)

// SplitStats summarises the items of one benchmark split.
type SplitStats struct {
	Benchmark, Split, Part string
	Items                  int
	// Chars and Words are length distributions of the item texts (words as
	// the near-duplicate check counts them).
	Chars, Words Dist
	// Clustered counts items that belong to a near-duplicate cluster.
	Clustered int
}

// Dist is a length distribution: minimum, 5th, 50th and 95th percentile
// and maximum (nearest rank).
type Dist struct {
	Min, P5, P50, P95, Max int
}

func dist(v []int) Dist {
	if len(v) == 0 {
		return Dist{}
	}
	sort.Ints(v)
	at := func(q float64) int { return v[int(q*float64(len(v)-1))] }
	return Dist{Min: v[0], P5: at(0.05), P50: at(0.5), P95: at(0.95), Max: v[len(v)-1]}
}

// Stats groups items by benchmark and split, in order of first
// appearance.
func Stats(items []leakhound.Item) []SplitStats {
	type acc struct {
		s            SplitStats
		chars, words []int
	}
	var order []string
	m := make(map[string]*acc)
	for _, it := range items {
		k := it.Benchmark + "\x00" + it.Split
		a, ok := m[k]
		if !ok {
			a = &acc{s: SplitStats{Benchmark: it.Benchmark, Split: it.Split, Part: it.Part}}
			m[k] = a
			order = append(order, k)
		}
		a.s.Items++
		a.chars = append(a.chars, len([]rune(it.Text)))
		a.words = append(a.words, countWords(it.Text))
		if it.Cluster != "" {
			a.s.Clustered++
		}
		if a.s.Part != it.Part {
			a.s.Part = "mixed"
		}
	}
	out := make([]SplitStats, 0, len(order))
	for _, k := range order {
		a := m[k]
		a.s.Chars, a.s.Words = dist(a.chars), dist(a.words)
		out = append(out, a.s)
	}
	return out
}
