package rephrase

import (
	"testing"
	"unicode/utf8"

	"github.com/leakhound/leakhound"
)

// TestAlignedTranslation checks the how of the pairs of an English item
// and its Chinese translation: a Chinese record word aligned with an
// English item word (through a gloss) is a translation, never "same",
// whichever key matched.
func TestAlignedTranslation(t *testing.T) {
	m := testModel(t)
	items := []leakhound.Item{{ID: "t/0", Benchmark: "t", Text: itemDucks}}
	d := NewDetector(m, items)
	it, doc := m.Prepare(itemDucks), m.Prepare(zhDucks)
	p := m.Compare(it, doc)
	f := d.finding(&items[0], it, doc, p, 0, []byte(zhDucks))
	checkAligned(t, "translation", f, zhDucks, items)
	cross := 0
	for _, a := range f.Aligned {
		r, _ := utf8.DecodeRuneInString(a.Doc)
		if a.How == leakhound.AlignNumber || r < utf8.RuneSelf {
			continue
		}
		cross++
		if a.How != leakhound.AlignTranslation {
			t.Errorf("aligned %q → %q: how %q, want %q", a.Item, a.Doc, a.How, leakhound.AlignTranslation)
		}
	}
	if cross == 0 {
		t.Fatalf("no English word aligned with a Chinese one: %+v", f.Aligned)
	}
}
