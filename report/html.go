package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
)

var (
	//go:embed page.html
	pageHTML string
	//go:embed page.css
	pageCSS string
	//go:embed page.js
	pageJS string
)

var pageTmpl = template.Must(template.New("page").Funcs(template.FuncMap{
	"itemsText":  itemsText,
	"pctText":    pctText,
	"methodCell": methodCell,
	"capNote":    capNote,
	"pValue":     func(p *float64) string { return pValue(p) },
}).Parse(pageHTML))

// page is what the template renders.
type page struct {
	R      *Report
	CSS    template.CSS
	JS     template.JS
	Charts []barChart
	Hists  []histChart
	Files  []fileRow
}

type fileRow struct {
	FileLeaks
	Width int
}

// WriteHTML writes r as one self-contained HTML page.
func WriteHTML(w io.Writer, r *Report) error {
	p := page{R: r, CSS: template.CSS(pageCSS), JS: template.JS(pageJS)}
	for _, bm := range r.Benchmarks {
		if len(bm.Methods) > 0 {
			p.Charts = append(p.Charts, benchChart(bm))
		}
	}
	for _, h := range r.Scores {
		p.Hists = append(p.Hists, scoreChart(h))
	}
	var most int64 = 1
	for _, f := range r.TopFiles {
		most = max(most, f.Findings)
	}
	for _, f := range r.TopFiles {
		p.Files = append(p.Files, fileRow{FileLeaks: f, Width: int(140 * f.Findings / most)})
	}
	return pageTmpl.Execute(w, p)
}

// methodCell renders one method's result on a benchmark.
func methodCell(bm Benchmark, method string) string {
	st, ok := methodOf(bm, method)
	if !ok {
		return "–"
	}
	return fmt.Sprintf("%d (%s)", st.Found, pctText(st.Percent, bm.Items))
}

// capNote states how many findings the table holds and where the rest is.
func capNote(r *Report) string {
	shown := len(r.Table.Rows)
	if int64(shown) == r.Findings {
		return fmt.Sprintf("All %d findings, highest score first. Click a column to sort, a row to compare the item with the record.", shown)
	}
	where := "in the findings JSONL"
	if r.FindingsFile != "" {
		where = "in " + r.FindingsFile
	}
	return fmt.Sprintf("The %d highest-scoring of %d findings (the report's cap is %d); all of them are %s.", shown, r.Findings, r.Table.Cap, where)
}
