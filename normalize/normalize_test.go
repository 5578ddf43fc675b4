package normalize

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Hello, World!", "hello world"},
		{"  don't   stop\n\tnow ", "dont stop now"},
		{"1,000 apples cost $2.50.", "1000 apples cost 250"},
		{"ＦＵＬＬ－ｗｉｄｔｈ　ＡＢＣ１２３", "fullwidth abc123"},
		{"Café café cafe\u0301", "cafe cafe cafe"},
		{"Straße", "strasse"},
		{"ﬁne", "fine"},
		{"x²", "x2"},
		{"下列关于ABC的说法", "下 列 关 于 abc 的 说 法"},
		{"カタカナとひらがな", "カ タ カ ナ と ひ ら か な"},
		{"ｶﾀｶﾅ", "カ タ カ ナ"},
		{"ガ か\u3099 ｶﾞ が", "カ か カ か"},
		{"한국어 문장", "한 국 어 문 장"},
		{"—…“quoted”…—", "quoted"},
		{"a\u00a0b\u3000c", "a b c"},
		{"zero\u200bwidth", "zerowidth"},
		{"bad\xffbyte", "badbyte"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := String(tt.in); got != tt.want {
			t.Errorf("String(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMapIdempotent(t *testing.T) {
	// Canonical text is a fixed point: normalizing it again changes nothing.
	for _, s := range []string{"Ｈｅｌｌｏ, 世界! Ça va? ½ ﬃ", "Ⅻ ㈠ ㍻ 𝔸𝕓𝕔"} {
		once := String(s)
		if twice := String(once); twice != once {
			t.Errorf("String(String(%q)) = %q, want %q", s, twice, once)
		}
	}
}

func FuzzString(f *testing.F) {
	for _, s := range []string{"Hello, World!", "下列关于ABC的说法", "Ｆｕｌｌ", "cafe\u0301", "\xff\xfe"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := String(s)
		if !utf8.ValidString(out) {
			t.Fatalf("String(%q) = %q is not valid UTF-8", s, out)
		}
		if strings.Contains(out, "  ") || strings.HasPrefix(out, " ") || strings.HasSuffix(out, " ") {
			t.Fatalf("String(%q) = %q has stray spaces", s, out)
		}
		if again := String(out); again != out {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, out, again)
		}
	})
}
