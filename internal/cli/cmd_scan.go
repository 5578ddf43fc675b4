package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/leakhound/leakhound"
	"github.com/leakhound/leakhound/corpus"
	"github.com/leakhound/leakhound/evalset"
	"github.com/leakhound/leakhound/match"
	"github.com/leakhound/leakhound/scan"
)

var cmdScan = &command{
	Name:      "scan",
	UsageLine: "scan [flags] --bench BENCH... CORPUS...",
	Short:     "find benchmark test items in training corpora",
	Long: `
Scan streams every record of the training corpora through an index of the
benchmark items and reports every record that contains one, with the
matched spans on both sides.

CORPUS is a file, a directory (walked recursively, in name order), a glob
pattern, or - for standard input. Formats are sniffed from the content:
JSON Lines, a JSON array of objects (Alpaca style), Parquet (string
columns) and plain text, each optionally compressed with gzip, zstd, bzip2
or xz (recognised by magic bytes, not by name).

The text of a record is the --field paths joined with newlines. Without
--field, scan tries "text", then "content", then the Alpaca trio
"instruction" + "input" + "output", then chat "messages[].content", and
stops with the list of fields it found if none fits. Paths are dotted
("meta.text"); "[]" walks an array ("messages[].content").

BENCH is a benchmark file: JSONL (optionally gzip) with "id" and "text"
fields, as in shared/data/normalized, or any JSONL or CSV whose text field
--bench-field names; a catalog name (gsm8k, mmlu, humaneval, cmmlu, ceval,
mbpp, math, arc, hellaswag, truthfulqa) found in its native layout under
--bench-dir; or hf://datasets/ORG/NAME[@REV]/[CONFIG]/[SPLIT]. Repeat
--bench or separate names with commas.

Methods (--method, repeatable or comma-separated; "all" for every one),
each as published (see doc/methods.md):

	gpt3    any shared N-gram of words, N = clip(P5 of the benchmark's item
	        lengths, 8, 13) (Brown et al. 2020, App. C)
	palm    at least 70% of an item's 8-grams occur (Chowdhery et al. 2022)
	gpt4    any of 3 seeded 50-character substrings occurs, after deleting
	        everything but letters and digits (OpenAI 2023, App. C)
	llama2  tokens in matched spans of more than 10 tokens with a skip
	        budget of 4; clean < 20% <= not clean; dirty >= 80%
	        (Touvron et al. 2023, App. A.6)
	neardup lightly edited copies: MinHash sketches of 3-token shingles,
	        verified by containment >= 0.4 (doc/detection-quality.md)
	rephrase paraphrased, translated (zh<->en) and rewritten (code) items
	        (the slowest: 25-45 MB per CPU-second against all benchmarks,
	        against 100-160 for gpt3; --method all runs at about 15):
	        anchor candidates, alignment with stems, WordNet synonyms and
	        CC-CEDICT (--lexicon), winnowing, a logistic scorer; optional
	        --embed and --judge model checks (doc/detection-quality.md)

Both sides are normalized the same way first: NFKC, case folding,
punctuation deleted, and every Han, Kana or Hangul character a token of its
own, so case, spacing, punctuation and full-width forms hide nothing.

Findings go to --out as JSON Lines, one per (record, item, method), with
the record's file, line, byte offset and id, the item id, the score and the
matched byte spans in both texts (schema: doc/report-schema.md). A summary
table goes to standard output (--format json for JSON), or to standard
error when --out - sends the findings to standard output. Bad records (a
malformed line, invalid UTF-8, a record over --max-record-bytes, a missing
field, a truncated stream, an empty or binary file) are reported on
standard error with file:line, counted in the summary, and skipped.

A progress line (bytes read of the total, MB/s, records, findings, ETA) is
drawn on standard error when it is a terminal; --quiet turns it off.

--clean OUTDIR writes a decontaminated copy of the corpus in the inputs'
layout, formats and compression, dropping (or with --clean-policy redact,
redacting) every record with a finding, and a manifest that accounts for
every record; the run exits 2 if kept + dropped != read for any file. A
killed run resumes where it stopped (doc/cleaning.md). --report FILE
writes an HTML page (or .md, .json) of the findings (doc/reports.md).

Exit status: 0 when the scan ran and found nothing, 1 when it found
benchmark items, 2 on a usage error or when an input cannot be read.

Examples:

	leakhound scan --bench ../shared/data/normalized/gsm8k/test.jsonl.gz corpus/
	leakhound scan --bench gsm8k,mmlu --bench-dir ../shared/data --method all \
	    --out findings.jsonl 'shards/*.jsonl.zst'
	zstdcat dump.jsonl.zst | leakhound scan --bench mmlu --field meta.body -
`,
	Run: runScan,
}

// scanFlags are the scan command's settings.
type scanFlags struct {
	bench        listFlag
	fields       repeatFlag
	methods      listFlag
	out          string
	format       string
	workers      int
	quiet        bool
	maxRecord    int
	maxDiag      int
	cpuprofile   string
	benchOptions evalset.Options
	matchOptions match.Options
	corpus       corpus.Options
	extra        scanExtraFlags // scan_clean.go: --clean, --report
	bar          *progressLine  // the progress line, when stderr is a terminal
}

func (f *scanFlags) register(fs *flag.FlagSet) {
	f.matchOptions = match.DefaultOptions()
	fs.Var(&f.bench, "bench", "benchmark: a file, a catalog name or an hf:// dataset (repeatable, comma-separated)")
	fs.StringVar(&f.benchOptions.Field, "bench-field", "", "text field (JSONL) or column (CSV) of generic benchmark files (default \"text\")")
	f.benchOptions.AddFlags(fs)
	fs.Var(&f.fields, "field", "corpus text field path, e.g. meta.text or messages[].content (repeatable; default: automatic)")
	fs.StringVar(&f.corpus.IDField, "id-field", "", "corpus record id field path (default \"id\" when present)")
	fs.Var(&f.methods, "method", "detection method: "+strings.Join(match.AllMethods(), ", ")+" or all (repeatable, comma-separated; default gpt3)")
	fs.StringVar(&f.out, "out", "", "write findings as JSON Lines to this file (- for standard output)")
	fs.StringVar(&f.format, "format", "text", "summary format: text or json")
	fs.IntVar(&f.workers, "workers", 0, "worker goroutines (default: one per core)")
	fs.BoolVar(&f.quiet, "quiet", false, "no progress line and no per-record diagnostics on standard error")
	fs.IntVar(&f.maxRecord, "max-record-bytes", corpus.DefaultMaxRecordBytes, "skip (and report) records larger than this")
	fs.IntVar(&f.maxDiag, "max-diagnostics", 20, "print at most this many diagnostics on standard error (all are counted)")
	fs.StringVar(&f.cpuprofile, "cpuprofile", "", "write a CPU profile to this file")
	f.matchOptions.AddFlags(fs)
	f.extra.register(fs)
}

func runScan(ctx context.Context, e *env, args []string) int {
	var f scanFlags
	fs := e.newFlagSet()
	f.register(fs)
	paths, code, ok := e.parseFlags(fs, args)
	if !ok {
		return code
	}
	if err := f.validate(paths); err != nil {
		return e.errorf("scan: %v\nRun 'leakhound help scan' for usage.", err)
	}
	if f.cpuprofile != "" {
		stop, err := startCPUProfile(f.cpuprofile)
		if err != nil {
			return e.errorf("scan: %v", err)
		}
		defer stop()
	}
	if os.Getenv("GOGC") == "" {
		// The live heap is almost all benchmark index, built once; the
		// scan itself allocates little. Collecting at 50% growth instead
		// of 100% keeps the peak RSS with every benchmark of shared/data
		// at about 210 MB instead of 235 MB, for under 1% more CPU.
		debug.SetGCPercent(50)
	}
	found, err := f.run(ctx, e, paths)
	if err != nil {
		return e.errorf("scan: %v", err)
	}
	if found {
		return ExitFound
	}
	return ExitClean
}

func (f *scanFlags) validate(paths []string) error {
	if len(f.bench) == 0 {
		return errors.New("no benchmark: give --bench FILE or a benchmark name")
	}
	if len(paths) == 0 {
		return errors.New("no corpus: give files, directories, globs or - for standard input")
	}
	if f.format != "text" && f.format != "json" {
		return fmt.Errorf("--format %q: want text or json", f.format)
	}
	methods := []string(f.methods)
	if len(methods) == 0 {
		methods = []string{match.GPT3}
	}
	m, err := match.ParseMethods(methods)
	if err != nil {
		return err
	}
	f.matchOptions.Methods = m
	f.corpus.Fields = f.fields
	f.corpus.MaxRecordBytes = f.maxRecord
	if f.maxRecord <= 0 {
		return fmt.Errorf("--max-record-bytes %d: want a positive size", f.maxRecord)
	}
	return f.matchOptions.Validate()
}

func startCPUProfile(path string) (func(), error) {
	pf, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(pf); err != nil {
		pf.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); pf.Close() }, nil
}

// scanReport is the summary that --format json prints.
type scanReport struct {
	SchemaVersion int             `json:"schema_version"`
	Benchmarks    []benchInfo     `json:"benchmarks"`
	Summary       []match.Summary `json:"summary"`
	Stats         *scan.Stats     `json:"stats"`
	IndexBytes    int             `json:"index_bytes"`
}

type benchInfo struct {
	Name  string `json:"name"`
	Items int    `json:"items"`
	N     int    `json:"gpt3_n,omitempty"`
}

func (f *scanFlags) run(ctx context.Context, e *env, paths []string) (bool, error) {
	status := f.setupStatus(e)
	warn := func(format string, args ...any) {
		status.clear()
		fmt.Fprintf(e.stderr, "leakhound: scan: "+format+"\n", args...)
	}
	f.benchOptions.Warnf, f.matchOptions.Warnf = warn, warn
	status.draw("leakhound: loading the benchmarks...")
	items, err := evalset.LoadAll(ctx, f.bench, f.benchOptions)
	if err != nil {
		status.clear()
		return false, err
	}
	status.draw(fmt.Sprintf("leakhound: preparing %d items for %s...", len(items), strings.Join(f.matchOptions.Methods, ", ")))
	set, err := match.NewSet(items, f.matchOptions)
	status.clear()
	if err != nil {
		return false, err
	}
	inputs, err := corpus.Expand(paths)
	if err != nil {
		return false, err
	}
	post, err := f.extra.start(e, f, set, inputs)
	if err != nil {
		return false, err
	}
	out, closeOut, err := openOut(e, f.out)
	if err != nil {
		return false, err
	}
	stats, tallies, err := scan.Run(ctx, set, inputs, post.hook(f.scanOptions(e, out)))
	if f.bar != nil {
		f.bar.clear() // before the summary, whether or not the input's size was known
	}
	if cerr := closeOut(); err == nil {
		err = cerr
	}
	if err != nil {
		return false, err
	}
	rows := set.Summarize(tallies)
	summary := e.stdout
	if f.out == "-" { // findings own standard output
		summary = e.stderr
	}
	if f.format == "json" {
		err = writeScanJSON(summary, set, rows, stats)
	} else {
		err = writeScanText(summary, rows, stats)
	}
	if err == nil {
		err = post.finish(ctx, e, summary, rows, stats)
	}
	return stats.Findings > 0 || anyFound(rows), err
}

func anyFound(rows []match.Summary) bool {
	for _, r := range rows {
		if r.Found > 0 {
			return true
		}
	}
	return false
}

// openOut opens the findings output; with no --out, findings are counted
// but not written.
func openOut(e *env, path string) (*json.Encoder, func() error, error) {
	switch path {
	case "":
		return nil, func() error { return nil }, nil
	case "-":
		w := bufio.NewWriterSize(e.stdout, 1<<16)
		return newFindingEncoder(w), w.Flush, nil
	}
	fh, err := os.Create(path)
	if err != nil {
		return nil, nil, err
	}
	w := bufio.NewWriterSize(fh, 1<<16)
	return newFindingEncoder(w), func() error {
		if err := w.Flush(); err != nil {
			fh.Close()
			return err
		}
		return fh.Close()
	}, nil
}

func newFindingEncoder(w io.Writer) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc
}

// setupStatus returns the line that says, on a terminal, what the scan
// does before it reads the corpus: loading the benchmarks and building the
// indexes take 10 to 20 seconds for all benchmarks with --method all.
// Elsewhere, or with --quiet, it draws nothing.
func (f *scanFlags) setupStatus(e *env) *progressLine {
	if f.quiet || !e.stderrIsTerminal() {
		return &progressLine{w: io.Discard}
	}
	return &progressLine{w: e.stderr}
}

func (f *scanFlags) scanOptions(e *env, out *json.Encoder) scan.Options {
	o := scan.Options{Corpus: f.corpus, Workers: f.workers}
	if out != nil {
		o.Finding = func(fd *leakhound.Finding) error { return out.Encode(fd) }
	}
	shown := 0
	if !f.quiet && e.stderrIsTerminal() {
		f.bar = &progressLine{w: e.stderr}
		o.Progress = func(p scan.Progress) { f.bar.draw(progressText(p)) }
	}
	bar := f.bar
	o.Diagnostic = func(d corpus.Diagnostic) {
		if f.quiet {
			return
		}
		if bar != nil {
			bar.clear()
		}
		if shown < f.maxDiag {
			fmt.Fprintf(e.stderr, "leakhound: %s: %s\n", d.Kind, d)
		} else if shown == f.maxDiag {
			fmt.Fprintf(e.stderr, "leakhound: more diagnostics not shown (--max-diagnostics %d); all are counted in the summary\n", f.maxDiag)
		}
		shown++
	}
	return o
}

func progressText(p scan.Progress) string {
	secs := max(p.Elapsed.Seconds(), 1e-3)
	rate := float64(p.BytesRead) / secs / 1e6
	total := "?"
	if p.BytesTotal >= 0 {
		total = humanBytes(p.BytesTotal)
	}
	return fmt.Sprintf("%s %s / %s  %.0f MB/s  %d records  %d findings  %s",
		bar(p.BytesRead, p.BytesTotal), humanBytes(p.BytesRead), total, rate, p.Records, p.Findings, eta(p.BytesRead, p.BytesTotal, p.Elapsed))
}

// writeScanText prints the summary table and the accounting line; a write
// error (a full disk, a closed pipe) is returned so that the run exits 2.
func writeScanText(out io.Writer, rows []match.Summary, st *scan.Stats) error {
	w := &errWriter{w: out}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "benchmark\tmethod\titems\tfound\t%\tdocs flagged\t")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%.2f\t%d\t\n", r.Benchmark, r.Method, r.Items, r.Found, r.Percent, r.DocsFlagged)
	}
	tw.Flush()
	rate := float64(st.Bytes) / max(st.Seconds, 1e-9) / 1e6
	fmt.Fprintf(w, "\n%d files, %d records (%d bad), %s in %.2fs (%.0f MB/s), %d findings\n",
		st.Files, st.Records, st.Bad, humanBytes(st.Bytes), st.Seconds, rate, st.Findings)
	if len(st.BadByKind) > 0 {
		fmt.Fprint(w, "diagnostics:")
		for _, k := range sortedKeys(st.BadByKind) {
			fmt.Fprintf(w, " %s %d", k, st.BadByKind[k])
		}
		fmt.Fprintln(w)
	}
	return w.err
}

// errWriter keeps the first write error, so that a sequence of prints
// can be checked once.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

func writeScanJSON(w io.Writer, set *match.Set, rows []match.Summary, st *scan.Stats) error {
	rep := scanReport{SchemaVersion: leakhound.SchemaVersion, Summary: rows, Stats: st, IndexBytes: set.IndexBytes()}
	counts := map[string]int{}
	for _, it := range set.Items {
		counts[it.Benchmark]++
	}
	for _, b := range set.Benchmarks() {
		rep.Benchmarks = append(rep.Benchmarks, benchInfo{Name: b, Items: counts[b], N: set.GPT3N(b)})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
