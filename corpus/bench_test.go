package corpus

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/leakhound/leakhound/internal/decompress"
)

// benchCorpus generates n JSONL documents shaped like
// shared/bench/gen_corpus.py's ({"id", "text", "source"}, ~2.7 KB of text,
// ~7.5 bytes per word). With escapes, paragraphs are joined with "\n\n",
// some words are quoted and a few are non-ASCII, as in gen_corpus.py;
// without, the text is one ASCII paragraph.
func benchCorpus(n int, escapes bool) []byte {
	rng := rand.New(rand.NewPCG(1, 2))
	words := strings.Fields("the of and to in a is that for it as was with be by on not he this are or his from at which but have an they you were her she there been one all would their we him has when who will more no if out so said what up its about into than them can only other new some could time these two may then do first any my now such like our over man me even most made after also did many before must through back years where much your way well down should because each just those people how too little state good very make world still own see men work long here get both between life being under never day same another know while last might us great old year off come since against go came right used take three general himself few house use during without again place around however home small found mrs thought went say part once high upon school every don does got united left number course war until always away something fact water though less public put think almost hand enough far took head yet government system better set told nothing night end why called didn eyes find going look asked later knew")
	special := []string{"café", "naïve", "東京", "Zürich", "\"quoted\"", "42", "3.14"}
	var b bytes.Buffer
	for i := range n {
		fmt.Fprintf(&b, `{"id": "doc-%08d", "text": "`, i)
		size := 0
		for size < 2700 {
			w := words[rng.IntN(len(words))]
			if escapes {
				switch k := rng.IntN(60); {
				case k == 0:
					w = special[rng.IntN(len(special))]
				case k == 1 && size > 0:
					b.WriteString(`.\n\n`)
					size += 3
				}
			}
			if size > 0 {
				b.WriteByte(' ')
			}
			w = strings.ReplaceAll(w, `"`, `\"`)
			b.WriteString(w)
			size += len(w) + 1
		}
		b.WriteString(`", "source": "synth-web"}` + "\n")
	}
	return b.Bytes()
}

// oneBatch reads data into a single Batch.
func oneBatch(t testing.TB, data []byte) *Batch {
	src, err := Open(memInput("bench.jsonl", data), Options{BatchBytes: len(data) + 1})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	b := new(Batch)
	if !src.NextBatch(b) {
		t.Fatal("no batch")
	}
	return b
}

func TestEachNoAllocs(t *testing.T) {
	for _, escapes := range []bool{false, true} {
		b := oneBatch(t, benchCorpus(200, escapes))
		x := NewExtractor(Options{})
		n := 0
		fn := func(r *Record) error { n += len(r.Text) + len(r.ID); return nil }
		b.Each(x, fn) // warm the scratch buffers
		if a := testing.AllocsPerRun(20, func() { b.Each(x, fn) }); a != 0 {
			t.Errorf("escapes %v: Each allocates %.1f times per batch of 200 records", escapes, a)
		}
		if read, good := b.Records(); read != 200 || good != 200 {
			t.Errorf("read %d good %d", read, good)
		}
	}
}

func TestReadAllocs(t *testing.T) {
	// Reading a file allocates per file (options, buffers), not per
	// record or per batch: 4x the records cost no more allocations.
	x := NewExtractor(Options{})
	var b Batch
	allocs := func(data []byte) float64 {
		return testing.AllocsPerRun(3, func() {
			src, err := Open(memInput("a.jsonl", data), Options{BatchBytes: 256 << 10})
			if err != nil {
				t.Fatal(err)
			}
			for src.NextBatch(&b) {
				b.Each(x, func(*Record) error { return nil })
			}
			src.Close()
		})
	}
	small, large := allocs(benchCorpus(1000, true)), allocs(benchCorpus(4000, true))
	if large > small+4 {
		t.Errorf("reading 1,000 records allocates %.0f times, 4,000 records %.0f times", small, large)
	}
}

// benchEach measures Batch.Each over data read into default-size (1 MiB)
// batches, as the scan driver sees them: each batch is extracted while it
// is in cache after the read.
func benchEach(b *testing.B, data []byte) {
	src, err := Open(memInput("bench.jsonl", data), Options{})
	if err != nil {
		b.Fatal(err)
	}
	var batches []*Batch
	for {
		batch := new(Batch)
		if !src.NextBatch(batch) {
			break
		}
		batches = append(batches, batch)
	}
	src.Close()
	x := NewExtractor(Options{})
	sum := 0
	fn := func(r *Record) error { sum += len(r.Text); return nil }
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	start := cpuTime()
	for b.Loop() {
		for _, batch := range batches {
			batch.Each(x, fn)
		}
	}
	reportCPU(b, start, int64(len(data)))
	if _, good := batches[0].Records(); good == 0 {
		b.Fatal("no records")
	}
}

// BenchmarkExtractJSONL measures Batch.Each (validation of every line,
// extraction of "text" and "id", UTF-8 check) on ASCII text without
// escapes: the cost that the corpus reader adds per byte of JSONL.
func BenchmarkExtractJSONL(b *testing.B) { benchEach(b, benchCorpus(400, false)) }

// BenchmarkExtractJSONLEscapes is the same on gen_corpus.py-like text:
// paragraph breaks ("\n\n"), quoted words and some non-ASCII words.
func BenchmarkExtractJSONLEscapes(b *testing.B) { benchEach(b, benchCorpus(400, true)) }

// benchRead measures the whole reader: Open, decompression, NextBatch and
// Each, on one goroutine.
func benchRead(b *testing.B, raw []byte, z []byte) {
	x := NewExtractor(Options{})
	var batch Batch
	fn := func(r *Record) error { return nil }
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	start := cpuTime()
	for b.Loop() {
		src, err := Open(memInput("bench", z), Options{})
		if err != nil {
			b.Fatal(err)
		}
		for src.NextBatch(&batch) {
			batch.Each(x, fn)
		}
		src.Close()
	}
	reportCPU(b, start, int64(len(raw)))
}

func BenchmarkReadJSONL(b *testing.B) {
	raw := benchCorpus(4000, true)
	benchRead(b, raw, raw)
}

func BenchmarkReadJSONLGzip(b *testing.B) {
	raw := benchCorpus(4000, true)
	benchRead(b, raw, gzipBytes(b, raw))
}

func BenchmarkReadJSONLZstd(b *testing.B) {
	raw := benchCorpus(4000, true)
	benchRead(b, raw, zstdBytes(b, raw))
}

// BenchmarkExtractJSONLCorpus runs Batch.Each on the first 64 MB of the
// JSONL file named by LEAKHOUND_BENCH_CORPUS, for example the corpus.jsonl
// written by shared/bench/gen_corpus.py.
func BenchmarkExtractJSONLCorpus(b *testing.B) {
	p := os.Getenv("LEAKHOUND_BENCH_CORPUS")
	if p == "" {
		b.Skip("set LEAKHOUND_BENCH_CORPUS to a JSONL file")
	}
	f, err := os.Open(p)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, 64<<20))
	if err != nil {
		b.Fatal(err)
	}
	data = data[:bytes.LastIndexByte(data, '\n')+1]
	benchEach(b, data)
}

// BenchmarkBaselineEncodingJSON decodes the same lines as
// BenchmarkExtractJSONLEscapes with encoding/json into a struct: the
// approach the extractor replaces (266 MB/s per core on the reference
// machine, shared/reference/performance.md §4).
func BenchmarkBaselineEncodingJSON(b *testing.B) {
	data := benchCorpus(400, true)
	lines := bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
	var rec struct{ ID, Text string }
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	start := cpuTime()
	for b.Loop() {
		for _, l := range lines {
			if err := json.Unmarshal(l, &rec); err != nil {
				b.Fatal(err)
			}
		}
	}
	reportCPU(b, start, int64(len(data)))
}

// benchDecompress measures decompression alone, the floor under
// BenchmarkReadJSONLGzip and BenchmarkReadJSONLZstd.
func benchDecompress(b *testing.B, raw, z []byte) {
	buf := make([]byte, 1<<20)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	start := cpuTime()
	for b.Loop() {
		m := decompress.Sniff(z)
		r, err := decompress.NewReader(m, bytes.NewReader(z))
		if err != nil {
			b.Fatal(err)
		}
		for {
			if _, err := r.Read(buf); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
		r.Close()
	}
	reportCPU(b, start, int64(len(raw)))
}

func BenchmarkBaselineGunzip(b *testing.B) {
	raw := benchCorpus(4000, true)
	benchDecompress(b, raw, gzipBytes(b, raw))
}

func BenchmarkBaselineZstd(b *testing.B) {
	raw := benchCorpus(4000, true)
	benchDecompress(b, raw, zstdBytes(b, raw))
}
