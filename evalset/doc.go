// Package evalset loads benchmark test items — the small side that
// leakhound indexes — with stable ids.
//
// Each --bench argument is resolved by Resolve into a Loader:
//
//   - a catalog name such as "gsm8k", "mmlu:test+dev" or "arc:all"
//     (NamedLoader) reads the benchmark's native public files under the
//     benchmark directory (Options.Dir, --bench-dir, $LEAKHOUND_BENCH_DIR);
//     item ids are "<dataset>/<split>/<n>", the ids of
//     shared/data/normalized, and the default part's text is the normalized
//     text (see Catalog, doc/benchmarks.md);
//   - "hf://datasets/ORG/NAME[@REV]/[CONFIG]/[SPLIT]" (HubLoader) reads the
//     dataset's Parquet files from the Hugging Face Hub through a
//     verifying, resumable download cache, or offline from the cache;
//   - a path (FileLoader) reads JSONL, JSON, CSV or Parquet with a field
//     mapping (Options.Field, Options.Map).
//
// Options.Part chooses which part of each item is matched (question,
// question+options, full or answer); leakhound.Item.Part records it, and a
// bare answer is never offered as evidence. LoadAll loads all specs and
// marks near-duplicate twins inside each benchmark in
// leakhound.Item.Cluster (MarkClusters), so that a match to either twin
// counts once. Options.AddFlags registers the benchmark flags for commands.
package evalset
