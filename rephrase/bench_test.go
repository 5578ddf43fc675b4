package rephrase

import (
	"context"
	"strings"
	"testing"

	"github.com/leakhound/leakhound"
	"github.com/leakhound/leakhound/evalset"
	"github.com/leakhound/leakhound/internal/shareddata"
)

// sharedItems loads the normalized test splits of the nine benchmarks of
// ../shared/data (42,710 items), or skips when it is absent.
func sharedItems(b *testing.B) []leakhound.Item {
	var specs []string
	for _, f := range []string{"gsm8k/test", "humaneval/test", "mmlu/test", "cmmlu/test", "mbpp/test", "arc_challenge/test", "truthfulqa/validation", "math/test", "hellaswag/val"} {
		ds, split, _ := strings.Cut(f, "/")
		specs = append(specs, shareddata.Normalized(b, ds, split))
	}
	items, err := evalset.LoadAll(context.Background(), specs, evalset.Options{NoClusters: true})
	if err != nil {
		b.Fatal(err)
	}
	return items
}

// BenchmarkDetect measures the record side of the rephrase method (the
// candidate stage and verification) against every benchmark of
// shared/data, on generated 2.7 KB English-like records.
func BenchmarkDetect(b *testing.B) {
	items := sharedItems(b)
	m, err := NewModel(Config{})
	if err != nil {
		b.Fatal(err)
	}
	d := NewDetector(m, items)
	docs, size := shareddata.BenchDocs(b)
	w := d.NewWorker()
	shareddata.BenchDetect(b, docs, size, func(t []byte) error {
		_, err := w.Detect(nil, t)
		return err
	})
}
