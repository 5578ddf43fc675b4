package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakhound/leakhound/clean"
)

const (
	cleanBenchPath  = "../../testdata/sample/bench.jsonl"
	cleanCorpusPath = "../../testdata/sample/corpus.jsonl"
)

func TestScanClean(t *testing.T) {
	dir := t.TempDir()
	for _, policy := range []string{"drop", "redact"} {
		out := filepath.Join(dir, policy)
		rep := filepath.Join(dir, policy+".html")
		code, stdout, stderr := runCLI(t, "scan", "--bench", cleanBenchPath, "--method", "gpt3,palm,gpt4,llama2", "--out", filepath.Join(dir, policy+".jsonl"),
			"--clean", out, "--clean-policy", policy, "--report", rep, cleanCorpusPath)
		if code != ExitFound {
			t.Fatalf("%s: exit %d; stderr %s", policy, code, stderr)
		}
		for _, w := range []string{"clean (" + policy + "): 1 files", "read 18 records", "accounting: kept + dropped == read for all 1 files", "report: " + rep} {
			if !strings.Contains(stdout, w) {
				t.Errorf("%s: stdout lacks %q:\n%s", policy, w, stdout)
			}
		}
		m, err := clean.ReadManifest(filepath.Join(out, ".leakhound", "manifest.json"))
		if err != nil {
			t.Fatal(err)
		}
		f := m.Files[0]
		if !m.OK || f.Read != 18 || f.Kept+f.Dropped != 18 || (policy == "drop") != (f.Dropped == 5) || (policy == "redact") != (f.Redacted == 5) {
			t.Errorf("%s: manifest %+v", policy, f)
		}
		page, err := os.ReadFile(rep)
		if err != nil || !strings.Contains(string(page), `data-method="gpt3" data-found="5" data-percent="62.50"`) {
			t.Errorf("%s: report page without the gpt3 bar (%v)", policy, err)
		}
		// The round trip: the cleaned copy holds no benchmark item.
		code, stdout, _ = runCLI(t, "scan", "--bench", cleanBenchPath, "--method", "gpt3,palm,gpt4,llama2", out)
		if code != ExitClean || !strings.Contains(stdout, "0 findings") {
			t.Errorf("%s: re-scan of the cleaned copy: exit %d\n%s", policy, code, stdout)
		}
	}
}

func TestScanCleanErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--clean", filepath.Join(filepath.Dir(cleanCorpusPath), "clean")}, "inside the input directory"},
		{[]string{"--clean-policy", "redact"}, "need --clean OUTDIR"},
		{[]string{"--clean", filepath.Join(dir, "x"), "--clean-policy", "shred"}, "want drop or redact"},
		{[]string{"--clean", filepath.Join(dir, "y"), "--clean-bench", "gsm8k"}, "not a benchmark of this scan (sample)"},
	}
	for _, tt := range tests {
		args := append([]string{"scan", "--bench", cleanBenchPath, cleanCorpusPath}, tt.args...)
		code, _, stderr := runCLI(t, args...)
		if code != ExitError || !strings.Contains(stderr, tt.want) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", tt.args, code, stderr, tt.want)
		}
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(cleanCorpusPath), "clean")); err == nil {
		t.Error("a refused --clean created its directory")
	}
}

func TestScanCleanBench(t *testing.T) {
	dir := t.TempDir()
	xbench := filepath.Join(dir, "other.jsonl")
	if err := os.WriteFile(xbench, []byte(`{"id":"o/1","text":"Our community garden opens every Sunday morning; volunteers bring tools, seedlings and a lot of patience."}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	code, _, stderr := runCLI(t, "scan", "--bench", cleanBenchPath, "--bench", xbench, "--clean", out, "--clean-bench", "other", cleanCorpusPath)
	if code != ExitFound {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	m, err := clean.ReadManifest(filepath.Join(out, ".leakhound", "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if m.Files[0].Dropped != 3 || len(m.Benchmarks) != 1 {
		t.Errorf("--clean-bench other: dropped %d (want 3, the records that hold the garden text; not the 7 that also hold sample's 5)", m.Files[0].Dropped)
	}
}

func TestReportCommand(t *testing.T) {
	dir := t.TempDir()
	findings := filepath.Join(dir, "f.jsonl")
	if code, _, stderr := runCLI(t, "scan", "--bench", cleanBenchPath, "--method", "gpt3,palm,gpt4,llama2", "--out", findings, cleanCorpusPath); code != ExitFound {
		t.Fatalf("scan: %d %s", code, stderr)
	}
	tests := []struct {
		args []string
		code int
		file string
		want []string
	}{
		{[]string{"report", findings, "-o", filepath.Join(dir, "r.html"), "--bench", cleanBenchPath}, ExitFound, "r.html",
			[]string{"<svg class=\"bench-chart\"", "f.jsonl", "sample/test/0"}},
		{[]string{"report", findings, "-o", filepath.Join(dir, "r.md")}, ExitFound, "r.md", []string{"| sample | ? | 5 | ? |"}},
		{[]string{"report", findings, "-o", filepath.Join(dir, "r.json"), "--bench", cleanBenchPath, "--max-findings", "3"}, ExitFound, "r.json",
			[]string{`"items": 8`, `"cap": 3`, `"percent": 62.5`}},
		{[]string{"report", findings, "--format", "pdf"}, ExitError, "", nil},
		{[]string{"report"}, ExitError, "", nil},
		{[]string{"report", filepath.Join(dir, "missing.jsonl")}, ExitError, "", nil},
	}
	for _, tt := range tests {
		code, _, stderr := runCLI(t, tt.args...)
		if code != tt.code {
			t.Errorf("%q: exit %d, want %d: %s", tt.args, code, tt.code, stderr)
		}
		if tt.file == "" {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, tt.file))
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range tt.want {
			if !strings.Contains(string(data), w) {
				t.Errorf("%q: %s lacks %q", tt.args, tt.file, w)
			}
		}
		if tt.file == "r.json" {
			var v map[string]any
			if err := json.Unmarshal(data, &v); err != nil {
				t.Errorf("r.json: %v", err)
			}
		}
	}
	empty := filepath.Join(dir, "empty.jsonl")
	os.WriteFile(empty, nil, 0o644)
	if code, stdout, _ := runCLI(t, "report", empty, "--format", "md"); code != ExitClean || !strings.Contains(stdout, "**0 findings**") {
		t.Errorf("empty findings: exit %d\n%s", code, stdout)
	}
}
