package evalset

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// sharedData returns ../shared/data relative to the repository root, or
// skips the test when it is absent.
func sharedData(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("shared data: repository root not found")
		}
		dir = parent
	}
	data := filepath.Join(dir, "..", "shared", "data")
	if _, err := os.Stat(filepath.Join(data, "normalized", "manifest.json")); err != nil {
		t.Skip("shared data: ../shared/data not found")
	}
	return data
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
	for _, m := range manifest {
		bench := Lookup(m.Dataset)
		if bench == nil {
			continue // training-side sets
		}
		checked++
		t.Run(m.Dataset+"/"+m.Split, func(t *testing.T) {
			l := &NamedLoader{Bench: bench, Dir: data, Splits: []string{m.Split}}
			recs, err := l.records(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			items, err := l.Load(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			want := readNormalized(t, data, m.Dataset, m.Split)
			if len(items) != m.Records || len(want) != m.Records || len(recs) != m.Records {
				t.Fatalf("got %d items (%d records), normalized file %d, manifest %d", len(items), len(recs), len(want), m.Records)
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
