package report

import (
	"cmp"
	"container/heap"
	"slices"
	"strconv"

	"github.com/leakhound/leakhound"
	"github.com/leakhound/leakhound/lineage"
	"github.com/leakhound/leakhound/match"
	"github.com/leakhound/leakhound/probe"
)

// SchemaVersion is the version of the report JSON.
const SchemaVersion = 1

// DefaultCap is the default number of findings a report's table holds.
const DefaultCap = 2000

// Bins is the number of score histogram bins over [0, 1].
const Bins = 10

// Report is the aggregated view of a set of findings, as the JSON output
// holds it and the Markdown and HTML outputs render it.
type Report struct {
	SchemaVersion int    `json:"schema_version"`
	Title         string `json:"title"`
	// FindingsFile links the full findings JSONL, when known.
	FindingsFile string `json:"findings_file,omitempty"`
	Findings     int64  `json:"findings"`
	// Records counts distinct corpus records with a finding, Files the
	// files that hold them.
	Records    int             `json:"records"`
	Files      int             `json:"files"`
	Methods    []string        `json:"methods"`
	Benchmarks []Benchmark     `json:"benchmarks"`
	Scores     []Histogram     `json:"scores"`
	TopFiles   []FileLeaks     `json:"top_files"`
	Table      Table           `json:"table"`
	Scan       *ScanTotals     `json:"scan,omitempty"`
	Probe      *probe.Report   `json:"probe,omitempty"`
	Lineage    *lineage.Result `json:"lineage,omitempty"`
}

// Benchmark summarizes one benchmark: its items (near-duplicate twins
// once; 0 when unknown), the items found by any method, and per method.
type Benchmark struct {
	Name     string       `json:"name"`
	Items    int          `json:"items"`
	Found    int          `json:"found"`
	Percent  float64      `json:"percent"`
	Records  int          `json:"records"`
	Findings int64        `json:"findings"`
	Methods  []MethodStat `json:"methods"`
}

// MethodStat is one method's result on one benchmark. With a scan's
// summary, Found follows the method's item-level rule (PaLM and Llama 2
// judge items across the whole corpus); from findings alone it counts the
// items that one record shows outright (a finding whose verdict is not
// Llama 2's "clean" or "not-clean"), a lower bound of that rule.
type MethodStat struct {
	Method   string  `json:"method"`
	Found    int     `json:"found"`
	Percent  float64 `json:"percent"`
	Records  int     `json:"records"`
	Findings int64   `json:"findings"`
}

// Histogram counts the findings of a method by score, in Bins bins of
// width 1/Bins (a score of 1 falls in the last).
type Histogram struct {
	Method string  `json:"method"`
	Counts []int64 `json:"counts"`
}

// FileLeaks counts the findings and flagged records of one corpus file.
type FileLeaks struct {
	File     string `json:"file"`
	Findings int64  `json:"findings"`
	Records  int    `json:"records"`
}

// Table holds the findings shown, highest score first, and the texts of
// their items.
type Table struct {
	Total int64               `json:"total"`
	Cap   int                 `json:"cap"`
	Rows  []leakhound.Finding `json:"rows"`
	Items map[string]ItemText `json:"items,omitempty"`
}

// ItemText is a benchmark item as the side-by-side view shows it.
type ItemText struct {
	Benchmark string `json:"benchmark"`
	Part      string `json:"part,omitempty"`
	Text      string `json:"text"`
}

// ScanTotals are the scan's own counts, when the report comes from a scan.
type ScanTotals struct {
	Files   int   `json:"files"`
	Records int64 `json:"records"`
	Bad     int64 `json:"bad_records"`
	Bytes   int64 `json:"bytes"`
}

// Options configure a Builder.
type Options struct {
	Title string
	// Cap is the number of findings the table keeps (the highest
	// scores); 0 means DefaultCap, a negative value all of them.
	Cap int
	// TopFiles is the number of files listed; 0 means 20.
	TopFiles int
	// FindingsFile is the link to the full findings JSONL.
	FindingsFile string
}

// Builder aggregates findings into a Report. It is not safe for
// concurrent use.
type Builder struct {
	opts     Options
	findings int64
	records  map[string]bool
	bench    map[string]*benchAgg
	files    map[string]*fileAgg
	scores   map[string][]int64
	methods  []string
	top      topHeap
	items    map[string]leakhound.Item
	itemsOf  map[string]map[string]bool // benchmark → clusters
	summary  []match.Summary
	scan     *ScanTotals
	probe    *probe.Report
	lineage  *lineage.Result
}

type benchAgg struct {
	findings int64
	records  map[string]bool
	found    map[string]bool
	methods  map[string]*methodAgg
}

type methodAgg struct {
	findings int64
	records  map[string]bool
	found    map[string]bool
}

type fileAgg struct {
	findings int64
	records  map[int64]bool
}

// NewBuilder returns an empty Builder.
func NewBuilder(opts Options) *Builder {
	if opts.Cap == 0 {
		opts.Cap = DefaultCap
	}
	if opts.TopFiles <= 0 {
		opts.TopFiles = 20
	}
	return &Builder{opts: opts, records: map[string]bool{}, bench: map[string]*benchAgg{},
		files: map[string]*fileAgg{}, scores: map[string][]int64{}}
}

// Add aggregates one finding. f is copied when the table keeps it.
func (b *Builder) Add(f *leakhound.Finding) {
	b.findings++
	rec := f.Doc.File + "\x00" + strconv.FormatInt(f.Doc.Line, 10)
	b.records[rec] = true
	key := f.Item
	if f.Cluster != "" {
		key = "cluster:" + f.Cluster
	}
	ba := b.bench[f.Benchmark]
	if ba == nil {
		ba = &benchAgg{records: map[string]bool{}, found: map[string]bool{}, methods: map[string]*methodAgg{}}
		b.bench[f.Benchmark] = ba
	}
	// A record-level "clean" or "not-clean" (Llama 2's buckets below
	// dirty) does not make the item found: from findings alone, an item
	// is found when one record shows it outright.
	found := f.Verdict != "clean" && f.Verdict != "not-clean"
	ba.findings++
	ba.records[rec] = true
	if found {
		ba.found[key] = true
	}
	ma := ba.methods[f.Method]
	if ma == nil {
		ma = &methodAgg{records: map[string]bool{}, found: map[string]bool{}}
		ba.methods[f.Method] = ma
	}
	ma.findings++
	ma.records[rec] = true
	if found {
		ma.found[key] = true
	}
	fa := b.files[f.Doc.File]
	if fa == nil {
		fa = &fileAgg{records: map[int64]bool{}}
		b.files[f.Doc.File] = fa
	}
	fa.findings++
	fa.records[f.Doc.Line] = true
	b.addScore(f.Method, f.Score)
	b.keep(f)
}

func (b *Builder) addScore(method string, score float64) {
	h := b.scores[method]
	if h == nil {
		h = make([]int64, Bins)
		b.scores[method] = h
		b.methods = append(b.methods, method)
	}
	bin := int(score * Bins)
	h[min(max(bin, 0), Bins-1)]++
}

// keep offers f to the table's bounded heap of the highest scores.
func (b *Builder) keep(f *leakhound.Finding) {
	if b.opts.Cap < 0 || len(b.top) < b.opts.Cap {
		heap.Push(&b.top, *f)
		return
	}
	if len(b.top) > 0 && better(f, &b.top[0]) {
		b.top[0] = *f
		heap.Fix(&b.top, 0)
	}
}

// better orders findings for the table: higher score first, then by
// file, line, benchmark, item and method, so that ties are deterministic.
func better(a, c *leakhound.Finding) bool { return compareFindings(a, c) < 0 }

func compareFindings(a, c *leakhound.Finding) int {
	return cmp.Or(cmp.Compare(c.Score, a.Score), cmp.Compare(a.Doc.File, c.Doc.File), cmp.Compare(a.Doc.Line, c.Doc.Line),
		cmp.Compare(a.Benchmark, c.Benchmark), cmp.Compare(a.Item, c.Item), cmp.Compare(a.Method, c.Method))
}

// topHeap is a min-heap of the kept findings: the worst is at the root.
type topHeap []leakhound.Finding

func (h topHeap) Len() int           { return len(h) }
func (h topHeap) Less(i, j int) bool { return better(&h[j], &h[i]) }
func (h topHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *topHeap) Push(x any)        { *h = append(*h, x.(leakhound.Finding)) }
func (h *topHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// SetItems gives the benchmark items: their count per benchmark (twins
// once) and the texts for the side-by-side view.
func (b *Builder) SetItems(items []leakhound.Item) {
	b.items = make(map[string]leakhound.Item, len(items))
	b.itemsOf = map[string]map[string]bool{}
	for _, it := range items {
		b.items[it.ID] = it
		key := it.ID
		if it.Cluster != "" {
			key = "cluster:" + it.Cluster
		}
		if b.itemsOf[it.Benchmark] == nil {
			b.itemsOf[it.Benchmark] = map[string]bool{}
		}
		b.itemsOf[it.Benchmark][key] = true
	}
}

// SetSummary gives the scan's summary rows, whose item counts and
// item-level verdicts the report then shows.
func (b *Builder) SetSummary(rows []match.Summary) { b.summary = rows }

// SetScan gives the scan's totals.
func (b *Builder) SetScan(t ScanTotals) { b.scan = &t }

// SetProbe adds a model probe's result as a section.
func (b *Builder) SetProbe(r *probe.Report) { b.probe = r }

// SetLineage adds a weights comparison's result as a section.
func (b *Builder) SetLineage(r *lineage.Result) { b.lineage = r }

// knownMethods is the display order of the built-in methods.
var knownMethods = []string{match.GPT3, match.PaLM, match.GPT4, match.Llama2}

// methodOrder returns the methods seen: built-in ones in their usual
// order, then the others by name, then those only in the summary.
func (b *Builder) methodOrder() []string {
	var out []string
	seen := map[string]bool{}
	for _, m := range b.methods {
		seen[m] = true
	}
	for _, r := range b.summary {
		seen[r.Method] = true
	}
	for _, m := range knownMethods {
		if seen[m] {
			out = append(out, m)
			delete(seen, m)
		}
	}
	rest := make([]string, 0, len(seen))
	for m := range seen {
		rest = append(rest, m)
	}
	slices.Sort(rest)
	return append(out, rest...)
}
