package clean

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/leakhound/leakhound"
	"github.com/leakhound/leakhound/corpus"
)

// FuzzRedactJSON feeds arbitrary records to the field walker. Whenever it
// redacts, the result must be JSON and its text must be the record's text
// with the span replaced.
func FuzzRedactJSON(f *testing.F) {
	for _, l := range sampleLines(f) {
		f.Add([]byte(l), 3, 20)
	}
	f.Add([]byte(`{"messages": [{"content": "a\u00e9b"}, {"content": "cd"}], "x": [1, {"y": "}"}]}`), 1, 5)
	f.Add([]byte(`{"instruction": "", "input": "q", "output": "a\\\"b"}`), 0, 3)
	groups := fieldGroups(nil)
	f.Fuzz(func(t *testing.T, raw []byte, start, end int) {
		// The text corpus reads from the record, when it is one.
		ins := []corpus.Input{corpus.FromReader("r.jsonl", bytes.NewReader(raw), int64(len(raw)))}
		src, err := corpus.Open(ins[0], corpus.Options{})
		if err != nil {
			return
		}
		defer src.Close()
		if src.Format() != corpus.JSONL {
			return
		}
		var b corpus.Batch
		x := corpus.NewExtractor(corpus.Options{})
		for src.NextBatch(&b) {
			b.Each(x, func(rec *corpus.Record) error {
				span := leakhound.Span{Start: start, End: end}
				out, _, ok := redactJSON(rec.Raw, rec.Text, []leakhound.Span{span}, marker, groups)
				inside := start >= 0 && end <= len(rec.Text) && start < end
				if ok != inside {
					t.Fatalf("span %v of a %d-byte text: ok %v", span, len(rec.Text), ok)
				}
				if !ok || !utf8.RuneStart(rec.Text[start]) || end < len(rec.Text) && !utf8.RuneStart(rec.Text[end]) {
					return nil // widened to whole characters: checked by TestRedactJSON
				}
				if !json.Valid(out) {
					t.Fatalf("redacted record is not JSON: %q", out)
				}
				// A span across fields leaves one marker per field, and
				// the line breaks between fields stay.
				want := strip(string(rec.Text[:start]) + string(rec.Text[end:]))
				vals, err := locate(out, groupOf(t, out, groups))
				if err != nil || strip(joinVals(vals)) != want || !strings.Contains(joinVals(vals), marker) {
					t.Fatalf("redacted text %q, want %q plus markers (%v)", joinVals(vals), want, err)
				}
				return nil
			})
		}
	})
}

const marker = "\x01\x02"

func strip(s string) string {
	return strings.NewReplacer(marker, "", "\n", "").Replace(s)
}

// groupOf returns the first field group that has values in raw.
func groupOf(t *testing.T, raw []byte, groups [][][]fieldStep) [][]fieldStep {
	for _, g := range groups {
		if vals, err := locate(raw, g); err == nil && len(vals) > 0 {
			return g
		}
	}
	t.Fatalf("no field group in %q", raw)
	return nil
}

// BenchmarkClean measures the second pass on a JSONL file with one record
// in 50 flagged: copying, redacting and verifying.
func BenchmarkClean(b *testing.B) {
	lines := sampleLines(b)
	var all []string
	for range 200 {
		all = append(all, lines...)
	}
	dir := b.TempDir()
	in := filepath.Join(dir, "in", "c.jsonl")
	data := []byte(strings.Join(all, "\n") + "\n")
	writeFile(b, in, data)
	inputs, err := corpus.Expand([]string{in})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		out := filepath.Join(dir, "out", string(rune('a'+i%26)), strings.Repeat("x", i/26))
		os.RemoveAll(out)
		c, err := New(inputs, Options{OutDir: out, Policy: Redact})
		if err != nil {
			b.Fatal(err)
		}
		for i, l := range all {
			if i%50 == 0 && strings.HasPrefix(l, `{"`) {
				c.Add(&leakhound.Finding{Doc: leakhound.DocRef{File: in, Line: int64(i + 1)}, Spans: []leakhound.SpanPair{{Doc: leakhound.Span{Start: 0, End: 3}}}})
			}
		}
		if m, err := c.Run(context.Background()); err != nil || !m.OK {
			b.Fatal(err, m.Failures)
		}
	}
}
