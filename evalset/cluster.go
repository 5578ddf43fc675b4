package evalset

import (
	"runtime"
	"slices"
	"sort"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/leakhound/leakhound"
)

// ClusterConfig sets the near-duplicate check inside a benchmark.
//
// Method (after Lee et al. 2021, "Deduplicating Training Data Makes
// Language Models Better", arXiv 2107.06499, NearDup, which uses 5-gram
// shingles, MinHash with banding and a Jaccard > 0.8 confirmation): each
// item text is cut into lower-cased words (forEachWord: letter/digit runs,
// each CJK character a word), the words into overlapping Shingle-grams
// (a text shorter than Shingle words is one shingle), each shingle hashed
// with 64-bit FNV-1a. A MinHash signature of Bands×Rows values is banded;
// items that share a band are candidates, and a candidate pair is a
// near-duplicate when the exact Jaccard similarity of the two shingle sets
// is at least Threshold. Clusters are the connected components.
type ClusterConfig struct {
	Shingle   int
	Bands     int
	Rows      int
	Threshold float64
}

// DefaultClusterConfig uses word 5-grams, 16 bands of 4 rows and a 0.8
// Jaccard threshold. With 16×4 a pair at Jaccard 0.8 becomes a candidate
// with probability 1-(1-0.8^4)^16 = 0.9998, a pair at 0.5 with 0.64 and
// one at 0.3 with 0.12; the exact check removes the false candidates.
// (20×5 cost 1.6× the CPU for the same clusters on shared/data.)
var DefaultClusterConfig = ClusterConfig{Shingle: 5, Bands: 16, Rows: 4, Threshold: 0.8}

// shingles returns the sorted, distinct shingle hashes of s. Each word is
// hashed once (FNV-1a over its lower-cased runes) and a shingle combines
// its words' hashes, which is 3× cheaper than hashing shingle bytes.
func shingles(s string, n int) []uint64 {
	var words []uint64
	forEachWord(s, func(w string) { words = append(words, wordHash(w)) })
	if len(words) == 0 {
		return nil
	}
	combine := func(ws []uint64) uint64 {
		h := uint64(len(ws))
		for _, w := range ws {
			h = mix(h ^ w)
		}
		return h
	}
	var out []uint64
	if len(words) < n {
		out = append(out, combine(words))
	} else {
		out = make([]uint64, 0, len(words)-n+1)
		for i := 0; i+n <= len(words); i++ {
			out = append(out, combine(words[i:i+n]))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// wordHash is 64-bit FNV-1a over the UTF-8 of w's lower-cased runes.
func wordHash(w string) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range w {
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			h = (h ^ uint64(c)) * 1099511628211
			continue
		}
		var buf [utf8.UTFMax]byte
		n := utf8.EncodeRune(buf[:], unicode.ToLower(c))
		for _, b := range buf[:n] {
			h = (h ^ uint64(b)) * 1099511628211
		}
	}
	return h
}

// mix is splitmix64's finalizer: a fixed, well-spread 64-bit permutation.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// minhash fills sig with, for each i, the minimum over the set of
// a_i·mix(h) + b_i (mod 2^64), a_i odd: one mix per shingle and one
// multiply-add per row (a mix per row cost 3× the CPU).
func minhash(set []uint64, sig []uint64) {
	for i := range sig {
		sig[i] = ^uint64(0)
	}
	for _, h := range set {
		x := mix(h)
		for i := range sig {
			v := x*permA[i] + permB[i]
			if v < sig[i] {
				sig[i] = v
			}
		}
	}
}

// permA and permB are fixed, so that clusters are the same in every run.
var permA, permB = perms(256)

func perms(n int) (a, b []uint64) {
	a, b = make([]uint64, n), make([]uint64, n)
	for i := range a {
		a[i] = mix(uint64(2*i+1)) | 1
		b[i] = mix(uint64(2*i + 2))
	}
	return a, b
}

// sizesAllow reports whether sets of sizes a and b can reach Jaccard t:
// J <= min/max.
func sizesAllow(a, b int, t float64) bool {
	if a > b {
		a, b = b, a
	}
	return float64(a) >= t*float64(b)
}

// jaccard is |a∩b| / |a∪b| of two sorted distinct sets.
func jaccard(a, b []uint64) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	inter := 0
	for i, j := 0, 0; i < len(a) && j < len(b); {
		switch {
		case a[i] == b[j]:
			inter++
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return float64(inter) / float64(len(a)+len(b)-inter)
}

// Cluster is a group of near-duplicate items of one benchmark.
type Cluster struct {
	// ID is the id of the first member in load order; members carry it
	// in leakhound.Item.Cluster.
	ID string
	// Benchmark is the members' benchmark.
	Benchmark string
	// Members are the item ids in load order.
	Members []string
	// MinJaccard is the lowest confirmed pair similarity that joined the
	// cluster.
	MinJaccard float64

	firstIndex int
}

// FindClusters groups near-duplicate items within each benchmark. Items of
// different benchmarks are never compared. Clusters come out in the order
// of their first member.
func FindClusters(items []leakhound.Item, cfg ClusterConfig) []Cluster {
	byBench := make(map[string][]int)
	var order []string
	for i, it := range items {
		if _, ok := byBench[it.Benchmark]; !ok {
			order = append(order, it.Benchmark)
		}
		byBench[it.Benchmark] = append(byBench[it.Benchmark], i)
	}
	// Benchmarks are independent: check them in parallel.
	results := make([][]Cluster, len(order))
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i, b := range order {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			results[i] = clusterGroup(items, byBench[b], cfg)
			<-sem
		}()
	}
	wg.Wait()
	var out []Cluster
	for _, r := range results {
		out = append(out, r...)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].firstIndex < out[j].firstIndex })
	for i := range out {
		out[i].firstIndex = 0
	}
	return out
}

// MarkClusters sets Item.Cluster on every member of a near-duplicate
// cluster and returns the clusters.
func MarkClusters(items []leakhound.Item, cfg ClusterConfig) []Cluster {
	cs := FindClusters(items, cfg)
	idx := make(map[string]int, len(items))
	for i, it := range items {
		idx[it.ID] = i
	}
	for _, c := range cs {
		for _, m := range c.Members {
			items[idx[m]].Cluster = c.ID
		}
	}
	return cs
}

// clusterGroup clusters the items at positions idx (one benchmark).
func clusterGroup(items []leakhound.Item, idx []int, cfg ClusterConfig) []Cluster {
	if cfg.Bands*cfg.Rows > len(permA) || cfg.Bands < 1 || cfg.Rows < 1 || cfg.Shingle < 1 {
		cfg = DefaultClusterConfig
	}
	sets := make([][]uint64, len(idx))
	keys := make([]uint64, len(idx)*cfg.Bands) // band hashes of item k at k*Bands
	buckets := make(map[uint64][]int32)
	sig := make([]uint64, cfg.Bands*cfg.Rows)
	for k, i := range idx {
		sets[k] = shingles(items[i].Text, cfg.Shingle)
		if len(sets[k]) == 0 {
			continue
		}
		minhash(sets[k], sig)
		for b := 0; b < cfg.Bands; b++ {
			h := mix(uint64(b) + 1)
			for _, v := range sig[b*cfg.Rows : (b+1)*cfg.Rows] {
				h = mix(h ^ v)
			}
			keys[k*cfg.Bands+b] = h
			buckets[h] = append(buckets[h], int32(k))
		}
	}
	uf := newUnionFind(len(idx))
	minJ := make(map[int]float64)
	// stamp[m] == k+1 once the pair (k, m) is checked: a pair sharing
	// several bands is compared once, without a map of pairs (a map cost
	// 2.5 s on MMLU, whose 895 moral_scenarios items share a template).
	stamp := make([]int32, len(idx))
	for k := range idx {
		if len(sets[k]) == 0 {
			continue
		}
		for b := 0; b < cfg.Bands; b++ {
			for _, m := range buckets[keys[k*cfg.Bands+b]] {
				if int(m) <= k || stamp[m] == int32(k+1) {
					continue
				}
				stamp[m] = int32(k + 1)
				if !sizesAllow(len(sets[k]), len(sets[m]), cfg.Threshold) {
					continue
				}
				if j := jaccard(sets[k], sets[m]); j >= cfg.Threshold {
					uf.union(k, int(m), j, minJ)
				}
			}
		}
	}
	return uf.clusters(items, idx, minJ)
}

type unionFind struct{ parent []int }

func newUnionFind(n int) *unionFind {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	return &unionFind{p}
}

func (u *unionFind) find(x int) int {
	for u.parent[x] != x {
		u.parent[x] = u.parent[u.parent[x]]
		x = u.parent[x]
	}
	return x
}

// union joins a and b, the smaller index becoming the root, and keeps the
// lowest pair similarity per root in minJ.
func (u *unionFind) union(a, b int, j float64, minJ map[int]float64) {
	ra, rb := u.find(a), u.find(b)
	if ra > rb {
		ra, rb = rb, ra
	}
	low := j
	for _, r := range []int{ra, rb} {
		if v, ok := minJ[r]; ok && v < low {
			low = v
		}
	}
	delete(minJ, rb)
	u.parent[rb] = ra
	minJ[ra] = low
}

func (u *unionFind) clusters(items []leakhound.Item, idx []int, minJ map[int]float64) []Cluster {
	members := make(map[int][]int)
	for k := range idx {
		r := u.find(k)
		members[r] = append(members[r], k)
	}
	var out []Cluster
	for r, ms := range members {
		if len(ms) < 2 {
			continue
		}
		sort.Ints(ms)
		c := Cluster{ID: items[idx[ms[0]]].ID, Benchmark: items[idx[ms[0]]].Benchmark, MinJaccard: minJ[r], firstIndex: idx[ms[0]]}
		for _, k := range ms {
			c.Members = append(c.Members, items[idx[k]].ID)
		}
		out = append(out, c)
	}
	return out
}
