package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/leakhound/leakhound"
	"github.com/leakhound/leakhound/evalset"
	"github.com/leakhound/leakhound/internal/atomicfile"
	"github.com/leakhound/leakhound/internal/decompress"
	"github.com/leakhound/leakhound/lineage"
	"github.com/leakhound/leakhound/probe"
	"github.com/leakhound/leakhound/report"
)

var cmdReport = &command{
	Name:      "report",
	UsageLine: "report [flags] FINDINGS.jsonl",
	Short:     "turn findings into an HTML page, a Markdown summary or JSON",
	Long: `
Report reads the findings JSONL that 'leakhound scan --out' writes (plain
or compressed; - for standard input) and writes one of:

	html  one self-contained page: a summary per benchmark (items, % leaked,
	      a bar chart by method), the score distribution, the files with
	      the most leaks, and a filterable, sortable table of findings; a
	      click on a finding shows the benchmark item beside the corpus
	      text with the matched spans highlighted, and the method's
	      evidence. The page makes no network fetch. It holds the
	      --max-findings highest-scoring findings (default 2000) and
	      states the cap; the summaries and charts count every finding.
	md    a Markdown summary for pull requests and issue threads.
	json  the aggregated report (schema: doc/reports.md).

The format comes from --format, else from the -o extension (.md, .json,
else html). Give the benchmarks with --bench (as for scan) to show the
item texts beside the corpus text and to count each benchmark's items
for "% leaked"; without them the page shows the corpus side only.

--probe and --lineage add the JSON results of 'leakhound probe --json FILE'
and 'leakhound lineage -format json' as sections of the page.

All text from benchmarks and corpora is escaped: a record holding
<script> renders as text.

Exit status: 0 when the report holds no finding, 1 when it does, 2 on a
usage error or when a file cannot be read or written.

Examples:

	leakhound report findings.jsonl -o report.html --bench gsm8k --bench-dir ../shared/data
	leakhound report findings.jsonl --format md > summary.md
`,
	Run: runReport,
}

// reportFlags are the report command's settings.
type reportFlags struct {
	out, format, title, link string
	bench                    listFlag
	maxFindings              int
	probe, lineage           string
	benchOptions             evalset.Options
}

func (f *reportFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.out, "o", "-", "write the report to this `FILE` (- for standard output)")
	fs.StringVar(&f.format, "format", "", "html, md or json (default: from the -o extension, else html)")
	fs.StringVar(&f.title, "title", "", "the report's title")
	fs.StringVar(&f.link, "findings-link", "", "`URL` of the full findings on the page (default: FINDINGS relative to the report)")
	fs.Var(&f.bench, "bench", "benchmarks of the scan, to show item texts and count items (repeatable, comma-separated)")
	fs.StringVar(&f.benchOptions.Field, "bench-field", "", "text field (JSONL) or column (CSV) of generic benchmark files (default \"text\")")
	f.benchOptions.AddFlags(fs)
	fs.IntVar(&f.maxFindings, "max-findings", report.DefaultCap, "findings kept in the page's table, highest score first (-1: all)")
	fs.StringVar(&f.probe, "probe", "", "add the JSON result of 'leakhound probe --json' from this `FILE`")
	fs.StringVar(&f.lineage, "lineage", "", "add the JSON result of 'leakhound lineage -format json' from this `FILE`")
}

func runReport(ctx context.Context, e *env, args []string) int {
	var f reportFlags
	fs := e.newFlagSet()
	f.register(fs)
	paths, code, ok := e.parseFlags(fs, args)
	if !ok {
		return code
	}
	if len(paths) != 1 {
		return e.errorf("report: want one findings file, got %d\nRun 'leakhound help report' for usage.", len(paths))
	}
	if err := f.pickFormat(); err != nil {
		return e.errorf("report: %v", err)
	}
	rep, err := f.build(ctx, e, paths[0])
	if err != nil {
		return e.errorf("report: %v", err)
	}
	if err := writeReportFile(e, f.out, f.format, rep); err != nil {
		return e.errorf("report: %v", err)
	}
	if rep.Findings > 0 {
		return ExitFound
	}
	return ExitClean
}

func (f *reportFlags) pickFormat() error {
	if f.format == "" {
		f.format = formatFromName(f.out)
	}
	switch f.format {
	case "html", "md", "json":
		return nil
	}
	return fmt.Errorf("--format %q: want html, md or json", f.format)
}

// formatFromName picks the report format from a file name.
func formatFromName(name string) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".md", ".markdown":
		return "md"
	case ".json":
		return "json"
	}
	return "html"
}

// build reads the findings and the optional inputs into a report.
func (f *reportFlags) build(ctx context.Context, e *env, path string) (*report.Report, error) {
	link := f.link
	if link == "" && path != "-" {
		link = relLink(path, f.out)
	}
	b := report.NewBuilder(report.Options{Title: f.title, Cap: f.maxFindings, FindingsFile: link})
	if len(f.bench) > 0 {
		f.benchOptions.Warnf = func(format string, args ...any) {
			fmt.Fprintf(e.stderr, "leakhound: report: "+format+"\n", args...)
		}
		items, err := evalset.LoadAll(ctx, f.bench, f.benchOptions)
		if err != nil {
			return nil, err
		}
		b.SetItems(items)
	}
	if err := readFindingsFile(e, path, b); err != nil {
		return nil, err
	}
	if f.probe != "" {
		var p probe.Report
		if err := readJSONFile(f.probe, &p); err != nil {
			return nil, err
		}
		b.SetProbe(&p)
	}
	if f.lineage != "" {
		var l lineage.Result
		if err := readJSONFile(f.lineage, &l); err != nil {
			return nil, err
		}
		b.SetLineage(&l)
	}
	return b.Report(), nil
}

// relLink returns the findings path as a link from the report's directory.
func relLink(findings, out string) string {
	if out == "-" || out == "" {
		return findings
	}
	absF, err1 := filepath.Abs(findings)
	absO, err2 := filepath.Abs(filepath.Dir(out))
	if err1 != nil || err2 != nil {
		return findings
	}
	if rel, err := filepath.Rel(absO, absF); err == nil {
		return filepath.ToSlash(rel)
	}
	return findings
}

// readFindingsFile feeds the findings of path (plain or compressed, or
// standard input) to b.
func readFindingsFile(e *env, path string, b *report.Builder) error {
	var r io.Reader = e.stdin
	if path != "-" {
		fh, err := os.Open(path)
		if err != nil {
			return err
		}
		defer fh.Close()
		r = fh
	}
	br := bufio.NewReaderSize(r, 1<<16)
	head, _ := br.Peek(decompress.HeadLen)
	dec, err := decompress.NewReader(decompress.Sniff(head), br)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	defer dec.Close()
	if err := report.ReadFindings(dec, func(fd *leakhound.Finding) error { b.Add(fd); return nil }); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func readJSONFile(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(data, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// writeReportFile writes rep in format to path ("-": standard output)
// through a temporary file and a rename.
func writeReportFile(e *env, path, format string, rep *report.Report) error {
	write := map[string]func(io.Writer, *report.Report) error{
		"html": report.WriteHTML, "md": report.WriteMarkdown, "json": report.WriteJSON,
	}[format]
	if write == nil {
		return fmt.Errorf("unknown report format %q", format)
	}
	if path == "-" {
		return write(e.stdout, rep)
	}
	return atomicfile.WriteFunc(path, 0o644, func(w io.Writer) error { return write(w, rep) })
}
