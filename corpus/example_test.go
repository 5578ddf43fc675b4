package corpus_test

import (
	"fmt"
	"strings"

	"github.com/leakhound/leakhound/corpus"
)

// Read a JSONL corpus: one goroutine reads batches, Each extracts the
// records (in a real scan, on worker goroutines, one Extractor each).
func Example() {
	data := `{"id": "a1", "text": "Natalia sold clips to 48 of her friends."}
{"id": 7, "text": "line one\nline two"}
{"id": "a3", "text": "unterminated}
{"id": "a4", "body": "no text field"}
`
	in := corpus.FromReader("sample.jsonl", strings.NewReader(data), int64(len(data)))
	src, err := corpus.Open(in, corpus.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer src.Close()
	x := corpus.NewExtractor(corpus.Options{})
	var b corpus.Batch
	for src.NextBatch(&b) {
		b.Each(x, func(r *corpus.Record) error {
			fmt.Printf("%s:%d @%d id=%s %q\n", r.File, r.Line, r.Offset, r.ID, r.Text)
			return nil
		})
		for _, d := range b.Diagnostics() {
			fmt.Println(d.Kind, d)
		}
	}
	if err := src.Err(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// sample.jsonl:1 @0 id=a1 "Natalia sold clips to 48 of her friends."
	// sample.jsonl:2 @65 id=7 "line one\nline two"
	// malformed-json sample.jsonl:3: unterminated string, in member "text" (byte 35 of the record)
	// missing-field sample.jsonl:4: record has no string value at "text"
}
