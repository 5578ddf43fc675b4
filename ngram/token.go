package ngram

import (
	"encoding/binary"
	"math/bits"
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

// alnumMask marks the ASCII letters and digits of x by their high bit.
func alnumMask(x uint64) uint64 {
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
	for i+8 <= n {
		x := binary.LittleEndian.Uint64(text[i:])
		m := alnumMask(x)
		if m&0x80 == 0 { // not an alphanumeric start
			if byteClass[text[i]] == classSpace {
				i++
				continue
			}
			var w wordHash
			w.reset()
			dst, i = slowWord(dst, text, i, w, i, i)
			continue
		}
		start := i
		h, nb := uint64(hashSeed), uint64(0)
		k := bits.TrailingZeros64(^m&highs) >> 3 // leading alphanumeric bytes
		for k == 8 {
			h = mum(h^(x|caseBit), hashK1)
			nb += 8
			i += 8
			if i+8 > n {
				break
			}
			x = binary.LittleEndian.Uint64(text[i:])
			m = alnumMask(x)
			k = bits.TrailingZeros64(^m&highs) >> 3
		}
		if k == 8 { // ran into the last 8 bytes of text mid-word
			dst, i = slowWord(dst, text, i, wordHash{h: h, n: nb}, start, i)
			continue
		}
		rest := (x | caseBit) & (1<<(8*uint(k)) - 1)
		i += k
		nb += uint64(k)
		end := i
		// Trailing punctuation ("word," "word.") ends the token like a
		// space when a space or the end of text follows; a fifth of the
		// words of English prose end this way.
		for i < n && byteClass[text[i]] == classDrop {
			i++
		}
		if i < n && byteClass[text[i]] != classSpace { // "don't", "U.S.", non-ASCII
			dst, i = slowWord(dst, text, i, wordHash{h: h, pending: rest, npend: uint(k), n: nb}, start, end)
			continue
		}
		dst = append(dst, Token{Hash: mum(h^rest, hashK2^nb), Start: uint32(start), End: uint32(end)})
		i++
	}
	for i < n {
		var w wordHash
		w.reset()
		dst, i = slowWord(dst, text, i, w, i, i)
	}
	return dst
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
		r, size := utf8.DecodeRune(text[i:])
		if r == utf8.RuneError && size == 1 {
			i++
			continue
		}
		m := normalize.Map(r)
		for j := 0; j < len(m); j++ {
			if m[j] != normalize.Boundary {
				dst = append(dst, m[j])
				offs = append(offs, uint32(i))
			}
		}
		i += size
	}
	return dst, offs
}
