package corpus

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"github.com/leakhound/leakhound/internal/decompress"
)

// Format is a corpus file format.
type Format int

// The formats that Open recognises. Unknown is the format of a file that
// holds no records (empty, binary or unreadable as a stream).
const (
	Unknown   Format = iota
	JSONL            // one JSON object per line
	JSONArray        // a JSON array of objects (Alpaca style)
	Parquet          // Apache Parquet, string columns
	Text             // plain UTF-8 text
)

// String returns the format's name: "jsonl", "json-array", "parquet", "text" or "unknown".
func (f Format) String() string {
	switch f {
	case JSONL:
		return "jsonl"
	case JSONArray:
		return "json-array"
	case Parquet:
		return "parquet"
	case Text:
		return "text"
	}
	return "unknown"
}

const (
	minRead   = 64 << 10 // smallest Read request; most are ~BatchBytes (1 MiB)
	peekBytes = 64 << 10 // raw read-ahead that compression sniffing peeks into
)

// Source reads the records of one input. NextBatch runs in one goroutine;
// BytesRead may be called from any goroutine.
type Source struct {
	in     Input
	opts   Options
	info   *fileInfo
	closer io.Closer // the opened file
	raw    *countingReader
	method decompress.Method
	dec    io.ReadCloser // the decompressor
	total  int64         // uncompressed bytes read from dec

	buf  []byte // read but not yet batched; s.buf[s.pos:] is pending
	pos  int
	line int64 // line (or element) number of the next record
	off  int64 // uncompressed offset of s.buf[s.pos]
	eof  bool

	zeroReads int // successive empty reads, to stop a stuck reader

	streamDiag *Diagnostic // a truncated or corrupt stream, reported when the data runs out
	held       *Batch      // the first batch, read by Open to pick the fields
	done       bool
	err        error

	next  func(b *Batch) bool
	arr   arrayState
	pq    *parquetSource
	spool string // temporary file holding a Parquet stream
}

// countingReader counts the compressed bytes read and remembers the first
// read error that is not io.EOF (an I/O error, which is fatal).
type countingReader struct {
	r   io.Reader
	n   atomic.Int64
	err error
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	if err != nil && err != io.EOF && c.err == nil {
		c.err = err
	}
	return n, err
}

// Open opens in, sniffs its compression (gzip, zstd, bzip2, xz: by magic
// bytes, never by name) and its format (see the package documentation),
// and resolves automatic field selection on the first record.
//
// Open returns an error only when the input cannot be read, when opts are
// invalid, or when automatic field selection finds no text field in the
// first record (ErrNoTextField). Bad content (an empty, binary or
// truncated file) is reported as a Diagnostic by the first batch.
func Open(in Input, opts Options) (*Source, error) {
	opts = opts.withDefaults()
	sel, err := newSelector(opts)
	if err != nil {
		return nil, err
	}
	s := &Source{in: in, opts: opts, line: 1}
	s.info = &fileInfo{name: in.Name, sel: sel, maxRec: opts.MaxRecordBytes}
	if err := s.open(); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.start(); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// open opens the input and the decompressor.
func (s *Source) open() error {
	r := s.in.r
	if r == nil {
		f, err := os.Open(s.in.Name)
		if err != nil {
			return err
		}
		s.closer, r = f, f
	}
	s.raw = &countingReader{r: r}
	br := bufio.NewReaderSize(s.raw, peekBytes)
	head, _ := br.Peek(decompress.HeadLen)
	if s.raw.err != nil {
		return fmt.Errorf("%s: %w", s.in.Name, s.raw.err)
	}
	s.method = decompress.Sniff(head)
	dec, err := decompress.NewReader(s.method, br)
	if err != nil {
		if s.raw.err != nil {
			return fmt.Errorf("%s: %w", s.in.Name, s.raw.err)
		}
		s.streamError(err)
		s.dec = io.NopCloser(bytes.NewReader(nil))
		return nil
	}
	s.dec = dec
	return nil
}

// start reads the first block, sniffs the format and reads the first batch.
func (s *Source) start() error {
	s.buf = s.fill(nil, s.opts.BatchBytes)
	if s.err != nil {
		return s.err
	}
	s.info.format = s.sniff()
	switch s.info.format {
	case JSONL:
		s.next = s.nextJSONL
	case JSONArray:
		s.next = s.nextArray
	case Text:
		s.next = s.nextText
		s.info.sel = nil
	case Parquet:
		return s.openParquet()
	default:
		s.next = s.nextNone
		return nil
	}
	s.held = new(Batch)
	if !s.next(s.held) {
		s.held = nil
	}
	if s.err != nil {
		return s.err
	}
	if s.info.sel != nil && s.held != nil && s.opts.Fields == nil {
		return s.resolve(s.held)
	}
	return nil
}

// sniff decides the format from the first block s.buf; for a file with no
// records it queues the file-level Diagnostic and returns Unknown.
func (s *Source) sniff() Format {
	head := s.buf
	if bytes.HasPrefix(head, []byte("PAR1")) {
		return Parquet
	}
	trimmed := bytes.TrimPrefix(head, bom)
	i := skipWS(trimmed, 0)
	if i == len(trimmed) && s.eof {
		if s.streamDiag == nil {
			s.fileDiag(KindEmptyFile, -1, emptyMsg(len(head), s.method))
		}
		return Unknown
	}
	if !textName(s.in.Name) && i < len(trimmed) {
		if f := sniffJSON(trimmed[i:], s.in.Name); f != Unknown {
			return f
		}
	}
	if bad := binaryAt(head, s.eof); bad >= 0 {
		s.fileDiag(KindBinaryFile, -1, fmt.Sprintf("binary file (%s at byte %d): not JSON, Parquet or UTF-8 text", describeByte(head, bad), bad))
		return Unknown
	}
	return Text
}

func emptyMsg(n int, m decompress.Method) string {
	what := "empty file"
	if n > 0 {
		what = "file holds only whitespace"
	}
	if m != decompress.None {
		what += " (after " + m.String() + " decompression)"
	}
	return what
}

// sniffJSON tells JSONL from a JSON array from neither, from the first
// block (starting at its first non-space byte) and the input's name. One
// byte is not enough: a JSONL file may open with a bad line, or with a line
// that is a JSON array, and neither may hide the rest of the file.
//
//   - A .jsonl, .ndjson or .jsonlines name is JSONL: bad lines become
//     diagnostics.
//   - '[' followed by '{' (after spaces) is a JSON array of objects, unless
//     that first line closes before its newline and more lines follow:
//     then it is JSONL.
//   - Otherwise, when at least half (and at least two) of the first 8
//     non-blank lines start with '{', it is JSONL even if the first line
//     is not.
func sniffJSON(head []byte, name string) Format {
	if hasExt(name, ".jsonl", ".ndjson", ".jsonlines") {
		return JSONL
	}
	lines, objects := 0, 0
	rest := head
	for lines < 8 && len(rest) > 0 {
		line := rest
		if nl := bytes.IndexByte(rest, '\n'); nl >= 0 {
			line, rest = rest[:nl], rest[nl+1:]
		} else {
			rest = nil
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		lines++
		if line[0] == '{' {
			objects++
		}
	}
	switch {
	case head[0] == '{':
		return JSONL
	case head[0] == '[':
		if j := skipWS(head, 1); j < len(head) && head[j] == '{' {
			return JSONArray
		}
		if lines > 1 { // a first line like [1, 2] with lines after it
			return JSONL
		}
		return JSONArray
	case objects >= 2 && 2*objects >= lines:
		return JSONL
	}
	return Unknown
}

// textName reports whether name (less a compression suffix) has a plain
// text extension, which overrides content sniffing of '{' and '['.
func textName(name string) bool {
	return hasExt(name, ".txt", ".md", ".text")
}

// hasExt reports whether name, less a compression suffix, ends in one of
// exts (lower case).
func hasExt(name string, exts ...string) bool {
	name = strings.ToLower(name)
	for _, ext := range []string{".gz", ".zst", ".zstd", ".bz2", ".xz"} {
		name = strings.TrimSuffix(name, ext)
	}
	for _, ext := range exts {
		if strings.HasSuffix(name, ext) {
			return true
		}
	}
	return false
}

// binaryAt returns the index of the first byte of head that marks a
// binary file: a NUL byte or invalid UTF-8, or -1. A rune cut by the end
// of a block that is not the end of the file is not counted.
func binaryAt(head []byte, eof bool) int {
	if i := bytes.IndexByte(head, 0); i >= 0 {
		return i
	}
	for i := 0; i < len(head); {
		if head[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRune(head[i:])
		if r == utf8.RuneError && n == 1 {
			if !eof && !utf8.FullRune(head[i:]) {
				return -1
			}
			return i
		}
		i += n
	}
	return -1
}

func describeByte(b []byte, i int) string {
	if b[i] == 0 {
		return "NUL byte"
	}
	return fmt.Sprintf("invalid UTF-8 byte 0x%02x", b[i])
}

// offReached in a queued Diagnostic stands for the uncompressed offset
// reached when it is reported.
const offReached = -2

// fileDiag queues a file-level Diagnostic for the next batch.
func (s *Source) fileDiag(kind string, off int64, msg string) {
	s.streamDiag = &Diagnostic{Kind: kind, Offset: off, Msg: msg}
}

// resolve narrows automatic field selection to the group that the first
// valid record of b uses, or fails naming that record's fields.
func (s *Source) resolve(b *Batch) error {
	x := NewExtractor(s.opts)
	sel := s.info.sel
	var err error
	b.eachRaw(func(rec []byte, line int64) bool {
		switch x.extract(rec, sel) {
		case KindMalformedJSON, KindNotObject:
			return true // look further
		case KindMissingField:
			keys := topKeys(rec)
			for i, k := range keys {
				keys[i] = strconv.Quote(k)
			}
			list := strings.Join(keys, ", ")
			if list == "" {
				list = "none"
			}
			err = fmt.Errorf("%s:%d: %w; the first record has the fields %s", s.in.Name, line, ErrNoTextField, list)
			return false
		}
		s.info.sel = sel.only(x.group)
		return false
	})
	return err
}

// eachRaw calls fn with the raw JSON records of a JSONL or JSON array
// batch, in order, until fn returns false.
func (b *Batch) eachRaw(fn func(rec []byte, line int64) bool) {
	if b.info.format == JSONArray {
		for _, r := range b.recs {
			if !fn(b.buf[r.start:r.end], r.line) {
				return
			}
		}
		return
	}
	s, line := b.buf, b.line0
	for len(s) > 0 {
		l := s
		if nl := bytes.IndexByte(s, '\n'); nl >= 0 {
			l, s = s[:nl], s[nl+1:]
		} else {
			s = nil
		}
		if line == 1 {
			l = bytes.TrimPrefix(l, bom)
		}
		if skipWS(l, 0) < len(l) && len(l) <= b.info.maxRec && !fn(l, line) {
			return
		}
		line++
	}
}

// Format returns the format sniffed by Open.
func (s *Source) Format() Format { return s.info.format }

// Compression returns the name of the compression sniffed by Open:
// "none", "gzip", "zstd", "bzip2" or "xz".
func (s *Source) Compression() string { return s.method.String() }

// NextBatch fills b, reusing its memory, with the next run of consecutive
// records of the input. It returns false at the end of the input or on a
// fatal error (see Err).
func (s *Source) NextBatch(b *Batch) bool {
	if s.held != nil {
		*b, *s.held = *s.held, *b
		s.held = nil
		return true
	}
	if s.done || s.err != nil {
		return false
	}
	if s.next(b) {
		return true
	}
	s.done = true
	return false
}

// BytesDecompressed returns the uncompressed bytes of the input consumed
// so far: the decompressed stream for JSONL, JSON arrays and text, and the
// file itself for Parquet, whose pages carry their own compression. Call it
// from the reading goroutine, before Close.
func (s *Source) BytesDecompressed() int64 {
	if s.pq != nil && s.pq.file != nil {
		return s.pq.file.Size()
	}
	return s.total
}

// Err returns the fatal error that ended reading (an unreadable file, an
// I/O error), or nil. Bad records and bad files are Diagnostics, not
// errors.
func (s *Source) Err() error { return s.err }

// BytesRead returns the compressed (on-disk) bytes consumed so far. It is
// safe to call from another goroutine.
func (s *Source) BytesRead() int64 {
	if s.raw == nil {
		return 0
	}
	return s.raw.n.Load()
}

// Close releases the input. It does not close standard input or a reader
// given to FromReader.
func (s *Source) Close() error {
	var errs []error
	if s.dec != nil {
		errs = append(errs, s.dec.Close())
	}
	if s.closer != nil {
		errs = append(errs, s.closer.Close())
	}
	if s.pq != nil {
		errs = append(errs, s.pq.close())
	}
	if s.spool != "" {
		errs = append(errs, os.Remove(s.spool))
	}
	s.dec, s.closer, s.pq, s.spool = nil, nil, nil, ""
	return errors.Join(errs...)
}

// fill reads from the decompressed stream into buf until it holds want
// bytes or the stream ends, and returns buf.
func (s *Source) fill(buf []byte, want int) []byte {
	for len(buf) < want && !s.eof {
		n := max(want-len(buf), minRead)
		buf = slices.Grow(buf, n)
		k := s.read(buf[len(buf) : len(buf)+n])
		buf = buf[:len(buf)+k]
	}
	return buf
}

// read makes one Read of the decompressed stream into p; at its end it
// sets s.eof.
func (s *Source) read(p []byte) int {
	k, err := s.dec.Read(p)
	s.total += int64(k)
	switch {
	case err != nil:
		s.streamError(err)
	case k == 0:
		if s.zeroReads++; s.zeroReads > 100 {
			s.streamError(io.ErrNoProgress)
		}
	default:
		s.zeroReads = 0
	}
	return k
}

// streamError ends the stream after err: io.EOF is the normal end; a read
// error of the file is fatal; a decompression error is a Diagnostic.
func (s *Source) streamError(err error) {
	s.eof = true
	switch {
	case err == io.EOF:
	case s.raw.err != nil:
		s.err = fmt.Errorf("%s: %w", s.in.Name, s.raw.err)
	case s.method == decompress.None:
		s.err = fmt.Errorf("%s: %w", s.in.Name, err)
	case decompress.IsTruncated(err):
		s.fileDiag(KindTruncated, offReached, fmt.Sprintf("%s stream truncated", s.method))
	default:
		s.fileDiag(KindCorrupt, offReached, fmt.Sprintf("corrupt %s stream: %v", s.method, err))
	}
}

// takeStreamDiag adds the pending stream Diagnostic to b, at the offset
// reached, for the partial record cut at line (0 when none).
func (s *Source) takeStreamDiag(b *Batch, line int64) {
	d := s.streamDiag
	if d == nil {
		return
	}
	s.streamDiag = nil
	d.File = s.in.Name
	if d.Offset == offReached {
		d.Offset = s.total
		d.Msg += fmt.Sprintf(" at uncompressed byte %d", s.total)
		if line > 0 {
			d.Msg += "; the partial record there is skipped"
		}
		d.Line = line
	}
	b.addTail(*d)
}

// nextNone emits the file-level Diagnostic of a file without records.
func (s *Source) nextNone(b *Batch) bool {
	b.reset(s.info)
	s.takeStreamDiag(b, 0)
	return len(b.tail) > 0
}

// nextJSONL fills b with whole lines.
func (s *Source) nextJSONL(b *Batch) bool {
	b.reset(s.info)
	b.buf = append(b.buf, s.buf[s.pos:]...)
	s.buf, s.pos = s.buf[:0], 0
	b.line0, b.off0 = s.line, s.off
	buf := s.fill(b.buf, s.opts.BatchBytes)
	for !s.eof {
		if k := bytes.LastIndexByte(buf, '\n'); k >= 0 {
			s.buf = append(s.buf, buf[k+1:]...)
			buf = buf[:k+1]
			break
		}
		if len(buf) > s.opts.MaxRecordBytes {
			b.buf = buf[:0]
			s.skipLong(b, buf)
			return true
		}
		buf = s.fill(buf, min(2*len(buf), s.opts.MaxRecordBytes+1))
	}
	b.buf = buf
	if s.eof && len(s.buf) == 0 && s.streamDiag != nil {
		s.cutPartial(b)
	}
	s.line += int64(bytes.Count(b.buf, []byte{'\n'}))
	if n := len(b.buf); n > 0 && b.buf[n-1] != '\n' {
		s.line++
	}
	s.off += int64(len(b.buf))
	if s.eof && len(s.buf) == 0 {
		s.takeStreamDiag(b, 0)
	}
	return len(b.buf) > 0 || len(b.tail) > 0
}

// cutPartial removes from b the last line cut by a truncated or corrupt
// stream and reports the stream Diagnostic for it.
func (s *Source) cutPartial(b *Batch) {
	start := bytes.LastIndexByte(b.buf, '\n') + 1
	if skipWS(b.buf[start:], 0) == len(b.buf)-start {
		return
	}
	line := s.line + int64(bytes.Count(b.buf[:start], []byte{'\n'}))
	b.buf = b.buf[:start]
	s.takeStreamDiag(b, line)
}

// skipLong discards the line that starts buf, longer than
// MaxRecordBytes, reading on to its newline while reusing buf's memory,
// and reports it as too-large.
func (s *Source) skipLong(b *Batch, buf []byte) {
	n := int64(0) // bytes of the line, without its newline
	line, off := s.line, s.off
	for {
		if k := bytes.IndexByte(buf, '\n'); k >= 0 {
			n += int64(k)
			s.off++
			s.buf = append(s.buf[:0], buf[k+1:]...)
			break
		}
		n += int64(len(buf))
		if s.eof {
			break
		}
		buf = s.fill(buf[:0], cap(buf))
	}
	s.line++
	s.off += n
	b.addTail(Diagnostic{File: s.in.Name, Line: line, Offset: off, Kind: KindTooLarge,
		Msg: tooLargeMsg(int(n), s.opts.MaxRecordBytes)})
	if s.eof && len(s.buf) == 0 {
		s.takeStreamDiag(b, 0)
	}
}

func tooLargeMsg(n, limit int) string {
	return fmt.Sprintf("record of %d bytes is over the limit of %d bytes; skipped", n, limit)
}

func invalidUTF8Msg(text []byte) string {
	i := 0
	for i < len(text) {
		r, n := utf8.DecodeRune(text[i:])
		if r == utf8.RuneError && n == 1 {
			break
		}
		i += n
	}
	return fmt.Sprintf("invalid UTF-8 at byte %d of the record's text", i)
}
