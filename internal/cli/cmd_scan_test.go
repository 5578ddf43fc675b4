package cli

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
	"github.com/parquet-go/parquet-go"
	"github.com/ulikunitz/xz"

	"github.com/leakhound/leakhound"
)

const (
	sampleBench  = "../../testdata/sample/bench.jsonl"
	sampleCorpus = "../../testdata/sample/corpus.jsonl"
)

type sampleRecord struct {
	ID   string `json:"id" parquet:"id"`
	Text string `json:"text" parquet:"text"`
}

func readSample(t *testing.T) (raw []byte, recs []sampleRecord) {
	raw, err := os.ReadFile(sampleCorpus)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range bytes.Split(bytes.TrimSpace(raw), []byte("\n")) {
		var r sampleRecord
		if err := json.Unmarshal(line, &r); err != nil {
			t.Fatal(err)
		}
		recs = append(recs, r)
	}
	return raw, recs
}

func writeFile(t *testing.T, path string, data []byte) string {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// sampleVariants writes the sample corpus in every format and compression
// the scan reads, under misleading names where that proves sniffing.
func sampleVariants(t *testing.T) map[string]string {
	raw, recs := readSample(t)
	dir := t.TempDir()
	v := map[string]string{"jsonl": sampleCorpus}

	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(raw)
	zw.Close()
	v["gzip"] = writeFile(t, filepath.Join(dir, "corpus-gzip.data"), gz.Bytes())

	enc, _ := zstd.NewWriter(nil)
	v["zstd"] = writeFile(t, filepath.Join(dir, "corpus.jsonl.gz"), enc.EncodeAll(raw, nil)) // not gzip: sniffed
	var xzb bytes.Buffer
	xw, err := xz.NewWriter(&xzb)
	if err != nil {
		t.Fatal(err)
	}
	xw.Write(raw)
	xw.Close()
	v["xz"] = writeFile(t, filepath.Join(dir, "corpus.xz"), xzb.Bytes())
	if bz, err := exec.LookPath("bzip2"); err == nil {
		p := writeFile(t, filepath.Join(dir, "corpus.jsonl"), raw)
		if out, err := exec.Command(bz, "-k", p).CombinedOutput(); err != nil {
			t.Fatalf("bzip2: %v %s", err, out)
		}
		v["bzip2"] = p + ".bz2"
	}
	arr, _ := json.MarshalIndent(recs, "", "  ")
	v["json-array"] = writeFile(t, filepath.Join(dir, "corpus.json"), arr)
	var pq bytes.Buffer
	if err := parquet.Write(&pq, recs); err != nil {
		t.Fatal(err)
	}
	v["parquet"] = writeFile(t, filepath.Join(dir, "corpus.parquet"), pq.Bytes())
	var zpq bytes.Buffer
	zw = gzip.NewWriter(&zpq)
	zw.Write(pq.Bytes())
	zw.Close()
	v["parquet+gzip"] = writeFile(t, filepath.Join(dir, "corpus.parquet.gz"), zpq.Bytes())
	return v
}

// findingsOf runs a scan with --out and returns the findings.
func findingsOf(t *testing.T, args ...string) (int, []leakhound.Finding, string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "findings.jsonl")
	code, stdout, stderr := runCLI(t, append([]string{"scan", "--out", out}, args...)...)
	data, _ := os.ReadFile(out)
	var fs []leakhound.Finding
	for _, line := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
		if len(line) == 0 {
			continue
		}
		var f leakhound.Finding
		if err := json.Unmarshal(line, &f); err != nil {
			t.Fatalf("finding line %q: %v", line, err)
		}
		fs = append(fs, f)
	}
	return code, fs, stdout + stderr
}

func foundKeys(fs []leakhound.Finding) []string {
	var keys []string
	for _, f := range fs {
		keys = append(keys, f.Doc.ID+" "+f.Item+" "+f.Method)
	}
	slices.Sort(keys)
	return keys
}

func TestScanEveryFormatAndCompression(t *testing.T) {
	code, want, out := findingsOf(t, "--bench", sampleBench, "--method", "all", sampleCorpus)
	if code != ExitFound || len(want) == 0 {
		t.Fatalf("plain JSONL: exit %d, %d findings\n%s", code, len(want), out)
	}
	for name, path := range sampleVariants(t) {
		code, got, out := findingsOf(t, "--bench", sampleBench, "--method", "all", path)
		if code != ExitFound {
			t.Errorf("%s: exit %d\n%s", name, code, out)
			continue
		}
		if g, w := foundKeys(got), foundKeys(want); !slices.Equal(g, w) {
			t.Errorf("%s: findings %v, want %v", name, g, w)
		}
		if !strings.Contains(out, "18 records (0 bad)") {
			t.Errorf("%s: summary does not account for 18 good records:\n%s", name, out)
		}
	}
}

func TestScanFindingsContract(t *testing.T) {
	_, fs, _ := findingsOf(t, "--bench", sampleBench, sampleCorpus)
	raw, recs := readSample(t)
	lines := bytes.Split(raw, []byte("\n"))
	for _, f := range fs {
		if f.SchemaVersion != leakhound.SchemaVersion || f.Method != "gpt3" || f.Benchmark != "sample" || f.Score <= 0 || len(f.Spans) == 0 {
			t.Errorf("finding misses contract fields: %+v", f)
		}
		// file:line and offset point at the record; spans index its text.
		rec := recs[f.Doc.Line-1]
		if rec.ID != f.Doc.ID || f.Doc.File != sampleCorpus {
			t.Errorf("doc %+v does not name record %s", f.Doc, rec.ID)
		}
		if off := bytes.Index(raw, lines[f.Doc.Line-1]); int64(off) != f.Doc.Offset {
			t.Errorf("doc offset %d, want %d", f.Doc.Offset, off)
		}
		for _, sp := range f.Spans {
			if sp.Doc.End > len(rec.Text) || sp.Doc.Start >= sp.Doc.End {
				t.Errorf("span %v outside record text of %d bytes", sp.Doc, len(rec.Text))
			}
		}
	}
}

func TestScanDeterministicAcrossWorkers(t *testing.T) {
	raw, _ := readSample(t)
	copyOf := writeFile(t, filepath.Join(t.TempDir(), "copy.jsonl"), raw) // a second file (the same one twice is read once)
	var outputs [][]byte
	for _, w := range []string{"1", "2", "7"} {
		out := filepath.Join(t.TempDir(), "f.jsonl")
		runCLI(t, "scan", "--bench", sampleBench, "--method", "all", "--workers", w, "--out", out, sampleCorpus, copyOf)
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		outputs = append(outputs, data)
	}
	for i := 1; i < len(outputs); i++ {
		if !bytes.Equal(outputs[0], outputs[i]) {
			t.Fatalf("findings differ between worker counts")
		}
	}
}

func TestScanExitCodes(t *testing.T) {
	dir := t.TempDir()
	clean := writeFile(t, filepath.Join(dir, "clean.jsonl"), []byte(`{"text": "Nothing in this record comes from a benchmark."}`+"\n"))
	noField := writeFile(t, filepath.Join(dir, "nofield.jsonl"), []byte(`{"body": "x", "meta": {"lang": "en"}}`+"\n"))
	tests := []struct {
		name   string
		args   []string
		code   int
		output string
	}{
		{"found", []string{"--bench", sampleBench, sampleCorpus}, ExitFound, "sample"},
		{"clean", []string{"--bench", sampleBench, clean}, ExitClean, "1 records (0 bad)"},
		{"no bench", []string{sampleCorpus}, ExitError, "no benchmark"},
		{"no corpus", []string{"--bench", sampleBench}, ExitError, "no corpus"},
		{"missing corpus", []string{"--bench", sampleBench, filepath.Join(dir, "nope.jsonl")}, ExitError, "nope.jsonl"},
		{"missing bench", []string{"--bench", filepath.Join(dir, "nope.jsonl"), sampleCorpus}, ExitError, "nope.jsonl"},
		{"bad method", []string{"--bench", sampleBench, "--method", "gpt5", sampleCorpus}, ExitError, `unknown method "gpt5"`},
		{"no text field", []string{"--bench", sampleBench, noField}, ExitError, "body"},
		{"bad flag", []string{"--frobnicate", sampleCorpus}, ExitError, "frobnicate"},
	}
	for _, tt := range tests {
		code, stdout, stderr := runCLI(t, append([]string{"scan"}, tt.args...)...)
		if code != tt.code || !strings.Contains(stdout+stderr, tt.output) {
			t.Errorf("%s: exit %d, want %d; output does not contain %q:\n%s%s", tt.name, code, tt.code, tt.output, stdout, stderr)
		}
		if strings.Contains(stderr, "goroutine") || strings.Contains(stderr, "panic") {
			t.Errorf("%s: stack trace on stderr:\n%s", tt.name, stderr)
		}
	}
}

// TestScanBadInputIsReportedAndSkipped: a directory with bad records and
// bad files; the scan reports each with its location, counts it, and still
// finds the planted items in the good records.
func TestScanBadInputIsReportedAndSkipped(t *testing.T) {
	raw, _ := readSample(t)
	dir := t.TempDir()
	lines := bytes.SplitAfter(raw, []byte("\n"))
	bad := slices.Concat(lines[:3], [][]byte{[]byte("{\"id\": \"broken\", \"text\": \"unterminated\n"), []byte("{\"id\": \"bytes\", \"text\": \"bad \xff utf8\"}\n"), []byte("{\"id\": \"nofield\"}\n")}, lines[3:])
	writeFile(t, filepath.Join(dir, "a.jsonl"), bytes.Join(bad, nil))
	writeFile(t, filepath.Join(dir, "b-empty.jsonl"), nil)
	writeFile(t, filepath.Join(dir, "c-binary.bin"), []byte{0x7f, 'E', 'L', 'F', 0, 0, 1, 2, 3, 0, 0, 0})
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(raw)
	zw.Close()
	writeFile(t, filepath.Join(dir, "d-truncated.jsonl.gz"), gz.Bytes()[:gz.Len()/2])
	code, stdout, stderr := runCLI(t, "scan", "--bench", sampleBench, dir)
	if code != ExitFound {
		t.Fatalf("exit %d, want 1:\n%s%s", code, stdout, stderr)
	}
	for _, want := range []string{"a.jsonl:4:", "a.jsonl:5:", "a.jsonl:6:", "b-empty.jsonl", "c-binary.bin", "d-truncated.jsonl.gz", "malformed-json", "invalid-utf8", "missing-field", "empty-file", "binary-file", "truncated"} {
		if !strings.Contains(stderr+stdout, want) {
			t.Errorf("output does not mention %q:\n%s%s", want, stdout, stderr)
		}
	}
	if !strings.Contains(stdout, "(4 bad)") { // three in a.jsonl, one cut by the truncation
		t.Errorf("summary does not count the 4 bad records:\n%s", stdout)
	}
	if strings.Contains(stderr, "goroutine") {
		t.Errorf("stack trace:\n%s", stderr)
	}
}

func TestScanJSONSummary(t *testing.T) {
	code, stdout, _ := runCLI(t, "scan", "--bench", sampleBench, "--format", "json", "--method", "gpt3,palm", sampleCorpus)
	var rep scanReport
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil || code != ExitFound {
		t.Fatalf("exit %d, summary not JSON (%v):\n%s", code, err, stdout)
	}
	if len(rep.Summary) != 2 || rep.Summary[0].Items != 8 || rep.Summary[0].Found != 5 || rep.Stats.Records != 18 {
		t.Errorf("summary = %+v, stats = %+v", rep.Summary, rep.Stats)
	}
}
