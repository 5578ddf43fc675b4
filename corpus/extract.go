package corpus

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ErrNoTextField is returned (wrapped, with the file, line and the fields
// the first record has) by Open when Options.Fields is nil and the first
// record has none of the automatic text fields.
var ErrNoTextField = errors.New(`no text field (tried "text", "content", "instruction"+"input"+"output", "messages[].content")`)

// autoGroups are the automatic field choices, in order of preference.
var autoGroups = [][]string{
	{"text"},
	{"content"},
	{"instruction", "input", "output"},
	{"messages[].content"},
}

// step is one element of a field path: a member name, or every element of
// an array ("[]").
type step struct {
	name string
	each bool
}

// path is a parsed field path.
type path struct {
	spec  string // as the user wrote it, e.g. "messages[].content"
	steps []step
	id    bool // the id path: numbers count as values too
}

// selector says which values of a record make its text and its id. It is
// immutable once built and shared by the batches of one file.
type selector struct {
	paths  []path
	groups [][]int // indexes into paths; the first group with a value is the text
	id     int     // index of the id path
}

// parsePath parses "a.b[].c" into steps.
func parsePath(spec string) ([]step, error) {
	if spec == "" {
		return nil, errors.New("empty field path")
	}
	var steps []step
	for _, part := range strings.Split(spec, ".") {
		name := strings.TrimRight(part, "[]")
		brackets := part[len(name):]
		if name == "" || strings.ContainsAny(name, "[]") || len(brackets)%2 != 0 || strings.Repeat("[]", len(brackets)/2) != brackets {
			return nil, fmt.Errorf("invalid field path %q: want names separated by '.', each optionally followed by \"[]\"", spec)
		}
		steps = append(steps, step{name: name})
		for range len(brackets) / 2 {
			steps = append(steps, step{each: true})
		}
	}
	return steps, nil
}

// newSelector builds the selector for opts (with defaults applied). With
// no Fields it holds every automatic group; resolve narrows it to one.
func newSelector(opts Options) (*selector, error) {
	groups := autoGroups
	if opts.Fields != nil {
		if len(opts.Fields) == 0 {
			return nil, errors.New("corpus: Options.Fields is empty")
		}
		groups = [][]string{opts.Fields}
	}
	sel := &selector{}
	for _, g := range groups {
		var idx []int
		for _, spec := range g {
			steps, err := parsePath(spec)
			if err != nil {
				return nil, fmt.Errorf("corpus: %w", err)
			}
			idx = append(idx, len(sel.paths))
			sel.paths = append(sel.paths, path{spec: spec, steps: steps})
		}
		sel.groups = append(sel.groups, idx)
	}
	steps, err := parsePath(opts.IDField)
	if err != nil {
		return nil, fmt.Errorf("corpus: id field: %w", err)
	}
	sel.id = len(sel.paths)
	sel.paths = append(sel.paths, path{spec: opts.IDField, steps: steps, id: true})
	return sel, nil
}

// only returns a copy of sel that keeps group g alone.
func (sel *selector) only(g int) *selector {
	c := *sel
	c.groups = [][]int{sel.groups[g]}
	return &c
}

// groupName describes group g for messages: `"text"` or
// `"instruction", "input", "output"`.
func (sel *selector) groupName(g []int) string {
	var names []string
	for _, p := range g {
		names = append(names, strconv.Quote(sel.paths[p].spec))
	}
	return strings.Join(names, ", ")
}

// val is one value found in a record: the bytes between the quotes of a
// string, or a number's literal.
type val struct {
	start, end int
	flags      uint8 // strEscaped, strNonASCII, strBadUTF8, valNumber, valDecoded
}

// More val flags.
const (
	valNumber  = 1 << 7 // a number (ids only)
	valDecoded = 1 << 6 // start and end index Extractor.dec: the decoded string
)

// Extractor holds one worker's scratch buffers for Batch.Each. It is not
// safe for concurrent use: make one per worker with NewExtractor.
type Extractor struct {
	sc     scanner
	vals   [][]val // per selector path: the values of the current record
	text   []byte  // the joined text when it is not one value
	dec    []byte  // the decoded text values that had escapes
	id     []byte  // the unescaped id
	keyBuf []byte  // an unescaped object key
	group  int     // the group that gave the text, or -1
	rec    Record
}

// NewExtractor returns an Extractor for batches read with opts. The
// options are kept for future use: the field selection travels with each
// Batch, so one Extractor serves batches of every file.
func NewExtractor(opts Options) *Extractor {
	_ = opts
	return &Extractor{}
}

// extract validates rec, a JSON record, and sets x.rec.Text and x.rec.ID
// from the values that sel selects. It returns "" for a good record or
// the Diagnostic kind; x.msg then builds the message.
func (x *Extractor) extract(s []byte, sel *selector) string {
	if cap(x.vals) < len(sel.paths) {
		x.vals = make([][]val, len(sel.paths))
	}
	x.vals = x.vals[:len(sel.paths)]
	for p := range x.vals {
		x.vals[p] = x.vals[p][:0]
	}
	x.sc.key = [2]int{}
	x.group = -1
	x.dec = x.dec[:0]
	i := skipWS(s, 0)
	if i >= len(s) || s[i] != '{' {
		return x.notObject(s, i)
	}
	if i = x.topObject(s, i, sel); i < 0 {
		return KindMalformedJSON
	}
	if i = skipWS(s, i); i != len(s) {
		x.sc.fail(i, "unexpected data after the record's object")
		return KindMalformedJSON
	}
	return x.assemble(s, sel)
}

// notObject classifies a record that does not start with '{'.
func (x *Extractor) notObject(s []byte, i int) string {
	if i >= len(s) {
		x.sc.fail(i, "empty record")
		return KindMalformedJSON
	}
	j := x.sc.skipValue(s, i, 0)
	if j < 0 {
		return KindMalformedJSON
	}
	if j = skipWS(s, j); j != len(s) {
		x.sc.fail(j, "unexpected data after the record's value")
		return KindMalformedJSON
	}
	return KindNotObject
}

// memberKey reads `"key" :` at i and returns the raw key bytes, the key's
// string flags and the index of the member's value, or next < 0 (with the
// key when it was read).
func (x *Extractor) memberKey(s []byte, i int) (key []byte, flags uint8, next int) {
	if i >= len(s) || s[i] != '"' {
		return nil, 0, x.sc.fail(i, "expected '\"' to begin an object key")
	}
	j, flags := x.sc.scanString(s, i+1, nil)
	if j < 0 {
		return nil, 0, -1
	}
	key = s[i+1 : j-1]
	j = skipWS(s, j)
	if j >= len(s) || s[j] != ':' {
		return key, 0, x.sc.fail(j, "expected ':' after object key")
	}
	return key, flags, skipWS(s, j+1)
}

// keyIs reports whether the raw key (with its string flags) names name.
func (x *Extractor) keyIs(key []byte, flags uint8, name string) bool {
	if flags&strEscaped == 0 {
		return string(key) == name
	}
	x.keyBuf = appendUnescaped(x.keyBuf[:0], key)
	return string(x.keyBuf) == name
}

// topObject walks the record's object at i, collecting the values of every
// path, and returns the index after it, or -1.
func (x *Extractor) topObject(s []byte, i int, sel *selector) int {
	i = skipWS(s, i+1)
	if i < len(s) && s[i] == '}' {
		return i + 1
	}
	for {
		key, kf, j := x.memberKey(s, i)
		if key != nil {
			x.sc.key = [2]int{i + 1, i + 1 + len(key)}
		}
		if j < 0 {
			return -1
		}
		end := -2
		for p := range sel.paths {
			if !x.keyIs(key, kf, sel.paths[p].steps[0].name) {
				continue
			}
			x.vals[p] = x.vals[p][:0] // a repeated key: the last one wins, as in encoding/json
			if end = x.collect(s, j, p, sel.paths[p].steps[1:], 1, sel.paths[p].id); end < 0 {
				return -1
			}
		}
		if end == -2 {
			if end = x.sc.skipValue(s, j, 1); end < 0 {
				return -1
			}
		}
		var more bool
		if i, more = x.sc.afterValue(s, end, '}'); !more {
			return i
		}
	}
}

// collect walks the value at i, nested in depth containers, along steps,
// appending the strings (and, for the id, numbers) it reaches to
// x.vals[p]. It returns the index after the value, or -1.
func (x *Extractor) collect(s []byte, i, p int, steps []step, depth int, id bool) int {
	if i >= len(s) {
		return x.sc.fail(i, "unexpected end of record, expected a value")
	}
	c := s[i]
	if len(steps) == 0 {
		switch {
		case c == '"' && id:
			j, f := x.sc.scanString(s, i+1, nil)
			if j >= 0 {
				x.vals[p] = append(x.vals[p], val{start: i + 1, end: j - 1, flags: f})
			}
			return j
		case c == '"':
			// A text value with escapes is decoded while it is scanned.
			start := len(x.dec)
			j, f := x.sc.scanString(s, i+1, &x.dec)
			switch {
			case j < 0:
			case f&strEscaped != 0:
				x.vals[p] = append(x.vals[p], val{start: start, end: len(x.dec), flags: f | valDecoded})
			default:
				x.vals[p] = append(x.vals[p], val{start: i + 1, end: j - 1, flags: f})
			}
			return j
		case id && (c == '-' || '0' <= c && c <= '9'):
			j := x.sc.scanNumber(s, i)
			if j >= 0 {
				x.vals[p] = append(x.vals[p], val{start: i, end: j, flags: valNumber})
			}
			return j
		}
		return x.sc.skipValue(s, i, depth)
	}
	if steps[0].each {
		if c != '[' {
			return x.sc.skipValue(s, i, depth)
		}
		return x.collectArray(s, i, p, steps, depth, id)
	}
	if c != '{' {
		return x.sc.skipValue(s, i, depth)
	}
	return x.collectObject(s, i, p, steps, depth, id)
}

func (x *Extractor) collectArray(s []byte, i, p int, steps []step, depth int, id bool) int {
	if depth+1 > maxDepth {
		return x.sc.fail(i, "nesting too deep")
	}
	i = skipWS(s, i+1)
	if i < len(s) && s[i] == ']' {
		return i + 1
	}
	for {
		if i = x.collect(s, i, p, steps[1:], depth+1, id); i < 0 {
			return -1
		}
		var more bool
		if i, more = x.sc.afterValue(s, i, ']'); !more {
			return i
		}
	}
}

func (x *Extractor) collectObject(s []byte, i, p int, steps []step, depth int, id bool) int {
	if depth+1 > maxDepth {
		return x.sc.fail(i, "nesting too deep")
	}
	base := len(x.vals[p])
	i = skipWS(s, i+1)
	if i < len(s) && s[i] == '}' {
		return i + 1
	}
	for {
		key, kf, j := x.memberKey(s, i)
		if j < 0 {
			return -1
		}
		if x.keyIs(key, kf, steps[0].name) {
			x.vals[p] = x.vals[p][:base] // the last repeated key wins
			j = x.collect(s, j, p, steps[1:], depth+1, id)
		} else {
			j = x.sc.skipValue(s, j, depth+1)
		}
		if j < 0 {
			return -1
		}
		var more bool
		if i, more = x.sc.afterValue(s, j, '}'); !more {
			return i
		}
	}
}

// assemble picks the first group of sel with a value, joins its non-empty
// values with "\n" into x.rec.Text, checks UTF-8 and sets x.rec.ID.
func (x *Extractor) assemble(s []byte, sel *selector) string {
	x.setID(s, sel)
	for g, paths := range sel.groups {
		var n, nonEmpty int
		var flags uint8
		var one val
		for _, p := range paths {
			for _, v := range x.vals[p] {
				n++
				flags |= v.flags
				if v.end > v.start {
					nonEmpty++
					one = v
				}
			}
		}
		if n == 0 {
			continue
		}
		x.group = g
		switch {
		case nonEmpty <= 1 && one.flags&valDecoded != 0:
			x.rec.Text = x.dec[one.start:one.end]
		case nonEmpty <= 1:
			x.rec.Text = s[one.start:one.end]
		default:
			x.rec.Text = x.join(s, paths)
		}
		if flags&strBadUTF8 != 0 {
			return KindInvalidUTF8
		}
		return ""
	}
	return KindMissingField
}

// join appends the non-empty values of paths, unescaped, with "\n" between.
func (x *Extractor) join(s []byte, paths []int) []byte {
	t := x.text[:0]
	for _, p := range paths {
		for _, v := range x.vals[p] {
			if v.end == v.start {
				continue
			}
			if len(t) > 0 {
				t = append(t, '\n')
			}
			if v.flags&valDecoded != 0 {
				t = append(t, x.dec[v.start:v.end]...)
			} else {
				t = append(t, s[v.start:v.end]...)
			}
		}
	}
	x.text = t
	return t
}

// setID sets x.rec.ID from the first value of the id path.
func (x *Extractor) setID(s []byte, sel *selector) {
	x.rec.ID = nil
	vals := x.vals[sel.id]
	if len(vals) == 0 {
		return
	}
	v := vals[0]
	if v.flags&strEscaped != 0 {
		x.id = appendUnescaped(x.id[:0], s[v.start:v.end])
		x.rec.ID = x.id
		return
	}
	x.rec.ID = s[v.start:v.end]
}

// msg builds the message of a Diagnostic of kind for the record s that
// extract rejected.
func (x *Extractor) msg(kind string, s []byte, sel *selector) string {
	switch kind {
	case KindMalformedJSON:
		return x.malformedMsg(s)
	case KindNotObject:
		return "record is valid JSON but not an object"
	case KindInvalidUTF8:
		return fmt.Sprintf("invalid UTF-8 in the text of %s", sel.groupName(sel.groups[x.group]))
	case KindMissingField:
		if len(sel.groups) > 1 {
			return "record has none of the text fields " + sel.allNames()
		}
		return "record has no string value at " + sel.groupName(sel.groups[0])
	}
	return kind
}

func (sel *selector) allNames() string {
	var names []string
	for _, g := range sel.groups {
		names = append(names, sel.groupName(g))
	}
	return strings.Join(names, "; ")
}

func (x *Extractor) malformedMsg(s []byte) string {
	e := x.sc.err
	var b strings.Builder
	b.WriteString(e.what)
	if e.pos < len(s) && e.what != "control character in string" {
		fmt.Fprintf(&b, ", found %s", quoteByte(s[e.pos]))
	} else if e.pos < len(s) {
		fmt.Fprintf(&b, " (0x%02x)", s[e.pos])
	}
	if k := x.sc.key; k[1] > 0 && k[1] <= len(s) && k[0] <= k[1] {
		key := s[k[0]:k[1]]
		if len(key) > 40 {
			key = key[:40]
		}
		fmt.Fprintf(&b, ", in member %q", key)
	}
	fmt.Fprintf(&b, " (byte %d of the record)", e.pos)
	return b.String()
}

func quoteByte(c byte) string {
	if c < 0x20 || c >= 0x7f {
		return fmt.Sprintf("byte 0x%02x", c)
	}
	return strconv.QuoteRune(rune(c))
}

// topKeys lists the top-level keys of the JSON object s (for messages).
func topKeys(s []byte) []string {
	var sc scanner
	var keys []string
	i := skipWS(s, 0)
	if i >= len(s) || s[i] != '{' {
		return nil
	}
	i = skipWS(s, i+1)
	for i < len(s) && s[i] == '"' {
		j, f := sc.scanString(s, i+1, nil)
		if j < 0 {
			break
		}
		key := s[i+1 : j-1]
		if f&strEscaped != 0 {
			key = appendUnescaped(nil, key)
		}
		keys = append(keys, string(key))
		j = skipWS(s, j)
		if j >= len(s) || s[j] != ':' {
			break
		}
		if j = sc.skipValue(s, skipWS(s, j+1), 1); j < 0 {
			break
		}
		if j = skipWS(s, j); j >= len(s) || s[j] != ',' {
			break
		}
		i = skipWS(s, j+1)
	}
	return keys
}
