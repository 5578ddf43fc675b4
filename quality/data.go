package quality

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/leakhound/leakhound"
)

// record is the part of a normalized record (shared/data/FORMAT.md) that
// the evaluation reads.
type record struct {
	ID      string `json:"id"`
	Dataset string `json:"dataset"`
	Split   string `json:"split"`
	Text    string `json:"text"`
	Source  string `json:"source"`
	Subject string `json:"subject"`
}

// normalized reads DIR/normalized/<dataset>/<split>.jsonl.gz, each split
// once: the rephrase sets and the background texts share GSM8K, HumanEval
// and MMLU, and four HumanEval rewrite sets share one split.
type normalized struct {
	dir  string
	read map[[2]string][]record
}

func newNormalized(dir string) *normalized {
	return &normalized{dir: dir, read: map[[2]string][]record{}}
}

func (n *normalized) records(dataset, split string) ([]record, error) {
	k := [2]string{dataset, split}
	if rs, ok := n.read[k]; ok {
		return rs, nil
	}
	path := filepath.Join(n.dir, "normalized", dataset, split+".jsonl.gz")
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	rs, err := readJSONLines[record](zr, path)
	if err != nil {
		return nil, err
	}
	n.read[k] = rs
	return rs, nil
}

// readJSONLines decodes one T from every line of r; path names the
// source in errors.
func readJSONLines[T any](r io.Reader, path string) ([]T, error) {
	var out []T
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for line := 1; sc.Scan(); line++ {
		var v T
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		out = append(out, v)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return out, nil
}

func (r record) item() leakhound.Item {
	return leakhound.Item{ID: r.ID, Benchmark: r.Dataset, Split: r.Split, Text: r.Text}
}

// PairSet is one LMSYS rephrase set: benchmark items and, aligned with
// them, their rephrasings or translations (empty where the generation
// failed).
type PairSet struct {
	Name      string // e.g. "gsm8k", "humaneval_c", "mmlu_sociology_en"
	Group     string // the target group: "gsm8k", "humaneval", "mmlu_en", "mmlu_zh", "extra"
	Items     []leakhound.Item
	Rephrases []string
}

// mmluSubjects are the three subjects LMSYS rephrased.
var mmluSubjects = []string{"abstract_algebra", "sociology", "high_school_us_history"}

// LoadPairSets reads every LMSYS rephrase set from the shared data folder
// dir (the parent of normalized/).
func LoadPairSets(dir string) ([]PairSet, error) {
	return newNormalized(dir).pairSets()
}

// LoadAll returns what LoadPairSets and LoadBackgroundTexts return,
// reading the splits they share once.
func LoadAll(dir string) (sets []PairSet, bench, ordinary []leakhound.Item, err error) {
	n := newNormalized(dir)
	if sets, err = n.pairSets(); err != nil {
		return nil, nil, nil, err
	}
	bench, ordinary, err = n.background()
	return sets, bench, ordinary, err
}

func (n *normalized) pairSets() ([]PairSet, error) {
	var sets []PairSet
	gsm, err := n.records("gsm8k", "test")
	if err != nil {
		return nil, err
	}
	s, err := n.pairWith("gsm8k", "gsm8k", gsm, "rephrase_gsm8k", 0)
	if err != nil {
		return nil, err
	}
	sets = append(sets, s)
	he, err := n.records("humaneval", "test")
	if err != nil {
		return nil, err
	}
	for _, lang := range []string{"python", "c", "js"} {
		s, err := n.pairWith("humaneval_"+lang, "humaneval", he, "humaneval_"+lang, 0)
		if err != nil {
			return nil, err
		}
		sets = append(sets, s)
	}
	for k, lang := range []string{"js2", "rust", "go", "java"} {
		s, err := n.pairWith("humaneval_"+lang, "extra", he, "humaneval_multi", 164*(k+1))
		if err != nil {
			return nil, err
		}
		sets = append(sets, s)
	}
	mmlu, err := n.records("mmlu", "test")
	if err != nil {
		return nil, err
	}
	for _, kind := range []struct{ suffix, tag, group string }{
		{"_test_rephrase_english_filtered_question", "en", "mmlu_en"},
		{"_test_chinese_filtered_question", "zh", "mmlu_zh"},
		{"_test_chinese", "zh_answer", "extra"},
	} {
		for _, sub := range mmluSubjects {
			rows := subjectRows(mmlu, sub)
			s, err := n.pairWith("mmlu_"+sub+"_"+kind.tag, kind.group, rows, sub+kind.suffix, 0)
			if err != nil {
				return nil, err
			}
			sets = append(sets, s)
		}
	}
	return sets, nil
}

// subjectRows returns the MMLU test records of a subject in row order
// (the row number is the "#k" of source).
func subjectRows(all []record, subject string) []record {
	var rows []record
	for _, r := range all {
		if r.Subject != subject {
			continue
		}
		k, err := strconv.Atoi(r.Source[strings.LastIndexByte(r.Source, '#')+1:])
		if err != nil || k != len(rows) {
			continue
		}
		rows = append(rows, r)
	}
	return rows
}

// pairWith aligns rephrase split split (from offset on) with items.
func (n *normalized) pairWith(name, group string, items []record, split string, offset int) (PairSet, error) {
	reph, err := n.records("decontam_rephrase", split)
	if err != nil {
		return PairSet{}, err
	}
	if len(reph) < offset+len(items) {
		return PairSet{}, fmt.Errorf("%s: %d records, want %d", split, len(reph), offset+len(items))
	}
	s := PairSet{Name: name, Group: group}
	for i, it := range items {
		s.Items = append(s.Items, it.item())
		s.Rephrases = append(s.Rephrases, reph[offset+i].Text)
	}
	return s, nil
}

// LoadBackgroundTexts returns the texts of every benchmark split in the
// shared data folder (the reference collection of the IDF table) and the
// Alpaca and CodeAlpaca records (ordinary documents).
func LoadBackgroundTexts(dir string) (bench, ordinary []leakhound.Item, err error) {
	return newNormalized(dir).background()
}

func (n *normalized) background() (bench, ordinary []leakhound.Item, err error) {
	for _, ds := range [][2]string{
		{"gsm8k", "test"}, {"humaneval", "test"}, {"mmlu", "test"}, {"mmlu", "val"}, {"mmlu", "dev"},
		{"math", "test"}, {"mbpp", "test"}, {"mbpp", "train"}, {"mbpp", "validation"}, {"mbpp", "prompt"},
		{"arc_challenge", "test"}, {"arc_challenge", "dev"}, {"hellaswag", "val"}, {"truthfulqa", "validation"},
		{"cmmlu", "test"}, {"cmmlu", "dev"},
	} {
		rs, err := n.records(ds[0], ds[1])
		if err != nil {
			return nil, nil, err
		}
		for _, r := range rs {
			bench = append(bench, r.item())
		}
	}
	for _, ds := range []string{"codealpaca_2k", "alpaca_seed", "codealpaca_seed"} {
		rs, err := n.records(ds, "train")
		if err != nil {
			return nil, nil, err
		}
		for _, r := range rs {
			ordinary = append(ordinary, r.item())
		}
	}
	return bench, ordinary, nil
}

// FindDataDir returns the shared data folder: dir when given, else
// $LEAKHOUND_BENCH_DIR, else ../shared/data from the working directory or
// any parent.
func FindDataDir(dir string) (string, error) {
	if dir != "" {
		return dir, nil
	}
	if d := os.Getenv("LEAKHOUND_BENCH_DIR"); d != "" {
		if _, err := os.Stat(filepath.Join(d, "normalized")); err == nil {
			return d, nil
		}
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		c := filepath.Join(d, "..", "shared", "data")
		if _, err := os.Stat(filepath.Join(c, "normalized")); err == nil {
			return filepath.Clean(c), nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("shared data folder not found: pass --data-dir (the folder holding normalized/)")
		}
	}
}
