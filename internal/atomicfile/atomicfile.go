// Package atomicfile writes files so that a reader, or a run killed half
// way, never sees a partial one: the bytes go to a temporary file in the
// same directory, which is then renamed over the destination.
package atomicfile

import (
	"os"
	"path/filepath"
)

// Write writes b to path through a temporary file and a rename, creating
// the directory when needed.
func Write(path string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}
