package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEvalCommand(t *testing.T) {
	truth := filepath.Join(t.TempDir(), "truth.tsv")
	// doc-013 paraphrases sample/test/1 (the walker); doc-008 copies
	// sample/test/0 word for word.
	if err := os.WriteFile(truth, []byte("doc_id\tbench_id\tkind\ndoc-008\tsample/test/0\texact\ndoc-013\tsample/test/1\trephrase\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errb := runCLI(t, "eval", "corpus", "--bench", "../../testdata/sample/bench.jsonl", "--method", "gpt3,rephrase",
		"--lexicon", "none", "--truth", truth, "../../testdata/sample/corpus.jsonl")
	if code != ExitClean {
		t.Fatalf("eval corpus: exit %d, stderr %s", code, errb)
	}
	for _, want := range []string{"exact", "rephrase", "gpt3", "false-positive docs", "18 documents scanned, 2 planted items"} {
		if !strings.Contains(out, want) {
			t.Errorf("eval corpus output lacks %q:\n%s", want, out)
		}
	}
	row := ""
	for _, l := range strings.Split(out, "\n") {
		if f := strings.Fields(l); len(f) > 0 && f[0] == "rephrase" {
			row = strings.Join(f, " ")
		}
	}
	if !strings.HasPrefix(row, "rephrase 1/1 1/1") {
		t.Errorf("rephrase row %q: want both planted items found", row)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"eval", "frobnicate", "--data-dir", "."}, "unknown mode"},
		{[]string{"eval", "corpus", "--bench", "x.jsonl", "c.jsonl"}, "--truth"},
		{[]string{"eval", "protocol", "--part", "most", "--data-dir", "."}, "--part"},
	} {
		if code, _, errb := runCLI(t, c.args...); code != ExitError || !strings.Contains(errb, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", c.args, code, errb, c.want)
		}
	}
}
