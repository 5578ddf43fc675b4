package clean

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/leakhound/leakhound"
	"github.com/leakhound/leakhound/corpus"
	"github.com/leakhound/leakhound/evalset"
	"github.com/leakhound/leakhound/match"
	"github.com/leakhound/leakhound/scan"
)

// TestMain lets the test binary act as a cleaning process that the kill
// test can SIGKILL.
func TestMain(m *testing.M) {
	if os.Getenv("LEAKHOUND_CLEAN_CHILD") == "1" {
		if err := childMain(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// childMain scans and cleans as the environment says, printing "done
// FILE" after each file and then, with LH_BLOCK, waiting to be killed.
func childMain() error {
	ctx := context.Background()
	items, err := evalset.LoadAll(ctx, []string{os.Getenv("LH_BENCH")}, evalset.Options{})
	if err != nil {
		return err
	}
	opts := match.DefaultOptions()
	opts.Methods = []string{match.GPT3, match.PaLM, match.GPT4, match.Llama2}
	set, err := match.NewSet(items, opts)
	if err != nil {
		return err
	}
	inputs, err := corpus.Expand(strings.Split(os.Getenv("LH_IN"), "\n"))
	if err != nil {
		return err
	}
	c, err := New(inputs, Options{OutDir: os.Getenv("LH_OUT"), Policy: Policy(os.Getenv("LH_POLICY")), Workers: 2,
		AfterFile: func(r FileResult) {
			fmt.Printf("done %s\n", r.Input)
			if os.Getenv("LH_BLOCK") == "1" {
				time.Sleep(time.Hour)
			}
		}})
	if err != nil {
		return err
	}
	add := func(f *leakhound.Finding) error { c.Add(f); return nil }
	if _, _, err := scan.Run(ctx, set, inputs, scan.Options{Finding: add}); err != nil {
		return err
	}
	_, err = c.Run(ctx)
	return err
}

// killInputs writes six files, each with flagged records, in several
// formats and compressions.
func killInputs(t *testing.T, dir string) []string {
	lines := sampleLines(t)
	var big []string
	for range 300 {
		big = append(big, lines...)
	}
	data := []byte(strings.Join(big, "\n") + "\n")
	var paths []string
	for i, m := range []string{"none", "zstd", "gzip", "xz", "bzip2", "none"} {
		p := filepath.Join(dir, "in", fmt.Sprintf("shard-%d.jsonl", i))
		if m != "none" {
			p += "." + m
		}
		writeFile(t, p, compressWith(t, m, data))
		paths = append(paths, p)
	}
	array := filepath.Join(dir, "in", "shard-6.json.zst")
	writeFile(t, array, compressWith(t, "zstd", arrayOf(big)))
	return append(paths, array)
}

func TestKilledRunResumesByteIdentical(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	dir := t.TempDir()
	paths := killInputs(t, dir)
	bench := filepath.Join(repoRoot(t), "testdata/sample/bench.jsonl")
	set := sampleSet(t)
	for _, policy := range []Policy{Drop, Redact} {
		ref := filepath.Join(dir, "ref-"+string(policy), "out")
		out := filepath.Join(dir, "killed-"+string(policy), "out")
		m, stats := scanAndClean(t, set, paths, Options{OutDir: ref, Policy: policy, Workers: 1})
		checkManifest(t, m, stats)

		done := runAndKill(t, bench, paths, out, policy)
		if _, err := os.Stat(filepath.Join(out, stateDir, manifestName)); err == nil {
			t.Fatal("the killed run wrote its manifest: it was not killed in the middle")
		}
		first := filepath.Join(out, m.Files[indexOf(t, paths, done)].Output)
		before, err := os.Stat(first)
		if err != nil {
			t.Fatalf("the file reported done is missing: %v", err)
		}
		t.Logf("%s: killed after %s; outputs on disk: %d", policy, done, len(treeOf(t, out)))

		m2, _ := scanAndClean(t, set, paths, Options{OutDir: out, Policy: policy, Workers: 2})
		checkManifest(t, m2, stats)
		if after, _ := os.Stat(first); !after.ModTime().Equal(before.ModTime()) {
			t.Errorf("the resumed run wrote %s again", first)
		}
		want, got := treeOf(t, ref), treeOf(t, out)
		if len(want) != len(got) {
			t.Errorf("%d files after the resume, %d in an uninterrupted run", len(got), len(want))
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s differs between the resumed and the uninterrupted run", k)
			}
		}
	}
}

// runAndKill starts the cleaning process, SIGKILLs it as soon as it
// reports its first finished file, and returns that file.
func runAndKill(t *testing.T, bench string, paths []string, out string, policy Policy) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "LEAKHOUND_CLEAN_CHILD=1", "LH_BLOCK=1", "LH_BENCH="+bench,
		"LH_IN="+strings.Join(paths, "\n"), "LH_OUT="+out, "LH_POLICY="+string(policy))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		cmd.Wait()
		t.Fatalf("child: %v; stderr: %s", err, stderr.String())
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	err = cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(interface{ Signaled() bool }); !ok || !ws.Signaled() {
		t.Fatalf("child was not killed by a signal: %v", err)
	}
	return strings.TrimPrefix(strings.TrimSpace(line), "done ")
}

func indexOf(t *testing.T, paths []string, p string) int {
	for i, q := range paths {
		if q == p {
			return i
		}
	}
	t.Fatalf("%s is not an input", p)
	return -1
}
