package clean

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/leakhound/leakhound"
	"github.com/leakhound/leakhound/corpus"
)

// Names inside the output directory. Both start with '.', so that a scan
// of the output directory (corpus.Expand skips such names) reads only the
// cleaned corpus.
const (
	stateDir     = ".leakhound"    // manifest and per-file state
	manifestName = "manifest.json" // in stateDir
	tmpPrefix    = ".leakhound-tmp."
)

// Cleaner collects the findings of a scan and then writes the cleaned
// copy. Make one with New before the scan, so that a bad output directory
// is refused before any work; feed it with Add; then call Run.
type Cleaner struct {
	opts    Options
	out     string // absolute output directory
	inputs  []corpus.Input
	rel     []string // output path of each input, relative to out
	benches map[string]bool
	mu      sync.Mutex
	files   map[string]*fileMarks // by corpus.Input.Name
}

// New checks the inputs and the output directory and returns a Cleaner.
// It refuses standard input (which cannot be read twice), an output
// directory inside an input's directory or holding an input, and an
// existing output directory that is neither empty nor an earlier run's.
func New(inputs []corpus.Input, opts Options) (*Cleaner, error) {
	if opts.OutDir == "" {
		return nil, errors.New("clean: no output directory")
	}
	if _, err := ParsePolicy(string(opts.Policy)); err != nil {
		return nil, fmt.Errorf("clean: %w", err)
	}
	if len(inputs) == 0 {
		return nil, errors.New("clean: no input")
	}
	c := &Cleaner{opts: opts, inputs: inputs, files: map[string]*fileMarks{}}
	if opts.Benchmarks != nil {
		c.benches = map[string]bool{}
		for _, b := range opts.Benchmarks {
			c.benches[b] = true
		}
	}
	var err error
	if c.out, err = realPath(opts.OutDir); err != nil {
		return nil, fmt.Errorf("clean: %w", err)
	}
	if c.rel, err = c.layout(); err != nil {
		return nil, fmt.Errorf("clean: %w", err)
	}
	if err := checkOutDir(c.out); err != nil {
		return nil, fmt.Errorf("clean: %w", err)
	}
	return c, nil
}

// OutDir returns the absolute output directory.
func (c *Cleaner) OutDir() string { return c.out }

// ManifestPath returns where Run writes the manifest.
func (c *Cleaner) ManifestPath() string {
	return filepath.Join(c.out, stateDir, manifestName)
}

// layout maps every input to its output path: the input's path relative
// to the deepest directory that holds all inputs. It refuses an output
// directory inside an input's directory and an input inside the output
// directory.
func (c *Cleaner) layout() ([]string, error) {
	abs := make([]string, len(c.inputs))
	for i, in := range c.inputs {
		if in.Name == "-" || in.Size < 0 {
			return nil, fmt.Errorf("cannot clean %s: standard input cannot be read a second time; save it to a file", in.Name)
		}
		p, err := realPath(in.Name)
		if err != nil {
			return nil, err
		}
		dir := filepath.Dir(p)
		if within(c.out, dir) {
			return nil, fmt.Errorf("output directory %s is inside the input directory %s: choose a directory outside the corpus", c.out, dir)
		}
		if within(p, c.out) {
			return nil, fmt.Errorf("input %s is inside the output directory %s", in.Name, c.out)
		}
		abs[i] = p
	}
	root := filepath.Dir(abs[0])
	for _, p := range abs[1:] {
		for !within(p, root) {
			root = filepath.Dir(root)
		}
	}
	rel := make([]string, len(abs))
	seen := map[string]int{}
	for i, p := range abs {
		r, err := filepath.Rel(root, p)
		if err != nil {
			return nil, err
		}
		if j, dup := seen[r]; dup {
			return nil, fmt.Errorf("inputs %s and %s are the same file", c.inputs[j].Name, c.inputs[i].Name)
		}
		if first := strings.Split(filepath.ToSlash(r), "/")[0]; first == stateDir {
			return nil, fmt.Errorf("input %s: the output path %s is reserved", c.inputs[i].Name, stateDir)
		}
		seen[r] = i
		rel[i] = filepath.ToSlash(r)
	}
	return rel, nil
}

// realPath returns p made absolute, with the symbolic links of its
// longest existing prefix resolved.
func realPath(p string) (string, error) {
	p, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	var rest []string
	for {
		if r, err := filepath.EvalSymlinks(p); err == nil {
			return filepath.Join(append([]string{r}, rest...)...), nil
		}
		parent := filepath.Dir(p)
		if parent == p {
			return filepath.Join(append([]string{p}, rest...)...), nil
		}
		rest = append([]string{filepath.Base(p)}, rest...)
		p = parent
	}
}

// within reports whether path p is dir or lies below it.
func within(p, dir string) bool {
	r, err := filepath.Rel(dir, p)
	return err == nil && r != ".." && !strings.HasPrefix(r, ".."+string(filepath.Separator)) && !filepath.IsAbs(r)
}

// checkOutDir accepts a missing or empty directory, or one that holds an
// earlier run's state.
func checkOutDir(out string) error {
	entries, err := os.ReadDir(out)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if len(entries) == 0 {
		return nil
	}
	if fi, err := os.Stat(filepath.Join(out, stateDir)); err == nil && fi.IsDir() {
		return nil
	}
	return fmt.Errorf("output directory %s is not empty and holds no earlier leakhound clean run (%s/): choose a new directory", out, stateDir)
}

// Add records a finding. Findings of benchmarks outside
// Options.Benchmarks are ignored. It is safe for concurrent use and is
// meant to be called from the scan's Finding hook.
func (c *Cleaner) Add(f *leakhound.Finding) {
	if c.benches != nil && !c.benches[f.Benchmark] {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	fm := c.files[f.Doc.File]
	if fm == nil {
		fm = &fileMarks{sorted: true}
		c.files[f.Doc.File] = fm
	}
	fm.add(f.Doc.Line, f.Spans, c.opts.Policy == Redact)
}

// Run writes the cleaned copy of every input and the manifest, and
// returns the manifest. A file that fails its accounting check is still
// written and recorded with OK false; call Manifest.Check. An error is
// returned for what stops the run: an unreadable input, a full disk,
// ctx's cancellation.
func (c *Cleaner) Run(ctx context.Context) (*Manifest, error) {
	if err := os.MkdirAll(filepath.Join(c.out, stateDir, "files"), 0o755); err != nil {
		return nil, fmt.Errorf("clean: %w", err)
	}
	m := &Manifest{SchemaVersion: ManifestVersion, Policy: c.opts.Policy, Benchmarks: slices.Clone(c.opts.Benchmarks), Params: c.opts.Params}
	if c.opts.Policy == Redact {
		m.Marker = c.opts.marker()
	}
	m.Files = make([]FileResult, len(c.inputs))
	if err := c.runFiles(ctx, m.Files); err != nil {
		return nil, err
	}
	m.finish()
	if err := removeStaleTemps(c.out); err != nil {
		return nil, fmt.Errorf("clean: %w", err)
	}
	if err := writeJSON(c.ManifestPath(), m); err != nil {
		return nil, fmt.Errorf("clean: %w", err)
	}
	return m, nil
}

// runFiles cleans the inputs on Workers goroutines; results land at the
// input's index, so the manifest's order does not depend on scheduling.
func (c *Cleaner) runFiles(ctx context.Context, results []FileResult) error {
	workers := c.opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := make(chan int)
	errs := make([]error, len(c.inputs))
	var wg sync.WaitGroup
	var cbMu sync.Mutex
	for range min(workers, len(c.inputs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				r, err := c.file(ctx, i)
				if err != nil {
					errs[i] = err
					cancel()
					continue
				}
				results[i] = r
				if c.opts.AfterFile != nil {
					cbMu.Lock()
					c.opts.AfterFile(r)
					cbMu.Unlock()
				}
			}
		}()
	}
	for i := range c.inputs {
		if ctx.Err() != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	return ctx.Err()
}

// marksOf returns the normalized marks of input i.
func (c *Cleaner) marksOf(i int) []mark {
	c.mu.Lock()
	defer c.mu.Unlock()
	fm := c.files[c.inputs[i].Name]
	if fm == nil {
		return nil
	}
	return fm.normalize()
}

// removeStaleTemps removes the temporary files that a killed run left in
// out (the files of this run were renamed or removed already).
func removeStaleTemps(out string) error {
	return filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasPrefix(d.Name(), tmpPrefix) {
			return os.Remove(p)
		}
		return nil
	})
}
