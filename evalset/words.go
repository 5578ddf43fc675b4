package evalset

import (
	"unicode"
	"unicode/utf8"
)

// forEachWord calls fn for every word of s: a maximal run of letters and
// digits, except that each Han, Hiragana, Katakana or Hangul character is a
// word of its own (Chinese text has no spaces). Punctuation, symbols and
// space separate words. The word is a substring of s, not case-folded.
func forEachWord(s string, fn func(w string)) {
	start := -1
	for i := 0; i < len(s); {
		c, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case isCJK(c):
			if start >= 0 {
				fn(s[start:i])
				start = -1
			}
			fn(s[i : i+size])
		case unicode.IsLetter(c) || unicode.IsDigit(c) || unicode.Is(unicode.Mn, c):
			if start < 0 {
				start = i
			}
		default:
			if start >= 0 {
				fn(s[start:i])
				start = -1
			}
		}
		i += size
	}
	if start >= 0 {
		fn(s[start:])
	}
}

func isCJK(c rune) bool {
	if c < 0x2e80 {
		return false
	}
	return unicode.In(c, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul)
}

// countWords returns the number of words of s as forEachWord splits them.
func countWords(s string) int {
	n := 0
	forEachWord(s, func(string) { n++ })
	return n
}
