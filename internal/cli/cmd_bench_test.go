package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const benchFixtures = "../../evalset/testdata/benchdir"

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestBenchCommand(t *testing.T) {
	t.Setenv("LEAKHOUND_BENCH_DIR", "")
	tests := []struct {
		args        []string
		code        int
		stdout      []string
		stderr      []string
		notInStdout []string
	}{
		{args: []string{"bench", "list"}, stdout: []string{"gsm8k", "arc_challenge/…", "val*,test*,dev", "question+options", "benchmark directory: (none"}},
		{args: []string{"bench", "show", "ceval", "--bench-dir", benchFixtures},
			stdout: []string{"license:       CC BY-NC-SA 4.0", "val:", "5 items", "test:", "first item, ceval/val/0", "[full]", "Answer: B", "[answer]\n  (none: too short"}},
		{args: []string{"bench", "stats", "--bench-dir", benchFixtures},
			stdout: []string{"ceval", "arc_easy", "hellaswag", "math", "15 items", "near-duplicate clusters", "none"},
			stderr: []string{"not found under", "gsm8k"}},
		{args: []string{"bench", "stats", "--bench-dir", benchFixtures, "--bench-part", "question", "math,arc_easy"},
			stdout: []string{"math", "test", "question", "4 "}, notInStdout: []string{"ceval"}},
		{args: []string{"bench", "stats"}, code: ExitError, stderr: []string{"--bench-dir"}},
		{args: []string{"bench", "show", "nosuch"}, code: ExitError, stderr: []string{"unknown benchmark"}},
		{args: []string{"bench", "frobnicate"}, code: ExitError, stderr: []string{"unknown subcommand"}},
		{args: []string{"bench", "stats", "--bench-part", "bogus", "math", "--bench-dir", benchFixtures}, code: ExitError, stderr: []string{"unknown part"}},
	}
	for _, tt := range tests {
		code, out, errs := runCLI(t, tt.args...)
		if code != tt.code {
			t.Errorf("%q: exit %d, want %d; stderr %q", tt.args, code, tt.code, errs)
		}
		for _, w := range tt.stdout {
			if !strings.Contains(out, w) {
				t.Errorf("%q: stdout lacks %q:\n%s", tt.args, w, out)
			}
		}
		for _, w := range tt.notInStdout {
			if strings.Contains(out, w) {
				t.Errorf("%q: stdout has %q:\n%s", tt.args, w, out)
			}
		}
		for _, w := range tt.stderr {
			if !strings.Contains(errs, w) {
				t.Errorf("%q: stderr lacks %q: %q", tt.args, w, errs)
			}
		}
	}
}

// TestBenchStatsSharedData runs `bench stats` on HumanEval from
// ../shared/data and expects the 56/61 twins.
func TestBenchStatsSharedData(t *testing.T) {
	data, err := filepath.Abs("../../../shared/data")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(data, "humaneval")); err != nil {
		t.Skip("bench stats: ../shared/data not found")
	}
	code, out, errs := runCLI(t, "bench", "stats", "--bench-dir", data, "humaneval", "truthfulqa")
	if code != ExitClean {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, w := range []string{"humaneval", "164", "truthfulqa", "817", "humaneval: 1 clusters, 2 items", "humaneval/test/56 humaneval/test/61"} {
		if !strings.Contains(out, w) {
			t.Errorf("stdout lacks %q:\n%s", w, out)
		}
	}
}
