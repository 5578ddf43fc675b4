package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/leakhound/leakhound"
	"github.com/leakhound/leakhound/lineage"
	"github.com/leakhound/leakhound/probe"
)

func TestProbeAndLineageSections(t *testing.T) {
	p := 0.0004
	b := NewBuilder(Options{})
	b.SetProbe(&probe.Report{Benchmark: "gsm8k<x>", Alpha: 0.05, Verdict: leakhound.VerdictContaminated, Reason: "Oren <b>p</b> below alpha",
		Tests: []probe.TestResult{{Name: "oren", Source: "Oren et al. 2023", Status: "ran", P: &p}, {Name: "cdd", Status: "unsupported", Reason: "no sampling"}}})
	b.SetLineage(&lineage.Result{A: lineage.Summary{Path: "base/<a>"}, B: lineage.Summary{Path: "finetune"}, Verdict: leakhound.VerdictDerived,
		Log10P: -57.3, Alpha: 0.01, Reason: "matched MLP neurons", Limitations: []string{"rotations defeat weights-only tests"}})
	rep := b.Report()
	var html, md bytes.Buffer
	if err := WriteHTML(&html, rep); err != nil {
		t.Fatal(err)
	}
	if err := WriteMarkdown(&md, rep); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{`<section id="probe">`, "Model probe: gsm8k&lt;x&gt;", "Oren &lt;b&gt;p&lt;/b&gt; below alpha", "<td>0.0004</td>", "no sampling",
		`<section id="lineage">`, "<code>base/&lt;a&gt;</code>", "log10 p = -57.3", "rotations defeat weights-only tests"} {
		if !strings.Contains(html.String(), w) {
			t.Errorf("HTML lacks %q", w)
		}
	}
	for _, w := range []string{"## Model probe: gsm8k&lt;x&gt;", "| oren | ran | 0.0004 |", "## Weights comparison", "base/&lt;a&gt; vs finetune: verdict **derived**"} {
		if !strings.Contains(md.String(), w) {
			t.Errorf("Markdown lacks %q:\n%s", w, md.String())
		}
	}
}
