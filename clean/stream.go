package clean

import (
	"bufio"
	"bytes"
	"fmt"
	"io"

	"github.com/leakhound/leakhound/corpus"
)

// streamer copies a JSONL, JSON array or text stream from raw (the
// decompressed input) to out, in lockstep with the good records that
// package corpus reads from the same input. The bytes between records
// (line breaks, array separators, blank lines, bad records) are copied
// unchanged, except the separator that a dropped record leaves behind.
type streamer struct {
	raw    *bufio.Reader
	out    io.Writer
	format corpus.Format
	pos    int64 // uncompressed offset of the next byte of raw
	buf    []byte

	// JSONL: the '\n' that ends a dropped line is skipped.
	dropNL bool
	// JSON array: the separator bytes before the pending element, and
	// whether an element (or other content) has been written after '['.
	gap         []byte
	emitted     bool
	dropNextSep bool
}

// gapTo copies raw up to the uncompressed offset off.
func (st *streamer) gapTo(off int64) error {
	n := off - st.pos
	if n < 0 {
		return fmt.Errorf("record at offset %d is before offset %d already copied", off, st.pos)
	}
	if st.format == corpus.JSONArray {
		st.gap = st.gap[:0]
		return st.read(&st.gap, n)
	}
	if n > 0 && st.dropNL {
		if b, err := st.raw.Peek(1); err == nil && b[0] == '\n' {
			st.raw.Discard(1)
			st.pos++
			n--
		}
	}
	st.dropNL = false
	m, err := io.CopyN(st.out, st.raw, n)
	st.pos += m
	if err != nil {
		return fmt.Errorf("copying bytes %d to %d: %w", st.pos, off, err)
	}
	return nil
}

// read appends the next n bytes of raw to *dst.
func (st *streamer) read(dst *[]byte, n int64) error {
	b := *dst
	start := len(b)
	b = append(b, make([]byte, n)...)
	k, err := io.ReadFull(st.raw, b[start:])
	st.pos += int64(k)
	*dst = b[:start+k]
	if err != nil {
		return fmt.Errorf("reading bytes %d to %d: %w", st.pos-int64(k), st.pos-int64(k)+n, err)
	}
	return nil
}

// take reads the raw bytes of the record at the current offset and checks
// that they are the bytes corpus read.
func (st *streamer) take(want []byte) ([]byte, error) {
	st.buf = st.buf[:0]
	if err := st.read(&st.buf, int64(len(want))); err != nil {
		return nil, err
	}
	if !bytes.Equal(st.buf, want) {
		return nil, fmt.Errorf("out of step with the reader at offset %d", st.pos-int64(len(want)))
	}
	return st.buf, nil
}

// emit writes a record's body (keep or redact) or drops it (body nil).
func (st *streamer) emit(body []byte, drop bool) error {
	if st.format == corpus.JSONArray {
		return st.emitElement(body, drop)
	}
	if drop {
		st.dropNL = st.format == corpus.JSONL
		return nil
	}
	_, err := st.out.Write(body)
	return err
}

// emitElement writes the pending separator and a JSON array element, or
// drops the element with one separator so that the array stays valid.
func (st *streamer) emitElement(body []byte, drop bool) error {
	g := st.gap
	if st.dropNextSep {
		g = trimFirstSep(g)
		st.dropNextSep = false
	}
	switch {
	case !drop:
		st.emitted = true
		if _, err := st.out.Write(g); err != nil {
			return err
		}
		_, err := st.out.Write(body)
		return err
	case st.emitted || contentAfterOpen(g):
		// An element precedes: the separator before this one goes.
		st.emitted = true
		if i := bytes.LastIndexByte(g, ','); i >= 0 {
			g = g[:i]
		}
	default:
		// The first element goes: the separator after it goes too.
		st.dropNextSep = true
	}
	_, err := st.out.Write(g)
	return err
}

// trimFirstSep removes g's first ',' and the white space around it.
func trimFirstSep(g []byte) []byte {
	i := bytes.IndexByte(g, ',')
	if i < 0 {
		return g
	}
	return bytes.TrimLeft(g[i+1:], " \t\r\n")
}

// contentAfterOpen reports whether g holds anything but white space, a
// byte order mark and the array's '['.
func contentAfterOpen(g []byte) bool {
	g = bytes.TrimLeft(bytes.TrimPrefix(g, []byte{0xef, 0xbb, 0xbf}), " \t\r\n")
	g = bytes.TrimPrefix(g, []byte{'['})
	return len(bytes.TrimLeft(g, " \t\r\n")) > 0
}

// finish copies the rest of raw. A decompression error there was already
// reported by the scan as a truncated or corrupt stream: what could be
// read is copied and the error is not fatal.
func (st *streamer) finish() error {
	if st.format == corpus.JSONArray {
		st.gap = st.gap[:0]
		rest, _ := io.ReadAll(st.raw)
		st.gap = append(st.gap, rest...)
		if st.dropNextSep {
			st.gap = trimFirstSep(st.gap)
		}
		_, err := st.out.Write(st.gap)
		return err
	}
	if st.dropNL {
		if b, err := st.raw.Peek(1); err == nil && b[0] == '\n' {
			st.raw.Discard(1)
		}
	}
	_, err := io.Copy(st.out, st.raw)
	if _, ok := err.(writeError); ok {
		return err
	}
	return nil
}

// writeError marks an error of the output, which is always fatal.
type writeError struct{ error }

// outWriter wraps the output so that its errors can be told from those of
// the input.
type outWriter struct{ w io.Writer }

func (o outWriter) Write(p []byte) (int, error) {
	n, err := o.w.Write(p)
	if err != nil {
		err = writeError{err}
	}
	return n, err
}
