package corpus

import (
	"bytes"
	"encoding/binary"
	"math/bits"
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
	strBadUTF8              // the string's raw bytes are not valid UTF-8
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
	lo01 = 0x0101010101010101
	lo20 = 0x2020202020202020
	hi80 = 0x8080808080808080
)

// plainFlags checks b, a run of string bytes without quote or backslash,
// for control characters (forbidden in JSON strings) and non-ASCII bytes.
// It returns the index of the first control character, or -1, with
// strNonASCII when a byte >= 0x80 is present and strBadUTF8 when those
// bytes are not valid UTF-8.
func plainFlags(b []byte) (ctl int, flags uint8) {
	i := printable(b, 0)
	if i == len(b) {
		return -1, 0
	}
	return plainFlagsSlow(b, i)
}

// printable returns the index of the first byte at or after i that is not
// printable ASCII (0x20 to 0x7f), or a little before it, or len(b).
//
// It tests 32 bytes per step without branches: ((x - lo20) | x) has no
// high bit set exactly when every byte of x is in 0x20..0x7f (a borrow
// needs a byte below 0x20). Four independent loads per step keep the
// memory pipeline busy: 5.3 GB/s on a 2 GHz core, against 1.8 GB/s with
// one 8-byte load per step and 0.5 GB/s for a byte loop, on 1 MB batches.
func printable(b []byte, i int) int {
	for ; i+32 <= len(b); i += 32 {
		w := b[i : i+32]
		x0 := binary.LittleEndian.Uint64(w[0:8])
		x1 := binary.LittleEndian.Uint64(w[8:16])
		x2 := binary.LittleEndian.Uint64(w[16:24])
		x3 := binary.LittleEndian.Uint64(w[24:32])
		if ((x0-lo20)|x0|(x1-lo20)|x1|(x2-lo20)|x2|(x3-lo20)|x3)&hi80 != 0 {
			break
		}
	}
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i : i+8])
		if ((x-lo20)|x)&hi80 != 0 {
			return i
		}
	}
	for i < len(b) && b[i] >= 0x20 && b[i] < 0x80 {
		i++
	}
	return i
}

// plainFlagsSlow is plainFlags from b[i] on. It skips printable ASCII
// with printable, stops at a control character, and decodes each
// non-ASCII rune, setting strBadUTF8 for an invalid one: the UTF-8 of a
// string is checked here, once, not in a second pass over the text.
// (utf8.Valid goes byte by byte after its first non-ASCII rune: one "é"
// early in a 2.7 KB document costs 0.9 µs there.)
func plainFlagsSlow(b []byte, i int) (ctl int, flags uint8) {
	for {
		if i = printable(b, i); i >= len(b) {
			return -1, flags
		}
		switch c := b[i]; {
		case c < 0x20:
			return i, flags
		case c < utf8.RuneSelf:
			i++
		default:
			flags |= strNonASCII
			r, n := utf8.DecodeRune(b[i:])
			if r == utf8.RuneError && n == 1 {
				flags |= strBadUTF8
			}
			i += n
		}
	}
}

// scanString validates the string whose opening quote is at i-1 and
// returns the index just after its closing quote with its flags, or -1.
// When dst is not nil and the string holds escapes, it also appends the
// decoded string to *dst, so that a selected value is not read twice.
//
// The first quote is found with bytes.IndexByte (SIMD). When no backslash
// precedes it (keys, ids, most one-paragraph texts), the string is that
// run and plainFlags checks it at 7.4 GB/s (2.7 KB ASCII documents, 2 GHz
// core). Otherwise plainRun walks the string, stopping only at a
// backslash, a control character or a non-ASCII byte, each handled here
// inline: 1.8 GB/s with 20 escapes per document, where searching each
// backslash with IndexByte and checking each run in a separate call was
// 1.5 GB/s.
func (sc *scanner) scanString(s []byte, i int, dst *[]byte) (int, uint8) {
	q := bytes.IndexByte(s[i:], '"')
	if q < 0 {
		return sc.fail(len(s), "unterminated string"), 0
	}
	q += i
	if bytes.IndexByte(s[i:q], '\\') < 0 {
		// No escape (most strings): s[i:q] is the whole string.
		ctl, flags := plainFlags(s[i:q])
		if ctl >= 0 {
			return sc.fail(i+ctl, "control character in string"), 0
		}
		return q + 1, flags
	}
	var flags uint8
	copied := i // s[copied:i] is not yet in *dst
	for {
		if q < i {
			k := bytes.IndexByte(s[i:], '"')
			if k < 0 {
				return sc.fail(len(s), "unterminated string"), 0
			}
			q = i + k
		}
		if i = plainRun(s[:q], i); i == q {
			if dst != nil && flags&strEscaped != 0 {
				*dst = append(*dst, s[copied:q]...)
			}
			return q + 1, flags
		}
		switch c := s[i]; {
		case c == '\\':
			next := sc.escape(s, i)
			if next < 0 {
				return -1, 0
			}
			flags |= strEscaped
			if dst != nil {
				*dst, next = appendEscape(append(*dst, s[copied:i]...), s, i, next)
				copied = next
			}
			i = next
		case c < 0x20:
			return sc.fail(i, "control character in string"), 0
		default:
			flags |= strNonASCII
			r, n := utf8.DecodeRune(s[i:q])
			if r == utf8.RuneError && n == 1 {
				flags |= strBadUTF8
			}
			i += n
		}
	}
}

// appendEscape appends the decoding of the valid escape s[b:next] to dst
// and returns the index after what it decoded: past a second \u escape
// too when the two make a UTF-16 surrogate pair.
func appendEscape(dst, s []byte, b, next int) ([]byte, int) {
	switch c := s[b+1]; c {
	case 'b':
		return append(dst, '\b'), next
	case 'f':
		return append(dst, '\f'), next
	case 'n':
		return append(dst, '\n'), next
	case 'r':
		return append(dst, '\r'), next
	case 't':
		return append(dst, '\t'), next
	case 'u':
		r, rest := decodeU(s[b+2:])
		return utf8.AppendRune(dst, r), len(s) - len(rest)
	default: // '"', '\\', '/'
		return append(dst, c), next
	}
}

// special returns a mask with the high bit set in the bytes of x that are
// a backslash, a control character (< 0x20) or non-ASCII (>= 0x80); the
// lowest set bit is exact (borrows only flag higher bytes wrongly).
func special(x uint64) uint64 {
	y := x ^ 0x5c5c5c5c5c5c5c5c // zero bytes where x has '\\'
	return ((x - lo20) | x | ((y - lo01) &^ y)) & hi80
}

// plainRun returns the index of the first byte at or after i that is a
// backslash, a control character or non-ASCII, or len(b). It tests 32
// bytes per step without branches (four independent loads keep the memory
// pipeline busy), then locates the byte with TrailingZeros.
func plainRun(b []byte, i int) int {
	for ; i+32 <= len(b); i += 32 {
		w := b[i : i+32]
		m0 := special(binary.LittleEndian.Uint64(w[0:8]))
		m1 := special(binary.LittleEndian.Uint64(w[8:16]))
		m2 := special(binary.LittleEndian.Uint64(w[16:24]))
		m3 := special(binary.LittleEndian.Uint64(w[24:32]))
		if m0|m1|m2|m3 != 0 {
			switch {
			case m0 != 0:
				return i + bits.TrailingZeros64(m0)/8
			case m1 != 0:
				return i + 8 + bits.TrailingZeros64(m1)/8
			case m2 != 0:
				return i + 16 + bits.TrailingZeros64(m2)/8
			}
			return i + 24 + bits.TrailingZeros64(m3)/8
		}
	}
	for ; i+8 <= len(b); i += 8 {
		if m := special(binary.LittleEndian.Uint64(b[i : i+8])); m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for ; i < len(b); i++ {
		if c := b[i]; c < 0x20 || c >= 0x80 || c == '\\' {
			return i
		}
	}
	return len(b)
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
		j, _ := sc.scanString(s, i+1, nil)
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
	j, _ := sc.scanString(s, i+1, nil)
	if j < 0 {
		return -1
	}
	j = skipWS(s, j)
	if j >= len(s) || s[j] != ':' {
		return sc.fail(j, "expected ':' after object key")
	}
	return skipWS(s, j+1)
}

// afterValue reads what follows an object member or array element that
// ends at i: a comma, after which it returns the index of the next member
// and true, or close ('}' or ']'), after which it returns the index after
// it and false; or it fails and returns -1 and false.
func (sc *scanner) afterValue(s []byte, i int, close byte) (int, bool) {
	i = skipWS(s, i)
	switch {
	case i < len(s) && s[i] == ',':
		return skipWS(s, i+1), true
	case i < len(s) && s[i] == close:
		return i + 1, false
	case close == '}':
		return sc.fail(i, "expected ',' or '}' after object member"), false
	}
	return sc.fail(i, "expected ',' or ']' after array element"), false
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

// validUTF8 reports whether b is valid UTF-8, like utf8.Valid, but skips
// ASCII eight bytes at a time after each non-ASCII rune too.
func validUTF8(b []byte) bool {
	ctl, flags := plainFlagsSlow(b, 0)
	for ctl >= 0 { // control characters are fine here: go on after them
		var f uint8
		ctl, f = plainFlagsSlow(b, ctl+1)
		flags |= f
	}
	return flags&strBadUTF8 == 0
}
