package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestLineageCommand writes a synthetic family with `lineage synth` and
// checks verdicts, exit codes and both output formats end to end.
func TestLineageCommand(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := runCLI(t, "lineage", "synth", "-out", dir, "-independents", "1")
	if code != ExitClean || !strings.Contains(out, "cpt-permuted-q4_k.gguf") {
		t.Fatalf("synth: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	p := func(n string) string { return filepath.Join(dir, n) }
	tests := []struct {
		args   []string
		code   int
		stdout []string
	}{
		{[]string{"lineage", p("base"), p("permuted")}, ExitFound, []string{"verdict: DERIVED", "rotation", "Context only"}},
		{[]string{"lineage", "-fast", p("base"), p("base-q4_k.gguf")}, ExitFound, []string{"verdict: DERIVED"}},
		{[]string{"lineage", p("base"), p("independent-1-q4_k.gguf")}, ExitClean, []string{"verdict: INDEPENDENT"}},
		{[]string{"lineage", p("base")}, ExitError, nil},
		{[]string{"lineage", "-format", "xml", p("base"), p("cpt")}, ExitError, nil},
		{[]string{"lineage", p("base"), p("nosuch")}, ExitError, nil},
	}
	for _, tt := range tests {
		code, out, errs := runCLI(t, tt.args...)
		if code != tt.code {
			t.Errorf("%q: exit %d, want %d; stderr %q", tt.args, code, tt.code, errs)
		}
		for _, w := range tt.stdout {
			if !strings.Contains(out, w) {
				t.Errorf("%q: stdout lacks %q", tt.args, w)
			}
		}
	}
	code, out, _ = runCLI(t, "lineage", "-format", "json", p("independent-1"), p("independent-1-q4_k.gguf"))
	var r struct {
		Verdict string  `json:"verdict"`
		Log10P  float64 `json:"log10_p"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil || code != ExitFound || r.Verdict != "derived" || r.Log10P > -6 {
		t.Errorf("json: exit %d, %+v, %v", code, r, err)
	}
}
