package evalset

import (
	"context"
	"os"
	"strings"
	"testing"
)

// BenchmarkLoadNamed loads the nine benchmarks of the scan from
// shared/data with near-duplicate clusters, as the scan does.
func BenchmarkLoadNamed(b *testing.B) {
	data := sharedData(b)
	specs := strings.Split("gsm8k,mmlu,humaneval,cmmlu,mbpp,arc,truthfulqa,math,hellaswag", ",")
	var size int64
	for _, dir := range []string{"gsm8k", "mmlu/test", "humaneval", "cmmlu/test", "mbpp", "arc_challenge", "truthfulqa/v1", "math/hidden_cot", "hellaswag"} {
		size += dirSize(data + "/" + dir)
	}
	b.SetBytes(size)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := LoadAll(context.Background(), specs, Options{Dir: data}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkClusters measures the near-duplicate check alone on MMLU test.
func BenchmarkClusters(b *testing.B) {
	data := sharedData(b)
	items, err := LoadAll(context.Background(), []string{"mmlu"}, Options{Dir: data, NoClusters: true})
	if err != nil {
		b.Fatal(err)
	}
	var size int64
	for _, it := range items {
		size += int64(len(it.Text))
	}
	b.SetBytes(size)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		FindClusters(items, DefaultClusterConfig)
	}
}

func dirSize(dir string) int64 {
	var n int64
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if e.IsDir() {
			n += dirSize(dir + "/" + e.Name())
			continue
		}
		if info, err := e.Info(); err == nil {
			n += info.Size()
		}
	}
	return n
}
