package quality

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakhound/leakhound"
)

func TestCounts(t *testing.T) {
	var c Counts
	for _, d := range [][2]bool{{true, true}, {true, true}, {true, false}, {false, true}, {false, false}} {
		c.Add(d[0], d[1])
	}
	if c != (Counts{TP: 2, FN: 1, FP: 1, TN: 1}) {
		t.Fatalf("counts %+v", c)
	}
	if f := c.F1(); f < 0.666 || f > 0.667 {
		t.Errorf("F1 = %v, want 2/3", f)
	}
	if (Counts{FN: 3}).F1() != 0 {
		t.Error("F1 without true positives must be 0")
	}
}

func syntheticSet(name string, n int) PairSet {
	s := PairSet{Name: name, Group: "test"}
	for i := 0; i < n; i++ {
		s.Items = append(s.Items, leakhound.Item{ID: name + "/" + string(rune('a'+i%26)) + strings.Repeat("x", i/26), Text: "item " + strings.Repeat("w", i+1)})
		r := "rephrase"
		if i%10 == 3 {
			r = "  "
		}
		s.Rephrases = append(s.Rephrases, r)
	}
	return s
}

func TestPairsProtocol(t *testing.T) {
	mm := syntheticSet("mmlu_test_en", 150)
	pairs, empty := Pairs(&mm, PartAll)
	pos, neg := 0, 0
	for _, p := range pairs {
		if p.Label {
			pos++
			if p.Item >= 100 {
				t.Fatalf("MMLU positive from item %d: only the first 100 count", p.Item)
			}
		} else {
			neg++
			if p.Item == p.Other {
				t.Fatal("negative pair of an item with itself")
			}
		}
	}
	if pos != 90 || empty != 10 || neg != 100 {
		t.Errorf("MMLU: %d positives, %d empty, %d negatives; want 90, 10, 100", pos, empty, neg)
	}
	again, _ := Pairs(&mm, PartAll)
	for i := range pairs {
		if pairs[i] != again[i] {
			t.Fatal("pairs differ between runs: the seed must fix them")
		}
	}
	g := syntheticSet("gsm8k", 300)
	pairs, _ = Pairs(&g, PartHeldOut)
	for _, p := range pairs {
		if !HeldOut(splitKey(&g), p.Item) || (!p.Label && !HeldOut(splitKey(&g), p.Other)) {
			t.Fatal("a held-out pair uses a training item")
		}
	}
}

func TestHeldOutShare(t *testing.T) {
	n := 0
	for i := 0; i < 10000; i++ {
		if HeldOut("gsm8k", i) {
			n++
		}
	}
	if n < 2800 || n > 3200 {
		t.Errorf("held out %d of 10000, want about 30%%", n)
	}
}

func TestSharesRun(t *testing.T) {
	a := "one two three four five six seven eight nine ten eleven twelve thirteen fourteen"
	if !sharesRun(a, "zero "+a) || sharesRun(a, "one two three four five six") {
		t.Error("sharesRun")
	}
}

func TestCorpusReport(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "truth.tsv")
	os.WriteFile(path, []byte("doc_id\tbench_id\tkind\nd1\tb1\texact\nd2\tb2\trephrase\n"), 0o644)
	truth, err := ReadTruth(path)
	if err != nil || len(truth) != 2 {
		t.Fatalf("ReadTruth: %v, %v", truth, err)
	}
	os.WriteFile(path, []byte("d1 b1\n"), 0o644)
	if _, err := ReadTruth(path); err == nil {
		t.Error("a line without tabs: no error")
	}
	fs := []leakhound.Finding{
		{Doc: leakhound.DocRef{ID: "d1"}, Item: "b1", Method: "gpt3"},
		{Doc: leakhound.DocRef{ID: "d2"}, Item: "b2", Method: "rephrase"},
		{Doc: leakhound.DocRef{ID: "d3"}, Item: "b1", Method: "rephrase"},
	}
	var out bytes.Buffer
	CorpusReport(&out, truth, fs, []string{"gpt3", "rephrase"}, 1000)
	got := out.String()
	for _, want := range []string{"any", "1/1", "false-positive docs", "1000"} {
		if !strings.Contains(got, want) {
			t.Errorf("report lacks %q:\n%s", want, got)
		}
	}
	if !strings.Contains(got, "rephrase  0/1  1/1  1  1000") && !strings.Contains(strings.Join(strings.Fields(got), " "), "rephrase 0/1 1/1 1 1000") {
		t.Errorf("rephrase row wrong:\n%s", got)
	}
}

func TestLoadPairSets(t *testing.T) {
	dir, err := FindDataDir("")
	if err != nil {
		t.Skip("../shared/data not found")
	}
	sets, err := LoadPairSets(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"gsm8k": 1319, "humaneval_c": 164, "mmlu_sociology_en": 201, "mmlu_high_school_us_history_zh": 204, "humaneval_java": 164}
	for _, s := range sets {
		if n, ok := want[s.Name]; ok && (len(s.Items) != n || len(s.Rephrases) != n) {
			t.Errorf("%s: %d items, %d rephrases; want %d", s.Name, len(s.Items), len(s.Rephrases), n)
		}
		delete(want, s.Name)
	}
	if len(want) > 0 {
		t.Errorf("sets missing: %v", want)
	}
}
