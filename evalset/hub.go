package evalset

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/leakhound/leakhound"
)

// HubLoader loads a dataset of the Hugging Face Hub from its Parquet
// files, downloaded once into the cache (see hubClient for the protocol).
type HubLoader struct {
	// Spec is the --bench argument, hf://datasets/ORG/NAME[@REV]/[CONFIG]/[SPLIT].
	Spec string
	// Repo is "ORG/NAME".
	Repo string
	// Revision is a branch, tag or commit; default "main".
	Revision string
	// Config and Split select files; empty means the only config (or
	// "default") and every split.
	Config, Split string
	Options       Options
}

var commitRE = regexp.MustCompile(`^[0-9a-f]{40}$`)

// ParseHubSpec parses hf://datasets/ORG/NAME[@REV]/[CONFIG]/[SPLIT]. A
// revision holding '/' (refs/convert/parquet) is written with %2F.
func ParseHubSpec(spec string) (*HubLoader, error) {
	rest, ok := strings.CutPrefix(spec, "hf://datasets/")
	if !ok {
		return nil, fmt.Errorf("benchmark %q: want hf://datasets/ORG/NAME[@REV]/[CONFIG]/[SPLIT]", spec)
	}
	parts := strings.Split(strings.TrimSuffix(rest, "/"), "/")
	if len(parts) < 2 || len(parts) > 4 || parts[0] == "" || parts[1] == "" {
		return nil, fmt.Errorf("benchmark %q: want hf://datasets/ORG/NAME[@REV]/[CONFIG]/[SPLIT]", spec)
	}
	l := &HubLoader{Spec: spec, Revision: "main"}
	name, rev, hasRev := strings.Cut(parts[1], "@")
	if hasRev {
		r, err := url.PathUnescape(rev)
		if err != nil || r == "" {
			return nil, fmt.Errorf("benchmark %q: bad revision %q", spec, rev)
		}
		l.Revision = r
	}
	l.Repo = parts[0] + "/" + name
	if len(parts) > 2 {
		l.Config = parts[2]
	}
	if len(parts) > 3 {
		l.Split = parts[3]
	}
	for _, p := range []string{parts[0], name, l.Config, l.Split} {
		if p == "." || p == ".." || strings.ContainsAny(p, `\`) {
			return nil, fmt.Errorf("benchmark %q: bad path element %q", spec, p)
		}
	}
	return l, nil
}

func newHubLoader(spec string, opts Options) (Loader, error) {
	l, err := ParseHubSpec(spec)
	if err != nil {
		return nil, err
	}
	l.Options = opts
	return l, nil
}

// String returns the spec.
func (l *HubLoader) String() string { return l.Spec }

// Load downloads (or finds in the cache) the Parquet files of the chosen
// config and split and maps their rows to items. Rows of a catalog
// benchmark's usual Hub dataset (see Benchmark.HubMap) are mapped like the
// native files unless Options.Field or Options.Map say otherwise; other
// datasets need Options.Field (default "text") or Options.Map.
func (l *HubLoader) Load(ctx context.Context) ([]leakhound.Item, error) {
	c, err := newHubClient(l.Options)
	if err != nil {
		return nil, err
	}
	files, err := c.fetch(ctx, l)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", l.Spec, err)
	}
	opts := l.Options
	name := path.Base(l.Repo)
	if b := hubBenchmark(l.Repo, l.Config); b != nil && opts.Field == "" && opts.Map == "" {
		opts.Map, name = b.HubMap, b.Dataset
	}
	var items []leakhound.Item
	n := make(map[string]int)
	for _, f := range files {
		rows, err := readParquetFile(f.local)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", l.Spec, f.Path, err)
		}
		m := &mapper{opts: opts, name: name, split: f.split, where: l.Repo + "/" + f.Path}
		got, err := m.itemsNumbered(ctx, rows, n)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", l.Spec, err)
		}
		items = append(items, got...)
	}
	return items, nil
}

// hubBenchmark returns the catalog benchmark whose usual Hub dataset is
// repo (and config), or nil.
func hubBenchmark(repo, config string) *Benchmark {
	for _, b := range catalog {
		if b.HubRepo != "" && strings.EqualFold(b.HubRepo, repo) && b.HubMap != "" && (b.HubConfig == "" || b.HubConfig == config) {
			return b
		}
	}
	return nil
}

// hubFile is one file of a dataset revision, from the tree listing.
type hubFile struct {
	Path string `json:"path"`
	Size int64  `json:"size"`
	// OID is the git blob id (SHA-1 of "blob <size>\0<content>").
	OID string `json:"oid"`
	// SHA256 is the LFS object id, empty for files kept in git.
	SHA256 string `json:"sha256,omitempty"`
	// Commit is the revision the file was listed at.
	Commit string `json:"commit"`

	split string // the split the file belongs to
	local string // the verified blob in the cache
}

// etag is what the Hub sends as the file's (linked) ETag: the LFS SHA-256
// or the git blob id.
func (f *hubFile) etag() string {
	if f.SHA256 != "" {
		return f.SHA256
	}
	return f.OID
}

// selectFiles picks the Parquet files of config and split from a listing
// and sets each file's split. Layouts known: CONFIG/SPLIT-00000-of-0000N.parquet
// and data/SPLIT-….parquet (push_to_hub), CONFIG/SPLIT/0000.parquet and
// CONFIG/NAME-SPLIT.parquet (the refs/convert/parquet branch), and
// SPLIT.parquet at the top.
func selectFiles(all []hubFile, config, split string) ([]hubFile, error) {
	byConfig := make(map[string][]hubFile)
	for _, f := range all {
		if !strings.HasSuffix(f.Path, ".parquet") {
			continue
		}
		cfg, rest, ok := strings.Cut(f.Path, "/")
		if !ok {
			cfg, rest = "", f.Path
		}
		f.split = splitOf(rest)
		byConfig[cfg] = append(byConfig[cfg], f)
	}
	if len(byConfig) == 0 {
		return nil, nil
	}
	cfg, err := chooseConfig(byConfig, config)
	if err != nil {
		return nil, err
	}
	var out []hubFile
	var splits []string
	for _, f := range byConfig[cfg] {
		if split == "" || f.split == split || strings.HasSuffix(strings.TrimSuffix(path.Base(f.Path), ".parquet"), "-"+split) {
			if split != "" {
				f.split = split
			}
			out = append(out, f)
		}
		splits = append(splits, f.split)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no Parquet files of split %q in config %q (splits: %s)", split, cfg, strings.Join(uniqSorted(splits), ", "))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

func chooseConfig(byConfig map[string][]hubFile, config string) (string, error) {
	var cfgs []string
	for c := range byConfig {
		cfgs = append(cfgs, c)
	}
	sort.Strings(cfgs)
	if config != "" {
		if _, ok := byConfig[config]; ok {
			return config, nil
		}
		if config == "default" {
			for _, c := range []string{"data", ""} {
				if _, ok := byConfig[c]; ok {
					return c, nil
				}
			}
		}
		return "", fmt.Errorf("no config %q (configs: %s)", config, strings.Join(cfgs, ", "))
	}
	if len(cfgs) == 1 {
		return cfgs[0], nil
	}
	for _, c := range []string{"default", "data", ""} {
		if _, ok := byConfig[c]; ok {
			return c, nil
		}
	}
	return "", fmt.Errorf("the dataset has several configs (%s): name one, hf://datasets/ORG/NAME/CONFIG/SPLIT", strings.Join(cfgs, ", "))
}

// splitOf derives a split from a path below the config folder:
// "test/0000.parquet" → test, "test-00000-of-00001.parquet" → test.
func splitOf(rest string) string {
	if dir, _, ok := strings.Cut(rest, "/"); ok {
		return dir
	}
	base := strings.TrimSuffix(rest, ".parquet")
	if i := strings.IndexAny(base, "-."); i > 0 {
		return base[:i]
	}
	return base
}

func uniqSorted(a []string) []string {
	m := make(map[string]bool)
	for _, s := range a {
		m[s] = true
	}
	return sortedSet(m)
}

// cacheDir returns the Hub cache directory.
func (o *Options) cacheDir() (string, error) {
	if o.CacheDir != "" {
		return o.CacheDir, nil
	}
	if d := os.Getenv("LEAKHOUND_CACHE_DIR"); d != "" {
		return d, nil
	}
	base, err := os.UserCacheDir() // $XDG_CACHE_HOME or ~/.cache on Linux
	if err != nil {
		return "", fmt.Errorf("no cache directory: set LEAKHOUND_CACHE_DIR or XDG_CACHE_HOME (%v)", err)
	}
	return filepath.Join(base, "leakhound", "hub"), nil
}

// offline reports whether network access is off.
func (o *Options) offline() bool {
	return o.Offline || truthy(os.Getenv("LEAKHOUND_OFFLINE")) || truthy(os.Getenv("HF_HUB_OFFLINE"))
}

func truthy(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "true", "yes", "on":
		return true
	}
	return false
}
