package lm

import (
	"bytes"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

var corpus = []string{
	"Natalia sold clips to 48 of her friends in April.",
	"She sold half as many clips in May.",
	"How many clips did Natalia sell altogether in April and May?",
	"Weng earns $12 an hour for babysitting.\nYesterday, she just did 50 minutes of babysitting.",
	"The quick brown fox jumps over the lazy dog.",
}

func trained(t testing.TB, kind string, order int) *Model {
	t.Helper()
	tok := NewByteTokenizer()
	if kind == KindWord {
		tok = NewWordTokenizer(corpus, 1)
	}
	tr, err := NewTrainer(tok, order)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range corpus {
		tr.Add(d, 1)
	}
	return tr.Build()
}

func TestTokenizerRoundTrip(t *testing.T) {
	word := NewWordTokenizer(corpus, 1)
	for _, s := range []string{"", " ", "  x", "a  b\n\n c", "Natalia sold 48 clips.", "héllo wörld 你好", "\xff\xfe bad", "tab\there "} {
		for _, tok := range []*Tokenizer{NewByteTokenizer(), word} {
			if got := tok.Decode(tok.Encode(s)); got != s {
				t.Errorf("%s: Decode(Encode(%q)) = %q", tok.Kind(), s, got)
			}
		}
		if got := strings.Join(Pretokenize(s), ""); got != s {
			t.Errorf("Pretokenize(%q) joins to %q", s, got)
		}
	}
	ids := word.Encode("Natalia sold")
	if len(ids) != 2 {
		t.Errorf("word tokenizer: %d tokens for two known words, want 2", len(ids))
	}
}

func FuzzTokenizerRoundTrip(f *testing.F) {
	word := NewWordTokenizer(corpus, 1)
	for _, s := range corpus {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got := word.Decode(word.Encode(s)); got != s {
			t.Fatalf("round trip %q -> %q", s, got)
		}
	})
}

func TestDistSumsToOne(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, kind := range []string{KindByte, KindWord} {
		m := trained(t, kind, 5)
		for i := 0; i < 200; i++ {
			doc := m.tok.Encode(corpus[rng.IntN(len(corpus))])
			ctx := doc[:rng.IntN(len(doc)+1)]
			if rng.IntN(4) == 0 { // random, mostly unseen contexts
				for j := range ctx {
					ctx[j] = rng.IntN(m.VocabSize() - 2)
				}
			}
			d := m.Dist(ctx)
			var sum float64
			for _, p := range d {
				sum += p
			}
			if math.Abs(sum-1) > 1e-9 {
				t.Fatalf("%s: sum of Dist(%v) = %.12f", kind, ctx, sum)
			}
			if d[BOS] != 0 {
				t.Fatalf("p(BOS) = %g", d[BOS])
			}
		}
	}
}

func TestScoreConsistent(t *testing.T) {
	m := trained(t, KindWord, 4)
	ids := m.tok.Encode("She sold half as many clips to her friends in May.")
	lp := m.LogProbs(ids)
	sc := m.Score(ids, true, m.VocabSize())
	for i := range ids {
		d := m.Dist(ids[:i])
		want := math.Log(d[ids[i]])
		if math.Abs(lp[i]-want) > 1e-12 || math.Abs(sc.LP[i]-want) > 1e-12 {
			t.Fatalf("pos %d: LogProbs %g, Score %g, Dist %g", i, lp[i], sc.LP[i], want)
		}
		mo := MomentsOf(d)
		if math.Abs(sc.Moments[i].Mu-mo.Mu) > 1e-9 || math.Abs(sc.Moments[i].Sigma-mo.Sigma) > 1e-9 {
			t.Fatalf("pos %d: moments %v vs %v", i, sc.Moments[i], mo)
		}
		if len(sc.Top[i]) != m.VocabSize()-1 {
			t.Fatalf("pos %d: %d alternatives, want %d", i, len(sc.Top[i]), m.VocabSize()-1)
		}
	}
}

func TestMemorisation(t *testing.T) {
	tests := []struct {
		kind  string
		order int
	}{{KindByte, 8}, {KindWord, 4}}
	for _, tc := range tests {
		m := trained(t, tc.kind, tc.order)
		seen := mean(m.LogProbs(m.tok.Encode(corpus[1])))
		unseen := mean(m.LogProbs(m.tok.Encode("A horse ate seven red apples on Sunday.")))
		if seen <= unseen+0.5 {
			t.Errorf("%s: mean lp of a training doc %.3f not above unseen %.3f", tc.kind, seen, unseen)
		}
		prefix := m.tok.Encode("Natalia sold clips to 48")
		want := m.tok.Encode(" of her friends")
		got := m.Greedy(prefix, len(want))
		if m.tok.Decode(got) != m.tok.Decode(want) {
			t.Errorf("%s: greedy %q, want %q", tc.kind, m.tok.Decode(got), m.tok.Decode(want))
		}
	}
}

func mean(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

func TestSampleDeterministic(t *testing.T) {
	m := trained(t, KindByte, 6)
	p := m.tok.Encode("She sold")
	a := m.Sample(p, 40, 0.8, rand.New(rand.NewPCG(7, 7)))
	b := m.Sample(p, 40, 0.8, rand.New(rand.NewPCG(7, 7)))
	if m.tok.Decode(a) != m.tok.Decode(b) || len(a) == 0 {
		t.Fatalf("same seed gave %q and %q", m.tok.Decode(a), m.tok.Decode(b))
	}
	g := m.Generate(p, 200, 0, nil)
	if g[len(g)-1].ID != EOS {
		t.Errorf("greedy generation of a memorised doc did not stop at EOS: %q", m.tok.Decode(stepIDs(g)))
	}
}

func TestSaveLoad(t *testing.T) {
	for _, kind := range []string{KindByte, KindWord} {
		m := trained(t, kind, 5)
		var a, b bytes.Buffer
		if err := m.Save(&a); err != nil {
			t.Fatal(err)
		}
		if err := m.Save(&b); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Errorf("%s: two saves differ", kind)
		}
		m2, err := Load(bytes.NewReader(a.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		ids := m.tok.Encode(corpus[3] + " unseen tail")
		x, y := m.LogProbs(ids), m2.LogProbs(m2.tok.Encode(corpus[3]+" unseen tail"))
		for i := range x {
			if x[i] != y[i] {
				t.Fatalf("%s: pos %d: %g after load, %g before", kind, i, y[i], x[i])
			}
		}
	}
}

func TestLoadRejectsGarbage(t *testing.T) {
	for _, in := range []string{"", "not gzip", "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"} {
		if _, err := Load(strings.NewReader(in)); err == nil {
			t.Errorf("Load(%q) succeeded", in)
		}
	}
	if _, err := NewTrainer(NewByteTokenizer(), 0); err == nil {
		t.Error("order 0 accepted")
	}
}

func BenchmarkScore(b *testing.B) {
	m := trained(b, KindByte, 8)
	text := strings.Join(corpus, "\n")
	ids := m.tok.Encode(text)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		m.LogProbs(ids)
	}
}

// TestSparseMatchesDense checks the sparse top-k, rank and greedy paths
// against the dense distribution on seen and unseen text.
func TestSparseMatchesDense(t *testing.T) {
	for _, kind := range []string{KindByte, KindWord} {
		m := trained(t, kind, 4)
		ids := m.tok.Encode("She sold half as many clips to 48 foxes in May, quickly!")
		m.PromptStats(ids, 7, true, func(i int, lp float64, rank int, top []Alt) {
			d := m.Dist(ids[:i])
			if math.Abs(lp-math.Log(d[ids[i]])) > 1e-12 {
				t.Fatalf("%s pos %d: lp %g vs %g", kind, i, lp, math.Log(d[ids[i]]))
			}
			want := 1
			for _, q := range d {
				if q > d[ids[i]]*(1+1e-12) {
					want++
				}
			}
			if rank != want {
				t.Fatalf("%s pos %d: rank %d, dense %d", kind, i, rank, want)
			}
			dt := TopOf(d, 7)
			for j := range dt {
				if math.Abs(top[j].LP-dt[j].LP) > 1e-9 || top[j].ID != dt[j].ID && math.Abs(top[j].LP-dt[j].LP) > 1e-12 {
					t.Fatalf("%s pos %d: top %v, dense %v", kind, i, top, dt)
				}
			}
		})
		g := m.Greedy(ids[:5], 10)
		h := append([]int(nil), ids[:5]...)
		for _, w := range g {
			d := m.Dist(h)
			if best := TopOf(d, 1)[0].ID; best != w {
				t.Fatalf("%s: greedy %d, dense argmax %d", kind, w, best)
			}
			h = append(h, w)
		}
	}
}

func FuzzLoad(f *testing.F) {
	var b bytes.Buffer
	tr, _ := NewTrainer(NewWordTokenizer(corpus[:2], 1), 2)
	tr.Add(corpus[0], 1)
	tr.Build().Save(&b)
	f.Add(b.Bytes())
	f.Add([]byte("\x1f\x8b garbage"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Load(bytes.NewReader(data))
		if err != nil {
			return
		}
		// a model that loads must score and generate without panicking
		ids := m.Tokenizer().Encode("Natalia sold")
		m.LogProbs(ids)
		m.Score(ids, true, 3)
		m.Greedy(ids, 3)
	})
}
