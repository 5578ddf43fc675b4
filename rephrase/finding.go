package rephrase

import (
	"math"
	"strings"
	"unicode/utf8"

	"github.com/leakhound/leakhound"
)

// verdicts name what a finding found, by pair kind.
var verdicts = map[string]string{
	KindProse: "paraphrase", KindMath: "paraphrase", KindCode: "code-rewrite", KindCross: "translation",
}

// maxExcerpt bounds the excerpt of a finding.
const maxExcerpt = 4 << 10

// finding builds the finding for a flagged pair: the aligned words,
// numbers and identifiers as span pairs (record offsets are the window's
// plus lo), the features and the probability as evidence.
func (d *Detector) finding(it *leakhound.Item, item, doc *Prepared, p Pair, lo int, text []byte) leakhound.Finding {
	f := leakhound.Finding{
		SchemaVersion: leakhound.SchemaVersion,
		Item:          it.ID,
		Benchmark:     it.Benchmark,
		Part:          it.Part,
		Method:        Method,
		Score:         p.Prob,
		Verdict:       verdicts[p.Kind],
		Cluster:       it.Cluster,
		Evidence:      map[string]float64{"probability": p.Prob, "aligned": float64(len(p.links))},
	}
	for i, n := range featureNames {
		f.Evidence[n] = p.Features[i]
	}
	for _, l := range p.links {
		u, v := item.an.units[l.i], doc.an.units[l.j]
		f.Spans = append(f.Spans, leakhound.SpanPair{
			Doc:  leakhound.Span{Start: lo + int(v.start), End: lo + int(v.end)},
			Item: leakhound.Span{Start: int(u.start), End: int(u.end)},
		})
		f.Aligned = append(f.Aligned, leakhound.Alignment{
			Item:   item.text[u.start:u.end],
			Doc:    strings.Clone(doc.text[v.start:v.end]),
			How:    alignHow(l, u, v),
			Weight: math.Round(float64(u.w)*100) / 100, // 2 decimals: a float32 widened prints 17 digits
		})
	}
	ex := doc.text
	if len(ex) > maxExcerpt {
		cut := maxExcerpt
		for cut > 0 && !utf8.RuneStart(ex[cut]) {
			cut--
		}
		ex = ex[:cut]
	}
	f.Excerpt = &leakhound.Excerpt{Offset: lo, Text: ex}
	return f
}

// alignHow names how an aligned pair matched. A Chinese word and an
// English one are a translation even when the alignment counts the pair
// as exact (an English item word equal to a gloss of the record's word).
func alignHow(l link, u, v unit) string {
	switch {
	case u.kind == kindNum:
		return leakhound.AlignNumber
	case (u.kind == kindZh) != (v.kind == kindZh):
		return leakhound.AlignTranslation
	case l.how == matchExact:
		return leakhound.AlignSame
	}
	return leakhound.AlignSynonym
}
