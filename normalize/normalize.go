package normalize

import (
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// Boundary is the byte that marks a token boundary inside the string that
// Map returns. It never occurs in canonical token text, because control
// characters are deleted.
const Boundary = 0

// IsCJK reports whether r is a Han, Hiragana, Katakana or Hangul character:
// the scripts whose characters are tokens of their own.
func IsCJK(r rune) bool {
	if r < 0x1100 {
		return false
	}
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul)
}

// Map returns the canonical form of r: the bytes it contributes to the
// current token, with Boundary bytes where a token must end. White space
// maps to a lone Boundary, a CJK character to Boundary, itself, Boundary,
// and a deleted character to the empty string.
func Map(r rune) string {
	if r < utf8.RuneSelf {
		return asciiMap[r]
	}
	if r < 1<<16 {
		bmpOnce.Do(buildBMP)
		return bmp[r]
	}
	return compute(r)
}

var (
	asciiMap [utf8.RuneSelf]string
	bmpOnce  sync.Once
	// bmp caches Map for the Basic Multilingual Plane. It is built on the
	// first non-ASCII character (about 30 ms), so pure-ASCII runs never pay.
	bmp []string
)

func init() {
	for r := rune(0); r < utf8.RuneSelf; r++ {
		asciiMap[r] = compute(r)
	}
}

func buildBMP() {
	bmp = make([]string, 1<<16)
	for r := rune(0); r < 1<<16; r++ {
		bmp[r] = compute(r)
	}
}

var folder = cases.Fold()

const boundaryStr = "\x00"

// compute derives Map(r) from the rules in the package comment.
func compute(r rune) string {
	// Han and Hangul take NFKC, so that compatibility ideographs fold and
	// Hangul syllables stay whole; everything else, kana included, takes
	// NFKD, so that combining marks can be dropped. Mapping one character
	// at a time cannot compose "か" + U+3099 into "が", so voicing marks
	// are dropped everywhere instead: が, か + U+3099 and ｶﾞ all become か.
	form := norm.NFKD
	switch {
	case unicode.IsSpace(r):
		return boundaryStr
	case unicode.In(r, unicode.Han, unicode.Hangul):
		form = norm.NFKC
	case !unicode.IsLetter(r) && !unicode.IsNumber(r):
		return ""
	}
	var out []byte
	for _, q := range form.String(string(r)) {
		switch {
		case unicode.IsSpace(q):
			out = append(out, Boundary)
		case IsCJK(q):
			out = append(out, Boundary)
			out = utf8.AppendRune(out, q)
			out = append(out, Boundary)
		case unicode.IsLetter(q) || unicode.IsNumber(q):
			out = append(out, fold(q)...)
		}
	}
	return string(out)
}

// fold case-folds q. Folding is not always idempotent (Cherokee letters
// fold back and forth between cases), so when folding twice differs the
// smaller of the two strings is the canonical one.
func fold(q rune) string {
	a := folder.String(string(q))
	if b := folder.String(a); b != a {
		return min(a, b)
	}
	return a
}

// Append appends the canonical text of src to dst: its tokens, separated
// by single spaces. Invalid UTF-8 bytes are deleted.
func Append(dst, src []byte) []byte {
	inToken := false
	for i := 0; i < len(src); {
		r, size := utf8.DecodeRune(src[i:])
		i += size
		if r == utf8.RuneError && size == 1 {
			continue
		}
		for _, b := range []byte(Map(r)) {
			if b == Boundary {
				inToken = false
				continue
			}
			if !inToken && len(dst) > 0 && dst[len(dst)-1] != ' ' {
				dst = append(dst, ' ')
			}
			inToken = true
			dst = append(dst, b)
		}
	}
	return dst
}

// String returns the canonical text of s.
func String(s string) string { return string(Append(nil, []byte(s))) }
