package evalset

import (
	"context"
	"fmt"
	"os"

	"github.com/leakhound/leakhound"
)

// Options configure how benchmark files are read.
type Options struct {
	// Field names the text field (JSONL) or column (CSV). Empty means
	// "text".
	Field string
	// IDField names the id field or column. Empty means "id" when present,
	// otherwise "<benchmark>/<n>" with n the 0-based record number.
	IDField string
	// Benchmark overrides the benchmark name. Empty means the record's
	// "dataset" field when present, otherwise the file name without
	// directory and extensions.
	Benchmark string
}

// A Loader loads the items of one benchmark source. The file loader here and
// the named-benchmark catalog both implement it.
type Loader interface {
	// Load reads every item of the source.
	Load(ctx context.Context) ([]leakhound.Item, error)
	// String names the source in messages.
	String() string
}

// Resolve turns one --bench argument into a Loader. Today it accepts paths
// to JSONL(.gz) and CSV files.
func Resolve(spec string, opts Options) (Loader, error) {
	st, err := os.Stat(spec)
	if err != nil {
		return nil, fmt.Errorf("benchmark %q: %w", spec, err)
	}
	if st.IsDir() {
		return nil, fmt.Errorf("benchmark %q is a directory; give a JSONL or CSV file", spec)
	}
	return &FileLoader{Path: spec, Options: opts}, nil
}

// LoadAll resolves and loads every spec and returns the items in argument
// order. Duplicate item ids across specs are an error, since findings name
// items by id.
func LoadAll(ctx context.Context, specs []string, opts Options) ([]leakhound.Item, error) {
	var all []leakhound.Item
	seen := make(map[string]string)
	for _, spec := range specs {
		l, err := Resolve(spec, opts)
		if err != nil {
			return nil, err
		}
		items, err := l.Load(ctx)
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			if prev, dup := seen[it.ID]; dup {
				return nil, fmt.Errorf("%s: item id %q also appears in %s", l, it.ID, prev)
			}
			seen[it.ID] = l.String()
		}
		all = append(all, items...)
	}
	return all, nil
}
