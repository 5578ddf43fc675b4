package rephrase

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/leakhound/leakhound"
)

func TestStem(t *testing.T) {
	for _, group := range [][]string{
		{"consume", "consumes", "consumed", "consuming"},
		{"market", "markets"},
		{"eggs", "egg"},
		{"sells", "selling", "sell"},
		{"polynomial", "polynomials"},
		{"studies", "study", "studied"},
	} {
		for _, w := range group[1:] {
			if stem(w) != stem(group[0]) {
				t.Errorf("stem(%q) = %q, stem(%q) = %q; want equal", w, stem(w), group[0], stem(group[0]))
			}
		}
	}
	if stem("market") == stem("marker") {
		t.Error("market and marker share a stem")
	}
}

func TestSubwords(t *testing.T) {
	for in, want := range map[string][]string{
		"truncate_number": {"truncate", "number"},
		"truncateNumber":  {"truncate", "number"},
		"HTTPServer":      {"http", "server"},
		"idx2":            {"idx", "2"},
		"x":               {"x"},
	} {
		if got := subwords(in); !slices.Equal(got, want) {
			t.Errorf("subwords(%q) = %q, want %q", in, got, want)
		}
	}
}

func testModel(t testing.TB) *Model {
	t.Helper()
	m, err := NewModel(Config{Lexicon: "testdata/mini-cedict.u8", WordNet: "none"})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// numberKeys returns the number keys of a text's analysis.
func numberKeys(m *Model, text string) []uint64 {
	var out []uint64
	for _, u := range m.an.analyze(text).units {
		if u.kind == kindNum {
			out = append(out, u.keys[0])
		}
	}
	slices.Sort(out)
	return out
}

func TestNumbersAcrossForms(t *testing.T) {
	m := testModel(t)
	want := numberKeys(m, "12 eggs cost 1000 dollars and 0.5 more")
	for _, text := range []string{
		"twelve eggs cost 1,000 dollars and .5 more",
		"十二 eggs cost 1000.0 dollars and 0.50 more",
	} {
		if got := numberKeys(m, text); !slices.Equal(got, want) {
			t.Errorf("%q: numbers differ from the digits form", text)
		}
	}
}

func TestLexicon(t *testing.T) {
	m := testModel(t)
	if !m.HasLexicon() {
		t.Fatal("lexicon not loaded")
	}
	l := m.an.lex
	if got := l.Segment([]rune("鸭子每天出售鸡蛋")); !slices.Equal(got, []string{"鸭子", "每天", "出售", "鸡蛋"}) {
		t.Errorf("Segment = %q", got)
	}
	if g := l.Gloss("市场"); !slices.Contains(g, stem("market")) {
		t.Errorf("Gloss(市场) = %q, want the stem of market", g)
	}
	if _, err := LoadLexicon("testdata/does-not-exist"); err == nil {
		t.Error("missing lexicon: no error")
	}
	if _, err := readLexicon(strings.NewReader("# only a header\n")); err == nil {
		t.Error("empty lexicon: no error")
	}
	if _, err := NewModel(Config{Lexicon: "testdata/missing.u8", WordNet: "none"}); err == nil || !strings.Contains(err.Error(), "--lexicon") {
		t.Errorf("missing lexicon file: error %v should tell how to pass one", err)
	}
}

// testWordNet loads the installed WordNet, or skips the test.
func testWordNet(t *testing.T) *WordNet {
	t.Helper()
	dir := FindWordNet()
	if dir == "" {
		t.Skip("WordNet not installed (apt-get install wordnet-base)")
	}
	wn, err := LoadWordNet(dir)
	if err != nil {
		t.Fatal(err)
	}
	return wn
}

func TestWordNetSynonyms(t *testing.T) {
	wn := testWordNet(t)
	share := func(a, b string) bool {
		for _, s := range wn.Synsets(a) {
			if slices.Contains(wn.Synsets(b), s) {
				return true
			}
		}
		return false
	}
	if !share("consumes", "eats") || !share("purchase", "buy") {
		t.Error("consume/eat or purchase/buy share no synset")
	}
	if share("purchase", "elephant") {
		t.Error("purchase and elephant share a synset")
	}
}

const (
	itemDucks = "Janet's ducks lay 16 eggs per day. She eats three for breakfast every morning and bakes muffins for her friends every day with four. She sells the remainder at the farmers' market daily for $2 per fresh duck egg. How much in dollars does she make every day at the farmers' market?"
	paraDucks = "Question: Janet's ducks produce 16 eggs each day. She consumes three of them for her morning meal and uses four to bake muffins for her friends daily. The remaining eggs are sold at the daily farmers' market for $2 per egg. What is the daily amount in dollars that she earns?"
	zhDucks   = "珍妮特的鸭子每天下16个鸡蛋。她每天早餐吃三个，用四个给朋友做松饼。她每天在农贸市场以每个2美元的价格出售剩下的鸡蛋。"
	itemCode  = "def count_vowels(word: str) -> int:\n    \"\"\"Return how many vowels the word has.\n    >>> count_vowels('banana')\n    3\n    \"\"\"\n    return sum(1 for c in word if c in 'aeiou')\n"
	codeJS    = "function countVowels(text) {\n  // Counts the vowels in the given word, e.g. countVowels('banana') gives 3\n  let n = 0;\n  for (const c of text) { if ('aeiou'.includes(c)) n++; }\n  return n;\n}\n"
)

func TestComparePairs(t *testing.T) {
	m := testModel(t)
	other := "Which of the following best describes the role of the Senate in the ratification of treaties under the Constitution?"
	for _, c := range []struct {
		name, item, text, kind string
		flag                   bool
	}{
		{"paraphrase", itemDucks, paraDucks, KindMath, true},
		{"unrelated", itemDucks, other, KindProse, false},
		{"code rewrite", itemCode, codeJS, KindCode, true},
		{"code vs prose", itemCode, other, KindCode, false},
	} {
		p := m.Compare(m.Prepare(c.item), m.Prepare(c.text))
		if p.Kind != c.kind || p.Flag != c.flag {
			t.Errorf("%s: kind %s flag %v (p=%.3f, features %.2f); want %s %v", c.name, p.Kind, p.Flag, p.Prob, p.Features, c.kind, c.flag)
		}
	}
	zh := m.Compare(m.Prepare(itemDucks), m.Prepare(zhDucks))
	if zh.Kind != KindCross || zh.Features[0] <= 0.1 {
		t.Errorf("Chinese translation: kind %s, recall %.2f; want cross with aligned words", zh.Kind, zh.Features[0])
	}
}

func TestDetector(t *testing.T) {
	m := testModel(t)
	items := []leakhound.Item{
		{ID: "t/0", Benchmark: "t", Text: itemDucks},
		{ID: "t/1", Benchmark: "t", Text: itemCode},
		{ID: "t/2", Benchmark: "t", Text: "What is the capital city of Australia, and in which year did it become the seat of the federal parliament?"},
	}
	d := NewDetector(m, items)
	filler := strings.Repeat("The weather was mild and the river ran slowly past the old mill near the village. ", 20)
	for _, c := range []struct {
		name, text string
		want       []string
	}{
		{"paraphrase inside a long record", filler + paraDucks + " " + filler, []string{"t/0"}},
		{"code rewrite", codeJS, []string{"t/1"}},
		{"clean", filler, nil},
		{"empty", "", nil},
	} {
		fs, err := d.NewWorker().Detect(nil, []byte(c.text))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range fs {
			got = append(got, f.Item)
			if f.Method != Method || len(f.Spans) == 0 || f.Evidence["probability"] != f.Score || f.Excerpt == nil {
				t.Errorf("%s: finding lacks method, spans, evidence or excerpt: %+v", c.name, f)
			}
			for _, s := range f.Spans {
				if s.Doc.Start < 0 || s.Doc.End > len(c.text) || s.Doc.Start >= s.Doc.End {
					t.Errorf("%s: bad doc span %+v", c.name, s)
				}
			}
			checkAligned(t, c.name, f, c.text, items)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: found %v, want %v", c.name, got, c.want)
		}
	}
}

// checkAligned checks that a finding's aligned pairs repeat its spans'
// texts, one per span, with a known kind of match.
func checkAligned(t *testing.T, name string, f leakhound.Finding, text string, items []leakhound.Item) {
	t.Helper()
	if len(f.Aligned) != len(f.Spans) {
		t.Errorf("%s: %d aligned pairs for %d spans", name, len(f.Aligned), len(f.Spans))
		return
	}
	var item string
	for _, it := range items {
		if it.ID == f.Item {
			item = it.Text
		}
	}
	for k, a := range f.Aligned {
		s := f.Spans[k]
		if a.Doc != text[s.Doc.Start:s.Doc.End] || a.Item != item[s.Item.Start:s.Item.End] || a.Weight <= 0 {
			t.Errorf("%s: aligned %+v does not match span %+v", name, a, s)
		}
		switch a.How {
		case leakhound.AlignSame, leakhound.AlignNumber, leakhound.AlignSynonym, leakhound.AlignTranslation:
		default:
			t.Errorf("%s: aligned %+v: unknown how", name, a)
		}
	}
}

// TestAlignedEvidence checks the readable evidence of a paraphrase: the
// numbers, the kept words and the synonyms, as a reader would list them.
func TestAlignedEvidence(t *testing.T) {
	m := testModel(t)
	d := NewDetector(m, []leakhound.Item{{ID: "t/0", Benchmark: "t", Text: itemDucks}})
	fs, err := d.NewWorker().Detect(nil, []byte(paraDucks))
	if err != nil || len(fs) != 1 {
		t.Fatalf("Detect: %v, %d findings; want 1", err, len(fs))
	}
	got := map[string]string{}
	for _, a := range fs[0].Aligned {
		got[a.Item+"→"+a.Doc] = a.How
	}
	want := map[string]string{"16→16": leakhound.AlignNumber, "three→three": leakhound.AlignNumber, "ducks→ducks": leakhound.AlignSame, "muffins→muffins": leakhound.AlignSame}
	if m.an.wn != nil {
		want["eats→consumes"] = leakhound.AlignSynonym
	}
	for k, how := range want {
		if got[k] != how {
			t.Errorf("aligned %s: got %q, want %q (all: %v)", k, got[k], how, got)
		}
	}
}

func TestWeightsAndBackground(t *testing.T) {
	if _, err := DefaultWeights(); err != nil {
		t.Fatalf("embedded weights: %v", err)
	}
	for _, bad := range []string{"", "{", `{"features":["x"]}`, `{"features":` + fmt.Sprintf("%q", featureNames) + `}`} {
		if _, err := ParseWeights([]byte(bad)); err == nil {
			t.Errorf("ParseWeights(%q): no error", bad)
		}
	}
	bg := &background{df: map[uint64]uint32{1: 5, 2: 1, 3: 9}, docs: 10}
	got, err := decodeBackground(bg.encode(2))
	if err != nil || got.docs != 10 || len(got.df) != 2 || got.df[3] != 9 || got.df[2] != 0 {
		t.Errorf("round trip: %+v, %v", got, err)
	}
	if _, err := decodeBackground([]byte("LHBG1\n\x01\x00\x00\x00\x05\x00\x00\x00")); err == nil {
		t.Error("truncated table: no error")
	}
	if bg.idf(3) >= bg.idf(1) || bg.idf(42) <= bg.idf(1) {
		t.Error("rarer keys must weigh more")
	}
}

func FuzzAnalyze(f *testing.F) {
	for _, s := range []string{itemDucks, zhDucks, itemCode, codeJS, "1,000.5 .5 twenty-five 三千五百", "\xff\xfe", "_a_B_c1__"} {
		f.Add(s)
	}
	m := testModel(f)
	f.Fuzz(func(t *testing.T, s string) {
		an := m.an.analyze(s)
		for _, u := range an.units {
			if u.start < 0 || int(u.end) > len(s) || u.start > u.end || len(u.keys) == 0 {
				t.Fatalf("bad unit %+v in %q", u, s)
			}
		}
		if an.head0 > an.head || an.head > len(an.units) {
			t.Fatalf("bad question span %d..%d of %d units", an.head0, an.head, len(an.units))
		}
		p := m.Compare(m.Prepare(itemDucks), &Prepared{text: s, an: an})
		if p.Prob < 0 || p.Prob > 1 {
			t.Fatalf("probability %v", p.Prob)
		}
	})
}
