package scan

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakhound/leakhound"
	"github.com/leakhound/leakhound/corpus"
	"github.com/leakhound/leakhound/evalset"
	"github.com/leakhound/leakhound/internal/cputime"
	"github.com/leakhound/leakhound/internal/shareddata"
	"github.com/leakhound/leakhound/internal/textgen"
	"github.com/leakhound/leakhound/match"
)

// benchCorpus returns a JSONL corpus of about size bytes with 2.7 KB
// records, like shared/bench/gen_corpus.py's, or the file named by
// LEAKHOUND_BENCH_CORPUS.
func benchCorpus(b *testing.B, size int) []byte {
	if p := os.Getenv("LEAKHOUND_BENCH_CORPUS"); p != "" {
		data, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		return data
	}
	g := textgen.New(11, 100000)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for i := 0; buf.Len() < size; i++ {
		enc.Encode(map[string]string{"id": fmt.Sprintf("doc-%08d", i), "text": g.Paragraph(2700)})
	}
	return buf.Bytes()
}

// benchItems returns n generated benchmark items of about 67 words.
func benchItems(n int) []leakhound.Item {
	g := textgen.New(12, 100000)
	items := make([]leakhound.Item, n)
	for i := range items {
		items[i] = leakhound.Item{ID: fmt.Sprint("bench/", i), Benchmark: "bench", Text: g.Paragraph(450)}
	}
	return items
}

func benchmarkScan(b *testing.B, items []leakhound.Item, methods []string, data []byte, workers int) {
	o := match.DefaultOptions()
	o.Methods = methods
	set, err := match.NewSet(items, o)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	cpu := cputime.Used()
	for b.Loop() {
		in := corpus.FromReader("bench.jsonl", bytes.NewReader(data), int64(len(data)))
		if _, _, err := Run(context.Background(), set, []corpus.Input{in}, Options{Workers: workers}); err != nil {
			b.Fatal(err)
		}
	}
	cputime.Report(b, b.N, cpu, int64(len(data)))
}

// BenchmarkScan measures the whole scan (read, extract, tokenize, probe,
// verify) of a 32 MB JSONL corpus against 5,000 generated items, per
// method, on one worker and on all.
func BenchmarkScan(b *testing.B) {
	data := benchCorpus(b, 32<<20)
	items := benchItems(5000)
	for _, method := range match.Methods {
		for _, workers := range []int{1, 0} {
			b.Run(fmt.Sprintf("%s/workers=%d", method, workers), func(b *testing.B) {
				benchmarkScan(b, items, []string{method}, data, workers)
			})
		}
	}
}

// BenchmarkScanSharedData is the target configuration: gpt3
// against every benchmark in ../shared/data/normalized (skipped without
// it), on the corpus named by LEAKHOUND_BENCH_CORPUS or a generated one;
// then gpt4 alone and the four exact methods together, as --method all
// runs them.
func BenchmarkScanSharedData(b *testing.B) {
	dir := shareddata.Dir(b)
	files, _ := filepath.Glob(filepath.Join(dir, "normalized", "*", "*.jsonl.gz"))
	var specs []string
	for _, f := range files {
		if !strings.Contains(f, "decontam_rephrase") && !strings.Contains(f, "alpaca") {
			specs = append(specs, f)
		}
	}
	items, err := evalset.LoadAll(context.Background(), specs, evalset.Options{NoClusters: true})
	if err != nil {
		b.Fatal(err)
	}
	data := benchCorpus(b, 32<<20)
	for _, methods := range [][]string{{match.GPT3}, {match.GPT4}, match.Methods} {
		b.Run(strings.Join(methods, "+"), func(b *testing.B) {
			benchmarkScan(b, items, methods, data, 1)
		})
	}
}
