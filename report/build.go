package report

import (
	"cmp"
	"slices"

	"github.com/leakhound/leakhound"
	"github.com/leakhound/leakhound/match"
)

// Report returns the aggregated report. The Builder can take more
// findings afterwards; Report can be called again.
func (b *Builder) Report() *Report {
	r := &Report{
		SchemaVersion: SchemaVersion, Title: b.opts.Title, FindingsFile: b.opts.FindingsFile,
		Findings: b.findings, Records: len(b.records), Files: len(b.files),
		Methods: b.methodOrder(), Scan: b.scan, Probe: b.probe, Lineage: b.lineage,
	}
	if r.Title == "" {
		r.Title = "leakhound report"
	}
	r.Benchmarks = b.benchmarks(r.Methods)
	for _, m := range r.Methods {
		if h := b.scores[m]; h != nil {
			r.Scores = append(r.Scores, Histogram{Method: m, Counts: slices.Clone(h)})
		}
	}
	r.TopFiles = b.topFiles()
	r.Table = b.table()
	return r
}

// benchmarkNames lists the benchmarks: the summary's order, then the
// others by name.
func (b *Builder) benchmarkNames() []string {
	var names []string
	seen := map[string]bool{}
	for _, row := range b.summary {
		if !seen[row.Benchmark] {
			seen[row.Benchmark] = true
			names = append(names, row.Benchmark)
		}
	}
	var rest []string
	for n := range b.itemsOf {
		if !seen[n] {
			seen[n] = true
			rest = append(rest, n)
		}
	}
	for n := range b.bench {
		if !seen[n] {
			seen[n] = true
			rest = append(rest, n)
		}
	}
	slices.Sort(rest)
	return append(names, rest...)
}

func (b *Builder) benchmarks(methods []string) []Benchmark {
	var out []Benchmark
	for _, name := range b.benchmarkNames() {
		ba := b.bench[name]
		bm := Benchmark{Name: name, Items: len(b.itemsOf[name])}
		found := map[string]bool{}
		if ba != nil {
			bm.Findings, bm.Records = ba.findings, len(ba.records)
			for k := range ba.found {
				found[k] = true
			}
		}
		for _, m := range methods {
			row := b.summaryRow(name, m)
			if row != nil {
				bm.Items = row.Items
				for _, id := range row.FoundItems {
					found[b.clusterKey(id)] = true
				}
			}
			if st, ok := b.methodStat(ba, row, m, bm.Items); ok {
				bm.Methods = append(bm.Methods, st)
			}
		}
		bm.Found = len(found)
		bm.Percent = percent(bm.Found, bm.Items)
		out = append(out, bm)
	}
	return out
}

// methodStat combines the summary row (item-level rule) and the findings
// of method on one benchmark.
func (b *Builder) methodStat(ba *benchAgg, row *match.Summary, method string, items int) (MethodStat, bool) {
	st := MethodStat{Method: method}
	var ma *methodAgg
	if ba != nil {
		ma = ba.methods[method]
	}
	if ma == nil && row == nil {
		return st, false
	}
	if ma != nil {
		st.Findings, st.Records, st.Found = ma.findings, len(ma.records), len(ma.found)
		st.Percent = percent(st.Found, items)
	}
	if row != nil {
		st.Found, st.Percent = row.Found, row.Percent
		if ma == nil {
			st.Records = row.DocsFlagged
		}
	}
	return st, true
}

func (b *Builder) summaryRow(bench, method string) *match.Summary {
	for i := range b.summary {
		if b.summary[i].Benchmark == bench && b.summary[i].Method == method {
			return &b.summary[i]
		}
	}
	return nil
}

func (b *Builder) clusterKey(id string) string {
	if it, ok := b.items[id]; ok && it.Cluster != "" {
		return "cluster:" + it.Cluster
	}
	return id
}

func percent(n, of int) float64 {
	if of <= 0 {
		return 0
	}
	return 100 * float64(n) / float64(of)
}

// topFiles returns the files with the most findings.
func (b *Builder) topFiles() []FileLeaks {
	out := make([]FileLeaks, 0, len(b.files))
	for name, fa := range b.files {
		out = append(out, FileLeaks{File: name, Findings: fa.findings, Records: len(fa.records)})
	}
	slices.SortFunc(out, func(a, c FileLeaks) int {
		return cmp.Or(cmp.Compare(c.Findings, a.Findings), cmp.Compare(c.Records, a.Records), cmp.Compare(a.File, c.File))
	})
	return out[:min(len(out), b.opts.TopFiles)]
}

// table returns the kept findings, best first, and their items' texts.
func (b *Builder) table() Table {
	rows := slices.Clone([]leakhound.Finding(b.top))
	slices.SortFunc(rows, func(a, c leakhound.Finding) int { return compareFindings(&a, &c) })
	t := Table{Total: b.findings, Cap: b.opts.Cap, Rows: rows}
	if rows == nil {
		t.Rows = []leakhound.Finding{}
	}
	for _, f := range rows {
		it, ok := b.items[f.Item]
		if !ok {
			continue
		}
		if t.Items == nil {
			t.Items = map[string]ItemText{}
		}
		t.Items[f.Item] = ItemText{Benchmark: it.Benchmark, Part: it.Part, Text: it.Text}
	}
	return t
}
