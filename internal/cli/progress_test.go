package cli

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/leakhound/leakhound/scan"
)

func TestProgressText(t *testing.T) {
	got := progressText(scan.Progress{BytesRead: 50 << 20, BytesTotal: 200 << 20, Records: 1234, Findings: 7, Elapsed: 10 * time.Second})
	for _, want := range []string{"[#####...............]  25.0%", "50.0 MiB / 200.0 MiB", "5 MB/s", "1234 records", "7 findings", "ETA 30s"} {
		if !strings.Contains(got, want) {
			t.Errorf("progressText = %q, want it to contain %q", got, want)
		}
	}
	// Standard input has no known size: no bar, no ETA.
	got = progressText(scan.Progress{BytesRead: 1 << 20, BytesTotal: -1, Elapsed: time.Second})
	if strings.Contains(got, "[") || strings.Contains(got, "ETA") || !strings.Contains(got, "/ ?") {
		t.Errorf("progressText(stdin) = %q", got)
	}
}

func TestProgressLineRedraws(t *testing.T) {
	var b bytes.Buffer
	p := &progressLine{w: &b}
	p.draw("a long first line")
	p.draw("short")
	p.clear()
	if want := "\ra long first line\rshort            \r     \r"; b.String() != want {
		t.Errorf("output %q, want %q", b.String(), want)
	}
}

func TestProgressOnlyOnTerminal(t *testing.T) {
	var out, errb bytes.Buffer
	code := Run(t.Context(), []string{"scan", "--bench", sampleBench, sampleCorpus}, strings.NewReader(""), &out, &errb)
	if code != ExitFound || strings.Contains(errb.String(), "\r") {
		t.Errorf("exit %d; stderr is not a terminal but got progress output %q", code, errb.String())
	}
}
