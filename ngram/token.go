package ngram

import (
	"encoding/binary"
	"math/bits"
	"slices"
	"unicode/utf8"

	"github.com/leakhound/leakhound/normalize"
)

// Token is one canonical token: its hash and the bytes [Start, End) of the
// source text it came from (from its first to its last contributing
// character, so surrounding punctuation is not included).
type Token struct {
	Hash  uint64
	Start uint32
	End   uint32
}

// SWAR constants: one bit or value per byte of a uint64.
const (
	ones    = 0x0101010101010101
	highs   = 0x8080808080808080
	low7    = 0x7f7f7f7f7f7f7f7f
	caseBit = 0x2020202020202020
)

// between returns the bytes of x whose value b satisfies lo < b < hi, as
// their high bit (Anderson's "hasbetween", exact per byte; bytes >= 0x80
// never match). Requires 0 <= lo <= 127 and 0 <= hi <= 128.
func between(x uint64, lo, hi uint64) uint64 {
	xl := x & low7
	return (ones*(127+hi) - xl) &^ x & (xl + ones*(127-lo)) & highs
}

// AlnumMask marks the ASCII letters and digits among the 8 bytes of x by
// their high bit (0x80 in each such byte; bytes >= 0x80 are never marked).
func AlnumMask(x uint64) uint64 {
	return between(x, '0'-1, '9'+1) | between(x|caseBit, 'a'-1, 'z'+1)
}

// byteClass classifies ASCII bytes for the per-character path.
var byteClass [256]uint8

const (
	classDrop  = iota // punctuation, symbols, controls: deleted
	classSpace        // separates tokens
	classWord         // letter or digit: kept, lower-cased
	classUTF8         // first byte of a multi-byte character
)

func init() {
	for b := 0; b < 256; b++ {
		switch {
		case b >= utf8.RuneSelf:
			byteClass[b] = classUTF8
		case normalize.Map(rune(b)) == "\x00":
			byteClass[b] = classSpace
		case normalize.Map(rune(b)) != "":
			byteClass[b] = classWord
			isWordByte[b] = 1
		}
	}
}

// tokenizer is the per-character path's state: the output, the token
// being hashed and its span.
type tokenizer struct {
	dst   []Token
	w     wordHash
	start int // start of the current token, when w.n > 0
	end   int // end of the last byte added to the current token
}

func (t *tokenizer) flush() {
	if t.w.n > 0 {
		t.dst = append(t.dst, Token{Hash: t.w.sum(), Start: uint32(t.start), End: uint32(t.end)})
		t.w.reset()
	}
}

// AppendTokens appends the tokens of text to dst. text must be shorter than
// 4 GiB. Invalid UTF-8 bytes are deleted like punctuation.
//
// The loop is hand-inlined: keeping the hash state in registers rather than
// in a struct took it from 380 to over 1,000 MB/s per CPU-second on 7.5-byte
// English words (BenchmarkAppendTokens).
func AppendTokens(dst []Token, text []byte) []Token {
	n := len(text)
	i := 0
	for i+16 <= n {
		x0 := binary.LittleEndian.Uint64(text[i:])
		m0 := AlnumMask(x0)
		if m0&0x80 == 0 { // not an alphanumeric start
			// Spaces and leading ASCII punctuation (quotes, brackets) are
			// skipped: outside a token, a deleted character changes
			// nothing, and the word after it still takes the fast path.
			if c := byteClass[text[i]]; c == classSpace || c == classDrop {
				i++
				continue
			}
			var w wordHash
			w.reset()
			dst, i = slowWord(dst, text, i, w, i, i)
			continue
		}
		// Words of up to 15 bytes (nearly all) take the same branch-free
		// path: both chunks are classified and hashed, and the word's
		// length selects the result. This halved the time per word
		// against a loop over chunks, whose exit mispredicts on random
		// word lengths.
		x1 := binary.LittleEndian.Uint64(text[i+8:])
		k0 := bits.TrailingZeros64(^m0&highs) >> 3
		k1 := bits.TrailingZeros64(^AlnumMask(x1)&highs) >> 3
		if k0+k1 == 16 {
			var ok bool
			if dst, i, ok = longWord(dst, text, i); ok {
				continue
			}
			break
		}
		c0, c1 := x0|caseBit, x1|caseBit
		h, rest, l := uint64(hashSeed), c0&(1<<(8*uint(k0))-1), k0
		first := mum(h^c0, hashK1)
		if k0 == 8 {
			h, rest, l = first, c1&(1<<(8*uint(k1))-1), 8+k1
		}
		start, end := i, i+l
		i = end
		// Trailing punctuation ("word," "word.") ends the token like a
		// space when a space or the end of text follows; a fifth of the
		// words of English prose end this way.
		for i < n && byteClass[text[i]] == classDrop {
			i++
		}
		if i < n && byteClass[text[i]] != classSpace { // "don't", "U.S.", non-ASCII
			w := wordHash{h: h, pending: rest, npend: uint(l & 7), n: uint64(l)}
			dst, i = slowWord(dst, text, i, w, start, end)
			continue
		}
		dst = append(dst, Token{Hash: mum(h^rest, hashK2^uint64(l)), Start: uint32(start), End: uint32(end)})
		i++
	}
	for i < n {
		var w wordHash
		w.reset()
		dst, i = slowWord(dst, text, i, w, i, i)
	}
	return dst
}

// longWord hashes a word of 16 or more alphanumeric bytes starting at i,
// eight bytes at a time. When the word ends before the last 8 bytes of
// text it appends the token (or hands over to slowWord for punctuation or
// non-ASCII inside it) and returns ok; otherwise it returns ok false and
// the caller finishes the text on the per-character path from i.
func longWord(dst []Token, text []byte, i int) ([]Token, int, bool) {
	start := i
	w := wordHash{h: hashSeed}
	for i+8 <= len(text) {
		x := binary.LittleEndian.Uint64(text[i:])
		k := bits.TrailingZeros64(^AlnumMask(x)&highs) >> 3
		if k == 8 {
			w.addChunk(x | caseBit)
			i += 8
			continue
		}
		w.pending, w.npend = (x|caseBit)&(1<<(8*uint(k))-1), uint(k)
		w.n += uint64(k)
		dst, i = slowWord(dst, text, i+k, w, start, i+k)
		return dst, i, true
	}
	dst, i = slowWord(dst, text, i, w, start, i)
	return dst, i, true
}

// slowWord continues the token whose hash so far is w (empty, or spanning
// [start, end)) from text[i:] one character at a time, until a separator ends it
// or the text ends. It returns dst with the tokens it completed, and the
// index after the separator.
func slowWord(dst []Token, text []byte, i int, w wordHash, start, end int) ([]Token, int) {
	t := tokenizer{dst: dst, w: w, start: start, end: end}
	i = t.slowWord(text, i)
	t.flush()
	return t.dst, i
}

// slowWord consumes characters one at a time until the current token ends
// at a separator, and returns the index after the characters it consumed.
func (t *tokenizer) slowWord(text []byte, i int) int {
	for i < len(text) {
		c := text[i]
		switch byteClass[c] {
		case classSpace:
			t.flush()
			return i + 1
		case classWord:
			t.add(c|0x20*isUpper(c), i, i+1)
			i++
		case classDrop:
			i++
		case classUTF8:
			i = t.addRune(text, i)
		}
	}
	return i
}

func isUpper(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return 1
	}
	return 0
}

func (t *tokenizer) add(b byte, start, end int) {
	if t.w.n == 0 {
		t.start = start
	}
	t.w.addByte(b)
	t.end = end
}

// addRune adds the canonical form of the character at text[i:].
func (t *tokenizer) addRune(text []byte, i int) int {
	r, size := utf8.DecodeRune(text[i:])
	if r == utf8.RuneError && size == 1 {
		return i + 1
	}
	m := normalize.Map(r)
	for j := 0; j < len(m); j++ {
		if m[j] == normalize.Boundary {
			t.flush()
			continue
		}
		t.add(m[j], i, i+size)
	}
	return i + size
}

// AppendCanonical appends the canonical bytes of text with no separators
// (the "alphanumeric strip" of GPT-4's substring rule, after the
// normalization of package normalize) to dst, and for each byte it
// appends the source offset of the character it came from to offs.
func AppendCanonical(dst []byte, offs []uint32, text []byte) ([]byte, []uint32) {
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			if byteClass[c] == classWord {
				dst = append(dst, c|0x20*isUpper(c))
				offs = append(offs, uint32(i))
			}
			i++
			continue
		}
		var size int
		n := len(dst)
		dst, size = appendCanonicalRune(dst, text[i:])
		for range len(dst) - n {
			offs = append(offs, uint32(i))
		}
		i += size
	}
	return dst, offs
}

// AppendCanonicalBytes is AppendCanonical without the offsets, for the
// hot path: runs of ASCII are copied with one store per byte and no
// branch on the byte's class (a separator is stored and overwritten), so
// it is several times faster on English text. Unlike append, it may also
// write into dst's spare capacity past the returned length, so the
// backing array of dst must not hold anything live beyond len(dst).
func AppendCanonicalBytes(dst, text []byte) []byte {
	for i := 0; i < len(text); {
		dst = slices.Grow(dst, len(text)-i)
		n, buf := len(dst), dst[:cap(dst)]
		for ; i < len(text) && text[i] < utf8.RuneSelf; i++ {
			c := text[i]
			buf[n] = c | 0x20*isUpper(c)
			n += int(isWordByte[c])
		}
		dst = buf[:n]
		if i < len(text) {
			var size int
			dst, size = appendCanonicalRune(dst, text[i:])
			i += size
		}
	}
	return dst
}

// isWordByte is 1 for the ASCII bytes of class classWord.
var isWordByte [256]byte

// appendCanonicalRune appends the canonical bytes of the non-ASCII
// character at the start of text and returns its size (an invalid byte
// adds nothing).
func appendCanonicalRune(dst, text []byte) ([]byte, int) {
	r, size := utf8.DecodeRune(text)
	if r == utf8.RuneError && size == 1 {
		return dst, 1
	}
	m := normalize.Map(r)
	for j := 0; j < len(m); j++ {
		if m[j] != normalize.Boundary {
			dst = append(dst, m[j])
		}
	}
	return dst, size
}
