package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/leakhound/leakhound"
	"github.com/leakhound/leakhound/evalset"
)

var cmdBench = &command{
	Name:      "bench",
	UsageLine: "bench list | show NAME | stats [flags] [BENCH...]",
	Short:     "list, describe and summarise benchmark test sets",
	Long: `
Bench works with the benchmark catalog, the test sets that scan looks for.

  bench list
	lists every named benchmark with its splits (the default ones marked
	*), its default part and where its files are looked for.

  bench show NAME
	prints a benchmark's source, license, splits and layouts; with
	--bench-dir, also its item counts per split and its first item in
	every part.

  bench stats [BENCH...]
	loads benchmarks as scan does and prints, per split, the item count,
	the part, the length distribution of the texts (characters and words:
	min, 5th, 50th and 95th percentile, max) and the near-duplicate
	clusters (items whose word 5-gram shingle sets have Jaccard >= 0.8).
	BENCH is anything --bench takes: a name (gsm8k, mmlu:test+dev,
	mmlu:all), a file, or hf://datasets/ORG/NAME[@REV]/[CONFIG]/[SPLIT].
	Without BENCH, every named benchmark found under --bench-dir.

Parts (--bench-part): question, question+options (question and one
"X. option" line per option), full (with the reference solution, or for
multiple choice the "Answer: X" line) and answer (the answer alone; items
whose answer has fewer than 5 words or no letter are left out, so a bare
number is never evidence). Defaults: question+options for multiple-choice
benchmarks, full for the others; see doc/benchmarks.md.

Examples:

	leakhound bench list
	leakhound bench show mmlu --bench-dir ../shared/data
	leakhound bench stats --bench-dir ../shared/data
	leakhound bench stats --bench-part question gsm8k humaneval
	leakhound bench stats hf://datasets/openai/gsm8k/main/test
`,
	Run: runBench,
}

func runBench(ctx context.Context, e *env, args []string) int {
	fs := e.newFlagSet()
	var opts evalset.Options
	opts.AddFlags(fs)
	fs.StringVar(&opts.Field, "bench-field", "", "text `FIELD`(s) of generic files, comma-separated (default \"text\")")
	clusters := fs.Int("clusters", 10, "list at most `N` clusters per benchmark in stats (-1: all)")
	pos, code, ok := e.parseFlags(fs, args)
	if !ok {
		return code
	}
	if len(pos) == 0 {
		return e.errorf("bench: want list, show NAME or stats; run 'leakhound help bench'")
	}
	opts.Warnf = func(format string, a ...any) { fmt.Fprintf(e.stderr, "leakhound: note: "+format+"\n", a...) }
	opts.Progress = opts.Warnf
	switch pos[0] {
	case "list":
		return benchList(e, &opts)
	case "show":
		if len(pos) != 2 {
			return e.errorf("bench show: want one benchmark name")
		}
		return benchShow(ctx, e, &opts, pos[1])
	case "stats":
		var specs listFlag // "gsm8k,mmlu" works as with --bench
		for _, p := range pos[1:] {
			specs.Set(p)
		}
		return benchStats(ctx, e, &opts, specs, *clusters)
	}
	return e.errorf("bench: unknown subcommand %q (want list, show or stats)", pos[0])
}

func benchList(e *env, opts *evalset.Options) int {
	w := tabwriter.NewWriter(e.stdout, 0, 8, 2, ' ', 0)
	fmt.Fprintln(w, "NAME\tIDS\tSPLITS (* default)\tPART\tTITLE")
	for _, b := range evalset.Catalog() {
		fmt.Fprintf(w, "%s\t%s/…\t%s\t%s\t%s\n", b.Name, b.Dataset, splitList(b), b.DefaultPart, b.Title)
	}
	w.Flush()
	dir := opts.Dir
	if dir == "" {
		dir = "(none: give --bench-dir or set LEAKHOUND_BENCH_DIR)"
	}
	fmt.Fprintf(e.stdout, "\nbenchmark directory: %s\n", dir)
	return ExitClean
}

func splitList(b *evalset.Benchmark) string {
	def := make(map[string]bool)
	for _, s := range b.DefaultSplits {
		def[s] = true
	}
	var out []string
	for _, s := range b.Splits {
		if def[s] {
			s += "*"
		}
		out = append(out, s)
	}
	return strings.Join(out, ",")
}

func benchShow(ctx context.Context, e *env, opts *evalset.Options, name string) int {
	b := evalset.Lookup(name)
	if b == nil {
		return e.errorf("bench show: unknown benchmark %q; see 'leakhound bench list'", name)
	}
	w := e.stdout
	fmt.Fprintf(w, "%s: %s\n", b.Name, b.Title)
	fmt.Fprintf(w, "  item ids:      %s/<split>/<n>\n", b.Dataset)
	if len(b.Aliases) > 0 {
		fmt.Fprintf(w, "  aliases:       %s\n", strings.Join(b.Aliases, ", "))
	}
	fmt.Fprintf(w, "  source:        %s\n  license:       %s\n", b.Source, b.License)
	fmt.Fprintf(w, "  splits:        %s (* = loaded by default; NAME:SPLIT+SPLIT or NAME:all chooses)\n", splitList(b))
	fmt.Fprintf(w, "  default part:  %s\n", b.DefaultPart)
	fmt.Fprintf(w, "  layouts:       %s (under --bench-dir)\n", strings.Join(b.Layouts, "; "))
	if b.HubRepo != "" {
		fmt.Fprintf(w, "  hub:           hf://datasets/%s, fields %s\n", b.HubRepo, b.HubMap)
	}
	if opts.Dir == "" {
		return ExitClean
	}
	l := &evalset.NamedLoader{Bench: b, Dir: opts.Dir, Splits: []string{"all"}, Options: *opts}
	items, err := l.Load(ctx)
	if err != nil {
		return e.errorf("%v", err)
	}
	for _, s := range evalset.Stats(items) {
		fmt.Fprintf(w, "  %-14s %d items\n", s.Split+":", s.Items)
	}
	id, texts, err := l.Example(ctx, 0)
	if err != nil {
		return e.errorf("%v", err)
	}
	fmt.Fprintf(w, "\nfirst item, %s, in each part:\n", id)
	for _, p := range evalset.Parts {
		t, ok := texts[p]
		if !ok {
			t = "(none: too short to be evidence)"
		}
		fmt.Fprintf(w, "\n[%s]\n%s\n", p, indent(clip(t, 600)))
	}
	return ExitClean
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + " …"
	}
	return s
}

func indent(s string) string { return "  " + strings.ReplaceAll(s, "\n", "\n  ") }

func benchStats(ctx context.Context, e *env, opts *evalset.Options, specs []string, maxClusters int) int {
	load := *opts
	load.NoClusters = true
	var items []leakhound.Item
	if len(specs) > 0 {
		var err error
		if items, err = evalset.LoadAll(ctx, specs, load); err != nil {
			return e.errorf("%v", err)
		}
	} else {
		if opts.Dir == "" {
			return e.errorf("bench stats: name benchmarks, or give --bench-dir (or LEAKHOUND_BENCH_DIR) to summarise all found there")
		}
		var missing []string
		for _, b := range evalset.Catalog() {
			got, err := evalset.LoadAll(ctx, []string{b.Name}, load)
			if errors.Is(err, evalset.ErrNotFound) {
				missing = append(missing, b.Name)
				continue
			}
			if err != nil {
				return e.errorf("%v", err)
			}
			items = append(items, got...)
		}
		if len(missing) > 0 {
			fmt.Fprintf(e.stderr, "leakhound: note: not found under %s: %s\n", opts.Dir, strings.Join(missing, ", "))
		}
		if len(items) == 0 {
			return e.errorf("bench stats: no named benchmark found under %s", opts.Dir)
		}
	}
	var cs []evalset.Cluster
	if !opts.NoClusters {
		cs = evalset.MarkClusters(items, evalset.DefaultClusterConfig)
	}
	printStats(e.stdout, items, cs, maxClusters)
	return ExitClean
}

func printStats(out io.Writer, items []leakhound.Item, cs []evalset.Cluster, maxClusters int) {
	w := tabwriter.NewWriter(out, 0, 8, 2, ' ', 0)
	fmt.Fprintln(w, "BENCHMARK\tSPLIT\tPART\tITEMS\tCHARS min/p5/p50/p95/max\tWORDS min/p5/p50/p95/max\tIN CLUSTERS\t")
	for _, s := range evalset.Stats(items) {
		fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%s\t%s\t%d\t\n", s.Benchmark, s.Split, s.Part, s.Items, fmtDist(s.Chars), fmtDist(s.Words), s.Clustered)
	}
	w.Flush()
	fmt.Fprintf(out, "\n%d items; near-duplicate clusters (word 5-gram shingles, Jaccard >= %.2f):\n", len(items), evalset.DefaultClusterConfig.Threshold)
	var order []string
	byBench := make(map[string][]evalset.Cluster)
	for _, c := range cs {
		if _, ok := byBench[c.Benchmark]; !ok {
			order = append(order, c.Benchmark)
		}
		byBench[c.Benchmark] = append(byBench[c.Benchmark], c)
	}
	if len(order) == 0 {
		fmt.Fprintln(out, "  none")
	}
	for _, b := range order {
		list := byBench[b]
		members := 0
		for _, c := range list {
			members += len(c.Members)
		}
		fmt.Fprintf(out, "  %s: %d clusters, %d items\n", b, len(list), members)
		for i, c := range list {
			if maxClusters >= 0 && i >= maxClusters {
				fmt.Fprintf(out, "    … %d more (--clusters -1 lists all)\n", len(list)-i)
				break
			}
			fmt.Fprintf(out, "    %s  (min Jaccard %.2f)\n", strings.Join(c.Members, " "), c.MinJaccard)
		}
	}
}

func fmtDist(d evalset.Dist) string {
	return fmt.Sprintf("%d/%d/%d/%d/%d", d.Min, d.P5, d.P50, d.P95, d.Max)
}
