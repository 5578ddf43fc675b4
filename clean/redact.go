package clean

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/leakhound/leakhound"
)

// A JSON record's text is its selected string values, JSON-decoded, the
// non-empty ones joined with "\n" (package corpus). To redact, the record
// is walked again to find where each of those values lies in the raw
// bytes; the values are joined the same way and the result must equal the
// text the scan matched (corpus.Record.Text), or the record is not
// redacted but dropped and counted (FileResult.RedactFailed). Each
// finding span is cut at the value boundaries, replaced in the decoded
// value by the marker, and the value is encoded again and spliced into
// the raw record. Every other byte of the record (members, their order,
// unknown fields, whitespace) stays as it was.

// fieldStep is one step of a field path: a member name, or every element
// of an array.
type fieldStep struct {
	name  string
	array bool
}

// autoFields mirrors corpus's automatic choices, in order.
var autoFields = [][]string{{"text"}, {"content"}, {"instruction", "input", "output"}, {"messages[].content"}}

// fieldGroups returns the candidate groups of parsed paths for fields
// (nil: the automatic ones).
func fieldGroups(fields []string) [][][]fieldStep {
	groups := autoFields
	if fields != nil {
		groups = [][]string{fields}
	}
	out := make([][][]fieldStep, len(groups))
	for g, specs := range groups {
		for _, spec := range specs {
			out[g] = append(out[g], splitPath(spec))
		}
	}
	return out
}

// splitPath turns "messages[].content" into steps.
func splitPath(spec string) []fieldStep {
	var steps []fieldStep
	for _, part := range strings.Split(spec, ".") {
		n := 0
		for strings.HasSuffix(part, "[]") {
			part = part[:len(part)-2]
			n++
		}
		steps = append(steps, fieldStep{name: part})
		for range n {
			steps = append(steps, fieldStep{array: true})
		}
	}
	return steps
}

// strVal is a string value found in a record: raw[start:end] is the
// string with its quotes; text is its decoded value.
type strVal struct {
	start, end int
	text       string
}

// walker finds string values in a JSON record that package corpus has
// already validated.
type walker struct{ s []byte }

func (w walker) ws(i int) int {
	for i < len(w.s) && (w.s[i] == ' ' || w.s[i] == '\t' || w.s[i] == '\n' || w.s[i] == '\r') {
		i++
	}
	return i
}

// str returns the index after the string that starts at i ('"').
func (w walker) str(i int) int {
	for j := i + 1; j < len(w.s); j++ {
		switch w.s[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return -1
}

// skip returns the index after the value at i.
func (w walker) skip(i int) int {
	depth := 0
	for i >= 0 && i < len(w.s) {
		switch w.s[i] {
		case '"':
			if i = w.str(i); depth == 0 {
				return i
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return i // the end of a scalar in a container
			}
			if depth--; depth == 0 {
				return i + 1
			}
		case ',', ' ', '\t', '\n', '\r':
			if depth == 0 {
				return i
			}
		}
		i++
	}
	return i
}

// collect walks the value at i along steps and appends the string values
// it reaches; it returns the index after the value. As in corpus and
// encoding/json, the last of repeated member names wins.
func (w walker) collect(i int, steps []fieldStep, out []strVal) (int, []strVal, error) {
	if i >= len(w.s) {
		return -1, out, errors.New("unexpected end of record")
	}
	c := w.s[i]
	switch {
	case len(steps) == 0 && c == '"':
		j := w.str(i)
		if j < 0 {
			return -1, out, errors.New("unterminated string")
		}
		var text string
		if err := json.Unmarshal(w.s[i:j], &text); err != nil {
			return -1, out, err
		}
		return j, append(out, strVal{start: i, end: j, text: text}), nil
	case len(steps) == 0, steps[0].array && c != '[', !steps[0].array && c != '{':
		return w.skip(i), out, nil
	case steps[0].array:
		return w.members(i, out, func(j int, _ []byte, out []strVal) (int, []strVal, error) {
			return w.collect(j, steps[1:], out)
		})
	}
	base := len(out)
	return w.members(i, out, func(j int, key []byte, out []strVal) (int, []strVal, error) {
		if keyName(key) != steps[0].name {
			return w.skip(j), out, nil
		}
		return w.collect(j, steps[1:], out[:base])
	})
}

// members calls fn for each member of the object (with its raw key) or
// each element of the array at i, with the index of its value.
func (w walker) members(i int, out []strVal, fn func(j int, key []byte, out []strVal) (int, []strVal, error)) (int, []strVal, error) {
	object := w.s[i] == '{'
	i = w.ws(i + 1)
	for i >= 0 && i < len(w.s) {
		if w.s[i] == '}' || w.s[i] == ']' {
			return i + 1, out, nil
		}
		var key []byte
		if object {
			k := w.str(i)
			if k < 0 {
				break
			}
			key = w.s[i+1 : k-1]
			i = w.ws(w.ws(k) + 1) // past ':'
		}
		var err error
		if i, out, err = fn(i, key, out); err != nil || i < 0 {
			return -1, out, err
		}
		if i = w.ws(i); i < len(w.s) && w.s[i] == ',' {
			i = w.ws(i + 1)
		}
	}
	return -1, out, errors.New("unterminated object or array")
}

func keyName(raw []byte) string {
	if bytes.IndexByte(raw, '\\') < 0 {
		return string(raw)
	}
	var s string
	if json.Unmarshal(append(append([]byte{'"'}, raw...), '"'), &s) != nil {
		return string(raw)
	}
	return s
}

// locate returns the non-empty string values of group in raw, in the
// order their join forms the record's text.
func locate(raw []byte, group [][]fieldStep) ([]strVal, error) {
	w := walker{s: raw}
	i := w.ws(0)
	var vals []strVal
	for _, steps := range group {
		_, found, err := w.collect(i, steps, nil)
		if err != nil {
			return nil, err
		}
		for _, v := range found {
			if v.text != "" {
				vals = append(vals, v)
			}
		}
	}
	return vals, nil
}

// joinVals joins the decoded values with "\n", as package corpus does.
func joinVals(vals []strVal) string {
	var b strings.Builder
	for i, v := range vals {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(v.text)
	}
	return b.String()
}

// redactJSON returns raw with spans (of text, merged and sorted) replaced
// by marker in the values that hold them, and the number of ranges
// replaced; ok is false when a span is out of range or no field group of
// raw reproduces text.
func redactJSON(raw, text []byte, spans []leakhound.Span, marker string, groups [][][]fieldStep) (out []byte, n int, ok bool) {
	if !spansFit(spans, len(text)) {
		return nil, 0, false
	}
	for _, g := range groups {
		vals, err := locate(raw, g)
		if err != nil || len(vals) == 0 || joinVals(vals) != string(text) {
			continue
		}
		return spliceValues(raw, vals, spans, marker)
	}
	return nil, 0, false
}

// spliceValues cuts spans (which fit the values joined, see spansFit) at
// value boundaries, redacts each value and re-encodes the changed ones
// into raw.
func spliceValues(raw []byte, vals []strVal, spans []leakhound.Span, marker string) ([]byte, int, bool) {
	type edit struct {
		start, end int
		repl       []byte
	}
	var edits []edit
	total, off := 0, 0
	for _, v := range vals {
		local := cut(spans, off, off+len(v.text))
		off += len(v.text) + 1
		if len(local) == 0 {
			continue
		}
		red, ok := redactText([]byte(v.text), local, marker)
		if !ok {
			return nil, 0, false
		}
		total += len(local)
		edits = append(edits, edit{v.start, v.end, encodeString(red)})
	}
	slices.SortFunc(edits, func(a, b edit) int { return a.start - b.start })
	out := make([]byte, 0, len(raw)+len(marker)*total)
	pos := 0
	for _, e := range edits {
		out = append(append(out, raw[pos:e.start]...), e.repl...)
		pos = e.end
	}
	return append(out, raw[pos:]...), total, true
}

// spansFit reports whether spans (sorted and merged) are at least one
// range, each non-empty and inside a text of n bytes: the check, before
// the text is cut at value boundaries, that a JSON record and a Parquet
// row share.
func spansFit(spans []leakhound.Span, n int) bool {
	for _, s := range spans {
		if s.Start < 0 || s.End <= s.Start {
			return false
		}
	}
	return len(spans) > 0 && spans[len(spans)-1].End <= n
}

// cut returns the parts of spans that lie in [lo, hi), relative to lo:
// the spans of one value of a text joined from several.
func cut(spans []leakhound.Span, lo, hi int) []leakhound.Span {
	var local []leakhound.Span
	for _, s := range spans {
		if s.Start < hi && s.End > lo {
			local = append(local, leakhound.Span{Start: max(s.Start, lo) - lo, End: min(s.End, hi) - lo})
		}
	}
	return local
}

// redactText replaces spans (sorted, disjoint, inside text) of text with
// marker; ok is false when a span is out of range. A span that cuts a
// UTF-8 sequence (spans come from token boundaries, so none should) is
// widened to whole characters.
func redactText(text []byte, spans []leakhound.Span, marker string) ([]byte, bool) {
	out := make([]byte, 0, len(text))
	pos := 0
	for _, s := range spans {
		if s.Start < pos || s.End > len(text) || s.Start >= s.End {
			return nil, false
		}
		for s.Start > pos && !utf8.RuneStart(text[s.Start]) {
			s.Start--
		}
		for s.End < len(text) && !utf8.RuneStart(text[s.End]) {
			s.End++
		}
		out = append(append(out, text[pos:s.Start]...), marker...)
		pos = s.End
	}
	return append(out, text[pos:]...), true
}

// encodeString encodes s as a JSON string without HTML escaping.
func encodeString(s []byte) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(string(s)) // encoding a string cannot fail
	return bytes.TrimSuffix(b.Bytes(), []byte{'\n'})
}
