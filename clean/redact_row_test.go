package clean

import (
	"testing"

	"github.com/leakhound/leakhound"
	"github.com/parquet-go/parquet-go"
)

// TestRedactRow: a Parquet row's text is redacted only for spans that fit
// it, as a JSON record's is (spansFit); a mark without spans, which a
// finding without spans makes, is a failed redaction, not a panic.
func TestRedactRow(t *testing.T) {
	c := &Cleaner{opts: Options{Policy: Redact, Marker: "[X]"}}
	const text = "hello world\nbye"
	for _, tt := range []struct {
		name  string
		spans []leakhound.Span
		want  string // first value after redaction; "" when the row is dropped
	}{
		{"inside", []leakhound.Span{{Start: 0, End: 5}}, "[X] world"},
		{"across values", []leakhound.Span{{Start: 6, End: 13}}, "hello [X]"},
		{"no spans", nil, ""},
		{"negative start", []leakhound.Span{{Start: -2, End: 5}}, ""},
		{"empty", []leakhound.Span{{Start: 11, End: 11}}, ""},
		{"beyond the text", []leakhound.Span{{Start: 10, End: 20}}, ""},
	} {
		row := parquet.Row{
			parquet.ByteArrayValue([]byte("hello world")).Level(0, 1, 0),
			parquet.ByteArrayValue([]byte("bye")).Level(0, 1, 1),
		}
		var r FileResult
		out := c.redactRow(row, &mark{line: 1, spans: tt.spans}, text, [][]int{{0, 1}}, &r)
		got := ""
		if out != nil {
			got = string(out[0].ByteArray())
		}
		if got != tt.want || (out == nil) != (r.RedactFailed == 1) {
			t.Errorf("%s: first value %q (failed %d), want %q", tt.name, got, r.RedactFailed, tt.want)
		}
	}
}
