package rephrase

import (
	"encoding/binary"
	"math/bits"
	"unicode"
	"unicode/utf8"

	"github.com/leakhound/leakhound/ngram"
)

// dtok is a token of the candidate stage: the hash of a lower-cased word
// (underscores dropped, so count_vowels and countVowels meet), of a number
// (group commas and decimal points dropped) or of one Han character.
type dtok struct {
	hash       uint64
	start, end int32
	han        bool
}

// Byte classes of the candidate-stage tokenizer.
const (
	cSep   = iota // ends a word
	cAlnum        // ASCII letter or digit
	cUnder        // '_': dropped inside a word
	cGroup        // ',' and '.': dropped between two digits
	cHigh         // first byte of a non-ASCII rune
	cCont         // UTF-8 continuation byte
)

var byteClass [256]uint8

func init() {
	for c := 0; c < 256; c++ {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
			byteClass[c] = cAlnum
		case c == '_':
			byteClass[c] = cUnder
		case c == ',' || c == '.':
			byteClass[c] = cGroup
		case c >= 0xC0:
			byteClass[c] = cHigh
		case c >= 0x80:
			byteClass[c] = cCont
		}
	}
}

// Form hash constants (wyhash's). The candidate stage has its own hash of
// token forms, computed 8 bytes at a time straight from the record: the
// index side hashes the same lower-case forms with formHash.
const (
	fhSeed = 0x243f6a8885a308d3
	fhK1   = 0xa0761d6478bd642f
	fhK2   = 0xe7037ed1a0b428db
)

func fhMix(h, c uint64) uint64 {
	hi, lo := bits.Mul64(h^c, fhK1)
	return hi ^ lo
}

func fhSum(h, tail uint64, n int) uint64 {
	hi, lo := bits.Mul64(h^tail, fhK2^uint64(n))
	return hi ^ lo
}

// formHash returns the hash of a token form (lower case, as the record
// side sees it).
func formHash[T string | []byte](s T) uint64 { return hashForm(s, 0) }

// asciiLower sets the 0x20 bit of every byte: for ASCII letters and digits
// that is their lower-case form.
const asciiLower = 0x2020202020202020

// hashASCII returns formHash of the lower-cased ASCII letters and digits
// b, loading 8 bytes at a time.
func hashASCII(b []byte) uint64 { return hashForm(b, asciiLower) }

// hashForm hashes b 8 bytes at a time, each byte OR-ed with the matching
// byte of lower (asciiLower lower-cases ASCII letters and digits, 0 keeps
// the bytes).
func hashForm[T string | []byte](b T, lower uint64) uint64 {
	h := uint64(fhSeed)
	n := len(b)
	for ; len(b) >= 8; b = b[8:] {
		h = fhMix(h, load64(b)|lower)
	}
	var tail uint64
	for i := len(b) - 1; i >= 0; i-- {
		tail = tail<<8 | uint64(b[i]|byte(lower))
	}
	return fhSum(h, tail, n)
}

// load64 reads 8 bytes little-endian.
func load64[T string | []byte](b T) uint64 {
	_ = b[7]
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

// highs is the high bit of each byte of a uint64 (the marks of
// ngram.AlnumMask).
const highs = 0x8080808080808080

// appendDocTokens splits text into candidate-stage tokens. Punctuation
// separates words here (unlike package ngram, which deletes it), so that
// code such as countVowels(text) gives countvowels and text. A word of at
// most 15 ASCII letters and digits, nearly every word of English text, is
// measured and hashed from two 8-byte loads (70 → 230 MB per CPU-second
// on the synthetic corpus); other words go through foldWord.
func appendDocTokens(dst []dtok, text []byte, buf []byte) ([]dtok, []byte) {
	n := len(text)
	i := 0
	for i+16 <= n {
		x0 := binary.LittleEndian.Uint64(text[i:])
		m0 := ngram.AlnumMask(x0)
		if m0&0x80 == 0 { // not a word start
			if byteClass[text[i]] == cHigh {
				dst, buf, i = appendRune(dst, buf, text, i)
			} else {
				i++
			}
			continue
		}
		x1 := binary.LittleEndian.Uint64(text[i+8:])
		k0 := bits.TrailingZeros64(^m0&highs) >> 3
		l := k0
		if k0 == 8 {
			l += bits.TrailingZeros64(^ngram.AlnumMask(x1)&highs) >> 3
		}
		j := i + l
		if l == 16 || !wordEnds(text, j) {
			var end int
			buf, end = foldWord(buf[:0], text, i)
			dst = append(dst, dtok{hash: formHash(buf), start: int32(i), end: int32(end)})
			i = end
			continue
		}
		var h, tail uint64 = fhSeed, (x0 | asciiLower) & (1<<(8*uint(l)) - 1)
		if l >= 8 {
			h, tail = fhMix(h, x0|asciiLower), (x1|asciiLower)&(1<<(8*uint(l-8))-1)
		}
		dst = append(dst, dtok{hash: fhSum(h, tail, l), start: int32(i), end: int32(j)})
		i = j
		if byteClass[text[j]] == cSep {
			i++
		}
	}
	for i < n {
		switch byteClass[text[i]] {
		case cAlnum:
			j := i + 1
			for j < n && byteClass[text[j]] == cAlnum {
				j++
			}
			if wordEnds(text, j) {
				dst = append(dst, dtok{hash: hashASCII(text[i:j]), start: int32(i), end: int32(j)})
				i = j
				continue
			}
			var end int
			buf, end = foldWord(buf[:0], text, i)
			dst = append(dst, dtok{hash: formHash(buf), start: int32(i), end: int32(end)})
			i = end
		case cHigh:
			dst, buf, i = appendRune(dst, buf, text, i)
		default:
			i++
		}
	}
	return dst, buf
}

// wordEnds reports whether a run of ASCII letters and digits that stops
// at text[j] is a whole token: the text ends, or a separator follows
// (a ',' or '.' between two digits, '_' and other letters do not end it).
func wordEnds(text []byte, j int) bool {
	if j == len(text) {
		return true
	}
	switch byteClass[text[j]] {
	case cSep, cCont:
		return true
	case cGroup:
		return !groupJoin(text, j)
	}
	return false
}

// appendRune handles the non-ASCII rune at text[i]: a Han character is a
// token, a letter or digit starts a word, anything else is skipped.
func appendRune(dst []dtok, buf, text []byte, i int) ([]dtok, []byte, int) {
	r, size := utf8.DecodeRune(text[i:])
	switch {
	case unicode.Is(unicode.Han, r):
		dst = append(dst, dtok{hash: formHash(string(text[i : i+size])), start: int32(i), end: int32(i + size), han: true})
		return dst, buf, i + size
	case unicode.IsLetter(r) || unicode.IsDigit(r):
		var end int
		buf, end = foldWord(buf[:0], text, i)
		dst = append(dst, dtok{hash: formHash(buf), start: int32(i), end: int32(end)})
		return dst, buf, end
	}
	return dst, buf, i + size
}

// groupJoin reports whether the ',' or '.' at text[j] joins two digits.
func groupJoin(text []byte, j int) bool {
	return j > 0 && isDigit(text[j-1]) && j+1 < len(text) && isDigit(text[j+1])
}

// foldWord appends to buf the folded form of the word starting at text[i]
// (a letter or digit): ASCII lower-cased, '_' dropped, ',' and '.' dropped
// between digits, other letters and digits as they are. It stops at the
// first other byte or rune, or a Han character, and returns its offset.
func foldWord(buf, text []byte, i int) ([]byte, int) {
	for i < len(text) {
		c := text[i]
		switch byteClass[c] {
		case cAlnum:
			buf = append(buf, c|0x20)
			i++
		case cUnder:
			i++
		case cGroup:
			if len(buf) == 0 || !isDigit(buf[len(buf)-1]) || i+1 >= len(text) || !isDigit(text[i+1]) {
				return buf, i
			}
			i++
		case cHigh:
			r, size := utf8.DecodeRune(text[i:])
			if unicode.Is(unicode.Han, r) || !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				return buf, i
			}
			buf = append(buf, text[i:i+size]...)
			i += size
		default:
			return buf, i
		}
	}
	return buf, i
}
