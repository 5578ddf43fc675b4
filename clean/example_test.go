package clean_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/leakhound/leakhound"
	"github.com/leakhound/leakhound/clean"
	"github.com/leakhound/leakhound/corpus"
)

// A Cleaner is made before the scan (it refuses a bad output directory),
// fed the scan's findings, and run after it.
func ExampleCleaner() {
	dir, _ := os.MkdirTemp("", "clean-example")
	defer os.RemoveAll(dir)
	in := filepath.Join(dir, "corpus", "part-0.jsonl")
	os.MkdirAll(filepath.Dir(in), 0o755)
	os.WriteFile(in, []byte(`{"id": 1, "text": "fine"}`+"\n"+`{"id": 2, "text": "a leaked test item"}`+"\n"), 0o644)

	inputs, _ := corpus.Expand([]string{in})
	c, err := clean.New(inputs, clean.Options{OutDir: filepath.Join(dir, "clean"), Policy: clean.Redact})
	if err != nil {
		panic(err)
	}
	// Normally scan.Options.Finding = func(f *leakhound.Finding) error { c.Add(f); return nil }.
	c.Add(&leakhound.Finding{Doc: leakhound.DocRef{File: in, Line: 2}, Benchmark: "b",
		Spans: []leakhound.SpanPair{{Doc: leakhound.Span{Start: 2, End: 8}}}})
	m, err := c.Run(context.Background())
	if err != nil {
		panic(err)
	}
	out, _ := os.ReadFile(filepath.Join(dir, "clean", "part-0.jsonl"))
	f := m.Files[0]
	fmt.Printf("read %d kept %d redacted %d ok %v\n%s", f.Read, f.Kept, f.Redacted, m.OK, out)
	// Output:
	// read 2 kept 2 redacted 1 ok true
	// {"id": 1, "text": "fine"}
	// {"id": 2, "text": "a [REDACTED] test item"}
}
