package evalset

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseCSV(t *testing.T) {
	tests := []struct {
		in   string
		want [][]string
	}{
		{"a,b\n1,2\n", [][]string{{"a", "b"}, {"1", "2"}}},
		{"a,b\r\n1,2", [][]string{{"a", "b"}, {"1", "2"}}},
		{"\"x, y\",\"say \"\"hi\"\"\"\n", [][]string{{"x, y", `say "hi"`}}},
		{"\"line1\r\nline2\",z\n", [][]string{{"line1\r\nline2", "z"}}}, // CRLF kept inside quotes
		{"a\n\nb\n", [][]string{{"a"}, {}, {"b"}}},                      // a blank line is an empty row
		{"a,\n", [][]string{{"a", ""}}},
		{"a,", [][]string{{"a", ""}}},
		{"ab\"c\",d\n", [][]string{{"ab\"c\"", "d"}}}, // quote inside an unquoted field is literal
		{"\"ab\"c,d\n", [][]string{{"abc", "d"}}},     // text after a closing quote is kept
		{"\"open,end", [][]string{{"open,end"}}},      // unterminated quote runs to the end
		{"a\rb\r", [][]string{{"a"}, {"b"}}},
		{"", nil},
	}
	for _, tt := range tests {
		if got := parseCSV(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseCSV(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzParseCSV checks that the parser never panics and that, on input
// without quotes and carriage returns, it agrees with a plain split.
func FuzzParseCSV(f *testing.F) {
	for _, s := range []string{"a,b\n1,2\n", "\"x\"\"y\",z\r\n", "\n\n", "q,\"\n\",", ",Question,A,B,C,D,Answer\n0,问,甲,乙,丙,丁,B\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		rows := parseCSV(s)
		if strings.ContainsAny(s, "\"\r") {
			return
		}
		var want [][]string
		lines := strings.Split(s, "\n")
		if lines[len(lines)-1] == "" {
			lines = lines[:len(lines)-1]
		}
		for _, l := range lines {
			if l == "" {
				want = append(want, []string{})
				continue
			}
			want = append(want, strings.Split(l, ","))
		}
		if !reflect.DeepEqual(rows, want) {
			t.Fatalf("parseCSV(%q) = %q, want %q", s, rows, want)
		}
	})
}
