package corpus

import (
	"bytes"
)

// Record is one training record. Text, ID and Raw point into memory that
// the next record reuses: copy them to keep them.
type Record struct {
	File   string
	Line   int64  // 1-based line (JSONL, text), or 1-based record number (JSON array element, Parquet row)
	Offset int64  // byte offset of the record in the uncompressed stream; -1 for Parquet
	ID     []byte // the id field's value (a string unescaped, a number as written); nil when absent
	Text   []byte // the selected fields, JSON-decoded and joined with "\n"
	Raw    []byte // the record's bytes as in the file (a JSONL line without "\n"); nil for Parquet
}

// fileInfo is what the batches of one file share, read-only.
type fileInfo struct {
	name   string
	format Format
	sel    *selector // nil for Text
	maxRec int
}

// recSpan is one record of a non-JSONL batch: buf[start:end] is the raw
// element (JSON array) or the text (Text, Parquet).
type recSpan struct {
	start, end     int
	idStart, idEnd int // Parquet: the id in buf
	line, off      int64
	kind, msg      string // Parquet: a Diagnostic found while reading
}

// Batch is a run of consecutive records of one file. Source.NextBatch
// fills it in the reading goroutine; Each does the per-record work (JSON
// field extraction, unescaping, UTF-8 validation), and scan workers call
// it concurrently on different batches. Call Each once per batch, then
// Diagnostics and Records; reuse the Batch with the next NextBatch.
//
// A batch may hold no records and only a file-level Diagnostic (an empty
// or binary file, a truncated stream).
type Batch struct {
	info   *fileInfo
	buf    []byte
	line0  int64 // JSONL: line number of buf[0]
	off0   int64 // JSONL: offset of buf[0]
	recs   []recSpan
	tail   []Diagnostic // found while reading; they follow the records of buf
	tailN  int64        // how many of tail are records (Line > 0)
	diags  []Diagnostic
	read   int64
	good   int64
	parsed bool
}

// reset empties b for a new fill.
func (b *Batch) reset(info *fileInfo) {
	b.info = info
	b.buf = b.buf[:0]
	b.recs = b.recs[:0]
	b.tail = b.tail[:0]
	b.tailN = 0
	b.diags = b.diags[:0]
	b.read, b.good = 0, 0
	b.parsed = false
}

// addTail adds a Diagnostic found while reading.
func (b *Batch) addTail(d Diagnostic) {
	b.tail = append(b.tail, d)
	if d.Line > 0 {
		b.tailN++
	}
}

// Bytes returns the raw (uncompressed) bytes that b holds, for progress
// and throughput accounting.
func (b *Batch) Bytes() int { return len(b.buf) }

// Each calls fn for every good record of b in order, and turns every bad
// record into a Diagnostic. It stops at the first error from fn and
// returns it. The Record passed to fn is reused for the next record.
func (b *Batch) Each(x *Extractor, fn func(r *Record) error) error {
	b.diags = b.diags[:0]
	b.read, b.good = 0, 0
	b.parsed = true
	var err error
	if b.info != nil {
		switch b.info.format {
		case JSONL:
			err = b.eachLine(x, fn)
		case JSONArray:
			err = b.eachElement(x, fn)
		default:
			err = b.eachText(x, fn)
		}
	}
	b.diags = append(b.diags, b.tail...)
	b.read += b.tailN
	return err
}

// Diagnostics returns the bad records of b in order, then the file-level
// Diagnostics found while reading it. It is valid after Each.
func (b *Batch) Diagnostics() []Diagnostic { return b.diags }

// Records returns how many records Each read and how many were good.
// Every record read is either good or has exactly one Diagnostic with
// Line > 0: read-good equals that number.
func (b *Batch) Records() (read, good int64) { return b.read, b.good }

// bom is the UTF-8 byte order mark that some writers put first.
var bom = []byte{0xef, 0xbb, 0xbf}

// eachLine runs through the JSONL lines of b.buf.
func (b *Batch) eachLine(x *Extractor, fn func(r *Record) error) error {
	s := b.buf
	line := b.line0
	for pos := 0; pos < len(s); line++ {
		end, next := len(s), len(s)
		if nl := bytes.IndexByte(s[pos:], '\n'); nl >= 0 {
			end, next = pos+nl, pos+nl+1
		}
		raw := s[pos:end]
		off := b.off0 + int64(pos)
		pos = next
		rec := raw
		if line == 1 && off == 0 {
			rec = bytes.TrimPrefix(rec, bom)
		}
		if skipWS(rec, 0) == len(rec) {
			continue // a blank line is no record
		}
		b.read++
		if len(raw) > b.info.maxRec {
			b.diag(line, off, KindTooLarge, tooLargeMsg(len(raw), b.info.maxRec))
			continue
		}
		if err := b.emitJSON(x, rec, raw, line, off, fn); err != nil {
			return err
		}
	}
	return nil
}

// eachElement runs through the JSON array elements of b.
func (b *Batch) eachElement(x *Extractor, fn func(r *Record) error) error {
	for _, r := range b.recs {
		b.read++
		raw := b.buf[r.start:r.end]
		if err := b.emitJSON(x, raw, raw, r.line, r.off, fn); err != nil {
			return err
		}
	}
	return nil
}

// emitJSON extracts the JSON record rec and passes it to fn, or records
// its Diagnostic.
func (b *Batch) emitJSON(x *Extractor, rec, raw []byte, line, off int64, fn func(r *Record) error) error {
	if kind := x.extract(rec, b.info.sel); kind != "" {
		b.diag(line, off, kind, x.msg(kind, rec, b.info.sel))
		return nil
	}
	b.good++
	r := &x.rec
	r.File, r.Line, r.Offset, r.Raw = b.info.name, line, off, raw
	return fn(r)
}

// eachText runs through the text records of b (plain text and Parquet).
func (b *Batch) eachText(x *Extractor, fn func(r *Record) error) error {
	for _, rs := range b.recs {
		b.read++
		if rs.kind != "" {
			b.diag(rs.line, rs.off, rs.kind, rs.msg)
			continue
		}
		text := b.buf[rs.start:rs.end]
		if !validUTF8(text) {
			b.diag(rs.line, rs.off, KindInvalidUTF8, invalidUTF8Msg(text))
			continue
		}
		b.good++
		r := &x.rec
		r.File, r.Line, r.Offset, r.Text = b.info.name, rs.line, rs.off, text
		r.Raw, r.ID = text, nil
		if b.info.format == Parquet {
			r.Raw = nil
			if rs.idEnd > rs.idStart {
				r.ID = b.buf[rs.idStart:rs.idEnd]
			}
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

func (b *Batch) diag(line, off int64, kind, msg string) {
	b.diags = append(b.diags, Diagnostic{File: b.info.name, Line: line, Offset: off, Kind: kind, Msg: msg})
}
