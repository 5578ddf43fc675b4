package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/leakhound/leakhound"
	"github.com/leakhound/leakhound/clean"
	"github.com/leakhound/leakhound/corpus"
	"github.com/leakhound/leakhound/match"
	"github.com/leakhound/leakhound/report"
	"github.com/leakhound/leakhound/scan"
)

// scanExtraFlags are the scan flags that act on the findings after the
// scan: a cleaned copy (--clean) and a report (--report).
type scanExtraFlags struct {
	cleanDir   string
	policy     string
	cleanBench listFlag
	marker     string
	report     string
	reportCap  int
}

func (x *scanExtraFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&x.cleanDir, "clean", "", "write a decontaminated copy of the corpus to `OUTDIR`, in the inputs' layout, formats and compression, with a manifest (doc/cleaning.md)")
	fs.StringVar(&x.policy, "clean-policy", string(clean.Drop), "what --clean does to a flagged record: drop it, or redact (replace the matched spans with --clean-marker)")
	fs.Var(&x.cleanBench, "clean-bench", "clean only the findings of these benchmarks (repeatable, comma-separated; default: all)")
	fs.StringVar(&x.marker, "clean-marker", clean.DefaultMarker, "the text that replaces a redacted span")
	fs.StringVar(&x.report, "report", "", "also write a report to `FILE`: .html (default), .md or .json (see 'leakhound help report')")
	fs.IntVar(&x.reportCap, "report-max-findings", report.DefaultCap, "findings kept in the --report table, highest score first (-1: all)")
}

// scanPost is the work that rides on a scan: it sees every finding
// through the scan's Finding hook (no per-record work) and acts after it.
type scanPost struct {
	f       *scanFlags
	x       *scanExtraFlags
	cleaner *clean.Cleaner
	builder *report.Builder
}

// start checks the flags and prepares the cleaner and the report before
// the scan, so that a bad output directory is refused before any work.
func (x *scanExtraFlags) start(e *env, f *scanFlags, set *match.Set, inputs []corpus.Input) (*scanPost, error) {
	p := &scanPost{f: f, x: x}
	policy, err := clean.ParsePolicy(x.policy)
	if err != nil {
		return nil, fmt.Errorf("--clean-policy: %w", err)
	}
	if x.cleanDir == "" && (len(x.cleanBench) > 0 || policy != clean.Drop || x.marker != clean.DefaultMarker) {
		return nil, errors.New("--clean-policy, --clean-bench and --clean-marker need --clean OUTDIR")
	}
	if x.report != "" {
		p.builder = report.NewBuilder(report.Options{Title: "leakhound scan", Cap: x.reportCap, FindingsFile: findingsLink(f.out, x.report)})
		p.builder.SetItems(set.Items)
	}
	if x.cleanDir == "" {
		return p, nil
	}
	for _, b := range x.cleanBench {
		if !slices.Contains(set.Benchmarks(), b) {
			return nil, fmt.Errorf("--clean-bench %s: not a benchmark of this scan (%s)", b, strings.Join(set.Benchmarks(), ", "))
		}
	}
	opts := clean.Options{OutDir: x.cleanDir, Policy: policy, Marker: x.marker, Corpus: f.corpus, Workers: f.workers,
		Params:    map[string]string{"methods": strings.Join(f.matchOptions.Methods, ","), "bench": strings.Join(f.bench, ",")},
		AfterFile: cleanProgress(e, f.quiet, len(inputs))}
	if len(x.cleanBench) > 0 {
		opts.Benchmarks = x.cleanBench
	}
	p.cleaner, err = clean.New(inputs, opts)
	return p, err
}

// findingsLink is the --out file as the report links it.
func findingsLink(out, reportPath string) string {
	if out == "" || out == "-" {
		return ""
	}
	return relLink(out, reportPath)
}

// hook adds the cleaner and the report to the scan's Finding hook.
func (p *scanPost) hook(o scan.Options) scan.Options {
	if p.cleaner == nil && p.builder == nil {
		return o
	}
	next := o.Finding
	o.Finding = func(fd *leakhound.Finding) error {
		if p.cleaner != nil {
			p.cleaner.Add(fd)
		}
		if p.builder != nil {
			p.builder.Add(fd)
		}
		if next != nil {
			return next(fd)
		}
		return nil
	}
	return o
}

// finish writes the report and the cleaned copy after the scan. w gets
// the cleaning summary; an accounting failure is an error (exit 2).
func (p *scanPost) finish(ctx context.Context, e *env, w io.Writer, rows []match.Summary, st *scan.Stats) error {
	if p.f.format == "json" {
		w = e.stderr // standard output holds the JSON summary
	}
	if p.builder != nil {
		p.builder.SetSummary(rows)
		p.builder.SetScan(report.ScanTotals{Files: st.Files, Records: st.Records, Bad: st.Bad, Bytes: st.Bytes})
		if err := writeReportFile(e, p.x.report, formatFromName(p.x.report), p.builder.Report()); err != nil {
			return fmt.Errorf("--report: %w", err)
		}
		fmt.Fprintf(w, "report: %s\n", p.x.report)
	}
	if p.cleaner == nil {
		return nil
	}
	start := time.Now()
	m, err := p.cleaner.Run(ctx)
	if err != nil {
		return err
	}
	t := m.Totals
	fmt.Fprintf(w, "clean (%s): %d files to %s in %.2fs: read %d records, kept %d, dropped %d, redacted %d (%d bad records copied through)\nmanifest: %s\n",
		m.Policy, t.Files, p.cleaner.OutDir(), time.Since(start).Seconds(), t.Read, t.Kept, t.Dropped, t.Redacted, t.Bad, p.cleaner.ManifestPath())
	if err := m.Check(); err != nil {
		return fmt.Errorf("clean: %v (manifest: %s)", err, p.cleaner.ManifestPath())
	}
	if t.Read != st.Records {
		return fmt.Errorf("clean: accounting check failed: the cleaning pass read %d records, the scan %d (manifest: %s)", t.Read, st.Records, p.cleaner.ManifestPath())
	}
	fmt.Fprintf(w, "accounting: kept + dropped == read for all %d files\n", t.Files)
	return nil
}

// cleanProgress draws "clean: files done / total" on a terminal.
func cleanProgress(e *env, quiet bool, total int) func(clean.FileResult) {
	if quiet || !e.stderrIsTerminal() {
		return nil
	}
	line := &progressLine{w: e.stderr}
	done := 0
	return func(r clean.FileResult) {
		done++
		line.draw(fmt.Sprintf("%s clean: %d / %d files  %s", bar(int64(done), int64(total)), done, total, r.Output))
		if done == total {
			line.clear()
		}
	}
}
