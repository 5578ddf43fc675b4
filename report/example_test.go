package report_test

import (
	"os"

	"github.com/leakhound/leakhound"
	"github.com/leakhound/leakhound/report"
)

// A Builder aggregates findings as they stream by; the report renders as
// Markdown, JSON or one HTML page.
func ExampleBuilder() {
	b := report.NewBuilder(report.Options{Title: "nightly scan"})
	b.SetItems([]leakhound.Item{{ID: "gsm8k/test/0", Benchmark: "gsm8k"}, {ID: "gsm8k/test/1", Benchmark: "gsm8k"}})
	b.Add(&leakhound.Finding{Doc: leakhound.DocRef{File: "shard-0.jsonl", Line: 7}, Item: "gsm8k/test/1",
		Benchmark: "gsm8k", Method: "gpt3", Score: 0.93, Verdict: "dirty"})
	rep := b.Report()
	report.WriteMarkdown(os.Stdout, &report.Report{Title: rep.Title, Findings: rep.Findings, Records: rep.Records, Files: rep.Files,
		Methods: rep.Methods, Benchmarks: rep.Benchmarks})
	// Output:
	// # nightly scan
	//
	// **1 findings** in **1 records** of **1 files**.
	//
	// ## Benchmarks
	//
	// | benchmark | items | leaked | % leaked | gpt3 | records | findings |
	// |---|--:|--:|--:|--:|--:|--:|
	// | gsm8k | 2 | 1 | 50.00% | 1 (50.00%) | 1 | 1 |
	//
	// Leaked: items with a finding by any method, or flagged by a method's item-level rule; near-duplicate twins count once.
}
