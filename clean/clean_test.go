package clean

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakhound/leakhound/corpus"
	"github.com/leakhound/leakhound/match"
	"github.com/leakhound/leakhound/scan"
)

// fixture writes the test corpus in format (jsonl, array, text, parquet)
// compressed with method, and returns its path.
func fixture(t testing.TB, dir, format, method string) string {
	t.Helper()
	lines := sampleLines(t)
	var data []byte
	name := "corpus"
	switch format {
	case "jsonl":
		data, name = []byte(strings.Join(lines, "\n")+"\n"), name+".jsonl"
	case "array":
		data, name = arrayOf(lines), name+".json"
	case "text":
		var texts []string
		for _, l := range lines {
			var rec struct{ Text string }
			if jsonUnmarshal(l, &rec) == nil && rec.Text != "" {
				texts = append(texts, rec.Text)
			}
		}
		data, name = []byte(strings.Join(texts, "\n\n")+"\n"), name+".txt"
	case "parquet":
		data, name = parquetOf(t, lines), name+".parquet"
	}
	ext := map[string]string{"none": "", "gzip": ".gz", "zstd": ".zst", "bzip2": ".bz2", "xz": ".xz"}[method]
	path := filepath.Join(dir, "in", "sub", name+ext)
	writeFile(t, path, compressWith(t, method, data))
	return path
}

func TestCleanFormats(t *testing.T) {
	set := sampleSet(t)
	for _, format := range []string{"jsonl", "array", "text", "parquet"} {
		for _, method := range []string{"none", "gzip", "zstd", "bzip2", "xz"} {
			for _, policy := range []Policy{Drop, Redact} {
				t.Run(fmt.Sprintf("%s/%s/%s", format, method, policy), func(t *testing.T) {
					dir := t.TempDir()
					in := fixture(t, dir, format, method)
					out := filepath.Join(dir, "out")
					m, stats := scanAndClean(t, set, []string{in}, Options{OutDir: out, Policy: policy, Workers: 1})
					checkManifest(t, m, stats)
					f := m.Files[0]
					if f.Output != filepath.Base(in) {
						t.Errorf("output %q, want %q", f.Output, filepath.Base(in))
					}
					if f.Format != formatName(format) || f.Compression != method {
						t.Errorf("format %s/%s, want %s/%s", f.Format, f.Compression, formatName(format), method)
					}
					checkSameKind(t, filepath.Join(out, f.Output), f)
					flagged := flaggedLines(t, set, in)
					if policy == Drop && f.Dropped != int64(flagged) || policy == Redact && f.Redacted != int64(flagged) {
						t.Errorf("dropped %d, redacted %d: want %d flagged records handled", f.Dropped, f.Redacted, flagged)
					}
					if flagged == 0 {
						t.Fatal("the fixture has no flagged record")
					}
					if _, fs := scanFindings(t, set, []string{out}, corpus.Options{}, nil); len(fs) != 0 {
						t.Errorf("re-scan of the cleaned copy: %d findings, first %+v", len(fs), fs[0])
					}
				})
			}
		}
	}
}

func formatName(f string) string {
	return map[string]string{"jsonl": "jsonl", "array": "json-array", "text": "text", "parquet": "parquet"}[f]
}

// checkManifest checks the accounting of every file and the totals
// against the scan.
func checkManifest(t *testing.T, m *Manifest, stats *scan.Stats) {
	t.Helper()
	if !m.OK || m.Check() != nil {
		t.Fatalf("manifest not OK: %v", m.Failures)
	}
	if m.Totals.Read != stats.Records {
		t.Errorf("manifest read %d records, the scan %d", m.Totals.Read, stats.Records)
	}
	for _, f := range m.Files {
		if f.Kept+f.Dropped != f.Read || f.OutputRecords != f.Kept || len(f.OutputSHA256) != 64 {
			t.Errorf("%s: accounting %+v", f.Input, f)
		}
	}
}

// flaggedLines counts the distinct records of in with a finding.
func flaggedLines(t testing.TB, set *match.Set, in string) int {
	t.Helper()
	_, fs := scanFindings(t, set, []string{in}, corpus.Options{}, nil)
	seen := map[int64]bool{}
	for _, f := range fs {
		seen[f.Doc.Line] = true
	}
	return len(seen)
}

// checkSameKind checks that the output at path has the recorded format
// and compression and the recorded hash.
func checkSameKind(t *testing.T, path string, f FileResult) {
	t.Helper()
	ins, err := corpus.Expand([]string{path})
	if err != nil {
		t.Fatal(err)
	}
	src, err := corpus.Open(ins[0], corpus.Options{Fields: []string{"text"}})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if got := src.Format().String(); got != f.Format && !(f.Format == "text" && got == "unknown") {
		t.Errorf("output format %s, want %s", got, f.Format)
	}
	if got := src.Compression(); got != f.Compression {
		t.Errorf("output compression %s, want %s", got, f.Compression)
	}
	sum, size, err := hashFile(path)
	if err != nil || sum != f.OutputSHA256 || size != f.OutputBytes {
		t.Errorf("output hash %s size %d, manifest %s %d (%v)", sum, size, f.OutputSHA256, f.OutputBytes, err)
	}
}
