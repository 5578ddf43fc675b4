package rephrase

import (
	"fmt"
	"strings"
)

// renderLinks writes the aligned pairs as "item word = text word"
// (exact) or "item word ~ text word" (synonym or translation), and the
// item's unaligned content words.
func renderLinks(item, doc *Prepared, links []link) string {
	var b strings.Builder
	used := make([]bool, len(item.an.units))
	for _, l := range links {
		u, v := item.an.units[l.i], doc.an.units[l.j]
		used[l.i] = true
		op := "="
		if l.how == matchSyn {
			op = "~"
		}
		fmt.Fprintf(&b, "%s %s %s (%.1f); ", item.text[u.start:u.end], op, doc.text[v.start:v.end], u.w)
	}
	b.WriteString("\nunaligned: ")
	for i, u := range item.an.units {
		if !used[i] {
			fmt.Fprintf(&b, "%s (%.1f) ", item.text[u.start:u.end], u.w)
		}
	}
	return b.String()
}
