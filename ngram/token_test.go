package ngram

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/leakhound/leakhound/normalize"
)

// naiveTokens is the reference tokenizer: canonical text from package
// normalize, split on spaces, hashed with HashString.
func naiveTokens(text []byte) []string {
	return strings.Fields(string(normalize.Append(nil, text)))
}

// checkAgainstNaive compares AppendTokens with the reference on text.
func checkAgainstNaive(t *testing.T, text []byte) {
	t.Helper()
	got := AppendTokens(nil, text)
	want := naiveTokens(text)
	if len(got) != len(want) {
		t.Fatalf("AppendTokens(%q): %d tokens, reference has %d: %q", text, len(got), len(want), want)
	}
	for i, tok := range got {
		if tok.Hash != HashString(want[i]) {
			t.Fatalf("AppendTokens(%q)[%d] hash differs from HashString(%q)", text, i, want[i])
		}
		if tok.Start >= tok.End || int(tok.End) > len(text) {
			t.Fatalf("AppendTokens(%q)[%d] span [%d,%d) out of range", text, i, tok.Start, tok.End)
		}
		// A span normalizes to its token, or, when one character yields
		// several tokens ("㍐" is three katakana), to text holding it.
		if span := normalize.String(string(text[tok.Start:tok.End])); span != want[i] && !slices.Contains(strings.Fields(span), want[i]) {
			t.Fatalf("AppendTokens(%q)[%d] span %q normalizes to %q, want %q", text, i, text[tok.Start:tok.End], span, want[i])
		}
	}
}

func TestAppendTokens(t *testing.T) {
	for _, s := range []string{
		"",
		"a",
		"Hello, World!",
		"exactly8 chars16 sixteenchars!!! twentyfourcharacterslong",
		"Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May.",
		"don't STOP—now… “quoted” (parenthesised) e.g. U.S.A.",
		"1,000,000 and 3.14159 and $2.50",
		"下列关于ABC的说法，正确的是（  ）",
		"ＦＵＬＬ－ｗｉｄｔｈ　ｔｅｘｔ and Café cafe\u0301 Straße ﬁne",
		"tab\tnew\nline\rcarriage\vvertical\fform",
		"ctrl\x01chars\x7fdeleted and bad\xffutf8\xc3",
		"a b c d e f g h i j k l m n o p",
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
		"@[`{ edge/bytes: ascii_around:letters", // 0x40 0x5b 0x60 0x7b
		"word\x00nul",
	} {
		checkAgainstNaive(t, []byte(s))
	}
}

func TestBetweenExhaustive(t *testing.T) {
	for b := 0; b < 256; b++ {
		x := uint64(b) << 24
		isAlnum := b < 128 && (b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z')
		if got := AlnumMask(x)&(0x80<<24) != 0; got != isAlnum {
			t.Errorf("AlnumMask byte %#x = %v, want %v", b, got, isAlnum)
		}
		if AlnumMask(x)&^(0x80<<24) != 0 {
			t.Errorf("AlnumMask byte %#x leaks into other bytes", b)
		}
	}
}

// randomText mixes words, punctuation, spaces, CJK and odd bytes.
func randomText(r *rand.Rand, n int) []byte {
	pieces := []string{"the", "Quick", "brown", "FOX", "jumps", "over", "lazy", "dogs", "12345", "extraordinarily",
		" ", " ", " ", "\n", ",", ".", "'", "\"", "-", "—", "中", "文", "字", "ｶ", "é", "e\u0301", "ß", "\xff", "Ａ", "\t", "x²"}
	var b bytes.Buffer
	for b.Len() < n {
		b.WriteString(pieces[r.IntN(len(pieces))])
	}
	return b.Bytes()
}

func TestAppendTokensRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 2000; i++ {
		checkAgainstNaive(t, randomText(r, r.IntN(200)))
	}
}

func FuzzAppendTokens(f *testing.F) {
	for _, s := range []string{"Hello, World!", "下列关于ABC的说法", "don't stop", "exactly8 chars16", "Ａｂｃ e\u0301"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, text []byte) {
		if len(text) > 1<<16 {
			return
		}
		checkAgainstNaive(t, text)
	})
}

func TestNgrams(t *testing.T) {
	toks := AppendTokens(nil, []byte("one two three four five six seven"))
	h := make([]uint64, len(toks))
	for i, tok := range toks {
		h[i] = tok.Hash
	}
	for n := 1; n <= 8; n++ {
		got := Ngrams(nil, h, n)
		if want := max(0, len(h)-n+1); len(got) != want {
			t.Fatalf("Ngrams(n=%d) gave %d hashes, want %d", n, len(got), want)
		}
		for p, g := range got {
			if g != NgramAt(h, p, n) {
				t.Fatalf("Ngrams(n=%d)[%d] = %x, NgramAt = %x", n, p, g, NgramAt(h, p, n))
			}
		}
	}
	// The same words in another text give the same n-gram hash.
	other := AppendTokens(nil, []byte("ZERO, One two THREE four!"))
	oh := []uint64{other[1].Hash, other[2].Hash, other[3].Hash}
	if NgramAt(oh, 0, 3) != NgramAt(h, 0, 3) {
		t.Error("equal trigrams hash differently")
	}
}

func TestAppendTokensAllocs(t *testing.T) {
	text := randomText(rand.New(rand.NewPCG(3, 4)), 4096)
	dst := make([]Token, 0, 4096)
	if n := testing.AllocsPerRun(100, func() { dst = AppendTokens(dst[:0], text) }); n != 0 {
		t.Errorf("AppendTokens allocates %v times per call, want 0", n)
	}
}

func TestCanonicalUTF8(t *testing.T) {
	// Spans always fall on character boundaries.
	text := []byte("naïve 中文 ｶﾀ")
	for _, tok := range AppendTokens(nil, text) {
		if !utf8.Valid(text[tok.Start:tok.End]) {
			t.Errorf("span %q is not on character boundaries", text[tok.Start:tok.End])
		}
	}
}

func TestAppendCanonical(t *testing.T) {
	text := []byte("Hello, 世界! Ｎo. 1,000")
	got, offs := AppendCanonical(nil, nil, text)
	want := strings.ReplaceAll(normalize.String(string(text)), " ", "")
	if string(got) != want {
		t.Fatalf("AppendCanonical = %q, want %q", got, want)
	}
	if len(offs) != len(got) {
		t.Fatalf("%d offsets for %d bytes", len(offs), len(got))
	}
	if text[offs[0]] != 'H' || string(text[offs[5]:offs[5]+3]) != "世" {
		t.Errorf("offsets %v do not point at the source characters", offs)
	}
}

// TestAppendCanonicalAppends checks that AppendCanonical appends one
// offset per byte it appends, whatever dst and offs already hold.
func TestAppendCanonicalAppends(t *testing.T) {
	text := []byte("ab é世")
	for _, c := range []struct {
		dst  []byte
		offs []uint32
	}{{nil, nil}, {[]byte("pre"), nil}, {nil, []uint32{7, 8}}, {[]byte("x"), []uint32{9}}} {
		dst, offs := AppendCanonical(slices.Clone(c.dst), slices.Clone(c.offs), text)
		added, want := dst[len(c.dst):], []uint32{0, 1, 3, 5}
		if string(added) != "abe世" {
			t.Fatalf("dst %q offs %v: appended %q, want %q", c.dst, c.offs, added, "abe世")
		}
		want = append(want, 5, 5) // the rest of 世's bytes
		if got := offs[len(c.offs):]; !slices.Equal(got, want) {
			t.Errorf("dst %q offs %v: appended offsets %v, want %v", c.dst, c.offs, got, want)
		}
	}
}

// FuzzAppendCanonicalBytes checks that the fast path gives the bytes of
// AppendCanonical, after a prefix already in dst.
func FuzzAppendCanonicalBytes(f *testing.F) {
	for _, s := range []string{"", "Hello, 世界! Ｎo. 1,000", "a\xffb", "ÀÉÎ ﬃ ㎏ ｶﾀ", strings.Repeat("Ab1 -", 40) + "é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, offs := AppendCanonical([]byte("pre"), nil, []byte(s))
		if got := AppendCanonicalBytes([]byte("pre"), []byte(s)); !bytes.Equal(got, want) {
			t.Errorf("AppendCanonicalBytes(%q) = %q, want %q", s, got, want)
		}
		if len(offs) != len(want)-len("pre") {
			t.Errorf("AppendCanonical(%q): %d offsets for %d bytes appended", s, len(offs), len(want)-len("pre"))
		}
	})
}

func BenchmarkAppendCanonical(b *testing.B) {
	text := []byte(strings.Repeat("The Quick brown fox, 12 jumps over the lazy dog; naïve café. ", 2000))
	b.Run("offsets", func(b *testing.B) {
		b.SetBytes(int64(len(text)))
		var dst []byte
		var offs []uint32
		for b.Loop() {
			dst, offs = AppendCanonical(dst[:0], offs[:0], text)
		}
	})
	b.Run("bytes", func(b *testing.B) {
		b.SetBytes(int64(len(text)))
		var dst []byte
		for b.Loop() {
			dst = AppendCanonicalBytes(dst[:0], text)
		}
	})
}
