package corpus

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Input is one corpus input: a file, or standard input.
type Input struct {
	Name string // the path as given or found, or "-" for standard input
	Size int64  // bytes on disk; -1 for standard input or a reader of unknown size
	r    io.Reader
}

// FromReader returns an Input that reads r, named name. Size is the
// stream's size in bytes, or -1 when unknown. If r is an io.ReaderAt with
// a known size, a Parquet stream is read from it in place; otherwise it is
// first copied to a temporary file.
func FromReader(name string, r io.Reader, size int64) Input {
	return Input{Name: name, Size: size, r: r}
}

// Expand turns command-line arguments into an ordered list of inputs:
// a file is itself; a directory is every regular file below it, walked
// recursively in lexical order, skipping names that start with "."; a
// pattern with *, ? or [ is expanded with filepath.Glob (sorted) and each
// match is treated as above; "-" is standard input (once). A file reached
// twice (a directory and a file inside it, overlapping patterns, a symlink
// and its target) is kept once, at its first place.
//
// An argument that does not exist, cannot be read, or is a pattern that
// matches nothing is an error.
func Expand(args []string) ([]Input, error) {
	var ins []Input
	stdin := false
	for _, arg := range args {
		if arg == "-" {
			if stdin {
				return nil, errors.New(`"-" (standard input) given twice`)
			}
			stdin = true
			ins = append(ins, Input{Name: "-", Size: -1, r: os.Stdin})
			continue
		}
		matches := []string{arg}
		if _, err := os.Lstat(arg); err != nil && strings.ContainsAny(arg, "*?[") {
			m, gerr := filepath.Glob(arg)
			if gerr != nil {
				return nil, fmt.Errorf("%s: %w", arg, gerr)
			}
			if len(m) == 0 {
				return nil, fmt.Errorf("%s: no file matches the pattern", arg)
			}
			matches = m
		}
		for _, m := range matches {
			var err error
			if ins, err = appendPath(ins, m); err != nil {
				return nil, err
			}
		}
	}
	return dedupe(ins), nil
}

// dedupe keeps the first of inputs that are the same file (a directory and
// a file inside it, overlapping globs, a symlink and its target), so that
// no record is read, counted or reported twice.
func dedupe(ins []Input) []Input {
	seen := make(map[string]bool, len(ins))
	dirs := map[string]string{}
	out := ins[:0]
	for _, in := range ins {
		key := in.Name
		if in.r == nil { // a path, not standard input
			key = realPath(in.Name, dirs)
		}
		if !seen[key] {
			seen[key] = true
			out = append(out, in)
		}
	}
	return out
}

// realPath returns the absolute path of name with its symlinks resolved,
// or as much of that as resolves. The directories of a walk's files are
// the same for many of them: dirs holds the ones resolved, so that a file
// that is not itself a symlink costs one Lstat instead of one per path
// component.
func realPath(name string, dirs map[string]string) string {
	dir, base := filepath.Split(name)
	if fi, err := os.Lstat(name); err == nil && fi.Mode()&fs.ModeSymlink == 0 && base != "" {
		real, ok := dirs[dir]
		if !ok {
			real = absResolved(dir)
			dirs[dir] = real
		}
		return filepath.Join(real, base)
	}
	return absResolved(name)
}

// absResolved is filepath.Abs of filepath.EvalSymlinks of p, or of p when
// it does not resolve.
func absResolved(p string) string {
	if real, err := filepath.EvalSymlinks(p); err == nil {
		p = real
	}
	if abs, err := filepath.Abs(p); err == nil {
		p = abs
	}
	return p
}

// appendPath appends the input(s) of path p: the file, or the files below
// the directory.
func appendPath(ins []Input, p string) ([]Input, error) {
	fi, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		if !fi.Mode().IsRegular() && fi.Mode()&fs.ModeNamedPipe == 0 {
			return nil, fmt.Errorf("%s: not a regular file or directory", p)
		}
		if fi.Mode().IsRegular() { // opening a pipe (<(zcat ...)) would consume it
			if err := checkReadable(p); err != nil {
				return nil, err
			}
		}
		return append(ins, Input{Name: p, Size: size(fi)}), nil
	}
	err = filepath.WalkDir(p, func(q string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if q != p && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		fi, err := os.Stat(q) // follows a symlink to a file
		if err != nil {
			return err
		}
		if !fi.Mode().IsRegular() {
			return nil
		}
		if err := checkReadable(q); err != nil {
			return err
		}
		ins = append(ins, Input{Name: q, Size: fi.Size()})
		return nil
	})
	return ins, err
}

func size(fi fs.FileInfo) int64 {
	if fi.Mode().IsRegular() {
		return fi.Size()
	}
	return -1
}

// checkReadable opens p to report a permission error before the scan starts.
func checkReadable(p string) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	return f.Close()
}
