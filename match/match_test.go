package match

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/leakhound/leakhound"
	"github.com/leakhound/leakhound/internal/textgen"
	"github.com/leakhound/leakhound/normalize"
)

// testItems returns n generated benchmark items of about 40 words each.
func testItems(seed uint64, n int) []leakhound.Item {
	g := textgen.New(seed, 3000)
	items := make([]leakhound.Item, n)
	for i := range items {
		items[i] = leakhound.Item{ID: fmt.Sprintf("quiz/test/%d", i), Benchmark: "quiz", Split: "test", Part: "full", Text: g.Sentence(30+i%20) + " " + g.Sentence(10)}
	}
	return items
}

func newSet(t testing.TB, items []leakhound.Item, methods ...string) *Set {
	t.Helper()
	o := DefaultOptions()
	o.Methods = methods
	s, err := NewSet(items, o)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestVerbatimCopyEveryMethod(t *testing.T) {
	items := testItems(1, 50)
	s := newSet(t, items, Methods...)
	m := s.NewMatcher()
	g := textgen.New(99, 3000)
	prefix, suffix := g.Paragraph(400)+" ", " "+g.Paragraph(400)
	doc := prefix + items[17].Text + suffix
	fs, _ := m.Match(nil, []byte(doc))
	got := map[string]leakhound.Finding{}
	for _, f := range fs {
		if f.Item != "quiz/test/17" {
			t.Errorf("%s flagged %s, want only quiz/test/17", f.Method, f.Item)
			continue
		}
		got[f.Method] = f
	}
	for _, method := range Methods {
		f, ok := got[method]
		if !ok {
			t.Errorf("%s did not find the verbatim copy", method)
			continue
		}
		if f.Score < 0.99 && method != GPT4 {
			t.Errorf("%s score = %v, want 1 for a full copy", method, f.Score)
		}
		for _, sp := range f.Spans {
			d := doc[sp.Doc.Start:sp.Doc.End]
			it := items[17].Text[sp.Item.Start:sp.Item.End]
			if normalize.String(d) != normalize.String(it) {
				t.Errorf("%s span: doc %q and item %q differ", method, d, it)
			}
			if sp.Doc.Start < len(prefix)-1 || sp.Doc.End > len(prefix)+len(items[17].Text) {
				t.Errorf("%s doc span %v outside the planted copy [%d,%d)", method, sp.Doc, len(prefix), len(prefix)+len(items[17].Text))
			}
		}
	}
}

func TestSurfaceNoiseDoesNotHide(t *testing.T) {
	items := testItems(2, 20)
	s := newSet(t, items, Methods...)
	text := items[5].Text
	noisy := strings.ToUpper(text)
	noisy = strings.ReplaceAll(noisy, " ", "  \n ")
	noisy = strings.ReplaceAll(noisy, ",", ";")
	noisy = strings.ReplaceAll(noisy, "A", "Ａ") // full width
	fs, _ := s.NewMatcher().Match(nil, []byte("intro: "+noisy+" (end)"))
	methods := map[string]bool{}
	for _, f := range fs {
		if f.Item == items[5].ID {
			methods[f.Method] = true
		}
	}
	for _, method := range Methods {
		if !methods[method] {
			t.Errorf("%s missed the item under case, space, punctuation and width changes", method)
		}
	}
}

func TestCleanTextHasNoFindings(t *testing.T) {
	items := testItems(3, 100)
	s := newSet(t, items, Methods...)
	m := s.NewMatcher()
	g := textgen.New(1234, 3000)
	for i := 0; i < 200; i++ {
		if fs, _ := m.Match(nil, []byte(g.Paragraph(2000))); len(fs) > 0 {
			t.Fatalf("clean text flagged: %+v", fs[0])
		}
	}
}

func TestLlama2SkipBudget(t *testing.T) {
	items := testItems(4, 5)
	s := newSet(t, items, Llama2)
	words := strings.Fields(items[2].Text)
	// Change two words after the first 12: the span survives under the
	// budget of 4 and covers nearly the whole item.
	edited := append([]string(nil), words...)
	edited[12], edited[20] = "zzzq", "qqqz"
	fs, _ := s.NewMatcher().Match(nil, []byte(strings.Join(edited, " ")))
	if len(fs) != 1 || fs[0].Score < 0.95 || fs[0].Verdict != "dirty" {
		t.Fatalf("findings = %+v, want one dirty finding covering the item", fs)
	}
	// With a budget of 0 the spans break at the edits.
	o := DefaultOptions()
	o.Methods, o.Llama2Skip = []string{Llama2}, 0
	s0, _ := NewSet(items, o)
	fs0, _ := s0.NewMatcher().Match(nil, []byte(strings.Join(edited, " ")))
	if len(fs0) != 1 || fs0[0].Score >= fs[0].Score {
		t.Fatalf("budget 0: findings = %+v, want a lower score than %v", fs0, fs[0].Score)
	}
}

func TestPaLMThreshold(t *testing.T) {
	items := testItems(5, 5)
	s := newSet(t, items, PaLM)
	words := strings.Fields(items[1].Text)
	half := strings.Join(words[:len(words)/2], " ")
	if fs, _ := s.NewMatcher().Match(nil, []byte(half)); len(fs) != 0 {
		t.Errorf("half an item flagged by palm: %+v", fs)
	}
	most := strings.Join(words[:len(words)*9/10], " ")
	if fs, _ := s.NewMatcher().Match(nil, []byte(most)); len(fs) != 1 {
		t.Errorf("90%% of an item: %d findings, want 1", len(fs))
	}
}

func TestGPT3Rule(t *testing.T) {
	var items []leakhound.Item
	for i := 0; i < 100; i++ { // lengths 5..104 words: P5 = 9
		items = append(items, leakhound.Item{ID: fmt.Sprint(i), Benchmark: "short", Text: strings.Repeat("w ", 5+i)})
	}
	for i := 0; i < 10; i++ {
		items = append(items, leakhound.Item{ID: fmt.Sprint("l", i), Benchmark: "long", Text: strings.Repeat("w ", 50)})
	}
	s := newSet(t, items, GPT3)
	if s.GPT3N("short") != 9 || s.GPT3N("long") != 13 {
		t.Errorf("N = %d, %d; want 9, 13", s.GPT3N("short"), s.GPT3N("long"))
	}
}

// naiveGPT3 is the reference: an item is dirty when one of its N-grams of
// canonical tokens occurs among the record's.
func naiveGPT3(items []leakhound.Item, n int, doc string) map[string]bool {
	docGrams := map[string]bool{}
	dw := strings.Fields(normalize.String(doc))
	for i := 0; i+n <= len(dw); i++ {
		docGrams[strings.Join(dw[i:i+n], " ")] = true
	}
	out := map[string]bool{}
	for _, it := range items {
		w := strings.Fields(normalize.String(it.Text))
		for i := 0; i+n <= len(w); i++ {
			if docGrams[strings.Join(w[i:i+n], " ")] {
				out[it.ID] = true
			}
		}
	}
	return out
}

func FuzzGPT3AgainstNaive(f *testing.F) {
	vocab := strings.Fields("a b c d e f 中 文 x, y. Z")
	items := make([]leakhound.Item, 12)
	r := rand.New(rand.NewPCG(7, 8))
	for i := range items {
		var w []string
		for j := 0; j < 6+r.IntN(10); j++ {
			w = append(w, vocab[r.IntN(len(vocab))])
		}
		items[i] = leakhound.Item{ID: fmt.Sprint(i), Benchmark: "b", Text: strings.Join(w, " ")}
	}
	o := DefaultOptions()
	o.GPT3N = 4
	s, err := NewSet(items, o)
	if err != nil {
		f.Fatal(err)
	}
	f.Add("a b c d e f a b c d")
	f.Add(items[3].Text + " " + items[7].Text)
	f.Fuzz(func(t *testing.T, doc string) {
		got := map[string]bool{}
		fs, _ := s.NewMatcher().Match(nil, []byte(doc))
		for _, fd := range fs {
			got[fd.Item] = true
		}
		want := naiveGPT3(items, 4, doc)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("doc %q: matcher flags %v, reference %v", doc, got, want)
		}
	})
}

func TestSummarizeCountsClustersOnce(t *testing.T) {
	items := testItems(6, 10)
	items[3].Cluster, items[4].Cluster = "c1", "c1"
	s := newSet(t, items, GPT3)
	m := s.NewMatcher()
	if _, err := m.Match(nil, []byte(items[3].Text+" | "+items[4].Text)); err != nil {
		t.Fatal(err)
	}
	rows := s.Summarize([]*Tally{m.Tally()})
	if len(rows) != 1 || rows[0].Items != 9 || rows[0].Found != 1 || rows[0].DocsFlagged != 1 {
		t.Fatalf("rows = %+v, want 9 items (twins once), 1 found, 1 doc", rows)
	}
}

// TestStridedProbingAgainstNaive checks the strided index (N = 13: seed 8,
// item stride 6) against the reference on records spliced from item pieces, so
// that runs start at every offset relative to the probe grid.
func TestStridedProbingAgainstNaive(t *testing.T) {
	vocab := strings.Fields("a b c d e f g h 中 文 x, y. Z q r")
	r := rand.New(rand.NewPCG(9, 10))
	items := make([]leakhound.Item, 30)
	for i := range items {
		var w []string
		for j := 0; j < 13+r.IntN(20); j++ {
			w = append(w, vocab[r.IntN(len(vocab))])
		}
		items[i] = leakhound.Item{ID: fmt.Sprint(i), Benchmark: "b", Text: strings.Join(w, " ")}
	}
	o := DefaultOptions()
	o.GPT3N = 13
	s, err := NewSet(items, o)
	if err != nil {
		t.Fatal(err)
	}
	if s.ix.Stride() != 6 {
		t.Fatalf("stride = %d, want 6", s.ix.Stride())
	}
	m := s.NewMatcher()
	for trial := 0; trial < 3000; trial++ {
		var parts []string
		for k := 0; k < 1+r.IntN(4); k++ {
			w := strings.Fields(items[r.IntN(len(items))].Text)
			lo := r.IntN(len(w))
			hi := lo + r.IntN(len(w)-lo+1)
			parts = append(parts, strings.Join(w[lo:hi], " "))
			for j := r.IntN(8); j > 0; j-- {
				parts = append(parts, vocab[r.IntN(len(vocab))])
			}
		}
		doc := strings.Join(parts, " ")
		got := map[string]bool{}
		fs, _ := m.Match(nil, []byte(doc))
		for _, f := range fs {
			got[f.Item] = true
		}
		if want := naiveGPT3(items, 13, doc); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("doc %q: matcher flags %v, reference %v", doc, got, want)
		}
	}
}

// TestMatchAllocatesNothingOnCleanText guards the hot path: a record with
// no finding costs no allocation once the matcher's buffers have grown.
func TestMatchAllocatesNothingOnCleanText(t *testing.T) {
	items := testItems(10, 200)
	s := newSet(t, items, GPT3, PaLM, Llama2, GPT4)
	m := s.NewMatcher()
	text := []byte(textgen.New(5, 3000).Paragraph(3000))
	var dst []leakhound.Finding
	if n := testing.AllocsPerRun(50, func() { dst, _ = m.Match(dst[:0], text) }); n != 0 {
		t.Errorf("Match allocates %v times per clean record, want 0", n)
	}
}

// TestTemplatesDoNotSeed: a stem shared by many items does not flag them
// all, while a full copy of one of them is still found through its own
// text.
func TestTemplatesDoNotSeed(t *testing.T) {
	g := textgen.New(21, 3000)
	stem := "For which of these two scenarios does the main character do something clearly wrong according to ordinary standards"
	var items []leakhound.Item
	for i := 0; i < 150; i++ {
		items = append(items, leakhound.Item{ID: fmt.Sprint("t/", i), Benchmark: "t", Text: stem + " " + g.Sentence(25)})
	}
	s := newSet(t, items, GPT3)
	fs, _ := s.NewMatcher().Match(nil, []byte("Quiz: "+stem+"? Nobody knows."))
	if len(fs) != 0 {
		t.Errorf("the shared stem alone flagged %d items", len(fs))
	}
	fs, _ = s.NewMatcher().Match(nil, []byte("Copied: "+items[42].Text))
	if len(fs) != 1 || fs[0].Item != "t/42" || fs[0].Score < 0.99 {
		t.Errorf("full copy of t/42: findings %+v", fs)
	}
}

// TestLlama2EveryRunStartsASpan: a 3-token edit inside the skip budget
// leaves the item dirty even when a wrong resynchronisation of an earlier
// run would have hidden the later exact run (reviewer's repro).
func TestLlama2EveryRunStartsASpan(t *testing.T) {
	item := "o m f g p n l d n d l j m n m n i p f a m p p p"
	items := []leakhound.Item{{ID: "x", Benchmark: "b", Text: item}}
	s := newSet(t, items, Llama2)
	rec := strings.Replace(item, "l j m", "m d", 1)
	fs, _ := s.NewMatcher().Match(nil, []byte(rec))
	if len(fs) != 1 || fs[0].Verdict != "dirty" || fs[0].Score < 0.99 {
		t.Fatalf("findings %+v, want one dirty finding with score 1", fs)
	}
}

// TestTemplateRuleIndependentOfMethods: whether a stem is a template does
// not depend on the stride the other chosen methods imply, and an item
// made of one repeated token is still found (reviewer's repros).
func TestTemplateRuleIndependentOfMethods(t *testing.T) {
	g := textgen.New(31, 3000)
	stem := "A. True, True B. False, False C. True, False D. False, True"
	var items []leakhound.Item
	for i := 0; i < 120; i++ {
		items = append(items, leakhound.Item{ID: fmt.Sprint("m/", i), Benchmark: "m", Text: g.Sentence(12) + "\n" + stem})
	}
	zeros := strings.Repeat("0 ", 120)
	items = append(items, leakhound.Item{ID: "zeros", Benchmark: "z", Text: zeros})
	for _, methods := range [][]string{{GPT3}, {GPT3, PaLM}} {
		o := DefaultOptions()
		o.Methods, o.GPT3N = methods, 11
		s, err := NewSet(items, o)
		if err != nil {
			t.Fatal(err)
		}
		fs, _ := s.NewMatcher().Match(nil, []byte("Options: "+stem))
		if len(fs) != 0 {
			t.Errorf("%v: the shared options block flagged %d findings", methods, len(fs))
		}
		fs, _ = s.NewMatcher().Match(nil, []byte(zeros))
		if len(fs) == 0 || fs[0].Item != "zeros" {
			t.Errorf("%v: a verbatim copy of the repeated-token item: findings %+v", methods, fs)
		}
	}
}

func TestSummaryCountsClustersEverywhere(t *testing.T) {
	items := testItems(12, 6)
	items[0].Cluster, items[1].Cluster = "c1", "c1"
	items[2].Cluster, items[3].Cluster = "c2", "c2"
	s := newSet(t, items, Llama2)
	m := s.NewMatcher()
	if _, err := m.Match(nil, []byte(items[0].Text+" | "+items[2].Text)); err != nil {
		t.Fatal(err)
	}
	r := s.Summarize([]*Tally{m.Tally()})[0]
	if r.Items != 4 || r.Eligible != 4 || r.NotClean != 2 || r.Found != 2 {
		t.Errorf("row %+v: want items 4, eligible 4, not_clean 2, found 2 (clusters)", r)
	}
}

func TestFindingsInMethodThenItemOrder(t *testing.T) {
	items := testItems(13, 5)
	s := newSet(t, items, GPT3, PaLM, GPT4)
	fs, _ := s.NewMatcher().Match(nil, []byte(items[3].Text+" | "+items[1].Text))
	var got []string
	for _, f := range fs {
		got = append(got, f.Method+"/"+f.Item)
	}
	want := []string{"gpt3/quiz/test/1", "gpt3/quiz/test/3", "palm/quiz/test/1", "palm/quiz/test/3", "gpt4/quiz/test/1", "gpt4/quiz/test/3"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("order %v, want %v", got, want)
	}
}
