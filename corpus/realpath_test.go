package corpus

import (
	"os"
	"path/filepath"
	"testing"
)

// TestRealPath: resolving a file through its cached directory gives what
// resolving the whole path gives, for symlinked directories and files,
// "..", relative and absolute names, and names that do not exist.
func TestRealPath(t *testing.T) {
	d := t.TempDir()
	if err := os.MkdirAll(filepath.Join(d, "x/y"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"x/y/f.jsonl", "x/g.jsonl"} {
		if err := os.WriteFile(filepath.Join(d, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for link, target := range map[string]string{"lx": filepath.Join(d, "x"), "x/lf.jsonl": "y/f.jsonl", "x/ly": "../x/y"} {
		if err := os.Symlink(target, filepath.Join(d, link)); err != nil {
			t.Skipf("no symlinks here: %v", err)
		}
	}
	t.Chdir(filepath.Join(d, "x"))
	dirs := map[string]string{}
	for _, n := range []string{"y/f.jsonl", "../lx/y/f.jsonl", "lf.jsonl", "ly/f.jsonl", "../lx/ly/../g.jsonl", "y/../g.jsonl",
		"g.jsonl", "./g.jsonl", "y//f.jsonl", filepath.Join(d, "lx/ly/f.jsonl"), "missing", "../lx/missing"} {
		if got, want := realPath(n, dirs), absResolved(n); got != want {
			t.Errorf("realPath(%q) = %s, want %s", n, got, want)
		}
	}
}
