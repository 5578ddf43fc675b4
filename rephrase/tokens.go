package rephrase

import (
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

// lowerAlnum maps ASCII letters and digits to their lower-case form and
// everything else to 0; '_' maps to 1 (inside a word, dropped).
var lowerAlnum [256]byte

func init() {
	for c := 0; c < 128; c++ {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			lowerAlnum[c] = byte(c)
		case c >= 'A' && c <= 'Z':
			lowerAlnum[c] = byte(c + 32)
		case c == '_':
			lowerAlnum[c] = 1
		}
	}
}

// appendDocTokens splits text into candidate-stage tokens. Punctuation
// separates words here (unlike package ngram, which deletes it), so that
// code such as countVowels(text) gives countvowels and text.
func appendDocTokens(dst []dtok, text []byte, buf []byte) ([]dtok, []byte) {
	start := -1
	buf = buf[:0]
	flush := func(end int) {
		if len(buf) > 0 {
			dst = append(dst, dtok{hash: ngram.HashBytes(buf), start: int32(start), end: int32(end)})
		}
		buf = buf[:0]
		start = -1
	}
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			l := lowerAlnum[c]
			switch {
			case l > 1:
				if start < 0 {
					start = i
				}
				buf = append(buf, l)
			case l == 1 && start >= 0:
			case (c == ',' || c == '.') && start >= 0 && isDigit(buf[len(buf)-1]) && i+1 < len(text) && isDigit(text[i+1]):
			default:
				flush(i)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(text[i:])
		switch {
		case unicode.Is(unicode.Han, r):
			flush(i)
			dst = append(dst, dtok{hash: ngram.HashBytes(text[i : i+size]), start: int32(i), end: int32(i + size), han: true})
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if start < 0 {
				start = i
			}
			buf = append(buf, text[i:i+size]...)
		default:
			flush(i)
		}
		i += size
	}
	flush(len(text))
	return dst, buf
}
