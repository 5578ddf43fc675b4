package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/leakhound/leakhound"
	"github.com/leakhound/leakhound/corpus"
	"github.com/leakhound/leakhound/evalset"
	"github.com/leakhound/leakhound/match"
	"github.com/leakhound/leakhound/quality"
	"github.com/leakhound/leakhound/rephrase"
	"github.com/leakhound/leakhound/scan"
)

var cmdEval = &command{
	Name:      "eval",
	UsageLine: "eval [protocol|retrieval|codealpaca|ordinary|corpus|train] [flags] [CORPUS...]",
	Short:     "measure detection quality (LMSYS F1 protocol, planted corpora) and retrain the rephrase scorer",
	Long: `
Eval measures how well the rephrase method finds paraphrased, translated
and rewritten benchmark items, on the public data of shared/data
(--data-dir, default $LEAKHOUND_BENCH_DIR or ../shared/data). Every random
choice uses one fixed seed, so the numbers repeat exactly.

	protocol    (default) the F1 protocol of LMSYS Tables 5–6 (Yang et al.
	            2023, arXiv 2311.04850, §4.3) on every rephrase set: positives
	            are (original i, rephrase i), negatives random pairs of two
	            originals. F1 is printed next to the paper's 10-gram,
	            embedding and GPT-4 rows, for all items and for the held-out
	            30% that no training or threshold choice saw (--part).
	retrieval   scan each rephrase set as a corpus through the full detector
	            (candidate index and verification) built on all items of its
	            benchmark: rephrases flagged as their own item, and findings
	            that name another item.
	ordinary    scan the Alpaca and CodeAlpaca records of shared/data against
	            every benchmark item: records flagged (false positives, or
	            real leaks to inspect), in all and in the held-out part.
	codealpaca  the 164 CodeAlpaca × HumanEval pairs judged by GPT-4 twice
	            (CodeAlpacaDB.jsonl, detect.jsonl): agreement, and every
	            disagreement with its aligned evidence.
	corpus      scan CORPUS with --bench and --method as 'leakhound scan'
	            does, and compare the findings with --truth (doc_id, bench_id,
	            kind per line, as shared/bench/gen_corpus.py writes): recall
	            by kind and method, false positives per million documents.
	train       retrain the scorer: write the IDF table (background.bin) and
	            the weights (weights.json) into --out, the rephrase package
	            folder whose files the binary embeds. Only the training part
	            of the LMSYS sets and of the Alpaca/CodeAlpaca records is used.

Exit status: 0 when the command ran (and, for protocol, every target group
met its F1 target on held-out data), 1 when a target was missed, 2 on error.

Examples:

	leakhound eval --data-dir ../shared/data
	leakhound eval corpus --bench /tmp/c/bench.jsonl --truth /tmp/c/truth.tsv /tmp/c/corpus.jsonl
	leakhound eval train --data-dir ../shared/data --out rephrase
`,
	Run: runEval,
}

type evalFlags struct {
	dataDir string
	parts   listFlag
	out     string
	truth   string
	scan    scanFlags
}

func runEval(ctx context.Context, e *env, args []string) int {
	mode := "protocol"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		mode, args = args[0], args[1:]
	}
	var f evalFlags
	fs := e.newFlagSet()
	f.scan.register(fs)
	fs.StringVar(&f.dataDir, "data-dir", "", "shared data folder holding normalized/, llm-decontaminator/ and lexicon/ (default $LEAKHOUND_BENCH_DIR, else ../shared/data)")
	fs.Var(&f.parts, "part", "protocol and retrieval: parts to report, all, train and/or held-out (default all,held-out)")
	fs.StringVar(&f.out, "out-dir", "rephrase", "train: folder to write background.bin and weights.json into")
	fs.StringVar(&f.truth, "truth", "", "corpus: truth file (doc_id<TAB>bench_id<TAB>kind)")
	paths, code, ok := e.parseFlags(fs, args)
	if !ok {
		return code
	}
	if mode == "corpus" {
		return f.corpus(ctx, e, paths)
	}
	if len(paths) > 0 {
		return e.errorf("eval %s: unexpected arguments %q", mode, paths)
	}
	dir, err := quality.FindDataDir(f.dataDir)
	if err != nil {
		return e.errorf("eval: %v", err)
	}
	parts, err := parseParts(f.parts)
	if err != nil {
		return e.errorf("eval: %v", err)
	}
	switch mode {
	case "protocol", "retrieval", "codealpaca", "ordinary", "train":
	default:
		return e.errorf("eval: unknown mode %q (protocol, retrieval, codealpaca, ordinary, corpus, train)", mode)
	}
	m, err := evalModel(e, dir, mode == "train")
	if err != nil {
		return e.errorf("eval: %v", err)
	}
	switch mode {
	case "train":
		err = evalTrain(e, m, dir, f.out)
	case "codealpaca":
		var rows []quality.CodeAlpacaRow
		if rows, err = quality.CodeAlpaca(m, dir); err == nil {
			quality.CodeAlpacaReport(e.stdout, rows)
		}
	case "retrieval":
		err = evalRetrieval(e, m, dir, parts)
	case "ordinary":
		var bench, ordinary []leakhound.Item
		if bench, ordinary, err = quality.LoadBackgroundTexts(dir); err == nil {
			quality.OrdinaryReport(e.stdout, m, bench, ordinary)
		}
	default:
		return evalProtocol(e, m, dir, parts)
	}
	if err != nil {
		return e.errorf("eval %s: %v", mode, err)
	}
	return ExitClean
}

func parseParts(list []string) ([]quality.Part, error) {
	if len(list) == 0 {
		return []quality.Part{quality.PartAll, quality.PartHeldOut}, nil
	}
	var out []quality.Part
	for _, s := range list {
		switch s {
		case "all":
			out = append(out, quality.PartAll)
		case "train":
			out = append(out, quality.PartTrain)
		case "held-out", "heldout":
			out = append(out, quality.PartHeldOut)
		default:
			return nil, fmt.Errorf("--part %q: want all, train or held-out", s)
		}
	}
	return out, nil
}

// evalModel loads the model; for training it starts from untrained
// weights, so that a build whose features changed can retrain.
func evalModel(e *env, dir string, untrained bool) (*rephrase.Model, error) {
	cfg, err := rephrase.FlagConfig()
	if err != nil {
		return nil, err
	}
	if untrained {
		cfg.Weights = rephrase.UntrainedWeights()
	}
	cfg.LexiconDirs = append(cfg.LexiconDirs, dir)
	cfg.Warnf = func(format string, args ...any) { fmt.Fprintf(e.stderr, "leakhound: eval: "+format+"\n", args...) }
	return rephrase.NewModel(cfg)
}

func evalProtocol(e *env, m *rephrase.Model, dir string, parts []quality.Part) int {
	sets, err := quality.LoadPairSets(dir)
	if err != nil {
		return e.errorf("eval: %v", err)
	}
	fmt.Fprintf(e.stdout, "LMSYS rephrase sets, F1 protocol of Tables 5–6 (seed %d); WordNet %v, lexicon %v\n\n", quality.Seed, m.HasWordNet(), m.HasLexicon())
	res := quality.ProtocolReport(e.stdout, m, sets, parts)
	fmt.Fprintln(e.stdout)
	quality.GroupSummary(e.stdout, res)
	if quality.Missed(res) {
		return ExitFound
	}
	return ExitClean
}

func evalRetrieval(e *env, m *rephrase.Model, dir string, parts []quality.Part) error {
	sets, bench, _, err := quality.LoadAll(dir)
	if err != nil {
		return err
	}
	by := quality.BenchmarkItems(bench)
	for _, p := range parts {
		quality.RetrievalReport(e.stdout, m, sets, by, p)
		fmt.Fprintln(e.stdout)
	}
	return nil
}

func evalTrain(e *env, m *rephrase.Model, dir, out string) error {
	sets, bench, ordinary, err := quality.LoadAll(dir)
	if err != nil {
		return err
	}
	texts := make([]string, len(bench))
	for i, it := range bench {
		texts[i] = it.Text
	}
	bg := m.BuildBackground(texts)
	if err := m.SetBackground(bg); err != nil {
		return err
	}
	w, rep := quality.Train(m, sets, bench, quality.TrainingOrdinary(ordinary), quality.DefaultTrainOptions())
	fmt.Fprint(e.stdout, rep)
	b, err := json.MarshalIndent(w, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "background.bin"), bg, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "weights.json"), append(b, '\n'), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %s and %s; rebuild the binary to embed them\n", filepath.Join(out, "background.bin"), filepath.Join(out, "weights.json"))
	return nil
}

// corpus runs a scan and compares its findings with the truth file.
func (f *evalFlags) corpus(ctx context.Context, e *env, paths []string) int {
	if f.truth == "" {
		return e.errorf("eval corpus: give --truth FILE")
	}
	if err := f.scan.validate(paths); err != nil {
		return e.errorf("eval corpus: %v", err)
	}
	truth, err := quality.ReadTruth(f.truth)
	if err != nil {
		return e.errorf("eval corpus: %v", err)
	}
	items, err := evalset.LoadAll(ctx, f.scan.bench, f.scan.benchOptions)
	if err != nil {
		return e.errorf("eval corpus: %v", err)
	}
	set, err := match.NewSet(items, f.scan.matchOptions)
	if err != nil {
		return e.errorf("eval corpus: %v", err)
	}
	inputs, err := corpus.Expand(paths)
	if err != nil {
		return e.errorf("eval corpus: %v", err)
	}
	var mu sync.Mutex
	var findings []leakhound.Finding
	o := scan.Options{Corpus: f.scan.corpus, Workers: f.scan.workers, Finding: func(fd *leakhound.Finding) error {
		mu.Lock()
		defer mu.Unlock()
		findings = append(findings, *fd)
		return nil
	}}
	stats, _, err := scan.Run(ctx, set, inputs, o)
	if err != nil {
		return e.errorf("eval corpus: %v", err)
	}
	if stats == nil {
		return e.errorf("eval corpus: no statistics")
	}
	quality.CorpusReport(e.stdout, truth, findings, f.scan.matchOptions.Methods, stats.Records)
	fmt.Fprintf(e.stdout, "%d bytes in %.2f s\n", stats.Bytes, stats.Seconds)
	return ExitClean
}
