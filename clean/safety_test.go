package clean

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakhound/leakhound"
	"github.com/leakhound/leakhound/corpus"
)

func TestNewRefuses(t *testing.T) {
	dir := t.TempDir()
	in := fixture(t, dir, "jsonl", "none") // dir/in/sub/corpus.jsonl
	foreign := filepath.Join(dir, "foreign")
	writeFile(t, filepath.Join(foreign, "x.txt"), []byte("someone else's file"))
	inputs, err := corpus.Expand([]string{in})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		inputs []corpus.Input
		out    string
		want   string
	}{
		{"out inside the input directory", inputs, filepath.Join(dir, "in", "sub", "clean"), "inside the input directory"},
		{"out is the input directory", inputs, filepath.Join(dir, "in", "sub"), "inside the input directory"},
		{"input inside out", inputs, filepath.Join(dir, "in"), "inside the output directory"},
		{"foreign non-empty out", inputs, foreign, "not empty"},
		{"standard input", []corpus.Input{corpus.FromReader("-", strings.NewReader("{}"), -1)}, filepath.Join(dir, "o"), "standard input"},
		{"no output directory", inputs, "", "no output directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.inputs, Options{OutDir: tt.out, Policy: Drop})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("New: %v, want an error with %q", err, tt.want)
			}
		})
	}
	if _, err := New(inputs, Options{OutDir: filepath.Join(dir, "ok"), Policy: "shred"}); err == nil {
		t.Error("New accepted the policy shred")
	}
}

func TestLayoutMirrorsTree(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "c", "shard-0", "a.jsonl")
	b := filepath.Join(dir, "c", "shard-1", "deep", "b.jsonl.gz")
	writeFile(t, a, []byte(`{"text":"one"}`+"\n"))
	writeFile(t, b, compressWith(t, "gzip", []byte(`{"text":"two"}`+"\n")))
	out := filepath.Join(dir, "out")
	m, stats := scanAndClean(t, sampleSet(t), []string{filepath.Join(dir, "c")}, Options{OutDir: out, Policy: Drop})
	checkManifest(t, m, stats)
	got := []string{m.Files[0].Output, m.Files[1].Output}
	if got[0] != "shard-0/a.jsonl" || got[1] != "shard-1/deep/b.jsonl.gz" {
		t.Errorf("outputs %v", got)
	}
	for _, f := range m.Files {
		if !f.Copied {
			t.Errorf("%s: an input without findings should be copied verbatim", f.Input)
		}
		want, _ := os.ReadFile(f.Input)
		have, _ := os.ReadFile(filepath.Join(out, f.Output))
		if string(want) != string(have) {
			t.Errorf("%s: copy differs from the input", f.Input)
		}
	}
}

func TestKeptRecordsByteIdentical(t *testing.T) {
	set := sampleSet(t)
	dir := t.TempDir()
	in := fixture(t, dir, "jsonl", "none")
	flagged := map[int]bool{}
	_, fs := scanFindings(t, set, []string{in}, corpus.Options{}, nil)
	for _, f := range fs {
		flagged[int(f.Doc.Line)] = true
	}
	for _, policy := range []Policy{Drop, Redact} {
		out := filepath.Join(dir, "out-"+string(policy))
		scanAndClean(t, set, []string{in}, Options{OutDir: out, Policy: policy})
		inLines, outLines := readLines(t, in), readLines(t, filepath.Join(out, "corpus.jsonl"))
		var want []string
		for i, l := range inLines {
			if !flagged[i+1] || policy == Redact {
				want = append(want, l)
			}
		}
		if len(outLines) != len(want) {
			t.Fatalf("%s: %d lines, want %d", policy, len(outLines), len(want))
		}
		for i, l := range want {
			switch {
			case policy == Drop || !flagged[i+1]:
				if outLines[i] != l {
					t.Errorf("%s: line %d changed:\n%s\n%s", policy, i+1, l, outLines[i])
				}
			case !strings.Contains(outLines[i], DefaultMarker):
				t.Errorf("redact: line %d has no marker: %s", i+1, outLines[i])
			}
		}
		if policy == Redact {
			extra := outLines[5] // the record with extra fields
			if !strings.HasPrefix(extra, `{"meta": {"source": "forum", "n": [1, 2]}, "text": "Saved from a forum — `) ||
				!strings.HasSuffix(extra, `<b>bold</b>", "id": "doc-x", "z": null}`) {
				t.Errorf("redact changed more than the matched span: %s", extra)
			}
		}
	}
}

func TestRedactJSON(t *testing.T) {
	groups := fieldGroups(nil)
	tests := []struct {
		name, raw, text string
		spans           [][2]int
		want            string
	}{
		{"one field", `{"id": 1, "text": "abc def ghi"}`, "abc def ghi", [][2]int{{4, 7}}, `{"id": 1, "text": "abc [X] ghi"}`},
		{"across fields", `{"instruction": "abc", "input": "", "output": "def"}`, "abc\ndef", [][2]int{{1, 6}}, `{"instruction": "a[X]", "input": "", "output": "[X]f"}`},
		{"escapes", `{"text": "a\"b\u00e9 \\ c", "z": [1, {"text": 2}]}`, "a\"bé \\ c", [][2]int{{0, 1}}, `{"text": "[X]\"bé \\ c", "z": [1, {"text": 2}]}`},
		{"messages", `{"messages": [{"role": "u", "content": "hi there"}, {"content": "bye now"}]}`, "hi there\nbye now", [][2]int{{3, 8}, {13, 16}}, `{"messages": [{"role": "u", "content": "hi [X]"}, {"content": "bye [X]"}]}`},
		{"repeated key: last wins", `{"text": "old", "text": "new text"}`, "new text", [][2]int{{0, 3}}, `{"text": "old", "text": "[X] text"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var spans []leakhound.Span
			for _, s := range tt.spans {
				spans = append(spans, leakhound.Span{Start: s[0], End: s[1]})
			}
			out, _, ok := redactJSON([]byte(tt.raw), []byte(tt.text), spans, "[X]", groups)
			if !ok || string(out) != tt.want {
				t.Errorf("got %s (ok %v)\nwant %s", out, ok, tt.want)
			}
		})
	}
	if _, _, ok := redactJSON([]byte(`{"text": "abc"}`), []byte("abd"), []leakhound.Span{{Start: 0, End: 1}}, "[X]", groups); ok {
		t.Error("redacted a record whose fields do not give the scanned text")
	}
	if _, _, ok := redactJSON([]byte(`{"text": "abc"}`), []byte("abc"), []leakhound.Span{{Start: 2, End: 9}}, "[X]", groups); ok {
		t.Error("redacted a span beyond the text")
	}
}

func TestRerunWritesNothing(t *testing.T) {
	set := sampleSet(t)
	dir := t.TempDir()
	in := fixture(t, dir, "jsonl", "zstd")
	out := filepath.Join(dir, "out")
	opts := Options{OutDir: out, Policy: Redact}
	scanAndClean(t, set, []string{in}, opts)
	before := treeOf(t, out)
	outFile := filepath.Join(out, "corpus.jsonl.zst")
	old, _ := os.Stat(outFile)
	// A stale temporary file, as a kill during a write leaves it.
	writeFile(t, filepath.Join(out, tmpPrefix+"corpus.jsonl.zst"), []byte("partial"))
	m, _ := scanAndClean(t, set, []string{in}, opts)
	if now, _ := os.Stat(outFile); !now.ModTime().Equal(old.ModTime()) {
		t.Error("a finished file was written again")
	}
	after := treeOf(t, out)
	if len(after) != len(before) {
		t.Errorf("files before %d, after %d", len(before), len(after))
	}
	for k, v := range before {
		if after[k] != v {
			t.Errorf("%s differs after the rerun", k)
		}
	}
	// A changed policy is not the same work: the file is written again.
	opts.Policy = Drop
	m2, _ := scanAndClean(t, set, []string{in}, opts)
	if m2.Files[0].Dropped == 0 || m.Files[0].Dropped != 0 {
		t.Errorf("drop after redact: %+v", m2.Files[0])
	}
	_ = context.Background
}

func TestManifestCheck(t *testing.T) {
	m := &Manifest{Files: []FileResult{{Input: "a", Read: 3, Kept: 2, Dropped: 1, OutputRecords: 2}, {Input: "b", Read: 3, Kept: 1, Dropped: 1, OutputRecords: 1}, {Input: "c", Read: 2, Kept: 2, OutputRecords: 1}}}
	for i := range m.Files {
		m.Files[i].check()
	}
	m.finish()
	if m.OK || len(m.Failures) != 2 || m.Check() == nil {
		t.Fatalf("failures %v", m.Failures)
	}
	if !strings.Contains(m.Failures[0], "kept 1 + dropped 1 != read 3") || !strings.Contains(m.Failures[1], "output holds 1 records, but 2 were kept") {
		t.Errorf("failures %q", m.Failures)
	}
}
