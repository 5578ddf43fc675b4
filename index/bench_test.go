package index

import (
	"math/rand/v2"
	"testing"

	"github.com/leakhound/leakhound/internal/cputime"
)

// BenchmarkProbe measures the corpus side of the index: one MayContain
// per seed n-gram, and Lookup for the few that pass, against an index the
// with 3 M keys (all of shared/data indexed at every position, as palm
// needs: a 4 MB Bloom filter and 36 MB of slots). Almost every probe misses, as in a clean corpus; the metric is
// probes per second.
func BenchmarkProbe(b *testing.B) {
	r := rand.New(rand.NewPCG(1, 1))
	tokens, starts := randomItems(r, 30000, 100)
	ix, err := Build(tokens, starts, 8, 1, 0)
	if err != nil {
		b.Fatal(err)
	}
	probes := make([]uint64, 1<<16)
	for i := range probes {
		probes[i] = r.Uint64()
	}
	b.ReportAllocs()
	cpu := cputime.Used()
	hits := 0
	for b.Loop() {
		for _, g := range probes {
			if ix.MayContain(g) && len(ix.Lookup(g)) > 0 {
				hits++
			}
		}
	}
	b.ReportMetric(float64(b.N*len(probes))/(cputime.Used()-cpu).Seconds()/1e6, "Mprobes/cpu-s")
	b.ReportMetric(float64(ix.Bytes())/1e6, "index-MB")
}
