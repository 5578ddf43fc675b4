package corpus

import "bytes"

// Plain text: a file is one document. A document longer than 1 MiB is
// split into records at the first blank line after each 1 MiB, so that
// memory stays bounded; a record that reaches MaxRecordBytes without a
// blank line is cut at its last line break. Record.Line is the first line
// of the record.

// nextText fills b with the next text record.
func (s *Source) nextText(b *Batch) bool {
	b.reset(s.info)
	b.buf = append(b.buf, s.buf[s.pos:]...)
	s.buf, s.pos = s.buf[:0], 0
	buf := s.fill(b.buf, textSplitBytes)
	end, next := -1, -1
	for end < 0 {
		end, next = blankLineAfter(buf, textSplitBytes)
		switch {
		case end >= 0 && end <= s.opts.MaxRecordBytes:
		case len(buf) > s.opts.MaxRecordBytes:
			end = bytes.LastIndexByte(buf[:s.opts.MaxRecordBytes], '\n') + 1
			if end == 0 {
				b.buf = buf[:0]
				s.skipLong(b, buf)
				return true
			}
			next = end
		case s.eof:
			end, next = len(buf), len(buf)
		default:
			buf = s.fill(buf, min(2*len(buf), s.opts.MaxRecordBytes+1))
		}
	}
	s.buf = append(s.buf, buf[next:]...)
	b.buf = buf[:end]
	if skipWS(b.buf, 0) < len(b.buf) {
		b.recs = append(b.recs, recSpan{start: 0, end: end, line: s.line, off: s.off})
	}
	s.line += int64(bytes.Count(buf[:next], []byte{'\n'}))
	s.off += int64(next)
	if s.eof && len(s.buf) == 0 {
		s.takeStreamDiag(b, 0)
	}
	return len(b.recs) > 0 || len(b.tail) > 0 || len(s.buf) > 0
}

// blankLineAfter finds the first blank line (only spaces, tabs or CRs)
// that starts at or after from. It returns end, the index just after the
// line break that precedes it, and next, the start of the first line
// after the run of blank lines; or -1, -1 when there is none yet (a blank
// run that reaches the end of buf is not yet known to be one).
func blankLineAfter(buf []byte, from int) (end, next int) {
	if len(buf) < from {
		return -1, -1
	}
	for i := max(from-1, 0); i < len(buf); {
		k := bytes.IndexByte(buf[i:], '\n')
		if k < 0 {
			return -1, -1
		}
		end = i + k + 1
		j := end
		for j < len(buf) && (buf[j] == ' ' || buf[j] == '\t' || buf[j] == '\r') {
			j++
		}
		if j < len(buf) && buf[j] == '\n' {
			next = lastLineStart(buf, skipWS(buf, j))
			if next < 0 {
				return -1, -1
			}
			return end, next
		}
		i = end
	}
	return -1, -1
}

// lastLineStart returns the start of the line that holds buf[j], the first
// non-blank byte after a blank run, or -1 if the run reaches the end.
func lastLineStart(buf []byte, j int) int {
	if j >= len(buf) {
		return -1
	}
	return bytes.LastIndexByte(buf[:j], '\n') + 1
}
