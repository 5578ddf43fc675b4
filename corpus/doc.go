// Package corpus reads training records from corpus files: JSON Lines, a
// JSON array of objects (Alpaca style), Parquet and plain text, each
// optionally compressed with gzip, zstd, bzip2 or xz. It finds the text
// of each record (and its id) and hands it out in batches, at the speed of
// the disk: the JSONL path validates and extracts fields with its own
// scanner, not encoding/json, and allocates nothing per record.
//
// # Reading
//
// Expand turns command-line arguments into inputs; Open sniffs one input;
// NextBatch, in one goroutine, fills a Batch with a run of consecutive
// records; Each, in any worker goroutine, extracts them:
//
//	src, err := corpus.Open(in, opts)
//	...
//	x := corpus.NewExtractor(opts) // one per worker
//	var b corpus.Batch
//	for src.NextBatch(&b) {
//		err := b.Each(x, func(r *corpus.Record) error { ...; return nil })
//		for _, d := range b.Diagnostics() { ... }
//	}
//	if err := src.Err(); err != nil { ... } // I/O error: stop
//
// Record's Text, ID and Raw are reused by the next record: copy them to
// keep them. A Batch is reused by the next NextBatch once Each is done.
//
// # Sniffing
//
// Compression is recognised by magic bytes only, never by the file name:
// gzip 1f 8b 08 (multi-member files are read whole), zstd 28 b5 2f fd (or
// a skippable frame), xz fd '7zXZ' 00, bzip2 "BZh1".."BZh9" followed by a
// block or end-of-stream magic. The format is then decided on the first
// block (BatchBytes, default 1 MiB) of the uncompressed stream:
//
//   - "PAR1" at offset 0: Parquet;
//   - a name ending in .txt, .md or .text (after any .gz, .zst, .zstd,
//     .bz2 or .xz suffix): plain text, whatever the content;
//   - JSON: a .jsonl, .ndjson or .jsonlines name, or a first byte '{'
//     (after an optional byte order mark and whitespace): JSON Lines;
//     '[' then '{': a JSON array of objects ('[' then anything else, with
//     more lines after the first: JSON Lines); at least half (and two) of
//     the first 8 non-blank lines starting with '{': JSON Lines;
//   - only whitespace: an empty file (an empty-file Diagnostic);
//   - a NUL byte or invalid UTF-8 in the first block: a binary file (a
//     binary-file Diagnostic; the file is skipped);
//   - anything else: plain text.
//
// # Records and numbering
//
// JSONL: one record per non-blank line; Line is the 1-based line number in
// the file (blank lines count as lines but are not records), Offset the
// byte offset of the line's first byte in the uncompressed stream, and Raw
// the line without its "\n". A UTF-8 byte order mark before line 1 is
// skipped. JSON array: one record per element; Line is the 1-based element
// number, Offset the offset of the element's first byte, Raw its bytes.
// Parquet: one record per row; Line is the 1-based row number, Offset -1,
// Raw nil. Text: a file is one record, except that a file over 1 MiB is
// split at the first blank line after each MiB; Line is the record's first
// line and Offset its first byte.
//
// # Fields
//
// Options.Fields selects the text: dotted paths ("meta.text") and "[]"
// for every element of an array ("messages[].content"), joined with "\n"
// in the order given, empty strings skipped. Values that are absent, null
// or not strings are skipped; a record where no selected path gives a
// string is a missing-field Diagnostic. With no Fields, Open picks, from
// the first valid record (Parquet: from the columns), the first of "text",
// "content", "instruction"+"input"+"output" and "messages[].content" that
// it has, and fails with ErrNoTextField, naming the record's fields, when
// it has none. JSON values are decoded as encoding/json decodes them
// (escapes, surrogate pairs; a lone surrogate becomes U+FFFD); a repeated
// key takes its last value. The id is the value at Options.IDField
// (default "id"): a string, decoded, or a number, as written.
//
// # Diagnostics
//
// Bad input is never fatal: each bad record (malformed-json, not-object,
// invalid-utf8, too-large, missing-field) and each bad file (empty-file,
// binary-file, truncated, corrupt) is a Diagnostic in the Batch, and
// reading goes on. Every record read is either good or has exactly one
// Diagnostic with Line > 0 (Batch.Records). Only an unreadable input is an
// error (Source.Err, or Open's error).
package corpus
