package rephrase

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/leakhound/leakhound"
	"github.com/leakhound/leakhound/internal/shareddata"
)

// sharedItems reads the normalized benchmark splits of ../shared/data.
func sharedItems(b *testing.B) []leakhound.Item {
	dir := ""
	for d, _ := os.Getwd(); ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "..", "shared", "data", "normalized")); err == nil {
			dir = filepath.Join(d, "..", "shared", "data", "normalized")
			break
		}
		if filepath.Dir(d) == d {
			b.Skip("../shared/data not found")
		}
	}
	var items []leakhound.Item
	for _, f := range []string{"gsm8k/test", "humaneval/test", "mmlu/test", "cmmlu/test", "mbpp/test", "arc_challenge/test", "truthfulqa/validation", "math/test", "hellaswag/val"} {
		fh, err := os.Open(filepath.Join(dir, f+".jsonl.gz"))
		if err != nil {
			b.Fatal(err)
		}
		zr, err := gzip.NewReader(fh)
		if err != nil {
			b.Fatal(err)
		}
		sc := bufio.NewScanner(zr)
		sc.Buffer(make([]byte, 1<<20), 1<<24)
		for sc.Scan() {
			var it leakhound.Item
			if err := json.Unmarshal(sc.Bytes(), &it); err != nil {
				b.Fatal(err)
			}
			items = append(items, it)
		}
		fh.Close()
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
