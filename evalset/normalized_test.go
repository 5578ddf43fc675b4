package evalset

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/leakhound/leakhound"
	"github.com/leakhound/leakhound/internal/shareddata"
)

// sharedData returns ../shared/data, or skips the test when it is absent.
func sharedData(t testing.TB) string {
	return shareddata.Dir(t)
}

type normRec struct {
	ID, Dataset, Split, Text, Source string
}

func readNormalized(t *testing.T, data, dataset, split string) []normRec {
	t.Helper()
	f, err := os.Open(filepath.Join(data, "normalized", dataset, split+".jsonl.gz"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(zr)
	sc.Buffer(nil, 64<<20)
	var out []normRec
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatal(err)
		}
		get := func(k string) string { s, _ := m[k].(string); return s }
		out = append(out, normRec{ID: get("id"), Dataset: get("dataset"), Split: get("split"), Text: get("text"), Source: get("source")})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestNamedMatchesNormalized loads every benchmark of shared/data from its
// native files and compares ids, splits, sources and default-part texts
// with normalized/<dataset>/<split>.jsonl.gz record for record, and the
// counts with normalized/manifest.json.
func TestNamedMatchesNormalized(t *testing.T) {
	data := sharedData(t)
	var manifest []struct {
		Dataset, Split string
		Records        int
	}
	b, err := os.ReadFile(filepath.Join(data, "normalized", "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &manifest); err != nil {
		t.Fatal(err)
	}
	checked := 0
	type loaded struct {
		recs  []record
		items []leakhound.Item
	}
	cache := map[string]loaded{} // each benchmark is read once, all splits
	for _, m := range manifest {
		bench := Lookup(m.Dataset)
		if bench == nil {
			continue // training-side sets
		}
		checked++
		t.Run(m.Dataset+"/"+m.Split, func(t *testing.T) {
			all, ok := cache[bench.Name]
			if !ok {
				l := &NamedLoader{Bench: bench, Dir: data, Splits: []string{"all"}}
				recs, err := l.records(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				items, err := renderRecords(recs, bench.Dataset, bench.DefaultPart, t.Logf)
				if err != nil || len(items) != len(recs) {
					t.Fatalf("%d items of %d records: %v", len(items), len(recs), err)
				}
				all = loaded{recs, items}
				cache[bench.Name] = all
			}
			var recs []record
			var items []leakhound.Item
			for i, r := range all.recs {
				if r.split == m.Split {
					recs, items = append(recs, r), append(items, all.items[i])
				}
			}
			want := readNormalized(t, data, m.Dataset, m.Split)
			if len(items) != m.Records || len(want) != m.Records {
				t.Fatalf("got %d items, normalized file %d, manifest %d", len(items), len(want), m.Records)
			}
			for i, w := range want {
				it := items[i]
				if it.ID != w.ID || it.Benchmark != w.Dataset || it.Split != w.Split || recs[i].source != w.Source {
					t.Fatalf("record %d: got id %q bench %q split %q source %q, want %q %q %q %q", i, it.ID, it.Benchmark, it.Split, recs[i].source, w.ID, w.Dataset, w.Split, w.Source)
				}
				if it.Text != w.Text {
					t.Fatalf("%s: text differs:\ngot  %q\nwant %q", w.ID, it.Text, w.Text)
				}
				if it.Part != string(bench.DefaultPart) {
					t.Fatalf("%s: part %q, want %q", w.ID, it.Part, bench.DefaultPart)
				}
			}
		})
	}
	if checked != 17 {
		t.Errorf("checked %d benchmark splits of the manifest, want 17", checked)
	}
}

// TestScanSpecs loads the benchmarks of the scan command as the
// scan does (one LoadAll, default splits and parts) and checks the counts
// against normalized/manifest.json.
func TestScanSpecs(t *testing.T) {
	data := sharedData(t)
	specs := []string{"gsm8k", "mmlu", "humaneval", "cmmlu", "mbpp", "arc", "truthfulqa", "math", "hellaswag"}
	items, err := LoadAll(context.Background(), specs, Options{Dir: data})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, it := range items {
		got[it.Benchmark+"/"+it.Split]++
	}
	want := map[string]int{"gsm8k/test": 1319, "mmlu/test": 14042, "humaneval/test": 164, "cmmlu/test": 11582,
		"mbpp/test": 500, "arc_challenge/test": 1172, "truthfulqa/validation": 817, "math/test": 3072, "hellaswag/val": 10042}
	if len(got) != len(want) {
		t.Errorf("splits %v, want %v", got, want)
	}
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%s: %d items, want %d", k, got[k], n)
		}
	}
}
