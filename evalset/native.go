package evalset

import (
	"fmt"
	"path"
	"path/filepath"
	"strconv"
	"strings"
)

// Native loaders read one benchmark in its public layout under a benchmark
// directory. Each returns the records of every split it finds, each split
// in the order normalize_data.py gives them. rel paths use '/'.

func abs(root, rel string) string { return filepath.Join(root, filepath.FromSlash(rel)) }

var abcd = []string{"A", "B", "C", "D"}

// splitFiles finds one file per split from candidate patterns in which
// "{split}" (or "{Split}", capitalised) stands for the split name.
func splitFiles(root string, splits []string, patterns ...string) map[string]string {
	out := make(map[string]string)
	for _, s := range splits {
		var rels []string
		for _, p := range patterns {
			p = strings.ReplaceAll(p, "{split}", s)
			p = strings.ReplaceAll(p, "{Split}", strings.ToUpper(s[:1])+s[1:])
			rels = append(rels, p)
		}
		if r := firstExisting(root, rels...); r != "" {
			out[s] = r
		}
	}
	return out
}

func loadGSM8K(root string) ([]record, error) {
	files := splitFiles(root, []string{"test", "train"},
		"gsm8k/{split}.jsonl", "gsm8k/{split}.jsonl.gz", "grade_school_math/data/{split}.jsonl")
	var out []record
	for _, split := range []string{"test", "train"} {
		rel, ok := files[split]
		if !ok {
			continue
		}
		rows, err := readJSONL(abs(root, rel))
		if err != nil {
			return nil, err
		}
		for k, row := range rows {
			where := src(rel, k)
			q, err := needStr(row, "question", where)
			if err != nil {
				return nil, err
			}
			a, err := needStr(row, "answer", where)
			if err != nil {
				return nil, err
			}
			final := a
			if i := strings.LastIndex(a, "####"); i >= 0 {
				final = strings.TrimSpace(a[i+4:])
			}
			out = append(out, record{split: split, source: where, question: q, sep: "\n", solution: a, answer: final})
		}
	}
	return out, nil
}

func loadHumanEval(root string) ([]record, error) {
	rel := firstExisting(root, "humaneval/HumanEval.jsonl.gz", "humaneval/HumanEval.jsonl",
		"human-eval/data/HumanEval.jsonl.gz", "human-eval/data/HumanEval.jsonl")
	if rel == "" {
		return nil, nil
	}
	rows, err := readJSONL(abs(root, rel))
	if err != nil {
		return nil, err
	}
	out := make([]record, 0, len(rows))
	for k, row := range rows {
		where := src(rel, k)
		p, err := needStr(row, "prompt", where)
		if err != nil {
			return nil, err
		}
		s, err := needStr(row, "canonical_solution", where)
		if err != nil {
			return nil, err
		}
		out = append(out, record{split: "test", source: where, question: p, solution: s})
	}
	return out, nil
}

// mbppSplits are MBPP's task-id ranges (google-research/mbpp README).
var mbppSplits = []struct {
	name   string
	lo, hi int
}{{"prompt", 1, 10}, {"test", 11, 510}, {"validation", 511, 600}, {"train", 601, 974}}

func mbppSplit(row jsonRow, where string) (string, error) {
	s, _ := str(row, "task_id")
	id, err := strconv.Atoi(s)
	if err != nil {
		return "", fmt.Errorf("%s: task_id %q is not an integer", where, s)
	}
	for _, sp := range mbppSplits {
		if sp.lo <= id && id <= sp.hi {
			return sp.name, nil
		}
	}
	return "", fmt.Errorf("%s: task_id %d outside MBPP's ranges 1-974", where, id)
}

func loadMBPP(root string) ([]record, error) {
	rel := firstExisting(root, "mbpp/mbpp.jsonl", "mbpp/mbpp.jsonl.gz")
	if rel == "" {
		return nil, nil
	}
	rows, err := readJSONL(abs(root, rel))
	if err != nil {
		return nil, err
	}
	return mbppRecords(rows, rel, "text")
}

func loadMBPPSanitized(root string) ([]record, error) {
	rel := firstExisting(root, "mbpp/sanitized-mbpp.json")
	if rel == "" {
		return nil, nil
	}
	rows, err := readJSONArray(abs(root, rel))
	if err != nil {
		return nil, err
	}
	return mbppRecords(rows, rel, "prompt")
}

// mbppRecords renders MBPP rows as description, test asserts and code;
// records come out grouped by split in mbppSplits order.
func mbppRecords(rows []jsonRow, rel, textKey string) ([]record, error) {
	bySplit := make(map[string][]record)
	for k, row := range rows {
		where := src(rel, k)
		split, err := mbppSplit(row, where)
		if err != nil {
			return nil, err
		}
		text, err := needStr(row, textKey, where)
		if err != nil {
			return nil, err
		}
		code, err := needStr(row, "code", where)
		if err != nil {
			return nil, err
		}
		tests, err := strList(row, "test_list", where)
		if err != nil {
			return nil, err
		}
		q := text + "\n" + strings.Join(tests, "\n")
		bySplit[split] = append(bySplit[split], record{split: split, source: where, question: q, sep: "\n", solution: code})
	}
	var out []record
	for _, sp := range mbppSplits {
		out = append(out, bySplit[sp.name]...)
	}
	return out, nil
}

// subjectFiles reads <base>/<split>/<subject><suffix(split)> for each split
// found, files in byte order of their names (as the normalizer does), with
// base the first of bases that is a directory, and concatenates what file
// makes of each.
func subjectFiles(root string, bases, splits []string, suffix func(split string) string,
	file func(rel, split string) ([]record, error)) ([]record, error) {
	base := firstDir(root, bases...)
	if base == "" {
		return nil, nil
	}
	var out []record
	for _, split := range splits {
		dir := path.Join(base, split)
		if firstDir(root, dir) == "" {
			continue
		}
		names, err := sortedFiles(abs(root, dir), suffix(split))
		if err != nil {
			return nil, err
		}
		for _, name := range names {
			recs, err := file(path.Join(dir, name), split)
			if err != nil {
				return nil, err
			}
			out = append(out, recs...)
		}
	}
	return out, nil
}

func underscoreSplitCSV(split string) string { return "_" + split + ".csv" }

// loadMMLU reads hendrycks/test's layout: <split>/<subject>_<split>.csv,
// no header, columns question, A, B, C, D, answer letter.
func loadMMLU(root string) ([]record, error) {
	return subjectFiles(root, []string{"mmlu", "mmlu/data", "MMLU"}, []string{"test", "val", "dev"}, underscoreSplitCSV,
		func(rel, split string) ([]record, error) {
			rows, err := readCSV(abs(root, rel))
			if err != nil {
				return nil, err
			}
			out := make([]record, 0, len(rows))
			for k, row := range rows {
				if len(row) != 6 {
					return nil, fmt.Errorf("%s: row has %d columns, want 6 (question, A, B, C, D, answer)", src(rel, k), len(row))
				}
				out = append(out, record{split: split, source: src(rel, k), question: row[0],
					labels: abcd, options: row[1:5], key: row[5]})
			}
			return out, nil
		})
}

// loadCMMLU reads haonan-li/CMMLU's layout: <split>/<subject>.csv with the
// header ",Question,A,B,C,D,Answer".
func loadCMMLU(root string) ([]record, error) {
	return subjectFiles(root, []string{"cmmlu", "cmmlu/data", "CMMLU/data"}, []string{"test", "dev"},
		func(string) string { return ".csv" },
		func(rel, split string) ([]record, error) {
			rows, err := readCSV(abs(root, rel))
			if err != nil {
				return nil, err
			}
			if len(rows) == 0 || strings.Join(rows[0], ",") != ",Question,A,B,C,D,Answer" {
				return nil, fmt.Errorf("%s: want the CMMLU header \",Question,A,B,C,D,Answer\"", rel)
			}
			out := make([]record, 0, len(rows)-1)
			for k, row := range rows[1:] {
				if len(row) != 7 {
					return nil, fmt.Errorf("%s: row has %d columns, want 7", src(rel, k), len(row))
				}
				out = append(out, record{split: split, source: src(rel, k), question: row[1],
					labels: abcd, options: row[2:6], key: row[6]})
			}
			return out, nil
		})
}

// loadCEval reads the ceval-exam layout: <split>/<subject>_<split>.csv with
// the header id,question,A,B,C,D[,answer[,explanation]] (dev has the
// explanation, test has no answers).
func loadCEval(root string) ([]record, error) {
	return subjectFiles(root, []string{"ceval", "ceval-exam", "ceval/ceval-exam"}, []string{"val", "test", "dev"},
		underscoreSplitCSV, func(rel, split string) ([]record, error) { return cevalFile(root, rel, split) })
}

func cevalFile(root, rel, split string) ([]record, error) {
	rows, err := readCSV(abs(root, rel))
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%s: empty file, want a header id,question,A,B,C,D[,answer[,explanation]]", rel)
	}
	col := make(map[string]int)
	for i, h := range rows[0] {
		col[h] = i
	}
	for _, need := range []string{"id", "question", "A", "B", "C", "D"} {
		if _, ok := col[need]; !ok {
			return nil, fmt.Errorf("%s: no column %q (header: %s)", rel, need, strings.Join(rows[0], ","))
		}
	}
	get := func(row []string, name string) string {
		if i, ok := col[name]; ok && i < len(row) {
			return row[i]
		}
		return ""
	}
	var out []record
	for k, row := range rows[1:] {
		if len(row) != len(rows[0]) {
			return nil, fmt.Errorf("%s: row has %d columns, the header %d", src(rel, k), len(row), len(rows[0]))
		}
		r := record{split: split, source: src(rel, k), question: get(row, "question"), labels: abcd,
			options: []string{get(row, "A"), get(row, "B"), get(row, "C"), get(row, "D")},
			key:     strings.TrimSpace(get(row, "answer"))}
		if e := get(row, "explanation"); e != "" {
			r.extra = e
		}
		out = append(out, r)
	}
	return out, nil
}

// loadARC returns a loader for AI2's ARC JSONL files of one subset
// ("Challenge" or "Easy").
func loadARC(subset string) func(root string) ([]record, error) {
	lower := strings.ToLower(subset)
	return func(root string) ([]record, error) {
		splits := []string{"test", "dev", "train"}
		files := splitFiles(root, splits,
			"arc_"+lower+"/ARC-"+subset+"-{Split}.jsonl",
			"ARC-"+subset+"/ARC-"+subset+"-{Split}.jsonl",
			"ARC-V1-Feb2018-2/ARC-"+subset+"/ARC-"+subset+"-{Split}.jsonl")
		var out []record
		for _, split := range splits {
			rel, ok := files[split]
			if !ok {
				continue
			}
			rows, err := readJSONL(abs(root, rel))
			if err != nil {
				return nil, err
			}
			for k, row := range rows {
				r, err := arcRecord(row, src(rel, k))
				if err != nil {
					return nil, err
				}
				r.split = split
				out = append(out, r)
			}
		}
		return out, nil
	}
}

func arcRecord(row jsonRow, where string) (record, error) {
	q, ok := row["question"].(map[string]any)
	if !ok {
		return record{}, fmt.Errorf("%s: no object field \"question\"", where)
	}
	stem, err := needStr(q, "stem", where)
	if err != nil {
		return record{}, err
	}
	choices, _ := q["choices"].([]any)
	r := record{source: where, question: stem}
	for i, c := range choices {
		m, _ := c.(map[string]any)
		label, ok1 := m["label"].(string)
		text, ok2 := m["text"].(string)
		if !ok1 || !ok2 {
			return record{}, fmt.Errorf("%s: choice %d has no string label and text", where, i)
		}
		r.labels = append(r.labels, label)
		r.options = append(r.options, text)
	}
	if len(r.options) == 0 {
		return record{}, fmt.Errorf("%s: question has no choices", where)
	}
	r.key, _ = str(row, "answerKey")
	return r, nil
}

// loadHellaSwag reads the original rowanz/hellaswag JSONL files when they
// are there, otherwise the six-lines-per-item text conversion of the
// validation set (hellaswag_val_full.txt.bz2) that shared/data holds.
func loadHellaSwag(root string) ([]record, error) {
	splits := []string{"val", "test", "train"}
	files := splitFiles(root, splits, "hellaswag/hellaswag_{split}.jsonl", "hellaswag/hellaswag_{split}.jsonl.gz",
		"hellaswag/data/hellaswag_{split}.jsonl")
	var out []record
	for _, split := range splits {
		if rel, ok := files[split]; ok {
			recs, err := hellaswagJSONL(root, rel, split)
			if err != nil {
				return nil, err
			}
			out = append(out, recs...)
		} else if split == "val" {
			recs, err := hellaswagText(root)
			if err != nil {
				return nil, err
			}
			out = append(out, recs...)
		}
	}
	return out, nil
}

// hellaswagClean applies the clean-up of the text conversion (and of
// lm-evaluation-harness's hellaswag task): " [title]" becomes ". ",
// other WikiHow tags in brackets go, double spaces become single.
func hellaswagClean(s string) string {
	s = strings.TrimSpace(s)
	s = strings.ReplaceAll(s, " [title]", ". ")
	for {
		i := strings.IndexByte(s, '[')
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i:], ']')
		if j < 0 {
			break
		}
		s = s[:i] + s[i+j+1:]
	}
	return strings.ReplaceAll(s, "  ", " ")
}

func hellaswagJSONL(root, rel, split string) ([]record, error) {
	rows, err := readJSONL(abs(root, rel))
	if err != nil {
		return nil, err
	}
	out := make([]record, 0, len(rows))
	for k, row := range rows {
		where := src(rel, k)
		act, _ := str(row, "activity_label")
		ctx, err := needStr(row, "ctx", where)
		if err != nil {
			return nil, err
		}
		endings, err := strList(row, "endings", where)
		if err != nil {
			return nil, err
		}
		for i := range endings {
			endings[i] = hellaswagClean(endings[i])
		}
		if len(endings) != 4 {
			return nil, fmt.Errorf("%s: %d endings, want 4", where, len(endings))
		}
		r := record{split: split, source: where, question: hellaswagClean(act + ": " + ctx),
			labels: abcd, options: endings}
		if l, ok := str(row, "label"); ok && l != "" {
			r.key, err = labelLetter(l, where)
			if err != nil {
				return nil, err
			}
		}
		out = append(out, r)
	}
	return out, nil
}

func labelLetter(l, where string) (string, error) {
	n, err := strconv.Atoi(l)
	if err != nil || n < 0 || n > 3 {
		return "", fmt.Errorf("%s: label %q is not 0-3", where, l)
	}
	return abcd[n], nil
}

func hellaswagText(root string) ([]record, error) {
	rel := firstExisting(root, "hellaswag/hellaswag_val_full.txt.bz2", "hellaswag/hellaswag_val_full.txt")
	if rel == "" {
		return nil, nil
	}
	text, err := readText(abs(root, rel))
	if err != nil {
		return nil, err
	}
	lines := strings.Split(text, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	if len(lines)%6 != 0 {
		return nil, fmt.Errorf("%s: %d lines is not a multiple of 6", rel, len(lines))
	}
	out := make([]record, 0, len(lines)/6)
	for k := 0; k < len(lines)/6; k++ {
		b := lines[6*k : 6*k+6]
		key, err := labelLetter(b[1], src(rel, k))
		if err != nil {
			return nil, err
		}
		out = append(out, record{split: "val", source: src(rel, k), question: b[0],
			labels: abcd, options: b[2:6], key: key})
	}
	return out, nil
}

// loadTruthfulQA returns a loader for the TruthfulQA CSV: v1 (2021, 817
// questions) or the 2025 revision (790, adds "Best Incorrect Answer").
func loadTruthfulQA(rev2025 bool) func(root string) ([]record, error) {
	return func(root string) ([]record, error) {
		rels := []string{"truthfulqa/v1/TruthfulQA.csv", "TruthfulQA/data/v1/TruthfulQA.csv", "truthfulqa/TruthfulQA.csv"}
		if rev2025 {
			rels = []string{"truthfulqa/TruthfulQA.csv", "TruthfulQA/TruthfulQA.csv"}
		}
		for _, rel := range rels {
			if firstExisting(root, rel) == "" {
				continue
			}
			rows, err := readCSV(abs(root, rel))
			if err != nil {
				return nil, err
			}
			if len(rows) == 0 {
				return nil, fmt.Errorf("%s: empty file", rel)
			}
			if is2025 := indexOf(rows[0], "Best Incorrect Answer") >= 0; is2025 != rev2025 {
				continue // the other revision
			}
			return truthfulQARecords(rows, rel)
		}
		return nil, nil
	}
}

func truthfulQARecords(rows [][]string, rel string) ([]record, error) {
	q, a := indexOf(rows[0], "Question"), indexOf(rows[0], "Best Answer")
	if q < 0 || a < 0 {
		return nil, fmt.Errorf("%s: no Question and Best Answer columns (header: %s)", rel, strings.Join(rows[0], ","))
	}
	out := make([]record, 0, len(rows)-1)
	for k, row := range rows[1:] {
		if len(row) <= max(q, a) {
			return nil, fmt.Errorf("%s: row has %d columns", src(rel, k), len(row))
		}
		out = append(out, record{split: "validation", source: src(rel, k), question: row[q], sep: "\n", solution: row[a]})
	}
	return out, nil
}

// loadMATH reads MATH (hendrycks/math) in one of three layouts: the
// per-subject JSONL of shared/data (math/hidden_cot/<subject>/test.jsonl:
// input, output, answer), the original per-problem JSON files
// (MATH/<split>/<subject>/<n>.json: problem, level, type, solution), or one
// JSONL per split with problem and solution fields (math/<split>.jsonl).
func loadMATH(root string) ([]record, error) {
	if base := firstDir(root, "math/hidden_cot"); base != "" {
		return mathHiddenCOT(root, base)
	}
	if base := firstDir(root, "MATH", "math"); base != "" && firstDir(root, base+"/test", base+"/train") != "" {
		return mathProblems(root, base)
	}
	files := splitFiles(root, []string{"test", "train"}, "math/{split}.jsonl", "MATH/{split}.jsonl")
	var out []record
	for _, split := range []string{"test", "train"} {
		if rel, ok := files[split]; ok {
			rows, err := readJSONL(abs(root, rel))
			if err != nil {
				return nil, err
			}
			for k, row := range rows {
				r, err := mathRecord(row, src(rel, k), split, "problem", "solution")
				if err != nil {
					return nil, err
				}
				out = append(out, r)
			}
		}
	}
	return out, nil
}

func mathRecord(row jsonRow, where, split, pkey, skey string) (record, error) {
	p, err := needStr(row, pkey, where)
	if err != nil {
		return record{}, err
	}
	s, err := needStr(row, skey, where)
	if err != nil {
		return record{}, err
	}
	ans, ok := str(row, "answer")
	if !ok {
		ans = lastBoxed(s)
	}
	return record{split: split, source: where, question: p, sep: "\n", solution: s, answer: ans}, nil
}

func mathHiddenCOT(root, base string) ([]record, error) {
	subjects, err := subdirs(abs(root, base))
	if err != nil {
		return nil, err
	}
	var out []record
	for _, subj := range subjects {
		rel := path.Join(base, subj, "test.jsonl")
		if firstExisting(root, rel) == "" {
			continue
		}
		rows, err := readJSONL(abs(root, rel))
		if err != nil {
			return nil, err
		}
		for k, row := range rows {
			r, err := mathRecord(row, src(rel, k), "test", "input", "output")
			if err != nil {
				return nil, err
			}
			out = append(out, r)
		}
	}
	return out, nil
}

// mathProblems reads <base>/<split>/<subject>/<n>.json, subjects in byte
// order and problems in numeric order of n.
func mathProblems(root, base string) ([]record, error) {
	var out []record
	for _, split := range []string{"test", "train"} {
		dir := path.Join(base, split)
		if firstDir(root, dir) == "" {
			continue
		}
		subjects, err := subdirs(abs(root, dir))
		if err != nil {
			return nil, err
		}
		for _, subj := range subjects {
			recs, err := mathSubject(root, path.Join(dir, subj), split)
			if err != nil {
				return nil, err
			}
			out = append(out, recs...)
		}
	}
	return out, nil
}

func mathSubject(root, dir, split string) ([]record, error) {
	names, err := sortedFiles(abs(root, dir), ".json")
	if err != nil {
		return nil, err
	}
	sortNumeric(names)
	out := make([]record, 0, len(names))
	for _, name := range names {
		rel := path.Join(dir, name)
		text, err := readText(abs(root, rel))
		if err != nil {
			return nil, err
		}
		row, err := decodeObject([]byte(text))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", rel, err)
		}
		r, err := mathRecord(row, src(rel, 0), split, "problem", "solution")
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// lastBoxed returns the argument of the last \boxed{...} in s, braces
// balanced, or "" when there is none.
func lastBoxed(s string) string {
	i := strings.LastIndex(s, `\boxed{`)
	if i < 0 {
		return ""
	}
	start := i + len(`\boxed{`)
	depth := 1
	for j := start; j < len(s); j++ {
		switch s[j] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return s[start:j]
			}
		}
	}
	return ""
}

func indexOf(names []string, name string) int {
	for i, n := range names {
		if n == name {
			return i
		}
	}
	return -1
}
