package lineage_test

import (
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/leakhound/leakhound/lineage"
	"github.com/leakhound/leakhound/lineage/synth"
	"github.com/leakhound/leakhound/weights"
)

// benchSpec is a scaled-down llama: d = 1024, FFN 2816 (the 7B ratio
// 11008/4096 ≈ 2.7), 4 layers, vocab 8192: 63.5M parameters, 127 MB in BF16.
func benchSpec() synth.Spec {
	return synth.Spec{Vocab: 8192, Hidden: 1024, Layers: 4, Heads: 16, KVHeads: 8, FFN: 2816, Seed: 1, TokSeed: 1}
}

func cpuSeconds() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// BenchmarkCompare measures the throughput of a full comparison (every
// tensor of both models read once, plus the MLP test) of BF16 safetensors
// folders. Besides MB/s (wall clock) it reports GB per CPU-second, which is
// stable when the machine is shared.
func BenchmarkCompare(b *testing.B) {
	dir := b.TempDir()
	s := benchSpec()
	base := synth.Base(s)
	models := map[string]*synth.Model{
		"base": base, "derived": synth.FineTune(base, 0.3, 2), "independent": synth.Independent(s, 99),
	}
	for name, m := range models {
		if err := synth.WriteHF(filepath.Join(dir, name), m, weights.BF16, 1); err != nil {
			b.Fatal(err)
		}
	}
	for _, other := range []string{"derived", "independent"} {
		for _, fast := range []bool{false, true} {
			name := other
			if fast {
				name += "-fast"
			}
			b.Run(name, func(b *testing.B) { benchPair(b, dir, other, fast) })
		}
	}
}

func benchPair(b *testing.B, dir, other string, fast bool) {
	ma, err := lineage.Load(filepath.Join(dir, "base"))
	if err != nil {
		b.Fatal(err)
	}
	defer ma.Close()
	mb, err := lineage.Load(filepath.Join(dir, other))
	if err != nil {
		b.Fatal(err)
	}
	defer mb.Close()
	b.SetBytes(ma.Bytes + mb.Bytes)
	b.ReportAllocs()
	cpu0 := cpuSeconds()
	for b.Loop() {
		if _, err := lineage.Compare(ma, mb, lineage.Options{SkipContext: fast}); err != nil {
			b.Fatal(err)
		}
	}
	cpu := (cpuSeconds() - cpu0) / float64(b.N)
	b.ReportMetric(cpu, "cpu-s/op")
	b.ReportMetric(float64(ma.Bytes+mb.Bytes)/1e9/cpu, "GB/cpu-s")
}
