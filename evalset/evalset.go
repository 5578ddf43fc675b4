package evalset

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"

	"github.com/leakhound/leakhound"
)

// Options configure how --bench arguments are resolved and read. The zero
// value works: named benchmarks are read from $LEAKHOUND_BENCH_DIR, each in
// its default splits and part, and near-duplicate clusters are marked.
type Options struct {
	// Field names the text field (JSONL, JSON, Parquet) or column (CSV)
	// of a generic file; several names separated by commas are joined
	// with "\n"; a dotted name ("question.stem") reaches into JSON
	// objects. Empty means "text". (--bench-field)
	Field string
	// IDField names the id field or column. Empty means "id" when
	// present, otherwise "<benchmark>/<split>/<n>" (or "<benchmark>/<n>"
	// when the split is unknown). (--bench-id-field)
	IDField string
	// Map maps parts to fields for generic files instead of Field:
	// "question=Q;options=A,B,C,D;answer=Answer;solution=code;split=s".
	// options may name one list field or several fields. (--bench-map)
	Map string
	// Benchmark overrides the benchmark name of generic files and hub
	// datasets. Empty means the record's "dataset" field, else the file
	// or dataset name. (--bench-name)
	Benchmark string

	// Dir is the benchmark directory where named benchmarks are found in
	// their native layout. Empty means $LEAKHOUND_BENCH_DIR. (--bench-dir)
	Dir string
	// Part chooses the part matched: a part name for every benchmark,
	// and/or NAME=PART for one ("question,gsm8k=full"). Empty means each
	// benchmark's default part. (--bench-part)
	Part string

	// CacheDir holds Hub downloads. Empty means $LEAKHOUND_CACHE_DIR,
	// else $XDG_CACHE_HOME/leakhound/hub, else ~/.cache/leakhound/hub.
	// (--bench-cache)
	CacheDir string
	// Offline forbids network access: Hub datasets come from the cache
	// only. LEAKHOUND_OFFLINE=1 or HF_HUB_OFFLINE=1 also set it.
	// (--offline)
	Offline bool
	// HubEndpoint is the Hub's base URL. Empty means $HF_ENDPOINT, else
	// https://huggingface.co.
	HubEndpoint string
	// Token is sent as a bearer token to the Hub for gated datasets.
	// Empty means $HF_TOKEN (or $HUGGING_FACE_HUB_TOKEN).
	Token string
	// HTTPClient makes Hub requests; nil means a client with timeouts.
	HTTPClient *http.Client
	// Progress, when set, receives one line per Hub download.
	Progress func(format string, args ...any)

	// NoClusters skips the near-duplicate check; items keep Cluster
	// empty. (--bench-no-clusters)
	NoClusters bool
	// Warnf receives non-fatal notes (items left out of a part). Nil
	// discards them.
	Warnf func(format string, args ...any)
}

func (o *Options) warnf(format string, args ...any) {
	if o.Warnf != nil {
		o.Warnf(format, args...)
	}
}

// dir returns the benchmark directory.
func (o *Options) dir() string {
	if o.Dir != "" {
		return o.Dir
	}
	return os.Getenv("LEAKHOUND_BENCH_DIR")
}

// partFor returns the part for benchmark name given Options.Part.
func (o *Options) partFor(name string, def Part) (Part, error) {
	if o.Part == "" {
		return def, nil
	}
	var plain, scoped Part
	for _, f := range strings.Split(o.Part, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		bench, p, isScoped := strings.Cut(f, "=")
		if !isScoped {
			p = bench
		}
		pp, err := ParsePart(p)
		if err != nil {
			return "", fmt.Errorf("--bench-part %q: %w", o.Part, err)
		}
		switch {
		case !isScoped:
			plain = pp
		case strings.EqualFold(bench, name) || (Lookup(bench) != nil && Lookup(bench) == Lookup(name)):
			scoped = pp
		}
	}
	switch {
	case scoped != "":
		return scoped, nil
	case plain != "":
		return plain, nil
	}
	return def, nil
}

// CheckPart validates Options.Part without loading anything, so that a
// command can reject a bad --bench-part before it starts work.
func (o *Options) CheckPart() error {
	_, err := o.partFor("", PartFull)
	return err
}

// A Loader loads the items of one benchmark source: a catalog benchmark,
// a file, or a Hugging Face Hub dataset.
type Loader interface {
	// Load reads every item of the source.
	Load(ctx context.Context) ([]leakhound.Item, error)
	// String names the source in messages.
	String() string
}

// Resolve turns one --bench argument into a Loader:
//
//   - hf://datasets/ORG/NAME[@REV]/[CONFIG]/[SPLIT] is a Hub dataset;
//   - NAME[:SPLIT[+SPLIT...]] or NAME:all is a catalog benchmark read from
//     Options.Dir (a spec holding '/', '\' or '.' is never a name);
//   - anything else is a JSONL, JSON, CSV or Parquet file (optionally .gz).
func Resolve(spec string, opts Options) (Loader, error) {
	if strings.HasPrefix(spec, "hf://") {
		return newHubLoader(spec, opts)
	}
	if !strings.ContainsAny(spec, `/\.`) {
		name, splits, _ := strings.Cut(spec, ":")
		if b := Lookup(name); b != nil {
			l := &NamedLoader{Bench: b, Dir: opts.dir(), Options: opts}
			if splits != "" {
				l.Splits = strings.Split(splits, "+")
			}
			return l, nil
		}
	}
	st, err := os.Stat(spec)
	if err != nil {
		if os.IsNotExist(err) && !strings.ContainsAny(spec, `/\.`) {
			return nil, fmt.Errorf("benchmark %q: not a file and not a named benchmark (known: %s)", spec, names())
		}
		return nil, fmt.Errorf("benchmark %q: %w", spec, err)
	}
	if st.IsDir() {
		return nil, fmt.Errorf("benchmark %q is a directory; give a file, or a benchmark name with --bench-dir %s", spec, spec)
	}
	return &FileLoader{Path: spec, Options: opts}, nil
}

// LoadAll resolves and loads every spec and returns the items in argument
// order, with near-duplicate clusters marked (unless Options.NoClusters).
// Duplicate item ids across specs are an error, since findings name items
// by id.
func LoadAll(ctx context.Context, specs []string, opts Options) ([]leakhound.Item, error) {
	if err := opts.CheckPart(); err != nil {
		return nil, err
	}
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
	if !opts.NoClusters {
		MarkClusters(all, DefaultClusterConfig)
	}
	return all, nil
}
