package neardup

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/leakhound/leakhound"
	"github.com/leakhound/leakhound/internal/cputime"
	"github.com/leakhound/leakhound/internal/shareddata"
	"github.com/leakhound/leakhound/internal/textgen"
	"github.com/leakhound/leakhound/ngram"
)

// BenchmarkDetect measures the record side against 5,000 generated items
// on one 1 MB generated record.
func BenchmarkDetect(b *testing.B) {
	items := testItems(5000)
	d := New(items, 0.4)
	g := textgen.New(5, 100000)
	text := []byte(g.Paragraph(1 << 20))
	w := d.NewWorker()
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cputime.Used()
	for b.Loop() {
		if _, err := w.Detect(nil, text); err != nil {
			b.Fatal(err)
		}
	}
	cputime.Report(b, b.N, cpu, int64(len(text)))
}

// BenchmarkDetectSharedData measures the record side against every item
// of the nine benchmarks of doc/performance.md's scan runs, on 8 MB of
// records from LEAKHOUND_BENCH_CORPUS (the synthetic corpus) or of
// generated text; "reference" is the implementation before the record side
// was made fast (reference_test.go).
func BenchmarkDetectSharedData(b *testing.B) {
	items := sharedItems(b)
	docs, size := shareddata.BenchDocs(b)
	benchBoth(b, items, docs, size)
}

// BenchmarkDetectPlanted is BenchmarkDetectSharedData on records that each
// hold an edited copy of a benchmark item (see perturb), so that every
// record has a candidate to verify.
func BenchmarkDetectPlanted(b *testing.B) {
	items := sharedItems(b)
	g := textgen.New(41, 30000)
	r := rand.New(rand.NewPCG(41, 42))
	var docs [][]byte
	size := 0
	for size < 8<<20 {
		parts := []string{g.Paragraph(r.IntN(2000)), perturb(r, g, items[r.IntN(len(items))].Text), g.Paragraph(r.IntN(1000))}
		t := []byte(strings.Join(parts, " "))
		docs = append(docs, t)
		size += len(t)
	}
	benchBoth(b, items, docs, size)
}

// benchBoth runs Detect of the detector and of the reference over docs,
// and the tokenizer alone ("tokenize": the floor of Detect, which
// tokenizes every record).
func benchBoth(b *testing.B, items []leakhound.Item, docs [][]byte, size int) {
	fast := New(items, 0.4).NewWorker()
	ref := refNew(items, 0.4).newWorker()
	var toks []ngram.Token
	tokenize := func(dst []leakhound.Finding, text []byte) ([]leakhound.Finding, error) {
		toks = ngram.AppendTokens(toks[:0], text)
		return dst, nil
	}
	for _, c := range []struct {
		name   string
		detect func([]leakhound.Finding, []byte) ([]leakhound.Finding, error)
	}{{"fast", fast.Detect}, {"reference", ref.Detect}, {"tokenize", tokenize}} {
		b.Run(c.name, func(b *testing.B) {
			shareddata.BenchDetect(b, docs, size, func(t []byte) error {
				_, err := c.detect(nil, t)
				return err
			})
		})
	}
}

// BenchmarkDetectTokens is BenchmarkDetectSharedData on records already
// tokenized: the part of the record side that a caller sharing its tokens
// (package match) would pay.
func BenchmarkDetectTokens(b *testing.B) {
	items := sharedItems(b)
	d := New(items, 0.4)
	docs, size := shareddata.BenchDocs(b)
	toks := make([][]ngram.Token, len(docs))
	for i, t := range docs {
		toks[i] = ngram.AppendTokens(nil, t)
	}
	w := d.NewWorker()
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cputime.Used()
	for b.Loop() {
		for _, ts := range toks {
			w.DetectTokens(nil, ts)
		}
	}
	cputime.Report(b, b.N, cpu, int64(size))
}
