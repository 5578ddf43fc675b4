package lineage

import (
	"math/rand/v2"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/leakhound/leakhound/weights"
)

// The benchmarks in this file measure the three cost components of a
// comparison at Llama-2-7B shapes (d = 4096, FFN 11008), from which
// doc/lineage.md estimates the time of a full 7B comparison:
// align (once) + 32 × (stream one layer pair + match one layer).

func cpuNow() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

func reportCPU(b *testing.B, cpu0 float64, bytes int64) {
	cpu := (cpuNow() - cpu0) / float64(b.N)
	b.ReportMetric(cpu, "cpu-s/op")
	if bytes > 0 {
		b.ReportMetric(float64(bytes)/1e9/cpu, "GB/cpu-s")
	}
}

func gaussMem(r *rand.Rand, n int, std float64) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(r.NormFloat64() * std)
	}
	return x
}

// layerPairFiles writes one 7B-shaped decoder layer for two models as BF16
// safetensors (404 MB each) and returns them opened.
func layerPairFiles(b *testing.B) (*Model, *Model) {
	r := rand.New(rand.NewPCG(1, 2))
	var ms [2]*Model
	for k := range ms {
		m := weights.NewMem()
		for _, t := range []struct {
			name string
			rows int
			cols int
		}{{"q_proj", 4096, 4096}, {"k_proj", 4096, 4096}, {"v_proj", 4096, 4096}, {"o_proj", 4096, 4096},
			{"gate_proj", 11008, 4096}, {"up_proj", 11008, 4096}, {"down_proj", 4096, 11008}} {
			prefix := "model.layers.0.self_attn."
			if t.name[1] != '_' {
				prefix = "model.layers.0.mlp."
			}
			m.Set(prefix+t.name+".weight", []int64{int64(t.rows), int64(t.cols)}, gaussMem(r, t.rows*t.cols, 0.02))
		}
		m.Set("model.layers.0.input_layernorm.weight", []int64{4096}, gaussMem(r, 4096, 1))
		path := filepath.Join(b.TempDir(), "m.safetensors")
		if err := weights.WriteSafetensors(path, m, weights.BF16, nil); err != nil {
			b.Fatal(err)
		}
		w, err := weights.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { w.Close() })
		ms[k] = &Model{Path: path, W: w, Bytes: w.Size()}
	}
	return ms[0], ms[1]
}

// BenchmarkStreamLayer7B streams one 7B layer pair (808 MB of BF16):
// decode, moments, exact-reuse comparison and the gate/up projections.
func BenchmarkStreamLayer7B(b *testing.B) {
	a, bb := layerPairFiles(b)
	c := &comparer{a: a, b: bb, opt: Options{}.withDefaults(), secs: map[string]float64{}}
	_, c.sa, c.sb = mapTensors(a.W.Tensors(), bb.W.Tensors())
	c.al = identityAlignment(4096, "")
	c.setDims()
	b.SetBytes(a.Bytes + bb.Bytes)
	b.ReportAllocs()
	cpu0 := cpuNow()
	for b.Loop() {
		st := &passStats{stdA: map[Slot]float64{}, stdB: map[Slot]float64{}}
		if err := c.statLayer(st, [2]int{0, 0}); err != nil {
			b.Fatal(err)
		}
		if _, err := c.readMLP(st, [2]int{0, 0}, true); err != nil { // with the projections
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu0, a.Bytes+bb.Bytes)
}

// BenchmarkMatchLayer7B is the neuron test of one 7B layer: 256 sampled
// neurons against 11008, on 512 aligned dims, for gate and up.
func BenchmarkMatchLayer7B(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 4))
	const h, k = 11008, 512
	c := &comparer{opt: Options{}.withDefaults(), dimsA: make([]int, k)}
	for s := 0; s < 2; s++ {
		for t := 0; t < 2; t++ {
			c.proj[s][t] = gaussMem(r, h*k, 1)
			normalizeRows(c.proj[s][t], k)
		}
	}
	b.ReportAllocs()
	cpu0 := cpuNow()
	for b.Loop() {
		if _, err := c.testLayer(0, 0); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu0, 0)
}

// BenchmarkAlign7B is the residual alignment at d = 4096 over 4096 shared
// tokens (independent models: the slow case for the assignment).
func BenchmarkAlign7B(b *testing.B) {
	r := rand.New(rand.NewPCG(5, 6))
	const d, t = 4096, 4096
	ca, cb := gaussMem(r, d*t, 1), gaussMem(r, d*t, 1)
	normalizeRows(ca, t)
	normalizeRows(cb, t)
	b.ReportAllocs()
	cpu0 := cpuNow()
	for b.Loop() {
		var al Alignment
		al.matchColumns(ca, d, cb, d, t)
	}
	reportCPU(b, cpu0, 0)
}
