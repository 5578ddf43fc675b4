package evalset

import (
	"sort"
	"strings"

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

// DefaultClusterConfig uses word 5-grams, 20 bands of 5 rows and a 0.8
// Jaccard threshold. With 20×5 a pair at Jaccard 0.8 becomes a candidate
// with probability 1-(1-0.8^5)^20 = 0.9996, a pair at 0.5 with 0.47; the
// exact check removes the false candidates.
var DefaultClusterConfig = ClusterConfig{Shingle: 5, Bands: 20, Rows: 5, Threshold: 0.8}

// shingles returns the sorted, distinct shingle hashes of s.
func shingles(s string, n int) []uint64 {
	var words []string
	forEachWord(s, func(w string) { words = append(words, strings.ToLower(w)) })
	if len(words) == 0 {
		return nil
	}
	hashRun := func(ws []string) uint64 {
		h := uint64(14695981039346656037)
		for _, w := range ws {
			for i := 0; i < len(w); i++ {
				h ^= uint64(w[i])
				h *= 1099511628211
			}
			h ^= 0xff // word separator
			h *= 1099511628211
		}
		return h
	}
	var out []uint64
	if len(words) < n {
		out = append(out, hashRun(words))
	} else {
		for i := 0; i+n <= len(words); i++ {
			out = append(out, hashRun(words[i:i+n]))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return dedupSorted(out)
}

func dedupSorted(a []uint64) []uint64 {
	if len(a) == 0 {
		return a
	}
	j := 1
	for i := 1; i < len(a); i++ {
		if a[i] != a[j-1] {
			a[j] = a[i]
			j++
		}
	}
	return a[:j]
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

// minhash fills sig with the minimum over set of mix(h ^ seed_i).
func minhash(set []uint64, sig []uint64) {
	for i := range sig {
		sig[i] = ^uint64(0)
	}
	for _, h := range set {
		for i := range sig {
			v := mix(h ^ (uint64(i+1) * 0x9e3779b97f4a7c15))
			if v < sig[i] {
				sig[i] = v
			}
		}
	}
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
	var out []Cluster
	for _, b := range order {
		out = append(out, clusterGroup(items, byBench[b], cfg)...)
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
	sets := make([][]uint64, len(idx))
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
			buckets[h] = append(buckets[h], int32(k))
		}
	}
	uf := newUnionFind(len(idx))
	minJ := make(map[int]float64)
	checked := make(map[[2]int32]bool)
	keys := make([]uint64, 0, len(buckets))
	for h := range buckets {
		keys = append(keys, h)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	for _, h := range keys {
		m := buckets[h]
		for a := 0; a < len(m); a++ {
			for b := a + 1; b < len(m); b++ {
				pair := [2]int32{m[a], m[b]}
				if checked[pair] {
					continue
				}
				checked[pair] = true
				if j := jaccard(sets[m[a]], sets[m[b]]); j >= cfg.Threshold {
					uf.union(int(m[a]), int(m[b]), j, minJ)
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
