package neardup

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/leakhound/leakhound"
	"github.com/leakhound/leakhound/evalset"
	"github.com/leakhound/leakhound/internal/shareddata"
	"github.com/leakhound/leakhound/internal/textgen"
	"github.com/leakhound/leakhound/ngram"
)

var update = flag.Bool("update", false, "rewrite testdata/findings.golden")

// pinItems are generated benchmark items of many lengths, with the cases
// that steer the item side: a boilerplate stem shared by 14 items (its
// shingles are in more than maxItemsPerShingle items), items of too few
// shingles, function-word runs, punctuation, digits and non-ASCII words,
// and two items that are copies of each other.
func pinItems() []leakhound.Item {
	g := textgen.New(11, 30000)
	r := rand.New(rand.NewPCG(11, 12))
	var items []leakhound.Item
	add := func(text string) {
		items = append(items, leakhound.Item{ID: fmt.Sprint("p/", len(items)), Benchmark: "p", Part: "question", Cluster: fmt.Sprint("c", len(items)%7), Text: text})
	}
	for i := 0; i < 300; i++ {
		add(g.Paragraph(40 + r.IntN(900)))
	}
	stem := "Which of the following statements best describes the role of the given passage below"
	for i := 0; i < 14; i++ {
		add(stem + ": " + g.Paragraph(60+r.IntN(200)))
	}
	add("one of the two")
	add("Kalo mine rato suvi anel")
	add("It is one of the things that they would have had to do if there were any of them, and all of this is what we can do with " + g.Paragraph(200))
	add(`Don't "café" naïve — Ça va? x = 12.5 + y; U.S.A. 東京 は 日本 の 首都 です ` + g.Paragraph(300))
	add(items[3].Text)
	return items
}

// perturb applies one of the planted edits to an item's text.
func perturb(r *rand.Rand, g *textgen.Generator, s string) string {
	ws := strings.Fields(s)
	switch r.IntN(9) {
	case 0: // verbatim
	case 1, 2: // every k-th word replaced
		k := 2 + r.IntN(9)
		for i := k - 1; i < len(ws); i += k {
			ws[i] = g.Word()
		}
	case 3: // words dropped
		out := ws[:0]
		for _, w := range ws {
			if r.IntN(6) != 0 {
				out = append(out, w)
			}
		}
		ws = out
	case 4: // words inserted
		var out []string
		for _, w := range ws {
			out = append(out, w)
			if r.IntN(5) == 0 {
				out = append(out, g.Word())
			}
		}
		ws = out
	case 5: // case and punctuation
		for i, w := range ws {
			switch r.IntN(4) {
			case 0:
				ws[i] = strings.ToUpper(w)
			case 1:
				ws[i] = w + ","
			case 2:
				ws[i] = "(" + w + ")"
			}
		}
	case 6: // a contiguous slice
		if len(ws) > 4 {
			a := r.IntN(len(ws) / 2)
			ws = ws[a : a+len(ws)/2]
		}
	case 7: // random edits at a random rate
		p := r.IntN(60)
		for i := range ws {
			if r.IntN(100) < p {
				ws[i] = g.Word()
			}
		}
	case 8: // words swapped
		for i := 0; i+1 < len(ws); i += 3 + r.IntN(4) {
			ws[i], ws[i+1] = ws[i+1], ws[i]
		}
	}
	return strings.Join(ws, " ")
}

// pinRecords are records of generated text with 0 to 3 planted, edited
// copies of items each (some planted twice, far apart), and records with
// edge cases of their own.
func pinRecords(items []leakhound.Item, seed uint64, n int) []string {
	g := textgen.New(seed, 30000)
	r := rand.New(rand.NewPCG(seed, 7))
	recs := []string{"", "a", "one of the two", items[len(items)-2].Text, items[0].Text + items[0].Text}
	for len(recs) < n {
		var parts []string
		if r.IntN(4) != 0 {
			parts = append(parts, g.Paragraph(r.IntN(3000)))
		}
		for k := r.IntN(4); k > 0; k-- {
			it := items[r.IntN(len(items))].Text
			parts = append(parts, perturb(r, g, it))
			if r.IntN(8) == 0 {
				parts = append(parts, g.Paragraph(500+r.IntN(4000)), perturb(r, g, it))
			}
			if r.IntN(2) == 0 {
				parts = append(parts, g.Paragraph(r.IntN(2000)))
			}
		}
		sep := " "
		if r.IntN(5) == 0 {
			sep = "\n\n"
		}
		recs = append(recs, strings.Join(parts, sep))
	}
	return recs
}

// detectAll returns the findings of every record, as JSON lines prefixed
// by the record's number.
func detectAll(t testing.TB, detect func([]leakhound.Finding, []byte) ([]leakhound.Finding, error), recs []string) []byte {
	var out bytes.Buffer
	for i, rec := range recs {
		fs, err := detect(nil, []byte(rec))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fs {
			b, err := json.Marshal(f)
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&out, "%d %s\n", i, b)
		}
	}
	return out.Bytes()
}

// TestFindingsGolden pins the findings (items, spans, evidence) on the
// generated corpus: the golden file was written by the implementation of
// commit 4dc5bee, before the record side was made fast.
func TestFindingsGolden(t *testing.T) {
	items := pinItems()
	recs := pinRecords(items, 21, 400)
	got := detectAll(t, New(items, 0.4).NewWorker().Detect, recs)
	path := filepath.Join("testdata", "findings.golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(want, []byte("\n")); n < 200 {
		t.Fatalf("golden has %d findings; the corpus should plant more", n)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := 0; i < min(len(gl), len(wl)); i++ {
			if gl[i] != wl[i] {
				t.Fatalf("findings differ from %s at line %d:\ngot  %s\nwant %s", path, i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("findings differ from %s: %d lines, want %d", path, len(gl), len(wl))
	}
}

// TestMatchesReference compares the detector with the reference
// implementation on generated corpora, at several thresholds, one worker
// reused over every record.
func TestMatchesReference(t *testing.T) {
	items := pinItems()
	for _, c := range []struct {
		seed      uint64
		threshold float64
	}{{31, 0.4}, {32, 0.2}, {33, 0.7}, {34, 1}} {
		recs := pinRecords(items, c.seed, 150)
		want := detectAll(t, refNew(items, c.threshold).newWorker().Detect, recs)
		got := detectAll(t, New(items, c.threshold).NewWorker().Detect, recs)
		if !bytes.Equal(got, want) {
			t.Errorf("seed %d threshold %g: findings differ from the reference\ngot:\n%.2000s\nwant:\n%.2000s", c.seed, c.threshold, got, want)
		}
	}
}

// scanBenchmarks are the benchmarks of doc/performance.md's scan runs.
var scanBenchmarks = []string{"gsm8k", "mmlu", "humaneval", "cmmlu", "mbpp", "arc", "truthfulqa", "math", "hellaswag"}

// sharedItems loads the items that `leakhound scan --bench
// gsm8k,mmlu,...,hellaswag --bench-dir ../shared/data` matches (default
// splits and parts), or skips when ../shared/data is absent.
func sharedItems(tb testing.TB) []leakhound.Item {
	dir := shareddata.Dir(tb)
	var items []leakhound.Item
	for _, name := range scanBenchmarks {
		l, err := evalset.Resolve(name, evalset.Options{Dir: dir})
		if err != nil {
			tb.Fatal(err)
		}
		its, err := l.Load(context.Background())
		if err != nil {
			tb.Fatal(err)
		}
		items = append(items, its...)
	}
	return items
}

// TestMatchesReferenceSharedData compares the detector with the reference
// on the real benchmarks: records of generated text with planted, edited
// copies of real items.
func TestMatchesReferenceSharedData(t *testing.T) {
	if testing.Short() {
		t.Skip("short: builds two detectors over every shared/data benchmark")
	}
	items := sharedItems(t)
	g := textgen.New(41, 30000)
	r := rand.New(rand.NewPCG(41, 42))
	var recs []string
	for i := 0; i < 600; i++ {
		var parts []string
		for k := 1 + r.IntN(3); k > 0; k-- {
			parts = append(parts, g.Paragraph(r.IntN(2000)), perturb(r, g, items[r.IntN(len(items))].Text))
		}
		recs = append(recs, strings.Join(parts, " "))
	}
	want := detectAll(t, refNew(items, 0.4).newWorker().Detect, recs)
	got := detectAll(t, New(items, 0.4).NewWorker().Detect, recs)
	if bytes.Count(want, []byte("\n")) < 300 {
		t.Fatalf("reference found only %d findings in 600 planted records", bytes.Count(want, []byte("\n")))
	}
	if !bytes.Equal(got, want) {
		t.Errorf("findings differ from the reference\ngot:\n%.3000s\nwant:\n%.3000s", got, want)
	}
}

// FuzzMatchesReference compares the detector with the reference on
// arbitrary record text around planted items.
func FuzzMatchesReference(f *testing.F) {
	items := pinItems()
	fast := New(items, 0.4).NewWorker()
	ref := refNew(items, 0.4).newWorker()
	for _, r := range pinRecords(items, 51, 12) {
		f.Add(r)
	}
	f.Add("Don't \"café\" naïve — Ça va? x = 12.5 + y; U.S.A. 東京 は 日本 の 首都 です")
	f.Fuzz(func(t *testing.T, s string) {
		for _, text := range []string{s, s + " " + items[int(uint(len(s))%uint(len(items)))].Text} {
			got := detectAll(t, fast.Detect, []string{text})
			want := detectAll(t, ref.Detect, []string{text})
			if !bytes.Equal(got, want) {
				t.Fatalf("findings differ from the reference on %q\ngot  %s\nwant %s", text, got, want)
			}
		}
	})
}

// TestDetectTokens checks that DetectTokens on the record's tokens finds
// what Detect finds.
func TestDetectTokens(t *testing.T) {
	items := pinItems()
	w := New(items, 0.4).NewWorker()
	for i, rec := range pinRecords(items, 61, 60) {
		want, err := w.Detect(nil, []byte(rec))
		if err != nil {
			t.Fatal(err)
		}
		got := w.DetectTokens(nil, ngram.AppendTokens(nil, []byte(rec)))
		if !reflect.DeepEqual(got, want) {
			t.Errorf("record %d: DetectTokens found %v, Detect %v", i, got, want)
		}
	}
}

// TestDetectAllocatesNothingOnCleanText: a record without a candidate
// costs no allocation once the worker's buffers have grown.
func TestDetectAllocatesNothingOnCleanText(t *testing.T) {
	items := pinItems()
	w := New(items, 0.4).NewWorker()
	text := []byte(textgen.New(71, 30000).Paragraph(20000))
	fs, err := w.Detect(nil, text)
	if err != nil || len(fs) != 0 {
		t.Fatalf("clean text: findings %v, error %v", fs, err)
	}
	if n := testing.AllocsPerRun(20, func() { w.Detect(nil, text) }); n != 0 {
		t.Errorf("Detect allocates %v times per clean record", n)
	}
}
