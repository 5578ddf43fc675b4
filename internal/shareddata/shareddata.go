// Package shareddata finds the public benchmarks in ../shared/data for
// tests and benchmarks, and skips them with a message when the folder is
// absent (a clone without ../shared still passes its tests).
package shareddata

import (
	"os"
	"path/filepath"
	"testing"
)

// Dir returns the absolute path of shared/data next to the repository, or
// skips tb when it is not there. LEAKHOUND_SHARED_DATA overrides the path.
func Dir(tb testing.TB) string {
	tb.Helper()
	if d := os.Getenv("LEAKHOUND_SHARED_DATA"); d != "" {
		return d
	}
	root, err := repoRoot()
	if err == nil {
		d := filepath.Join(root, "..", "shared", "data")
		if st, err := os.Stat(filepath.Join(d, "normalized")); err == nil && st.IsDir() {
			return d
		}
	}
	tb.Skip("skipping: ../shared/data not found (the public benchmarks this test reads live next to the repository)")
	return ""
}

// Normalized returns the path of normalized/<dataset>/<split>.jsonl.gz.
func Normalized(tb testing.TB, dataset, split string) string {
	tb.Helper()
	return filepath.Join(Dir(tb), "normalized", dataset, split+".jsonl.gz")
}

// repoRoot walks up from the working directory to the directory holding
// go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
}
