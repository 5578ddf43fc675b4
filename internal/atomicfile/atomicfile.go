// Package atomicfile writes files so that a reader, or a run killed half
// way, never sees a partial one: the bytes go to a temporary file in the
// same directory, which is then renamed over the destination.
package atomicfile

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
)

// Write writes b to path through a temporary file and a rename, creating
// the directory when needed. The file is private (mode 0600), as the
// caches that use it are.
func Write(path string, b []byte) error {
	return WriteFunc(path, 0o600, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}

// WriteFunc writes what write produces to path, buffered, through a
// temporary file that gets mode perm and is renamed over path once write
// and the flush succeed; on any error the temporary file is removed and
// path is left as it was. The directory is created when needed.
func WriteFunc(path string, perm os.FileMode, write func(io.Writer) error) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(tmp, 1<<16)
	err = write(bw)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), perm)
	}
	if err == nil {
		return os.Rename(tmp.Name(), path)
	}
	os.Remove(tmp.Name())
	return err
}
