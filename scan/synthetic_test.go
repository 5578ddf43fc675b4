package scan

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakhound/leakhound"
	"github.com/leakhound/leakhound/corpus"
	"github.com/leakhound/leakhound/evalset"
	"github.com/leakhound/leakhound/internal/shareddata"
	"github.com/leakhound/leakhound/match"
)

// generateSynthetic runs shared/bench/gen_corpus.py for a small corpus
// with planted items, or skips when Python or the generator is absent.
func generateSynthetic(t *testing.T, sizeMB string) string {
	gen := filepath.Join(shareddata.Dir(t), "..", "bench", "gen_corpus.py")
	if _, err := os.Stat(gen); err != nil {
		t.Skip("skipping: ../shared/bench/gen_corpus.py not found")
	}
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("skipping: python3 not found (it runs the corpus generator)")
	}
	dir := t.TempDir()
	out, err := exec.Command(py, gen, "--out", dir, "--size-mb", sizeMB, "--bench-items", "1000").CombinedOutput()
	if err != nil {
		t.Fatalf("gen_corpus.py: %v\n%s", err, out)
	}
	return dir
}

// readTruth maps planted document ids to their kind.
func readTruth(t *testing.T, path string) map[string]string {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	kinds := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Split(sc.Text(), "\t")
		if len(fields) >= 3 && fields[0] != "doc_id" {
			kinds[fields[0]] = fields[2]
		}
	}
	return kinds
}

// TestSyntheticCorpus: the planted-clean documents give no finding, and
// gpt3 finds every exact, noisy and partial plant (a partial plant is a
// slice of 13 to 40 words, so it always holds a 13-gram).
func TestSyntheticCorpus(t *testing.T) {
	dir := generateSynthetic(t, "4")
	items, err := evalset.LoadAll(context.Background(), []string{filepath.Join(dir, "bench.jsonl")}, evalset.Options{Field: "text", NoClusters: true})
	if err != nil {
		t.Fatal(err)
	}
	o := match.DefaultOptions()
	o.GPT3N = 13 // the generator's items are all 13 words or more
	set, err := match.NewSet(items, o)
	if err != nil {
		t.Fatal(err)
	}
	in, err := corpus.Expand([]string{filepath.Join(dir, "corpus.jsonl")})
	if err != nil {
		t.Fatal(err)
	}
	kinds := readTruth(t, filepath.Join(dir, "truth.tsv"))
	flagged := map[string]bool{}
	st, _, err := Run(context.Background(), set, in, Options{Finding: func(f *leakhound.Finding) error {
		flagged[f.Doc.ID] = true
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	found, total := map[string]int{}, map[string]int{}
	for id, kind := range kinds {
		total[kind]++
		if flagged[id] {
			found[kind]++
		}
	}
	falsePositives := 0
	for id := range flagged {
		if _, planted := kinds[id]; !planted {
			falsePositives++
		}
	}
	t.Logf("%d docs; found/planted by kind: exact %d/%d, noisy %d/%d, partial %d/%d, rephrase %d/%d; %d clean docs flagged",
		st.Records, found["exact"], total["exact"], found["noisy"], total["noisy"], found["partial"], total["partial"], found["rephrase"], total["rephrase"], falsePositives)
	if falsePositives > 0 {
		t.Errorf("%d clean documents flagged", falsePositives)
	}
	for _, kind := range []string{"exact", "noisy", "partial"} {
		if found[kind] != total[kind] {
			t.Errorf("%s plants: found %d of %d", kind, found[kind], total[kind])
		}
	}
}
