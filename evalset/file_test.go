package evalset

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestFileLoaderJSONL(t *testing.T) {
	p := writeFile(t, "quiz.jsonl", `{"id": "quiz/test/0", "dataset": "quiz", "split": "test", "text": "How many legs has a spider?"}
{"text": "What colour is a ripe lemon?", "dataset": "quiz"}
`)
	items, err := LoadAll(context.Background(), []string{p}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 2 {
		t.Fatalf("got %d items, want 2", len(items))
	}
	if items[0].ID != "quiz/test/0" || items[0].Split != "test" || items[0].Benchmark != "quiz" {
		t.Errorf("item 0 = %+v", items[0])
	}
	if items[1].ID != "quiz/1" {
		t.Errorf("item 1 id = %q, want quiz/1", items[1].ID)
	}
}

func TestFileLoaderCSVField(t *testing.T) {
	p := writeFile(t, "riddles.csv", "qid,prompt\nr1,\"What has keys, but no locks?\"\n,A second riddle\n")
	items, err := LoadAll(context.Background(), []string{p}, Options{Field: "prompt", IDField: "qid"})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 2 || items[0].ID != "r1" || items[0].Text != "What has keys, but no locks?" || items[1].ID != "riddles/1" {
		t.Fatalf("items = %+v", items)
	}
}

func TestFileLoaderErrors(t *testing.T) {
	tests := []struct {
		name, content, field, want string
	}{
		{"bad.jsonl", "{\"text\": \"a\"}\nnot json\n", "", "bad.jsonl:2: not a JSON object"},
		{"nofield.jsonl", "{\"question\": \"a\"}\n", "", `no field "text" (fields: question)`},
		{"nocol.csv", "a,b\n1,2\n", "prompt", `no field "prompt" (fields: a, b)`},
	}
	for _, tt := range tests {
		p := writeFile(t, tt.name, tt.content)
		_, err := LoadAll(context.Background(), []string{p}, Options{Field: tt.field})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err = %v, want it to contain %q", tt.name, err, tt.want)
		}
	}
}

func TestLoadAllDuplicateIDs(t *testing.T) {
	a := writeFile(t, "a.jsonl", `{"id": "x", "text": "one"}`+"\n")
	_, err := LoadAll(context.Background(), []string{a, a}, Options{})
	if err == nil || !strings.Contains(err.Error(), `item id "x" also appears`) {
		t.Fatalf("err = %v", err)
	}
}
