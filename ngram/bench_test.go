package ngram

import (
	"testing"

	"github.com/leakhound/leakhound/internal/cputime"
	"github.com/leakhound/leakhound/internal/textgen"
)

func benchText() []byte {
	return []byte(textgen.New(1, 20000).Paragraph(1 << 20))
}

func BenchmarkAppendTokens(b *testing.B) {
	text := benchText()
	dst := make([]Token, 0, len(text)/4)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	cpu := cputime.Used()
	for b.Loop() {
		dst = AppendTokens(dst[:0], text)
	}
	cputime.Report(b, b.N, cpu, int64(len(text)))
}

func BenchmarkNgrams13(b *testing.B) {
	text := benchText()
	toks := AppendTokens(nil, text)
	h := make([]uint64, len(toks))
	for i, t := range toks {
		h[i] = t.Hash
	}
	dst := make([]uint64, 0, len(h))
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	cpu := cputime.Used()
	for b.Loop() {
		dst = Ngrams(dst[:0], h, 13)
	}
	cputime.Report(b, b.N, cpu, int64(len(text)))
}
