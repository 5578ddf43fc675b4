package corpus

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

// extractLine runs the extractor on one record with opts and returns the
// outcome as "kind" or "text|id".
func extractLine(t testing.TB, line string, opts Options) string {
	t.Helper()
	sel, err := newSelector(opts.withDefaults())
	if err != nil {
		t.Fatal(err)
	}
	x := NewExtractor(opts)
	if kind := x.extract([]byte(line), sel); kind != "" {
		return kind
	}
	return fmt.Sprintf("%s|%s", x.rec.Text, x.rec.ID)
}

func TestExtract(t *testing.T) {
	auto := Options{}
	tests := []struct {
		line string
		opts Options
		want string
	}{
		// Plain values, ids as strings and numbers (rendered as written).
		{`{"id": "d1", "text": "hello"}`, auto, "hello|d1"},
		{`{"text":"hello","id":12}`, auto, "hello|12"},
		{`{"text":"a","id":-1.5e+3}`, auto, "a|-1.5e+3"},
		{`{"text":"a","id":null}`, auto, "a|"},
		{`{"text":"a","id":{"x":1}}`, auto, "a|"},
		{`{"text":"a","uid":"u7"}`, Options{IDField: "uid"}, "a|u7"},
		{`{"text":"a","meta":{"id":"m1"}}`, Options{IDField: "meta.id"}, "a|m1"},
		{`  {"text" : "a" }  `, auto, "a|"},
		{"{\"text\":\"a\"}\r", auto, "a|"},
		{`{"text":""}`, auto, "|"},
		// Escapes: every kind, surrogate pairs, lone surrogates as U+FFFD.
		{`{"text":"a\nb\tc\"d\\e\/f\bg\fh\ri"}`, auto, "a\nb\tc\"d\\e/f\bg\fh\ri|"},
		{`{"text":"\u00e9\u4e2d\ud83d\ude00"}`, auto, "é中😀|"},
		{`{"text":"\ud83d"}`, auto, "\ufffd|"},
		{`{"text":"\ude00x"}`, auto, "\ufffdx|"},
		{`{"text":"\ud83d\u0041"}`, auto, "\ufffdA|"},
		{`{"text":"\uD83D\uDE00"}`, auto, "😀|"},
		{`{"id":"a\u0062","text":"x"}`, auto, "x|ab"},
		{`{"t\u0065xt":"escaped key"}`, auto, "escaped key|"},
		// Non-ASCII text is validated.
		{`{"text":"héllo 中文"}`, auto, "héllo 中文|"},
		{"{\"text\":\"bad \xff\"}", auto, KindInvalidUTF8},
		{"{\"text\":\"\xed\xa0\x80\"}", auto, KindInvalidUTF8}, // an encoded surrogate
		{"{\"other\":\"\xff\",\"text\":\"ok\"}", auto, "ok|"},
		// Duplicate keys: the last wins, as in encoding/json.
		{`{"text":"first","text":"second"}`, auto, "second|"},
		{`{"id":"1","id":"2","text":"t"}`, auto, "t|2"},
		// Automatic selection order.
		{`{"content":"c","other":1}`, auto, "c|"},
		{`{"content":"c","text":"t"}`, auto, "t|"},
		{`{"instruction":"do","input":"","output":"done"}`, auto, "do\ndone|"},
		{`{"instruction":"do","input":"this","output":"done"}`, auto, "do\nthis\ndone|"},
		{`{"output":"o","instruction":"i"}`, auto, "i\no|"},
		{`{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"hello\n"}]}`, auto, "hi\nhello\n|"},
		{`{"messages":[{"role":"user","content":[{"type":"text"}]},{"content":"x"}]}`, auto, "x|"},
		{`{"messages":[]}`, auto, KindMissingField},
		{`{"messages":"no"}`, auto, KindMissingField},
		{`{"text":null}`, auto, KindMissingField},
		{`{"text":5}`, auto, KindMissingField},
		{`{}`, auto, KindMissingField},
		// Explicit fields and paths.
		{`{"meta":{"text":"deep"},"text":"top"}`, Options{Fields: []string{"meta.text"}}, "deep|"},
		{`{"meta":{"text":"a","text":"b"}}`, Options{Fields: []string{"meta.text"}}, "b|"},
		{`{"meta":{"text":"a"},"meta":{"x":"b"}}`, Options{Fields: []string{"meta.text"}}, KindMissingField},
		{`{"q":"question","a":"answer"}`, Options{Fields: []string{"q", "a"}}, "question\nanswer|"},
		{`{"a":"answer"}`, Options{Fields: []string{"q", "a"}}, "answer|"},
		{`{"tags":["x","y",3,"z"]}`, Options{Fields: []string{"tags[]"}}, "x\ny\nz|"},
		{`{"m":[[{"c":"1"}],[{"c":"2"},{"c":"3"}]]}`, Options{Fields: []string{"m[][].c"}}, "1\n2\n3|"},
		{`{"d":[{"turns":[{"text":"a"},{"text":"b"}]},{"turns":[{"text":"c"}]}]}`, Options{Fields: []string{"d[].turns[].text"}}, "a\nb\nc|"},
		{`{"meta":{"text":"x"},"meta2":1}`, Options{Fields: []string{"meta.text", "meta.text"}}, "x\nx|"},
		// Malformed records.
		{`{"text":"a"`, auto, KindMalformedJSON},
		{`{"text":"a",}`, auto, KindMalformedJSON},
		{`{"text" "a"}`, auto, KindMalformedJSON},
		{`{"text":"a"}x`, auto, KindMalformedJSON},
		{`{"text":"a"}{"text":"b"}`, auto, KindMalformedJSON},
		{`{"text":"a` + "\x01" + `"}`, auto, KindMalformedJSON},
		{`{"text":"a` + "\t" + `"}`, auto, KindMalformedJSON},
		{`{"text":"\x"}`, auto, KindMalformedJSON},
		{`{"text":"\u12"}`, auto, KindMalformedJSON},
		{`{"text":"\u12G4"}`, auto, KindMalformedJSON},
		{`{"text":"a","n":01}`, auto, KindMalformedJSON},
		{`{"text":"a","n":1.}`, auto, KindMalformedJSON},
		{`{"text":"a","n":-}`, auto, KindMalformedJSON},
		{`{"text":"a","n":1e}`, auto, KindMalformedJSON},
		{`{"text":"a","n":tru}`, auto, KindMalformedJSON},
		{`{"text":"a","n":nul}`, auto, KindMalformedJSON},
		{`{"text":"a","n":[1,]}`, auto, KindMalformedJSON},
		{`{"text":"a","n":[1 2]}`, auto, KindMalformedJSON},
		{`{"text":"a","n":{"k":1,}}`, auto, KindMalformedJSON},
		{`{"text":"a","n":{1:2}}`, auto, KindMalformedJSON},
		{`{"text":"a","n":'x'}`, auto, KindMalformedJSON},
		{`{"messages":[{"content":"a"},]}`, auto, KindMalformedJSON},
		{`{"messages":[{"content":"a"}`, auto, KindMalformedJSON},
		{`{"text":"unterminated`, auto, KindMalformedJSON},
		{"\xef\xbb\xbf{\"text\":\"a\"}", auto, KindMalformedJSON}, // a BOM is stripped only on line 1 by the reader
		// Valid JSON that is not an object.
		{`[1,2]`, auto, KindNotObject},
		{`"text"`, auto, KindNotObject},
		{`12`, auto, KindNotObject},
		{`null`, auto, KindNotObject},
		{`[1,2`, auto, KindMalformedJSON},
	}
	for _, tt := range tests {
		if got := extractLine(t, tt.line, tt.opts); got != tt.want {
			t.Errorf("extract(%q, fields %q) = %q, want %q", tt.line, tt.opts.Fields, got, tt.want)
		}
	}
}

func TestExtractDepth(t *testing.T) {
	nest := func(n int) string {
		return `{"text":"a","n":` + strings.Repeat("[", n-1) + strings.Repeat("]", n-1) + "}"
	}
	// The object itself is depth 1: 9,999 more arrays reach encoding/json's limit.
	for _, tt := range []struct {
		n    int
		want string
	}{{maxDepth, "a|"}, {maxDepth + 1, KindMalformedJSON}, {1 << 20, KindMalformedJSON}} {
		line := nest(tt.n)
		if got := extractLine(t, line, Options{}); got != tt.want {
			t.Errorf("depth %d: got %q, want %q", tt.n, got, tt.want)
		}
		if json.Valid([]byte(line)) != (tt.want != KindMalformedJSON) {
			t.Errorf("depth %d: encoding/json disagrees", tt.n)
		}
	}
	deepPath := `{"m":` + strings.Repeat(`[`, maxDepth) + strings.Repeat(`]`, maxDepth) + `}`
	if got := extractLine(t, deepPath, Options{Fields: []string{"m[]"}}); got != KindMalformedJSON {
		t.Errorf("deep array under a path: got %q, want malformed-json", got)
	}
}

func TestMalformedMessage(t *testing.T) {
	tests := []struct{ line, want string }{
		{`{"text":"a" "id":1}`, `expected ',' or '}' after object member, found '"', in member "text" (byte 12 of the record)`},
		{`{"text" "a"}`, `expected ':' after object key, found '"', in member "text" (byte 8 of the record)`},
		{"{\"text\":\"a\x01\"}", `control character in string (0x01), in member "text" (byte 10 of the record)`},
		{`{"text":"abc`, `unterminated string, in member "text" (byte 12 of the record)`},
	}
	for _, tt := range tests {
		sel, _ := newSelector(Options{}.withDefaults())
		x := NewExtractor(Options{})
		kind := x.extract([]byte(tt.line), sel)
		if got := x.msg(kind, []byte(tt.line), sel); got != tt.want {
			t.Errorf("msg(%q) =\n  %s\nwant\n  %s", tt.line, got, tt.want)
		}
	}
}

func TestPlainFlags(t *testing.T) {
	// Every length up to 40 with a control or high byte at every position.
	for n := 0; n <= 40; n++ {
		base := bytes.Repeat([]byte{'a'}, n)
		if ctl, f := plainFlags(base); ctl != -1 || f != 0 {
			t.Fatalf("plainFlags(%d x 'a') = %d, %d", n, ctl, f)
		}
		for i := 0; i < n; i++ {
			for _, c := range []byte{0x00, 0x1f, 0x20, 0x7f, 0x80, 0xff} {
				b := bytes.Clone(base)
				b[i] = c
				ctl, f := plainFlags(b)
				wantCtl, wantF := -1, uint8(0)
				if c < 0x20 {
					wantCtl = i
				}
				if c >= 0x80 {
					wantF = strNonASCII | strBadUTF8 // a lone high byte
				}
				if ctl != wantCtl || f != wantF {
					t.Fatalf("plainFlags(%q) = %d, %d; want %d, %d", b, ctl, f, wantCtl, wantF)
				}
			}
		}
	}
}

func TestValidUTF8(t *testing.T) {
	for _, s := range []string{"", "ascii only", "é", "a\x00b\x01é", "中文 text 😀", "\xff", "a\xe4\xb8", "\xed\xa0\x80", "\xc0\x80", strings.Repeat("abcdefgh", 9) + "é\xff", "\x7f\x1f"} {
		if got, want := validUTF8([]byte(s)), utf8.ValidString(s); got != want {
			t.Errorf("validUTF8(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestParsePath(t *testing.T) {
	tests := []struct{ spec, want string }{
		{"text", "text"},
		{"meta.text", "meta.text"},
		{"messages[].content", "messages[].content"},
		{"a[][].b", "a[][].b"},
		{"", "error"},
		{"a..b", "error"},
		{"a[]b", "error"},
		{"a[", "error"},
		{"[]", "error"},
		{".a", "error"},
	}
	for _, tt := range tests {
		steps, err := parsePath(tt.spec)
		got := canonical(steps)
		if err != nil {
			got = "error"
		}
		if got != tt.want {
			t.Errorf("parsePath(%q) = %q, want %q", tt.spec, got, tt.want)
		}
	}
}

// checkAgainstJSON compares the extractor with encoding/json on line,
// selecting field (a top-level key). It is the oracle of FuzzExtract.
func checkAgainstJSON(t *testing.T, line []byte, field string) {
	sel, err := newSelector(Options{Fields: []string{field}}.withDefaults())
	if err != nil {
		t.Fatal(err)
	}
	x := NewExtractor(Options{})
	kind := x.extract(line, sel)
	valid := json.Valid(line)
	if (kind == KindMalformedJSON) == valid {
		t.Fatalf("%q: extractor says %q, json.Valid = %v (%s)", line, kind, valid, x.msg(kind, line, sel))
	}
	if !valid {
		return
	}
	var m map[string]json.RawMessage
	isObject := json.Unmarshal(line, &m) == nil && m != nil // "null" unmarshals into a nil map
	if (kind == KindNotObject) == isObject {
		t.Fatalf("%q: extractor says %q, encoding/json object = %v", line, kind, isObject)
	}
	if !isObject {
		return
	}
	var want string
	isString := json.Unmarshal(m[field], &want) == nil && m[field] != nil && m[field][0] == '"'
	switch kind {
	case "":
		if !isString || string(x.rec.Text) != want {
			t.Fatalf("%q: extractor text %q, encoding/json %q (string %v)", line, x.rec.Text, want, isString)
		}
	case KindMissingField:
		if isString {
			t.Fatalf("%q: extractor says missing, encoding/json finds %q", line, want)
		}
	case KindInvalidUTF8:
		if !isString || utf8.Valid(m[field]) {
			t.Fatalf("%q: extractor says invalid UTF-8, encoding/json finds %q", line, want)
		}
	default:
		t.Fatalf("%q: unexpected kind %q", line, kind)
	}
}

var differentialSeeds = []string{
	`{"text":"hello"}`,
	`{"id":1,"text":"a\nb\u00e9\ud83d\ude00","meta":{"x":[1,2,{"y":null}]}}`,
	`{"text":"\ud800\udc00\udbff\udfff\ud800"}`,
	`{"text":"a","text":"b"}`,
	`{"text":1}`,
	`{"te\u0078t":"k"}`,
	`[{"text":"a"}]`,
	`{"text":"a",}`,
	"{\"text\":\"\xff\"}",
	"{\"text\":\"a\x00\"}",
	`{"a":-0.0e-0,"b":true,"c":false,"d":null,"text":"x"}`,
	` {"text" :	"x" } `,
	`{"text":"\/\b\f\n\r\t\"\\"}`,
}

func TestDifferentialSeeds(t *testing.T) {
	for _, s := range differentialSeeds {
		checkAgainstJSON(t, []byte(s), "text")
	}
}

// FuzzExtract checks the extractor against encoding/json: the same
// records are valid, and when encoding/json finds the field as a string
// the extractor returns the same text (or invalid-utf8 when the raw value
// is not UTF-8, which encoding/json silently replaces).
func FuzzExtract(f *testing.F) {
	for _, s := range differentialSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		checkAgainstJSON(t, line, "text")
	})
}

// FuzzExtractPaths runs nested paths over arbitrary input: it must never
// panic, and a record it accepts must be valid JSON whose values along the
// path, decoded by encoding/json, are the extracted text.
func FuzzExtractPaths(f *testing.F) {
	f.Add([]byte(`{"messages":[{"content":"a"},{"content":"b\n"}],"meta":{"text":"m"}}`), uint8(0))
	f.Add([]byte(`{"meta":{"text":"a","text":"b"}}`), uint8(1))
	f.Fuzz(func(t *testing.T, line []byte, which uint8) {
		fields := [][]string{{"messages[].content"}, {"meta.text"}, {"meta.text", "messages[].content"}}[int(which)%3]
		got := extractLine(t, string(line), Options{Fields: fields})
		if got == KindMalformedJSON || got == KindNotObject || got == KindInvalidUTF8 {
			return
		}
		var v any
		if err := json.Unmarshal(line, &v); err != nil {
			t.Fatalf("%q: extractor accepted it (%q), encoding/json: %v", line, got, err)
		}
		want := referencePaths(v, fields)
		if want == "" && got == KindMissingField {
			return
		}
		if got != want+"|" && !(want == "" && got == "|") {
			t.Fatalf("%q: extractor %q, reference %q", line, got, want)
		}
	})
}

// referencePaths selects fields from a value decoded by encoding/json:
// the naive reference of the extractor's path walk. It returns the
// non-empty strings joined with "\n"; "" when none.
func referencePaths(v any, fields []string) string {
	var parts []string
	for _, f := range fields {
		steps, _ := parsePath(f)
		parts = appendRef(parts, v, steps)
	}
	return strings.Join(parts, "\n")
}

func appendRef(parts []string, v any, steps []step) []string {
	if len(steps) == 0 {
		if s, ok := v.(string); ok && s != "" {
			parts = append(parts, s)
		}
		return parts
	}
	if steps[0].each {
		arr, _ := v.([]any)
		for _, e := range arr {
			parts = appendRef(parts, e, steps[1:])
		}
		return parts
	}
	if m, ok := v.(map[string]any); ok {
		if c, ok := m[steps[0].name]; ok {
			parts = appendRef(parts, c, steps[1:])
		}
	}
	return parts
}
