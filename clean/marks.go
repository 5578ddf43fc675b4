package clean

import (
	"cmp"
	"slices"

	"github.com/leakhound/leakhound"
)

// mark is one flagged record of a file: its line (or element or row
// number) and, for Redact, the matched byte spans of its text.
type mark struct {
	line  int64
	spans []leakhound.Span
}

// fileMarks are the flagged records of one file. The scan delivers
// findings in reading order, so marks arrive sorted by line; sorted
// repairs any other order.
type fileMarks struct {
	marks  []mark
	sorted bool
}

func (fm *fileMarks) add(line int64, spans []leakhound.SpanPair, keepSpans bool) {
	n := len(fm.marks)
	if n == 0 || fm.marks[n-1].line != line {
		if n > 0 && fm.marks[n-1].line > line {
			fm.sorted = false
		}
		fm.marks = append(fm.marks, mark{line: line})
		n++
	}
	if keepSpans {
		m := &fm.marks[n-1]
		for _, p := range spans {
			m.spans = append(m.spans, p.Doc)
		}
	}
}

// normalize sorts the marks by line, merges duplicates and merges the
// spans of each mark into sorted disjoint ranges.
func (fm *fileMarks) normalize() []mark {
	if !fm.sorted {
		slices.SortStableFunc(fm.marks, func(a, b mark) int { return cmp.Compare(a.line, b.line) })
		fm.sorted = true
	}
	out := fm.marks[:0]
	for _, m := range fm.marks {
		if n := len(out); n > 0 && out[n-1].line == m.line {
			out[n-1].spans = append(out[n-1].spans, m.spans...)
			continue
		}
		out = append(out, m)
	}
	for i := range out {
		out[i].spans = mergeSpans(out[i].spans)
	}
	fm.marks = out
	return out
}

// mergeSpans sorts spans and merges the overlapping or touching ones.
func mergeSpans(spans []leakhound.Span) []leakhound.Span {
	if len(spans) < 2 {
		return spans
	}
	slices.SortFunc(spans, func(a, b leakhound.Span) int {
		return cmp.Or(cmp.Compare(a.Start, b.Start), cmp.Compare(a.End, b.End))
	})
	out := spans[:1]
	for _, s := range spans[1:] {
		last := &out[len(out)-1]
		if s.Start <= last.End {
			last.End = max(last.End, s.End)
			continue
		}
		out = append(out, s)
	}
	return out
}

// cursor walks the marks of a file alongside its records, which come in
// increasing line order.
type cursor struct {
	marks []mark
	i     int
}

// at returns the mark of line, or nil.
func (c *cursor) at(line int64) *mark {
	for c.i < len(c.marks) && c.marks[c.i].line < line {
		c.i++
	}
	if c.i < len(c.marks) && c.marks[c.i].line == line {
		return &c.marks[c.i]
	}
	return nil
}
