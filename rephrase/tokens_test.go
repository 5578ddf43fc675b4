package rephrase

import (
	"slices"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/leakhound/leakhound/internal/shareddata"
)

// naiveDocTokens is the candidate-stage tokenizer written plainly, one
// byte at a time: the reference for the fast one.
func naiveDocTokens(text []byte) []dtok {
	var out []dtok
	var buf []byte
	start := -1
	flush := func(end int) {
		if len(buf) > 0 {
			out = append(out, dtok{hash: formHash(string(buf)), start: int32(start), end: int32(end)})
		}
		buf = buf[:0]
		start = -1
	}
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			switch {
			case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
				if start < 0 {
					start = i
				}
				buf = append(buf, c)
			case c >= 'A' && c <= 'Z':
				if start < 0 {
					start = i
				}
				buf = append(buf, c+32)
			case c == '_' && start >= 0:
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
			out = append(out, dtok{hash: formHash(string(text[i : i+size])), start: int32(i), end: int32(i + size), han: true})
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
	return out
}

var tokenSeeds = []string{
	"", "Hello, World", "count_vowels(text) countVowels 1,000.50 and .5", "ABCDEFGHIJKLMNOPQ abcdefgh abcdefghi",
	"café Ünïcode 鸭子每天出售鸡蛋16个", "_lead trail_ a__b 3.14.15 1,2,3", "\xff\xfeabc\x80", "x1y2Z3 ,. ._",
	"价格是12元，约US$1.7", "ＦＵＬＬ width ＡＢＣ",
}

func TestDocTokens(t *testing.T) {
	for _, s := range tokenSeeds {
		got, _ := appendDocTokens(nil, []byte(s), nil)
		if want := naiveDocTokens([]byte(s)); !slices.Equal(got, want) {
			t.Errorf("%q:\n got %v\nwant %v", s, got, want)
		}
	}
	if formHash("countvowels") != hashASCII([]byte("countVowels")) {
		t.Error("hashASCII differs from formHash of the lower-case form")
	}
}

func FuzzDocTokens(f *testing.F) {
	for _, s := range tokenSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, _ := appendDocTokens(nil, []byte(s), nil)
		if want := naiveDocTokens([]byte(s)); !slices.Equal(got, want) {
			t.Fatalf("%q:\n got %v\nwant %v", s, got, want)
		}
	})
}

func BenchmarkDocTokens(b *testing.B) {
	docs, size := shareddata.BenchDocs(b)
	var toks []dtok
	var buf []byte
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		for _, d := range docs {
			toks, buf = appendDocTokens(toks[:0], d, buf)
		}
	}
}
