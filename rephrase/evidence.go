package rephrase

import (
	"fmt"
	"strings"

	"github.com/leakhound/leakhound"
)

// renderLinks writes the aligned pairs as "item word = text word" (the
// same word or number) or "item word ~ text word" (a synonym or a
// translation, as Finding.Aligned labels them), and the
// item's unaligned content words.
func renderLinks(item, doc *Prepared, links []link) string {
	var b strings.Builder
	used := make([]bool, len(item.an.units))
	for _, l := range links {
		u, v := item.an.units[l.i], doc.an.units[l.j]
		used[l.i] = true
		op := "="
		if how := alignHow(l, u, v); how == leakhound.AlignSynonym || how == leakhound.AlignTranslation {
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
