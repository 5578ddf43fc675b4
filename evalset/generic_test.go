package evalset

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestGenericFieldMap(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	pq := filepath.Join(dir, "quiz.parquet")
	if err := os.WriteFile(pq, parquetBytes(t, []mmluRow{{Question: "Which planet is largest?", Choices: []string{"Mars", "Jupiter", "Venus", "Mercury"}, Answer: 1}}), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, path string
		opts       Options
		wantID     string
		wantText   string
		wantPart   string
	}{
		{"jsonl list options", write("a.jsonl", `{"q": {"stem": "Pick the mammal."}, "choices": ["shark", "whale", "trout", "eel"], "label": "B", "split": "test"}`+"\n"),
			Options{Map: "question=q.stem;options=choices;answer=label;split=split"}, "a/test/0",
			"Pick the mammal.\nA. shark\nB. whale\nC. trout\nD. eel", "question+options"},
		{"csv option columns, full", write("b.csv", "Question,A,B,C,D,Answer\nPick the bird.,cat,owl,cow,pig,B\n"),
			Options{Map: "question=Question;options=A,B,C,D;answer=Answer", Part: "full", Benchmark: "birds"}, "birds/0",
			"Pick the bird.\nA. cat\nB. owl\nC. cow\nD. pig\nAnswer: B", "full"},
		{"json array generation", write("c.json", `[{"id": 7, "prompt": "Add two numbers.", "tests": ["assert f(1, 2) == 3"], "code": "def f(a, b): return a + b"}]`),
			Options{Map: "question=prompt,tests;solution=code"}, "7",
			"Add two numbers.\nassert f(1, 2) == 3\ndef f(a, b): return a + b", "full"},
		{"arc-style choice objects", write("d.jsonl", `{"question": "Q?", "choices": {"text": ["x", "y"], "label": ["1", "2"]}, "answerKey": "2"}`+"\n"),
			Options{Map: "question=question;options=choices;answer=answerKey", Part: "full"}, "d/0",
			"Q?\n1. x\n2. y\nAnswer: 2", "full"},
		{"several text fields", write("e.jsonl", `{"instruction": "Sort the list.", "input": "[3, 1, 2]"}`+"\n"),
			Options{Field: "instruction,input"}, "e/0", "Sort the list.\n[3, 1, 2]", "full"},
		{"parquet", pq, Options{Map: "question=question;options=choices;answer=answer"}, "quiz/0",
			"Which planet is largest?\nA. Mars\nB. Jupiter\nC. Venus\nD. Mercury", "question+options"},
	}
	for _, tt := range tests {
		items, err := LoadAll(context.Background(), []string{tt.path}, tt.opts)
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if len(items) != 1 || items[0].ID != tt.wantID || items[0].Text != tt.wantText || items[0].Part != tt.wantPart {
			t.Errorf("%s: got %+v, want id %q part %q text %q", tt.name, items, tt.wantID, tt.wantPart, tt.wantText)
		}
	}
}

// TestNormalizedFileAsGeneric loads a shared/data normalized file by path:
// ids and text are the file's, the part is the benchmark's default.
func TestNormalizedFileAsGeneric(t *testing.T) {
	data := sharedData(t)
	items, err := LoadAll(context.Background(), []string{filepath.Join(data, "normalized", "mmlu", "dev.jsonl.gz")}, Options{NoClusters: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 285 || items[0].ID != "mmlu/dev/0" || items[0].Part != "question+options" || items[0].Split != "dev" {
		t.Errorf("%d items, first %+v", len(items), items[0])
	}
}

func TestParseFieldMapErrors(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"options=a", "no question field"},
		{"question=q;colour=c", `unknown key "colour"`},
		{"question", "is not key=field"},
		{`question=q;sep=\x`, "sep"},
	} {
		if _, err := ParseFieldMap(tt.in); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseFieldMap(%q) = %v, want %q", tt.in, err, tt.want)
		}
	}
}

func TestAddFlags(t *testing.T) {
	t.Setenv("LEAKHOUND_BENCH_DIR", "/data/bench")
	var o Options
	fs := flag.NewFlagSet("scan", flag.ContinueOnError)
	o.AddFlags(fs)
	if o.Dir != "/data/bench" {
		t.Errorf("default dir %q, want $LEAKHOUND_BENCH_DIR", o.Dir)
	}
	err := fs.Parse([]string{"--bench-part", "question,gsm8k=full", "--bench-offline", "--bench-cache", "/c", "--bench-map", "question=q", "--bench-no-clusters", "--bench-dir", "../shared/data"})
	if err != nil {
		t.Fatal(err)
	}
	if o.Part != "question,gsm8k=full" || !o.Offline || o.CacheDir != "/c" || o.Map != "question=q" || !o.NoClusters || o.Dir != "../shared/data" {
		t.Errorf("options %+v", o)
	}
	var help bytes.Buffer
	fs.SetOutput(&help)
	fs.PrintDefaults()
	for _, f := range []string{"-bench-dir", "-bench-part", "-bench-map", "-bench-id-field", "-bench-name", "-bench-cache", "-bench-offline", "-bench-no-clusters"} {
		if !strings.Contains(help.String(), f) {
			t.Errorf("help lacks %s", f)
		}
	}
}

// FuzzReadParquet feeds arbitrary bytes to the Parquet reader, which reads
// files downloaded from the network: it must return an error, not panic.
func FuzzReadParquet(f *testing.F) {
	var buf bytes.Buffer
	if err := writeParquetSeed(&buf); err != nil {
		f.Fatal(err)
	}
	good := buf.Bytes()
	f.Add(good)
	f.Add(good[:len(good)/2])
	f.Add(append([]byte("PAR1"), good[len(good)-12:]...))
	f.Fuzz(func(t *testing.T, b []byte) {
		rows, err := readParquet(bytes.NewReader(b), int64(len(b)))
		if err != nil && rows != nil {
			t.Fatalf("rows %v returned with error %v", rows, err)
		}
	})
}
