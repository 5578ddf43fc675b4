package shareddata

import (
	"bufio"
	"encoding/json"
	"os"
	"testing"

	"github.com/leakhound/leakhound/internal/cputime"
	"github.com/leakhound/leakhound/internal/textgen"
)

// benchDocBytes is how much record text BenchDocs returns.
const benchDocBytes = 8 << 20

// BenchDocs returns 8 MB of record texts for the record-side benchmarks of
// the detectors: the "text" fields of the JSONL file named by
// LEAKHOUND_BENCH_CORPUS (for example the corpus of
// shared/bench/gen_corpus.py), else generated 2.7 KB English-like
// paragraphs. It returns the texts and their total size.
func BenchDocs(tb testing.TB) ([][]byte, int) {
	tb.Helper()
	if p := os.Getenv("LEAKHOUND_BENCH_CORPUS"); p != "" {
		return corpusDocs(tb, p)
	}
	var docs [][]byte
	size := 0
	g := textgen.New(7, 100000)
	for size < benchDocBytes {
		t := []byte(g.Paragraph(2700))
		docs = append(docs, t)
		size += len(t)
	}
	return docs, size
}

func corpusDocs(tb testing.TB, path string) ([][]byte, int) {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var docs [][]byte
	size := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for sc.Scan() && size < benchDocBytes {
		var r struct{ Text string }
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			tb.Fatalf("%s: %v", path, err)
		}
		docs = append(docs, []byte(r.Text))
		size += len(r.Text)
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return docs, size
}

// BenchDetect is the record-side benchmark loop of the detectors: each
// iteration of b runs detect over every doc (size bytes in all), and it
// reports MB/s, allocations and MB per CPU-second.
func BenchDetect(b *testing.B, docs [][]byte, size int, detect func([]byte) error) {
	b.Helper()
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cputime.Used()
	for b.Loop() {
		for _, t := range docs {
			if err := detect(t); err != nil {
				b.Fatal(err)
			}
		}
	}
	cputime.Report(b, b.N, cpu, int64(size))
}
