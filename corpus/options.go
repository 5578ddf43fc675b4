package corpus

import (
	"fmt"
	"strconv"
)

// Default sizes.
const (
	DefaultMaxRecordBytes = 64 << 20 // 64 MiB: records above are skipped as too-large
	DefaultBatchBytes     = 1 << 20  // 1 MiB of raw bytes per Batch
	textSplitBytes        = 1 << 20  // a plain-text record is split at a blank line once past 1 MiB
)

// Options configure reading. The zero value reads with automatic field
// selection and the default sizes.
type Options struct {
	// Fields are the paths of the text fields, joined with "\n" in
	// this order: dotted ("meta.text") and with "[]" after a name for
	// every element of an array ("messages[].content"). Nil selects
	// automatically: "text", else "content", else "instruction" +
	// "input" + "output", else "messages[].content".
	Fields []string
	// IDField is the path of the record id; "" means "id" when present.
	IDField string
	// MaxRecordBytes is the largest record read; larger ones are
	// skipped with a too-large Diagnostic. 0 means DefaultMaxRecordBytes.
	MaxRecordBytes int
	// BatchBytes is the target of raw bytes per Batch. 0 means
	// DefaultBatchBytes.
	BatchBytes int
}

func (o Options) withDefaults() Options {
	if o.MaxRecordBytes <= 0 {
		o.MaxRecordBytes = DefaultMaxRecordBytes
	}
	if o.BatchBytes <= 0 {
		o.BatchBytes = DefaultBatchBytes
	}
	if o.IDField == "" {
		o.IDField = "id"
	}
	return o
}

// Diagnostic kinds: stable short codes that reports count by.
const (
	KindMalformedJSON = "malformed-json" // a record is not valid JSON
	KindNotObject     = "not-object"     // a record is valid JSON but not an object
	KindInvalidUTF8   = "invalid-utf8"   // the selected text is not valid UTF-8
	KindTooLarge      = "too-large"      // a record is over MaxRecordBytes
	KindMissingField  = "missing-field"  // no selected field holds a string
	KindTruncated     = "truncated"      // a compressed stream ends early
	KindCorrupt       = "corrupt"        // a compressed stream or Parquet file is damaged
	KindEmptyFile     = "empty-file"     // a file holds nothing but whitespace
	KindBinaryFile    = "binary-file"    // a file is neither text nor a known format
)

// Diagnostic is one bad record or bad file: reported, counted, skipped.
//
// A Diagnostic with Line > 0 stands for one record that was read and
// skipped; one with Line == 0 is about the file (empty-file, binary-file,
// or a truncated or corrupt stream that cut no record).
type Diagnostic struct {
	File   string
	Line   int64  // 1-based line, or record number; 0 when not applicable
	Offset int64  // byte offset in the uncompressed stream; -1 when unknown
	Kind   string // one of the Kind constants
	Msg    string // human message, e.g. `expected ':' after object key "text" (byte 12)`
}

// String formats d as "file:line: msg", or "file@offset: msg" when
// there is no line, or "file: msg" when there is neither.
func (d Diagnostic) String() string {
	switch {
	case d.Line > 0:
		return fmt.Sprintf("%s:%d: %s", d.File, d.Line, d.Msg)
	case d.Offset >= 0:
		return d.File + "@" + strconv.FormatInt(d.Offset, 10) + ": " + d.Msg
	}
	return d.File + ": " + d.Msg
}
