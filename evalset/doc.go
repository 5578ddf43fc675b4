// Package evalset loads benchmark test items — the small side that
// leakhound indexes — with stable ids.
//
// A --bench argument is resolved by Resolve into a Loader. Paths to files
// are loaded by FileLoader: JSONL (optionally gzip-compressed) with "id"
// and "text" fields, as in shared/data/normalized, or any JSONL or CSV file
// whose text field is named with Options.Field.
package evalset
