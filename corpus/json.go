package corpus

import (
	"bytes"
	"encoding/binary"
	"unicode/utf16"
	"unicode/utf8"
)

// This file is the JSON scanner behind the JSONL hot path. It validates a
// whole record against the JSON grammar (RFC 8259, as encoding/json accepts
// it) without building values: strings are found with bytes.IndexByte
// (SIMD, ~29 GB/s in shared/reference/performance.md §4) and checked for
// control characters eight bytes at a time, so a 2.7 KB text field costs
// about as much as a memory copy, against 266 MB/s for encoding/json.
// Values are unescaped only when they hold a backslash and only when
// selected.

// maxDepth is the deepest nesting of objects and arrays accepted, the
// same limit as encoding/json (maxNestingDepth in its scanner), so that
// both accept and reject the same records.
const maxDepth = 10000

// String flags returned by scanString.
const (
	strEscaped  = 1 << iota // the string holds at least one backslash escape
	strNonASCII             // the string holds a byte >= 0x80
)

// jsonError describes why a record failed to scan. what is a constant
// string, so that failing costs no allocation until the Diagnostic's
// message is built.
type jsonError struct {
	pos  int    // byte offset in the record
	what string // e.g. "expected ':' after object key"
}

// scanner validates JSON records. It keeps the last error and a container
// stack that is reused from record to record.
type scanner struct {
	err   jsonError
	stack []byte // closing bytes of the open containers in skipValue
	key   [2]int // the top-level key being read, for error messages; key[1] == 0 when none
}

// fail records an error at pos and returns -1, the failure index.
func (sc *scanner) fail(pos int, what string) int {
	sc.err = jsonError{pos: pos, what: what}
	return -1
}

// skipWS returns the index of the first byte at or after i that is not
// JSON whitespace.
func skipWS(s []byte, i int) int {
	for i < len(s) {
		switch s[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// SWAR constants: a byte below 0x20 in x makes (x - lo20) &^ x have its
// high bit set (exact for existence when the bound is <= 0x80; see "Bit
// Twiddling Hacks", hasless).
const (
	lo20 = 0x2020202020202020
	hi80 = 0x8080808080808080
)

// plainFlags checks b, a run of string bytes without quote or backslash,
// for control characters (forbidden in JSON strings) and non-ASCII bytes
// (which call for UTF-8 validation later). It returns the index of the
// first control character, or -1, and strNonASCII when a byte >= 0x80 is
// present. It reads eight bytes per step without branches: 0.1 ns/byte
// against 0.5 for a byte loop.
func plainFlags(b []byte) (ctl int, flags uint8) {
	var lowAcc, highAcc uint64
	i := 0
	for ; i+16 <= len(b); i += 16 {
		x := binary.LittleEndian.Uint64(b[i:])
		y := binary.LittleEndian.Uint64(b[i+8:])
		lowAcc |= (x - lo20) &^ x
		lowAcc |= (y - lo20) &^ y
		highAcc |= x | y
	}
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		lowAcc |= (x - lo20) &^ x
		highAcc |= x
	}
	var tail uint8
	for _, c := range b[i:] {
		tail |= c
		if c < 0x20 {
			lowAcc |= hi80
		}
	}
	if highAcc&hi80 != 0 || tail >= 0x80 {
		flags = strNonASCII
	}
	if lowAcc&hi80 == 0 {
		return -1, flags
	}
	for j, c := range b {
		if c < 0x20 {
			return j, flags
		}
	}
	return -1, flags // unreachable: the SWAR test is exact
}

// scanString validates the string whose opening quote is at i-1 and
// returns the index just after its closing quote with its flags, or -1.
func (sc *scanner) scanString(s []byte, i int) (int, uint8) {
	var flags uint8
	for {
		q := bytes.IndexByte(s[i:], '"')
		if q < 0 {
			return sc.fail(len(s), "unterminated string"), 0
		}
		q += i
		// Handle every backslash before q; an escaped quote moves q on.
		for i <= q {
			b := bytes.IndexByte(s[i:q], '\\')
			end := q
			if b >= 0 {
				end = i + b
			}
			ctl, f := plainFlags(s[i:end])
			if ctl >= 0 {
				return sc.fail(i+ctl, "control character in string"), 0
			}
			flags |= f
			if b < 0 {
				return q + 1, flags
			}
			flags |= strEscaped
			if i = sc.escape(s, end); i < 0 {
				return -1, 0
			}
		}
	}
}

// escape validates the escape sequence whose backslash is at b and returns
// the index after it, or -1.
func (sc *scanner) escape(s []byte, b int) int {
	if b+1 >= len(s) {
		return sc.fail(b, "unterminated string")
	}
	switch s[b+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return b + 2
	case 'u':
		if b+6 > len(s) || hex4(s[b+2:b+6]) < 0 {
			return sc.fail(b, `invalid \u escape in string`)
		}
		return b + 6
	}
	return sc.fail(b, "invalid escape in string")
}

// hex4 decodes four hex digits, or returns -1.
func hex4(h []byte) rune {
	if len(h) < 4 {
		return -1
	}
	var r rune
	for _, c := range h[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}

// appendUnescaped appends the decoded form of s, the validated contents of
// a JSON string, to dst. Like encoding/json it turns a \u escape of a lone
// or misordered UTF-16 surrogate into U+FFFD.
func appendUnescaped(dst, s []byte) []byte {
	for {
		b := bytes.IndexByte(s, '\\')
		if b < 0 || b+1 >= len(s) {
			return append(dst, s...)
		}
		dst = append(dst, s[:b]...)
		c := s[b+1]
		s = s[b+2:]
		switch c {
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			var r rune
			r, s = decodeU(s)
			dst = utf8.AppendRune(dst, r)
		default: // '"', '\\', '/'
			dst = append(dst, c)
		}
	}
}

// decodeU decodes the four hex digits after "\u" at the start of s, and a
// following "\uXXXX" low surrogate when the first is a high one, as
// encoding/json does.
func decodeU(s []byte) (rune, []byte) {
	r := hex4(s)
	if r < 0 {
		return utf8.RuneError, s
	}
	s = s[4:]
	if !utf16.IsSurrogate(r) {
		return r, s
	}
	r2 := rune(-1)
	if len(s) >= 6 && s[0] == '\\' && s[1] == 'u' {
		r2 = hex4(s[2:6])
	}
	if d := utf16.DecodeRune(r, r2); d != utf8.RuneError {
		return d, s[6:]
	}
	return utf8.RuneError, s
}

// scanNumber validates the number that starts at i and returns the index
// after it, or -1. The byte after it is checked by the caller.
func (sc *scanner) scanNumber(s []byte, i int) int {
	if s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && '1' <= s[i] && s[i] <= '9':
		i = digits(s, i+1)
	default:
		return sc.fail(i, "invalid number")
	}
	if i < len(s) && s[i] == '.' {
		j := digits(s, i+1)
		if j == i+1 {
			return sc.fail(j, "expected a digit after the decimal point")
		}
		i = j
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		j := digits(s, i)
		if j == i {
			return sc.fail(j, "expected a digit in the exponent")
		}
		i = j
	}
	return i
}

func digits(s []byte, i int) int {
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i++
	}
	return i
}

// scanLiteral validates true, false or null at i.
func (sc *scanner) scanLiteral(s []byte, i int) int {
	var lit string
	switch s[i] {
	case 't':
		lit = "true"
	case 'f':
		lit = "false"
	default:
		lit = "null"
	}
	if !bytes.HasPrefix(s[i:], []byte(lit)) {
		return sc.fail(i, "invalid literal (expected true, false or null)")
	}
	return i + len(lit)
}

// scanScalar validates the string, number or literal at i (not a
// container) and returns the index after it, or -1.
func (sc *scanner) scanScalar(s []byte, i int) int {
	switch c := s[i]; {
	case c == '"':
		j, _ := sc.scanString(s, i+1)
		return j
	case c == 't' || c == 'f' || c == 'n':
		return sc.scanLiteral(s, i)
	case c == '-' || ('0' <= c && c <= '9'):
		return sc.scanNumber(s, i)
	}
	return sc.fail(i, "invalid character looking for the beginning of a value")
}

// objectKey validates an object key and its colon at i and returns the
// index of the member's value (after whitespace), or -1.
func (sc *scanner) objectKey(s []byte, i int) int {
	if i >= len(s) {
		return sc.fail(i, "unexpected end of record, expected an object key")
	}
	if s[i] != '"' {
		return sc.fail(i, "expected '\"' to begin an object key")
	}
	j, _ := sc.scanString(s, i+1)
	if j < 0 {
		return -1
	}
	j = skipWS(s, j)
	if j >= len(s) || s[j] != ':' {
		return sc.fail(j, "expected ':' after object key")
	}
	return skipWS(s, j+1)
}

// skipValue validates the value at i (after whitespace), nested inside
// depth containers, and returns the index after it, or -1. It is
// iterative, so that a deeply nested record cannot grow the goroutine
// stack.
func (sc *scanner) skipValue(s []byte, i, depth int) int {
	stack := sc.stack[:0]
	defer func() { sc.stack = stack }()
	for {
		// A value begins at i.
		i = skipWS(s, i)
		if i >= len(s) {
			return sc.fail(i, "unexpected end of record, expected a value")
		}
		if c := s[i]; c == '{' || c == '[' {
			if depth+len(stack)+1 > maxDepth {
				return sc.fail(i, "nesting too deep")
			}
			close := c + 2 // '{'+2 == '}', '['+2 == ']'
			j := skipWS(s, i+1)
			if j < len(s) && s[j] == close {
				i = j + 1
			} else {
				stack = append(stack, close)
				if c == '[' {
					i = j
					continue
				}
				if i = sc.objectKey(s, j); i < 0 {
					return -1
				}
				continue
			}
		} else if i = sc.scanScalar(s, i); i < 0 {
			return -1
		}
		// A value ended at i: close containers until one wants another value.
		for {
			if len(stack) == 0 {
				return i
			}
			i = skipWS(s, i)
			close := stack[len(stack)-1]
			if i < len(s) && s[i] == ',' {
				if close == '}' {
					i = sc.objectKey(s, skipWS(s, i+1))
				} else {
					i++
				}
				break
			}
			if i >= len(s) || s[i] != close {
				if close == '}' {
					return sc.fail(i, "expected ',' or '}' after object member")
				}
				return sc.fail(i, "expected ',' or ']' after array element")
			}
			stack = stack[:len(stack)-1]
			i++
		}
		if i < 0 {
			return -1
		}
	}
}
