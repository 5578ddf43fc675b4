package scan

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"unicode"

	"github.com/leakhound/leakhound"
	"github.com/leakhound/leakhound/corpus"
	"github.com/leakhound/leakhound/evalset"
	"github.com/leakhound/leakhound/internal/shareddata"
	"github.com/leakhound/leakhound/internal/textgen"
	"github.com/leakhound/leakhound/match"
	"github.com/leakhound/leakhound/normalize"
)

// scanJSONL scans an in-memory JSONL corpus and returns the findings.
func scanJSONL(t testing.TB, set *match.Set, data []byte, workers int) ([]leakhound.Finding, *Stats, []*match.Tally) {
	t.Helper()
	var fs []leakhound.Finding
	in := corpus.FromReader("corpus.jsonl", bytes.NewReader(data), int64(len(data)))
	st, tallies, err := Run(context.Background(), set, []corpus.Input{in}, Options{
		Workers: workers,
		Finding: func(f *leakhound.Finding) error { fs = append(fs, *f); return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	return fs, st, tallies
}

func loadShared(t testing.TB, files ...[2]string) []leakhound.Item {
	t.Helper()
	var specs []string
	for _, f := range files {
		specs = append(specs, shareddata.Normalized(t, f[0], f[1]))
	}
	items, err := evalset.LoadAll(context.Background(), specs, evalset.Options{NoClusters: true})
	if err != nil {
		t.Fatal(err)
	}
	return items
}

// spread returns n items of each benchmark, evenly spaced.
func spread(items []leakhound.Item, n int) []leakhound.Item {
	byBench := map[string][]leakhound.Item{}
	var order []string
	for _, it := range items {
		if byBench[it.Benchmark] == nil {
			order = append(order, it.Benchmark)
		}
		byBench[it.Benchmark] = append(byBench[it.Benchmark], it)
	}
	var out []leakhound.Item
	for _, b := range order {
		its := byBench[b]
		for k := 0; k < n && k < len(its); k++ {
			out = append(out, its[k*len(its)/min(n, len(its))])
		}
	}
	return out
}

// plantedCorpus writes one JSONL record per planted item: filler text, the
// item after edit, more filler.
func plantedCorpus(planted []leakhound.Item, edit func(string) string) []byte {
	g := textgen.New(77, 20000)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for i, it := range planted {
		text := g.Paragraph(300) + "\n\n" + edit(it.Text) + "\n\n" + g.Paragraph(300)
		enc.Encode(map[string]string{"id": fmt.Sprint("planted-", i), "text": text})
	}
	return buf.Bytes()
}

var realBenchmarks = [][2]string{{"gsm8k", "test"}, {"mmlu", "test"}, {"humaneval", "test"}, {"cmmlu", "test"}}

var (
	realOnce  sync.Once
	realItems []leakhound.Item
	realSet   *match.Set
	realErr   error
)

// realBenchmarkSet loads the real benchmarks once for all tests, with
// every built-in method.
func realBenchmarkSet(t *testing.T) ([]leakhound.Item, *match.Set) {
	items := loadShared(t, realBenchmarks...)
	realOnce.Do(func() {
		o := match.DefaultOptions()
		o.Methods = match.Methods
		realItems = items
		realSet, realErr = match.NewSet(items, o)
	})
	if realErr != nil {
		t.Fatal(realErr)
	}
	return realItems, realSet
}

// checkPlanted asserts that every method finds every planted item it is
// long enough for, with spans that match the same canonical text on both
// sides, and flags no other record.
func checkPlanted(t *testing.T, edit func(string) string) {
	items, set := realBenchmarkSet(t)
	planted := spread(items, 40)
	data := plantedCorpus(planted, edit)
	fs, _, _ := scanJSONL(t, set, data, 0)
	byDoc := map[string]map[string]leakhound.Finding{} // doc id → method → finding of the planted item
	var texts []string
	for _, line := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
		var rec struct{ Text string }
		json.Unmarshal(line, &rec)
		texts = append(texts, rec.Text)
	}
	for _, f := range fs {
		var n int
		fmt.Sscanf(f.Doc.ID, "planted-%d", &n)
		if f.Item != planted[n].ID {
			continue // another item with the same text (MMLU and CMMLU hold some)
		}
		if byDoc[f.Doc.ID] == nil {
			byDoc[f.Doc.ID] = map[string]leakhound.Finding{}
		}
		byDoc[f.Doc.ID][f.Method] = f
		for _, sp := range f.Spans {
			d := normalize.String(texts[n][sp.Doc.Start:sp.Doc.End])
			it := normalize.String(planted[n].Text[sp.Item.Start:sp.Item.End])
			if strings.ReplaceAll(d, " ", "") != strings.ReplaceAll(it, " ", "") && f.Method != match.Llama2 {
				t.Errorf("%s %s: span texts differ:\n doc  %q\n item %q", f.Method, f.Item, d, it)
			}
		}
	}
	missed := map[string]int{}
	for i, it := range planted {
		id := fmt.Sprint("planted-", i)
		for _, method := range match.Methods {
			if _, ok := byDoc[id][method]; !ok && eligible(set, it, method) {
				missed[method]++
				t.Errorf("%s missed %s (%d canonical tokens)", method, it.ID, len(strings.Fields(normalize.String(it.Text))))
			}
		}
	}
	t.Logf("%d planted items from %d benchmarks; missed per method: %v", len(planted), len(realBenchmarks), missed)
}

// eligible reports whether an item is long enough for a method to see.
func eligible(set *match.Set, it leakhound.Item, method string) bool {
	n := len(strings.Fields(normalize.String(it.Text)))
	switch method {
	case match.GPT3:
		return n >= set.GPT3N(it.Benchmark)
	case match.PaLM:
		return n >= set.Options().PaLMN
	case match.Llama2:
		return n > set.Options().Llama2MinLen
	}
	return len(strings.ReplaceAll(normalize.String(it.Text), " ", "")) >= 15
}

func TestVerbatimCopiesOfRealItems(t *testing.T) {
	checkPlanted(t, func(s string) string { return s })
}

// TestSurfaceEditsDoNotHide: upper case, doubled spaces and line breaks,
// changed punctuation and full-width Latin letters and digits.
func TestSurfaceEditsDoNotHide(t *testing.T) {
	checkPlanted(t, func(s string) string {
		s = strings.ToUpper(s)
		s = strings.NewReplacer(" ", "  ", "\n", " \r\n ", ",", ";", ".", "!", "?", "?!").Replace(s)
		return strings.Map(func(r rune) rune {
			if r < 0x80 && (unicode.IsLetter(r) || unicode.IsDigit(r)) && r%3 == 0 {
				return r + 0xFEE0 // full-width form
			}
			return r
		}, s)
	})
}

// TestRephrasedGSM8KEvadesExactMethods records the LMSYS paper's point: the
// exact methods find almost none of the 1,319 rephrased GSM8K items.
func TestRephrasedGSM8KEvadesExactMethods(t *testing.T) {
	items := loadShared(t, [2]string{"gsm8k", "test"})
	o := match.DefaultOptions()
	o.Methods = match.Methods
	set, err := match.NewSet(items, o)
	if err != nil {
		t.Fatal(err)
	}
	in, err := corpus.Expand([]string{shareddata.Normalized(t, "decontam_rephrase", "rephrase_gsm8k")})
	if err != nil {
		t.Fatal(err)
	}
	st, tallies, err := Run(context.Background(), set, in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range set.Summarize(tallies) {
		t.Logf("rephrase_gsm8k: %s found %d of %d items (%.2f%%)", row.Method, row.Found, row.Items, row.Percent)
		if row.Percent > 1 {
			t.Errorf("%s found %.2f%% of rephrased items; exact methods should find almost none", row.Method, row.Percent)
		}
	}
	if st.Records != 1319 {
		t.Errorf("read %d records, want 1319", st.Records)
	}
}
