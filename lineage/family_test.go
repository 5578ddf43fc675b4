package lineage_test

import (
	"fmt"
	"testing"

	"github.com/leakhound/leakhound"
	"github.com/leakhound/leakhound/lineage"
	"github.com/leakhound/leakhound/lineage/synth"
)

func TestFamilyInMemory(t *testing.T) {
	s := synth.DefaultSpec()
	base, vs, names := synth.Family(s)
	a := base.Lineage("base")
	for i, v := range vs {
		r, err := lineage.Compare(a, v.Lineage(names[i]), lineage.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%-13s %-12s log10 p = %9.1f  (match %9.1f, csu %9.1f) align %s ident %d/%d corr %.3f", names[i], r.Verdict, r.Log10P,
			r.Weights.Log10PMatch, r.Weights.Log10PCSU, r.Weights.Alignment.Method, r.Weights.Alignment.Identity, r.Weights.Alignment.Dims, r.Weights.Alignment.MeanAbsCorr)
		if r.Verdict != leakhound.VerdictDerived || r.Log10P > -6 {
			t.Errorf("%s: verdict %s, log10 p %.1f; reason %s", names[i], r.Verdict, r.Log10P, r.Reason)
		}
		if names[i] == "pruned" { // T14: layer 2 was dropped, so A's 3 is B's 2
			var got [][2]int
			for _, l := range r.Weights.Layers {
				got = append(got, [2]int{l.LayerA, l.LayerB})
			}
			if want := [][2]int{{0, 0}, {1, 1}, {3, 2}}; fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("pruned layer map %v, want %v", got, want)
			}
		}
	}
}
