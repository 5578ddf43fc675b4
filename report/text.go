package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/leakhound/leakhound"
)

// WriteJSON writes r as indented JSON.
func WriteJSON(w io.Writer, r *Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

// mdTopFindings is the number of findings the Markdown summary lists.
const mdTopFindings = 10

// WriteMarkdown writes a summary of r for pull requests and issue
// threads: totals, the benchmarks table, the score distribution, the
// files with the most leaks and the top findings. Every text from the
// findings is escaped for Markdown and for the HTML that Markdown
// renderers pass through.
func WriteMarkdown(w io.Writer, r *Report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n\n", mdText(r.Title))
	fmt.Fprintf(&b, "**%d findings** in **%d records** of **%d files**.", r.Findings, r.Records, r.Files)
	if r.Scan != nil {
		fmt.Fprintf(&b, " The scan read %d records (%d bad) in %d files.", r.Scan.Records, r.Scan.Bad, r.Scan.Files)
	}
	if r.FindingsFile != "" {
		fmt.Fprintf(&b, " Full findings: %s.", mdText(r.FindingsFile))
	}
	b.WriteString("\n\n")
	mdBenchmarks(&b, r)
	mdScores(&b, r)
	mdFiles(&b, r)
	mdFindings(&b, r)
	mdProbe(&b, r)
	mdLineage(&b, r)
	_, err := io.WriteString(w, b.String())
	return err
}

func mdBenchmarks(b *strings.Builder, r *Report) {
	b.WriteString("## Benchmarks\n\n| benchmark | items | leaked | % leaked |")
	for _, m := range r.Methods {
		fmt.Fprintf(b, " %s |", mdText(m))
	}
	b.WriteString(" records | findings |\n|---|--:|--:|--:|")
	b.WriteString(strings.Repeat("--:|", len(r.Methods)+2) + "\n")
	for _, bm := range r.Benchmarks {
		fmt.Fprintf(b, "| %s | %s | %d | %s |", mdText(bm.Name), itemsText(bm.Items), bm.Found, pctText(bm.Percent, bm.Items))
		for _, m := range r.Methods {
			st, ok := methodOf(bm, m)
			if !ok {
				b.WriteString(" – |")
				continue
			}
			fmt.Fprintf(b, " %d (%s) |", st.Found, pctText(st.Percent, bm.Items))
		}
		fmt.Fprintf(b, " %d | %d |\n", bm.Records, bm.Findings)
	}
	b.WriteString("\nLeaked: items with a finding by any method, or flagged by a method's item-level rule; near-duplicate twins count once.\n\n")
}

func methodOf(bm Benchmark, m string) (MethodStat, bool) {
	for _, st := range bm.Methods {
		if st.Method == m {
			return st, true
		}
	}
	return MethodStat{}, false
}

func itemsText(n int) string {
	if n == 0 {
		return "?"
	}
	return fmt.Sprint(n)
}

func pctText(p float64, items int) string {
	if items == 0 {
		return "?"
	}
	return fmt.Sprintf("%.2f%%", p)
}

func mdScores(b *strings.Builder, r *Report) {
	if len(r.Scores) == 0 {
		return
	}
	b.WriteString("## Score distribution\n\n| method |")
	for i := range Bins {
		fmt.Fprintf(b, " %s |", binLabel(i))
	}
	b.WriteString("\n|---|" + strings.Repeat("--:|", Bins) + "\n")
	for _, h := range r.Scores {
		fmt.Fprintf(b, "| %s |", mdText(h.Method))
		for _, c := range h.Counts {
			fmt.Fprintf(b, " %d |", c)
		}
		b.WriteString("\n")
	}
	b.WriteString("\n")
}

// binLabel names histogram bin i, e.g. "0.3–0.4".
func binLabel(i int) string {
	return fmt.Sprintf("%.1f–%.1f", float64(i)/Bins, float64(i+1)/Bins)
}

func mdFiles(b *strings.Builder, r *Report) {
	if len(r.TopFiles) == 0 {
		return
	}
	b.WriteString("## Files with the most leaks\n\n| file | findings | records |\n|---|--:|--:|\n")
	for _, f := range r.TopFiles {
		fmt.Fprintf(b, "| %s | %d | %d |\n", mdText(f.File), f.Findings, f.Records)
	}
	b.WriteString("\n")
}

func mdFindings(b *strings.Builder, r *Report) {
	rows := r.Table.Rows[:min(len(r.Table.Rows), mdTopFindings)]
	if len(rows) == 0 {
		return
	}
	fmt.Fprintf(b, "## Top findings (%d of %d)\n\n| score | benchmark | item | method | record | matched text |\n|--:|---|---|---|---|---|\n", len(rows), r.Findings)
	for _, f := range rows {
		fmt.Fprintf(b, "| %.3f | %s | %s | %s | %s:%d | %s |\n", f.Score, mdText(f.Benchmark), mdText(f.Item), mdText(f.Method),
			mdText(f.Doc.File), f.Doc.Line, mdText(clip(matchedText(&f), 120)))
	}
	b.WriteString("\n")
}

func mdProbe(b *strings.Builder, r *Report) {
	p := r.Probe
	if p == nil {
		return
	}
	fmt.Fprintf(b, "## Model probe: %s\n\nVerdict **%s**: %s\n\n| test | status | p |\n|---|---|--:|\n", mdText(p.Benchmark), mdText(string(p.Verdict)), mdText(p.Reason))
	for _, t := range p.Tests {
		fmt.Fprintf(b, "| %s | %s | %s |\n", mdText(t.Name), mdText(t.Status), pValue(t.P))
	}
	b.WriteString("\n")
}

func mdLineage(b *strings.Builder, r *Report) {
	l := r.Lineage
	if l == nil {
		return
	}
	fmt.Fprintf(b, "## Weights comparison\n\n%s vs %s: verdict **%s** (log10 p = %.1f). %s\n\n", mdText(l.A.Path), mdText(l.B.Path),
		mdText(string(l.Verdict)), l.Log10P, mdText(l.Reason))
}

func pValue(p *float64) string {
	if p == nil {
		return "–"
	}
	return fmt.Sprintf("%.3g", *p)
}

// mdText escapes s for a Markdown table cell: HTML, Markdown
// punctuation, pipes and line breaks.
func mdText(s string) string {
	var b strings.Builder
	for _, c := range s {
		switch c {
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '\n', '\r', '\t':
			b.WriteByte(' ')
		case '|', '\\', '`', '*', '_', '[', ']', '#', '~':
			b.WriteByte('\\')
			b.WriteRune(c)
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}

// matchedText returns what the finding matched: its aligned words (a
// paraphrase), or else its first matched span from its excerpt.
func matchedText(f *leakhound.Finding) string {
	if len(f.Aligned) > 0 {
		return alignedText(f.Aligned)
	}
	if f.Excerpt == nil || len(f.Spans) == 0 {
		return ""
	}
	s := f.Spans[0].Doc
	lo, hi := s.Start-f.Excerpt.Offset, s.End-f.Excerpt.Offset
	t := f.Excerpt.Text
	lo, hi = max(0, min(lo, len(t))), max(0, min(hi, len(t)))
	return t[lo:hi]
}

// clip shortens s to at most n bytes at a rune boundary, marking the cut.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// alignedText renders aligned pairs for a reader, in order: "word" when
// the item and the record show the same text, "item = record" for the
// same word or value written otherwise, and "item ~ record" for a synonym
// or a translation.
func alignedText(as []leakhound.Alignment) string {
	var b strings.Builder
	for k, a := range as {
		if k > 0 {
			b.WriteString(", ")
		}
		switch {
		case a.Item == a.Doc:
			b.WriteString(a.Item)
		case a.How == leakhound.AlignSame || a.How == leakhound.AlignNumber:
			b.WriteString(a.Item + " = " + a.Doc)
		default:
			b.WriteString(a.Item + " ~ " + a.Doc)
		}
	}
	return b.String()
}
