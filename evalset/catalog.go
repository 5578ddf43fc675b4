package evalset

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/leakhound/leakhound"
)

// Benchmark describes one named benchmark of the catalog.
type Benchmark struct {
	// Name is what --bench takes, e.g. "arc".
	Name string
	// Dataset prefixes item ids ("<dataset>/<split>/<n>") and fills
	// leakhound.Item.Benchmark; it is the folder name of
	// shared/data/normalized, e.g. "arc_challenge".
	Dataset string
	// Aliases are other names --bench accepts.
	Aliases []string
	// Title is a one-line description.
	Title string
	// Source names the upstream publication of the data.
	Source string
	// License is the data's license as its publisher states it.
	License string
	// Splits lists the splits the loader knows, in id order.
	Splits []string
	// DefaultSplits are loaded when --bench names no split: the splits
	// that evaluations score.
	DefaultSplits []string
	// DefaultPart is the part matched when --bench-part names none.
	DefaultPart Part
	// Layouts describes the files searched under --bench-dir.
	Layouts []string
	// Hub names the usual Hugging Face dataset, for reference.
	Hub string
	// HubRepo is the Hub dataset ("openai/gsm8k") whose rows HubMap maps
	// (see Options.Map) when it is loaded by hf:// without field options.
	HubRepo, HubMap string
	// HubConfig, when set, limits HubMap to that config of HubRepo.
	HubConfig string

	load func(root string) ([]record, error)
}

// catalog is the list of named benchmarks; order is the order of
// `leakhound bench list`.
var catalog = []*Benchmark{
	{Name: "gsm8k", Dataset: "gsm8k", Title: "Grade School Math 8K word problems",
		Source: "openai/grade-school-math", License: "MIT", Splits: []string{"test", "train"},
		DefaultSplits: []string{"test"}, DefaultPart: PartFull, Hub: "openai/gsm8k",
		Layouts: []string{"gsm8k/{test,train}.jsonl", "grade_school_math/data/{test,train}.jsonl"}, HubRepo: "openai/gsm8k", HubMap: "question=question;solution=answer",
		load: loadGSM8K},
	{Name: "humaneval", Dataset: "humaneval", Aliases: []string{"openai_humaneval"}, Title: "HumanEval Python function completion",
		Source: "openai/human-eval", License: "MIT", Splits: []string{"test"}, DefaultSplits: []string{"test"},
		DefaultPart: PartFull, Hub: "openai/openai_humaneval",
		Layouts: []string{"humaneval/HumanEval.jsonl[.gz]", "human-eval/data/HumanEval.jsonl[.gz]"}, HubRepo: "openai/openai_humaneval", HubMap: "question=prompt;solution=canonical_solution;sep=",
		load: loadHumanEval},
	{Name: "mbpp", Dataset: "mbpp", Title: "Mostly Basic Python Problems (full, 974 tasks)",
		Source: "google-research/google-research mbpp/", License: "CC BY 4.0",
		Splits: []string{"prompt", "test", "validation", "train"}, DefaultSplits: []string{"test"}, DefaultPart: PartFull,
		Hub: "google-research-datasets/mbpp (full)", Layouts: []string{"mbpp/mbpp.jsonl"}, HubRepo: "google-research-datasets/mbpp", HubMap: "question=text,test_list;solution=code",
		load: loadMBPP},
	{Name: "mbpp_sanitized", Dataset: "mbpp_sanitized", Title: "MBPP, the hand-verified sanitized subset (427 tasks)",
		Source: "google-research/google-research mbpp/", License: "CC BY 4.0",
		Splits: []string{"prompt", "test", "validation", "train"}, DefaultSplits: []string{"test"}, DefaultPart: PartFull,
		Hub: "google-research-datasets/mbpp (sanitized)", Layouts: []string{"mbpp/sanitized-mbpp.json"}, load: loadMBPPSanitized},
	{Name: "mmlu", Dataset: "mmlu", Title: "Massive Multitask Language Understanding, 57 subjects",
		Source: "hendrycks/test", License: "MIT", Splits: []string{"test", "val", "dev"},
		DefaultSplits: []string{"test"}, DefaultPart: PartQuestionOptions, Hub: "cais/mmlu",
		Layouts: []string{"mmlu/{test,val,dev}/<subject>_<split>.csv", "mmlu/data/…"}, HubRepo: "cais/mmlu", HubMap: "question=question;options=choices;answer=answer",
		load: loadMMLU},
	{Name: "cmmlu", Dataset: "cmmlu", Title: "Chinese MMLU, 67 subjects",
		Source: "haonan-li/CMMLU", License: "CC BY-NC-SA 4.0", Splits: []string{"test", "dev"},
		DefaultSplits: []string{"test"}, DefaultPart: PartQuestionOptions, Hub: "haonan-li/cmmlu",
		Layouts: []string{"cmmlu/{test,dev}/<subject>.csv", "cmmlu/data/…"}, HubRepo: "haonan-li/cmmlu", HubMap: "question=Question;options=A,B,C,D;answer=Answer",
		load: loadCMMLU},
	{Name: "ceval", Dataset: "ceval", Aliases: []string{"c-eval", "ceval-exam"}, Title: "C-Eval Chinese exam questions, 52 subjects",
		Source: "hkust-nlp/ceval (ceval-exam.zip)", License: "CC BY-NC-SA 4.0", Splits: []string{"val", "test", "dev"},
		DefaultSplits: []string{"val", "test"}, DefaultPart: PartQuestionOptions, Hub: "ceval/ceval-exam",
		Layouts: []string{"ceval/{val,test,dev}/<subject>_<split>.csv", "ceval-exam/…"}, HubRepo: "ceval/ceval-exam", HubMap: "question=question;options=A,B,C,D;answer=answer;extra=explanation",
		load: loadCEval},
	{Name: "arc", Dataset: "arc_challenge", Aliases: []string{"arc_challenge", "arc-challenge"}, Title: "AI2 Reasoning Challenge, Challenge set",
		Source: "allenai ARC-V1-Feb2018", License: "CC BY-SA 4.0", Splits: []string{"test", "dev", "train"},
		DefaultSplits: []string{"test"}, DefaultPart: PartQuestionOptions, Hub: "allenai/ai2_arc (ARC-Challenge)",
		Layouts: []string{"arc_challenge/ARC-Challenge-{Test,Dev,Train}.jsonl", "ARC-V1-Feb2018-2/ARC-Challenge/…"}, HubRepo: "allenai/ai2_arc", HubConfig: "ARC-Challenge", HubMap: "question=question;options=choices;answer=answerKey",
		load: loadARC("Challenge")},
	{Name: "arc_easy", Dataset: "arc_easy", Aliases: []string{"arc-easy"}, Title: "AI2 Reasoning Challenge, Easy set",
		Source: "allenai ARC-V1-Feb2018", License: "CC BY-SA 4.0", Splits: []string{"test", "dev", "train"},
		DefaultSplits: []string{"test"}, DefaultPart: PartQuestionOptions, Hub: "allenai/ai2_arc (ARC-Easy)",
		Layouts: []string{"arc_easy/ARC-Easy-{Test,Dev,Train}.jsonl", "ARC-V1-Feb2018-2/ARC-Easy/…"}, HubRepo: "allenai/ai2_arc", HubConfig: "ARC-Easy", HubMap: "question=question;options=choices;answer=answerKey",
		load: loadARC("Easy")},
	{Name: "hellaswag", Dataset: "hellaswag", Title: "HellaSwag sentence completion",
		Source: "rowanz/hellaswag", License: "MIT", Splits: []string{"val", "test", "train"},
		DefaultSplits: []string{"val"}, DefaultPart: PartQuestionOptions, Hub: "Rowan/hellaswag",
		Layouts: []string{"hellaswag/hellaswag_{val,test,train}.jsonl", "hellaswag/hellaswag_val_full.txt.bz2"}, load: loadHellaSwag},
	{Name: "truthfulqa", Dataset: "truthfulqa", Aliases: []string{"truthful_qa"}, Title: "TruthfulQA, 2021 release (817 questions)",
		Source: "sylinrl/TruthfulQA", License: "Apache-2.0", Splits: []string{"validation"},
		DefaultSplits: []string{"validation"}, DefaultPart: PartFull, Hub: "truthfulqa/truthful_qa (generation)",
		Layouts: []string{"truthfulqa/v1/TruthfulQA.csv", "truthfulqa/TruthfulQA.csv (2021 file)"}, HubRepo: "truthfulqa/truthful_qa", HubMap: "question=question;solution=best_answer",
		load: loadTruthfulQA(false)},
	{Name: "truthfulqa_2025", Dataset: "truthfulqa_2025", Title: "TruthfulQA, 2025 revision (790 questions)",
		Source: "sylinrl/TruthfulQA", License: "Apache-2.0", Splits: []string{"validation"},
		DefaultSplits: []string{"validation"}, DefaultPart: PartFull, Hub: "",
		Layouts: []string{"truthfulqa/TruthfulQA.csv (with Best Incorrect Answer)"}, load: loadTruthfulQA(true)},
	{Name: "math", Dataset: "math", Aliases: []string{"hendrycks_math", "competition_math"}, Title: "MATH competition problems",
		Source: "hendrycks/math", License: "MIT", Splits: []string{"test", "train"},
		DefaultSplits: []string{"test"}, DefaultPart: PartFull, Hub: "EleutherAI/hendrycks_math",
		Layouts: []string{"math/hidden_cot/<subject>/test.jsonl", "MATH/{test,train}/<subject>/<n>.json", "math/{test,train}.jsonl"},
		HubRepo: "EleutherAI/hendrycks_math", HubMap: "question=problem;solution=solution",
		load: loadMATH},
}

// Catalog returns the named benchmarks in listing order.
func Catalog() []*Benchmark { return append([]*Benchmark(nil), catalog...) }

// Lookup finds a benchmark by name or alias, case-insensitively.
func Lookup(name string) *Benchmark {
	name = strings.ToLower(name)
	for _, b := range catalog {
		if b.Name == name || b.Dataset == name {
			return b
		}
		for _, a := range b.Aliases {
			if a == name {
				return b
			}
		}
	}
	return nil
}

// names lists catalog names for messages.
func names() string {
	var out []string
	for _, b := range catalog {
		out = append(out, b.Name)
	}
	return strings.Join(out, ", ")
}

// ErrNotFound is wrapped by the error of a named benchmark whose files are
// not under the benchmark directory.
var ErrNotFound = errors.New("not found")

// NamedLoader loads a catalog benchmark from its native layout under Dir.
type NamedLoader struct {
	Bench *Benchmark
	// Dir is the benchmark directory (--bench-dir).
	Dir string
	// Splits to load; empty means Bench.DefaultSplits; "all" every split
	// found.
	Splits []string
	// Options gives the part (Options.Part) and the warning sink.
	Options Options
}

// String names the benchmark and its splits.
func (l *NamedLoader) String() string {
	if len(l.Splits) == 0 {
		return l.Bench.Name
	}
	return l.Bench.Name + ":" + strings.Join(l.Splits, "+")
}

// Load reads the benchmark's files and renders the chosen part.
func (l *NamedLoader) Load(ctx context.Context) ([]leakhound.Item, error) {
	recs, err := l.records(ctx)
	if err != nil {
		return nil, err
	}
	part, err := l.Options.partFor(l.Bench.Name, l.Bench.DefaultPart)
	if err != nil {
		return nil, err
	}
	return renderRecords(recs, l.Bench.Dataset, part, l.Options.warnf)
}

// records loads the records of the chosen splits.
func (l *NamedLoader) records(ctx context.Context) ([]record, error) {
	if l.Dir == "" {
		return nil, fmt.Errorf("benchmark %s: no benchmark directory: give --bench-dir DIR or set LEAKHOUND_BENCH_DIR (a folder in the native layout, e.g. %s)", l.Bench.Name, l.Bench.Layouts[0])
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	all, err := l.Bench.load(l.Dir)
	if err != nil {
		return nil, fmt.Errorf("benchmark %s: %w", l.Bench.Name, err)
	}
	if len(all) == 0 {
		return nil, fmt.Errorf("benchmark %s: %w under %s (looked for %s)", l.Bench.Name, ErrNotFound, l.Dir, strings.Join(l.Bench.Layouts, ", "))
	}
	return selectSplits(all, l.Bench, l.Splits, l.Dir)
}

// selectSplits keeps the records of the wanted splits, in the order of the
// loaded records.
func selectSplits(all []record, b *Benchmark, want []string, dir string) ([]record, error) {
	if len(want) == 1 && want[0] == "all" {
		return all, nil
	}
	if len(want) == 0 {
		want = b.DefaultSplits
	}
	found := make(map[string]bool)
	for _, r := range all {
		found[r.split] = true
	}
	keep := make(map[string]bool)
	for _, s := range want {
		if !found[s] {
			return nil, fmt.Errorf("benchmark %s: split %q not found under %s (found: %s; known: %s)",
				b.Name, s, dir, strings.Join(sortedSet(found), ", "), strings.Join(b.Splits, ", "))
		}
		keep[s] = true
	}
	var out []record
	for _, r := range all {
		if keep[r.split] {
			out = append(out, r)
		}
	}
	return out, nil
}

func sortedSet(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// renderRecords numbers records within their split and renders part p.
// Records without text for p (answers that are not evidence) are left
// out and counted in one warning.
func renderRecords(recs []record, dataset string, p Part, warnf func(string, ...any)) ([]leakhound.Item, error) {
	n := make(map[string]int)
	items := make([]leakhound.Item, 0, len(recs))
	skipped := 0
	for i := range recs {
		r := &recs[i]
		it, ok := r.item(dataset, n[r.split], p)
		n[r.split]++
		if !ok {
			skipped++
			continue
		}
		items = append(items, it)
	}
	if skipped > 0 {
		warnf("%s: %d of %d items left out of part %q: their answer is unknown or too short to be evidence (fewer than %d words or no letter)",
			dataset, skipped, len(recs), p, minAnswerWords)
	}
	return items, nil
}

// Example renders the i-th loaded item (in load order) in every part, for
// `leakhound bench show`. A part without text for the item is absent.
func (l *NamedLoader) Example(ctx context.Context, i int) (id string, texts map[Part]string, err error) {
	recs, err := l.records(ctx)
	if err != nil {
		return "", nil, err
	}
	if i < 0 || i >= len(recs) {
		return "", nil, fmt.Errorf("benchmark %s: no item %d (%d loaded)", l.Bench.Name, i, len(recs))
	}
	n := 0
	for _, r := range recs[:i] {
		if r.split == recs[i].split {
			n++
		}
	}
	texts = make(map[Part]string)
	for _, p := range Parts {
		if s, ok := recs[i].text(p); ok {
			texts[p] = s
		}
	}
	return fmt.Sprintf("%s/%s/%d", l.Bench.Dataset, recs[i].split, n), texts, nil
}
