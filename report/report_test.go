package report

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakhound/leakhound"
	"github.com/leakhound/leakhound/evalset"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// fixtureReport builds the report of testdata/findings.jsonl (a scan of
// the repository's sample corpus, plus a finding whose texts hold HTML
// and script) with the items of the sample and xss benchmarks.
func fixtureReport(t testing.TB, opts Options) *Report {
	t.Helper()
	items, err := evalset.LoadAll(context.Background(), []string{"../testdata/sample/bench.jsonl", "testdata/xss-bench.jsonl"}, evalset.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b := NewBuilder(opts)
	b.SetItems(items)
	f, err := os.Open("testdata/findings.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := ReadFindings(f, func(fd *leakhound.Finding) error { b.Add(fd); return nil }); err != nil {
		t.Fatal(err)
	}
	return b.Report()
}

func TestGolden(t *testing.T) {
	rep := fixtureReport(t, Options{Title: "Sample | <report>", FindingsFile: "findings.jsonl"})
	tests := []struct {
		file  string
		write func(*bytes.Buffer, *Report) error
	}{
		{"golden.json", func(b *bytes.Buffer, r *Report) error { return WriteJSON(b, r) }},
		{"golden.md", func(b *bytes.Buffer, r *Report) error { return WriteMarkdown(b, r) }},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			var b bytes.Buffer
			if err := tt.write(&b, rep); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", tt.file)
			if *update {
				if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(b.Bytes(), want) {
				t.Errorf("%s differs from the golden file (go test -update rewrites it); got:\n%s", tt.file, b.String())
			}
		})
	}
}

func TestSummaryNumbers(t *testing.T) {
	rep := fixtureReport(t, Options{})
	if rep.Findings != 21 || rep.Records != 6 || rep.Files != 2 {
		t.Errorf("findings %d records %d files %d, want 21, 6, 2", rep.Findings, rep.Records, rep.Files)
	}
	var sample Benchmark
	for _, bm := range rep.Benchmarks {
		if bm.Name == "sample" {
			sample = bm
		}
	}
	// The sample corpus holds copies of items 0, 2, 4, 5 and 7 of 8.
	if sample.Items != 8 || sample.Found != 5 || sample.Percent != 62.5 || len(sample.Methods) != 4 {
		t.Errorf("sample: %+v", sample)
	}
	var total int64
	for _, h := range rep.Scores {
		for _, c := range h.Counts {
			total += c
		}
	}
	if total != rep.Findings {
		t.Errorf("histograms count %d findings, want %d", total, rep.Findings)
	}
}

// TestEscaping checks that text from benchmarks and corpora never becomes
// markup: the finding whose texts hold <script>alert(1)</script> renders
// as text.
func TestEscaping(t *testing.T) {
	rep := fixtureReport(t, Options{Title: "<script>alert('title')</script>"})
	var html, md bytes.Buffer
	if err := WriteHTML(&html, rep); err != nil {
		t.Fatal(err)
	}
	if err := WriteMarkdown(&md, rep); err != nil {
		t.Fatal(err)
	}
	page := html.String()
	for _, bad := range []string{"<script>alert", "</script><script>", "<b>evil</b>", "<i>id</i>", "<img src=x", "</textarea>"} {
		if strings.Contains(page, bad) {
			t.Errorf("the HTML page holds %q unescaped", bad)
		}
	}
	if n := strings.Count(page, "<script"); n != 2 {
		t.Errorf("the page has %d <script elements, want 2 (data and code)", n)
	}
	if !strings.Contains(page, `shards/&lt;b&gt;evil&lt;/b&gt;.jsonl`) {
		t.Error("the file name with markup is not shown escaped in the files table")
	}
	if !strings.Contains(page, `\u003cscript\u003ealert(1)\u003c/script\u003e`) {
		t.Error("the finding's text is not in the page's data, JSON-escaped")
	}
	mdText := md.String()
	for _, bad := range []string{"<script>", "<b>", "<img"} {
		if strings.Contains(mdText, bad) {
			t.Errorf("the Markdown holds %q unescaped", bad)
		}
	}
}

func TestCap(t *testing.T) {
	b := NewBuilder(Options{Cap: 100, FindingsFile: "all.jsonl"})
	for i := range 100_000 {
		f := leakhound.Finding{SchemaVersion: 1, Doc: leakhound.DocRef{File: fmt.Sprintf("shard-%02d.jsonl", i%37), Line: int64(i)},
			Item: fmt.Sprintf("b/test/%d", i%500), Benchmark: "b", Method: "gpt3", Score: float64(i%1000) / 1000}
		b.Add(&f)
	}
	rep := b.Report()
	if len(rep.Table.Rows) != 100 || rep.Findings != 100_000 || rep.Records != 100_000 {
		t.Fatalf("rows %d findings %d records %d", len(rep.Table.Rows), rep.Findings, rep.Records)
	}
	for i, f := range rep.Table.Rows {
		if f.Score != 0.999 || i > 0 && compareFindings(&rep.Table.Rows[i-1], &f) >= 0 {
			t.Fatalf("row %d: %+v is not among the highest scores in order", i, f)
		}
	}
	if rep.Benchmarks[0].Found != 500 || rep.TopFiles[0].File != "shard-00.jsonl" || len(rep.TopFiles) != 20 {
		t.Errorf("found %d, top file %+v", rep.Benchmarks[0].Found, rep.TopFiles[0])
	}
	var html bytes.Buffer
	if err := WriteHTML(&html, rep); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(html.String(), "The 100 highest-scoring of 100000 findings (the report&#39;s cap is 100); all of them are in all.jsonl.") {
		t.Error("the page does not state its cap and the link to the full findings")
	}
}

func TestReadFindings(t *testing.T) {
	tests := []struct {
		name, in string
		n        int
		err      string
	}{
		{"two and a blank line", `{"doc":{"file":"a","line":1},"item":"x","method":"gpt3"}` + "\n\n" + `{"doc":{"file":"a","line":2},"item":"y","method":"gpt3"}`, 2, ""},
		{"bad json", "{\"doc\":\n", 0, "line 1: not a finding"},
		{"not a finding", `{"a":1}` + "\n", 0, "line 1: not a finding: doc.file, item and method are required"},
		{"newer schema", `{"schema_version":99,"doc":{"file":"a"},"item":"x","method":"m"}`, 0, "schema_version 99 is newer"},
		{"empty", "", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := 0
			err := ReadFindings(strings.NewReader(tt.in), func(*leakhound.Finding) error { n++; return nil })
			if n != tt.n || (err == nil) != (tt.err == "") || err != nil && !strings.Contains(err.Error(), tt.err) {
				t.Errorf("n %d err %v, want %d %q", n, err, tt.n, tt.err)
			}
		})
	}
}

func FuzzReadFindings(f *testing.F) {
	data, err := os.ReadFile("testdata/findings.jsonl")
	if err != nil {
		f.Fatal(err)
	}
	for _, l := range bytes.Split(data, []byte("\n"))[:3] {
		f.Add(l)
	}
	f.Add([]byte(`{"doc":{"file":"a","line":1},"item":"x","method":"m","score":1e308,"spans":[{"doc":{"start":-5,"end":99999}}],"excerpt":{"offset":7,"text":"ab"}}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		b := NewBuilder(Options{Cap: 3})
		if ReadFindings(bytes.NewReader(in), func(fd *leakhound.Finding) error { b.Add(fd); return nil }) != nil {
			return
		}
		rep := b.Report()
		var out bytes.Buffer
		if err := WriteHTML(&out, rep); err != nil {
			t.Fatal(err)
		}
		if err := WriteMarkdown(&out, rep); err != nil {
			t.Fatal(err)
		}
	})
}

func BenchmarkBuilder(b *testing.B) {
	data, err := os.ReadFile("testdata/findings.jsonl")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		bl := NewBuilder(Options{})
		if err := ReadFindings(bytes.NewReader(data), func(fd *leakhound.Finding) error { bl.Add(fd); return nil }); err != nil {
			b.Fatal(err)
		}
		bl.Report()
	}
}

// TestAlignedInMarkdown checks that a paraphrase finding shows its aligned
// words (same word, value and synonym) in the Markdown table, escaped.
func TestAlignedInMarkdown(t *testing.T) {
	b := NewBuilder(Options{})
	b.Add(&leakhound.Finding{
		SchemaVersion: leakhound.SchemaVersion, Item: "t/0", Benchmark: "t", Method: "rephrase", Score: 0.97,
		Doc:   leakhound.DocRef{File: "c.jsonl", Line: 3},
		Spans: []leakhound.SpanPair{{}, {}, {}},
		Aligned: []leakhound.Alignment{
			{Item: "ducks", Doc: "ducks", How: leakhound.AlignSame, Weight: 6},
			{Item: "three", Doc: "3", How: leakhound.AlignNumber, Weight: 3},
			{Item: "eats", Doc: "<b>consumes</b>", How: leakhound.AlignSynonym, Weight: 5},
		},
	})
	var md bytes.Buffer
	if err := WriteMarkdown(&md, b.Report()); err != nil {
		t.Fatal(err)
	}
	if want := `ducks, three = 3, eats \~ &lt;b&gt;consumes&lt;/b&gt;`; !strings.Contains(md.String(), want) {
		t.Errorf("Markdown lacks the aligned words %q:\n%s", want, md.String())
	}
}
