package clean

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dsnet/compress/bzip2"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/leakhound/leakhound"
	"github.com/leakhound/leakhound/corpus"
	"github.com/leakhound/leakhound/evalset"
	"github.com/leakhound/leakhound/match"
	"github.com/leakhound/leakhound/scan"
	"github.com/parquet-go/parquet-go"
	"github.com/ulikunitz/xz"
)

// repoRoot finds the module root from the test's working directory.
func repoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found")
		}
		dir = parent
	}
}

// sampleSet returns the match set of the repository's sample benchmark
// with every method.
func sampleSet(t testing.TB) *match.Set {
	t.Helper()
	return benchSet(t, filepath.Join(repoRoot(t), "testdata/sample/bench.jsonl"))
}

func benchSet(t testing.TB, specs ...string) *match.Set {
	t.Helper()
	items, err := evalset.LoadAll(context.Background(), specs, evalset.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// The four published exact methods; rephrase detection has its own
	// tests, and the redaction round trip is checked on it by
	// scripts/clean-roundtrip.sh.
	opts := match.DefaultOptions()
	opts.Methods = []string{match.GPT3, match.PaLM, match.GPT4, match.Llama2}
	set, err := match.NewSet(items, opts)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// sampleLines returns the sample corpus lines, plus a record with extra
// fields in an unusual order that holds a benchmark item, a malformed
// line and a blank line, which cleaning must copy through.
func sampleLines(t testing.TB) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot(t), "testdata/sample/corpus.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	extra := `{"meta": {"source": "forum", "n": [1, 2]}, "text": "Saved from a forum \u2014 A baker fills 12 trays with 18 muffins each and sells all but 25 of them on Saturday. How many muffins did the baker sell? <b>bold</b>", "id": "doc-x", "z": null}`
	return append(lines[:5], append([]string{extra, "{not json", ""}, lines[5:]...)...)
}

// scanFindings scans inputs and returns the findings.
func scanFindings(t testing.TB, set *match.Set, paths []string, copts corpus.Options, add func(*leakhound.Finding)) (*scan.Stats, []leakhound.Finding) {
	t.Helper()
	inputs, err := corpus.Expand(paths)
	if err != nil {
		t.Fatal(err)
	}
	var fs []leakhound.Finding
	stats, _, err := scan.Run(context.Background(), set, inputs, scan.Options{Corpus: copts, Workers: 2, Finding: func(f *leakhound.Finding) error {
		fs = append(fs, *f)
		if add != nil {
			add(f)
		}
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	return stats, fs
}

// scanAndClean scans paths, cleans them into opts.OutDir and returns the
// manifest and the scan's stats.
func scanAndClean(t testing.TB, set *match.Set, paths []string, opts Options) (*Manifest, *scan.Stats) {
	t.Helper()
	inputs, err := corpus.Expand(paths)
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(inputs, opts)
	if err != nil {
		t.Fatal(err)
	}
	stats, _ := scanFindings(t, set, paths, opts.Corpus, c.Add)
	m, err := c.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return m, stats
}

// compressWith compresses data with method.
func compressWith(t testing.TB, method string, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	var w io.WriteCloser
	var err error
	switch method {
	case "none":
		return data
	case "gzip":
		w = gzip.NewWriter(&b)
	case "zstd":
		w, err = zstd.NewWriter(&b)
	case "bzip2":
		w, err = bzip2.NewWriter(&b, nil)
	case "xz":
		w, err = xz.NewWriter(&b)
	}
	if err == nil {
		_, err = w.Write(data)
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// arrayOf renders the valid JSON lines as an indented JSON array.
func arrayOf(lines []string) []byte {
	var good []string
	for _, l := range lines {
		if strings.HasPrefix(l, `{"`) {
			good = append(good, l)
		}
	}
	return []byte("[\n  " + strings.Join(good, ",\n  ") + "\n]\n")
}

// sampleRow is the Parquet layout of the test corpus.
type sampleRow struct {
	ID    string `parquet:"id"`
	Text  string `parquet:"text"`
	Extra int64  `parquet:"extra"`
}

// parquetOf writes the valid JSON lines' id and text as Parquet, two row
// groups.
func parquetOf(t testing.TB, lines []string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := parquet.NewGenericWriter[sampleRow](&b, parquet.Compression(&parquet.Snappy))
	n := 0
	for _, l := range lines {
		var rec struct{ ID, Text string }
		if !strings.HasPrefix(l, `{"`) || jsonUnmarshal(l, &rec) != nil {
			continue
		}
		if _, err := w.Write([]sampleRow{{ID: rec.ID, Text: rec.Text, Extra: int64(n)}}); err != nil {
			t.Fatal(err)
		}
		if n++; n == 6 {
			w.Flush()
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func writeFile(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// readRecords decompresses path and returns its lines.
func readLines(t testing.TB, path string) []string {
	t.Helper()
	raw, err := openRaw(path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.close()
	var lines []string
	sc := bufio.NewScanner(raw.dec)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	return lines
}

// treeOf maps every file below dir (relative path) to its content.
func treeOf(t testing.TB, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[rel] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
