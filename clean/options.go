package clean

import (
	"fmt"

	"github.com/leakhound/leakhound/corpus"
)

// Policy says what happens to a flagged record.
type Policy string

// The cleaning policies.
const (
	// Drop removes the record.
	Drop Policy = "drop"
	// Redact replaces the matched spans of the record's text with the
	// marker and keeps the rest of the record.
	Redact Policy = "redact"
)

// ParsePolicy parses "drop" or "redact".
func ParsePolicy(s string) (Policy, error) {
	switch p := Policy(s); p {
	case Drop, Redact:
		return p, nil
	}
	return "", fmt.Errorf("cleaning policy %q: want drop or redact", s)
}

// DefaultMarker replaces redacted spans.
const DefaultMarker = "[REDACTED]"

// Options configure a Cleaner.
type Options struct {
	// OutDir is the directory that receives the cleaned copy. It must not
	// lie inside an input's directory, and if it exists it must be empty
	// or hold an earlier run's output (which is resumed).
	OutDir string
	// Policy is Drop or Redact.
	Policy Policy
	// Marker replaces each redacted span; "" means DefaultMarker.
	Marker string
	// Benchmarks restricts cleaning to findings of these benchmarks; nil
	// means every finding.
	Benchmarks []string
	// Corpus are the reading options of the scan (fields, id field,
	// record size limit). The second pass must read the files the same
	// way for the line numbers and spans of the findings to apply.
	Corpus corpus.Options
	// Workers is the number of files cleaned at once; 0 means
	// runtime.GOMAXPROCS(0).
	Workers int
	// Params are recorded in the manifest and must match for a run to
	// resume (e.g. the detection methods).
	Params map[string]string
	// AfterFile, when set, is called once per input after its output and
	// state are on disk (or found complete from an earlier run). Calls are
	// serialized.
	AfterFile func(FileResult)
}

func (o Options) marker() string {
	if o.Marker == "" {
		return DefaultMarker
	}
	return o.Marker
}
