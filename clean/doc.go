// Package clean writes a decontaminated copy of a corpus: every input
// file is mirrored under an output directory in the same format and
// compression, with the records that a scan flagged dropped, or with their
// matched spans replaced by a marker, and with a manifest that accounts
// for every record.
//
// Cleaning is a second streaming pass after the scan. The scan's findings
// name each flagged record by file and line (JSONL line, JSON array
// element or Parquet row number), so a Cleaner only has to remember, per
// file, the flagged lines and their spans (Cleaner.Add, called from the
// scan's Finding hook; the scan's per-record hot path is untouched). Run
// then reads each input again in lockstep with package corpus: the bytes
// between the good records corpus reports (separators, blank lines and
// bad records) are copied through unchanged, kept records are copied
// byte for byte, flagged ones are dropped or redacted. A file with no
// flagged record is copied verbatim.
//
// Every output is written to a temporary file and renamed into place, and
// then verified: it is read back with package corpus and its record count
// must equal the records kept, and kept + dropped must equal read. A
// per-file state record makes a killed run resumable: files whose state
// and output hash match are not written again, so a resumed run produces
// byte-identical outputs and manifest. See doc/cleaning.md.
package clean
