package corpus

import "fmt"

// A JSON array of objects (the Alpaca layout) is streamed element by
// element with the same scanner as JSONL: each element's extent is found
// and validated as it is read, so memory stays bounded by the largest
// element (at most MaxRecordBytes) whatever the file size. After a
// malformed or too-large element the array cannot be resynchronised, so
// the rest of the file is skipped with that one Diagnostic.

// arrayState is where the array reader is.
type arrayState int

const (
	arrOpen  arrayState = iota // expecting '['
	arrFirst                   // expecting the first element or ']'
	arrNext                    // expecting ',' or ']'
	arrElem                    // expecting an element (after ',')
	arrClose                   // after ']': only whitespace may follow
	arrDone
)

// nextArray fills b with whole elements.
func (s *Source) nextArray(b *Batch) bool {
	b.reset(s.info)
	var sc scanner
	for len(b.buf) < s.opts.BatchBytes && s.arr != arrDone && s.err == nil {
		s.arrayStep(b, &sc)
	}
	if s.arr == arrDone {
		s.takeStreamDiag(b, 0)
	}
	return len(b.recs) > 0 || len(b.tail) > 0
}

// arrayStep reads one token or element.
func (s *Source) arrayStep(b *Batch, sc *scanner) {
	if s.arr == arrOpen && s.off == 0 && s.pos == 0 {
		s.pos = bomLen(s.buf)
	}
	i := skipWS(s.buf, s.pos)
	if i == len(s.buf) {
		if s.more() {
			return
		}
		if s.arr != arrClose && s.streamDiag == nil {
			s.arrayFail(b, KindMalformedJSON, i, 0, "unexpected end of file inside the JSON array")
		}
		s.arr = arrDone
		s.takeStreamDiag(b, 0)
		return
	}
	c := s.buf[i]
	switch {
	case s.arr == arrOpen && c == '[':
		s.pos, s.arr = i+1, arrFirst
	case (s.arr == arrFirst || s.arr == arrNext) && c == ']':
		s.pos, s.arr = i+1, arrClose
	case s.arr == arrNext && c == ',':
		s.pos, s.arr = i+1, arrElem
	case s.arr == arrFirst || s.arr == arrElem:
		s.arrayElement(b, sc, i)
	case s.arr == arrClose:
		s.arrayFail(b, KindMalformedJSON, i, 0, fmt.Sprintf("unexpected %s after the end of the JSON array", quoteByte(c)))
	default:
		s.arrayFail(b, KindMalformedJSON, i, s.line, fmt.Sprintf("expected ',' or ']' after array element %d, found %s; the rest of the file is skipped", s.line-1, quoteByte(c)))
	}
}

// arrayElement reads the element at s.buf[i].
func (s *Source) arrayElement(b *Batch, sc *scanner, i int) {
	for {
		j := sc.skipValue(s.buf, i, 1)
		if j >= 0 {
			if j-i > s.opts.MaxRecordBytes {
				b.addTail(Diagnostic{File: s.in.Name, Line: s.line, Offset: s.off + int64(i), Kind: KindTooLarge, Msg: tooLargeMsg(j-i, s.opts.MaxRecordBytes)})
			} else {
				b.recs = append(b.recs, recSpan{start: len(b.buf), end: len(b.buf) + j - i, line: s.line, off: s.off + int64(i)})
				b.buf = append(b.buf, s.buf[i:j]...)
			}
			s.line++
			s.pos, s.arr = j, arrNext
			return
		}
		switch {
		case len(s.buf)-i > s.opts.MaxRecordBytes:
			s.arrayFail(b, KindTooLarge, i, s.line, fmt.Sprintf("array element over the limit of %d bytes; the rest of the file is skipped", s.opts.MaxRecordBytes))
			return
		case s.eof && s.streamDiag != nil:
			s.arr = arrDone
			s.takeStreamDiag(b, s.line)
			return
		case sc.err.pos+8 < len(s.buf) || s.eof:
			x := Extractor{sc: scanner{err: sc.err}}
			x.sc.err.pos -= i
			s.arrayFail(b, KindMalformedJSON, i, s.line, x.malformedMsg(s.buf[i:])+"; the rest of the file is skipped")
			return
		}
		// The element may go on past the data read so far.
		rel := i - s.pos
		s.more()
		i = s.pos + rel
	}
}

// arrayFail reports a Diagnostic at s.buf[i] for record line (0 for the
// file) and stops reading the array.
func (s *Source) arrayFail(b *Batch, kind string, i int, line int64, msg string) {
	b.addTail(Diagnostic{File: s.in.Name, Line: line, Offset: s.off + int64(i), Kind: kind, Msg: msg})
	s.arr = arrDone
}

// more reads more data into s.buf (whose first byte is at offset s.off in
// the stream), first dropping what was consumed, and
// reports whether any arrived. It doubles the pending data so that an
// element of n bytes is scanned O(log n) times at most.
func (s *Source) more() bool {
	if s.eof {
		return false
	}
	if s.pos > 0 {
		n := copy(s.buf, s.buf[s.pos:])
		s.buf = s.buf[:n]
		s.off += int64(s.pos)
		s.pos = 0
	}
	before := len(s.buf)
	s.buf = s.fill(s.buf, before+max(before, s.opts.BatchBytes))
	return len(s.buf) > before
}

func bomLen(b []byte) int {
	if len(b) >= 3 && b[0] == bom[0] && b[1] == bom[1] && b[2] == bom[2] {
		return 3
	}
	return 0
}
