package evalset

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/leakhound/leakhound"
)

// FileLoader loads a benchmark from one generic file: JSON Lines, a JSON
// array of objects, CSV with a header row, or Parquet, each optionally
// gzip-compressed (Parquet excepted). Options.Field or Options.Map says
// which fields hold the text; see Options.
type FileLoader struct {
	Path    string
	Options Options
}

// String returns the file path.
func (l *FileLoader) String() string { return l.Path }

// Load reads every record of the file.
func (l *FileLoader) Load(ctx context.Context) ([]leakhound.Item, error) {
	rows, err := readRows(l.Path)
	if err != nil {
		return nil, err
	}
	m := &mapper{opts: l.Options, name: baseName(l.Path), where: l.Path}
	return m.items(ctx, rows)
}

// readRows reads a generic file into rows by its extension (after .gz).
func readRows(path string) ([]jsonRow, error) {
	ext := strings.ToLower(strings.TrimSuffix(strings.ToLower(path), ".gz"))
	switch {
	case strings.HasSuffix(ext, ".parquet"):
		return readParquetFile(path)
	case strings.HasSuffix(ext, ".csv"), strings.HasSuffix(ext, ".tsv"):
		return readCSVRows(path)
	case strings.HasSuffix(ext, ".json"):
		return readJSONArray(path)
	}
	return readJSONL(path)
}

// readCSVRows reads a CSV with a header into rows keyed by column name;
// blank lines are skipped.
func readCSVRows(path string) ([]jsonRow, error) {
	rows, err := readCSV(path)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%s: empty CSV file, want a header row", path)
	}
	header := rows[0]
	var out []jsonRow
	for k, row := range rows[1:] {
		if len(row) == 0 {
			continue
		}
		if len(row) > len(header) {
			return nil, fmt.Errorf("%s: row has %d columns, the header %d", src(path, k), len(row), len(header))
		}
		m := make(jsonRow, len(header))
		for i, h := range header {
			if i < len(row) {
				m[h] = row[i]
			}
		}
		out = append(out, m)
	}
	return out, nil
}

// baseName is the file name without directory and extensions:
// "data/gsm8k/test.jsonl.gz" → "test".
func baseName(path string) string {
	b := filepath.Base(path)
	if i := strings.IndexByte(b, '.'); i > 0 {
		b = b[:i]
	}
	return b
}

// FieldMap says which fields of a generic record hold each part. It is
// parsed from Options.Map ("question=Q;options=A,B,C,D;answer=Answer").
type FieldMap struct {
	// Question names the question fields, joined with "\n" (list values
	// one element per line).
	Question []string
	// Options names one list field (strings, {text,label} objects, or an
	// object of text and label lists) or several option fields.
	Options []string
	// Answer names the answer field: a label or a 0-based index of an
	// option for multiple-choice items, else the short answer.
	Answer string
	// Solution names the reference-solution fields of generation items.
	Solution []string
	// Extra names fields appended to a multiple-choice item's full text.
	Extra []string
	// Split names the split field.
	Split string
	// Sep joins question and solution in the full text; default "\n".
	Sep string
}

// ParseFieldMap parses "key=field[,field];..." with keys question,
// options, answer, solution, extra, split and sep (a Go-escaped string).
func ParseFieldMap(s string) (*FieldMap, error) {
	fm := &FieldMap{Sep: "\n"}
	for _, kv := range strings.Split(s, ";") {
		if strings.TrimSpace(kv) == "" {
			continue
		}
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return nil, fmt.Errorf("--bench-map %q: %q is not key=field", s, kv)
		}
		list := splitList(v)
		switch strings.TrimSpace(k) {
		case "question":
			fm.Question = list
		case "options":
			fm.Options = list
		case "answer":
			fm.Answer = strings.TrimSpace(v)
		case "solution":
			fm.Solution = list
		case "extra":
			fm.Extra = list
		case "split":
			fm.Split = strings.TrimSpace(v)
		case "sep":
			sep, err := strconv.Unquote(`"` + v + `"`)
			if err != nil {
				return nil, fmt.Errorf("--bench-map sep %q: %v", v, err)
			}
			fm.Sep = sep
		default:
			return nil, fmt.Errorf("--bench-map %q: unknown key %q (want question, options, answer, solution, extra, split, sep)", s, k)
		}
	}
	if len(fm.Question) == 0 {
		return nil, fmt.Errorf("--bench-map %q: no question field", s)
	}
	return fm, nil
}

func splitList(v string) []string {
	var out []string
	for _, f := range strings.Split(v, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// mapper turns generic rows into items.
type mapper struct {
	opts  Options
	name  string // benchmark name when neither Options nor the row give one
	split string // split when the row gives none
	where string // file name for messages
	fmap  *FieldMap
}

func (m *mapper) items(ctx context.Context, rows []jsonRow) ([]leakhound.Item, error) {
	if m.opts.Map != "" && m.fmap == nil {
		fm, err := ParseFieldMap(m.opts.Map)
		if err != nil {
			return nil, err
		}
		m.fmap = fm
	}
	return m.itemsNumbered(ctx, rows, make(map[string]int))
}

// itemsNumbered maps rows, numbering items per "<bench>/<split>" in n, so
// that several files of one split number on.
func (m *mapper) itemsNumbered(ctx context.Context, rows []jsonRow, n map[string]int) ([]leakhound.Item, error) {
	if m.opts.Map != "" && m.fmap == nil {
		fm, err := ParseFieldMap(m.opts.Map)
		if err != nil {
			return nil, err
		}
		m.fmap = fm
	}
	items := make([]leakhound.Item, 0, len(rows))
	skipped := map[string]int{}
	for k, row := range rows {
		if k%4096 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		it, ok, err := m.item(row, k, n)
		if err != nil {
			return nil, err
		}
		if !ok {
			skipped[it.Benchmark]++
			continue
		}
		items = append(items, it)
	}
	for b, c := range skipped {
		m.opts.warnf("%s: %d of %d items left out of part answer: their answer is unknown or too short to be evidence", b, c, len(rows))
	}
	return items, nil
}

func (m *mapper) bench(row jsonRow) string {
	if m.opts.Benchmark != "" {
		return m.opts.Benchmark
	}
	if d, ok := row["dataset"].(string); ok && d != "" {
		return d
	}
	return m.name
}

// item maps row k; n numbers items per "<bench>/<split>".
func (m *mapper) item(row jsonRow, k int, n map[string]int) (leakhound.Item, bool, error) {
	bench := m.bench(row)
	where := fmt.Sprintf("%s: record %d", m.where, k+1) // for messages: 1-based, as editors count
	var (
		rec  record
		part Part
		err  error
	)
	if m.fmap != nil {
		rec, err = m.fmap.record(row, where)
		if err != nil {
			return leakhound.Item{}, false, err
		}
		def := PartFull
		if rec.multipleChoice() {
			def = PartQuestionOptions
		}
		if part, err = m.opts.partFor(bench, def); err != nil {
			return leakhound.Item{}, false, err
		}
	} else {
		if rec, err = m.textRecord(row, where); err != nil {
			return leakhound.Item{}, false, err
		}
		part = PartFull
		if b := Lookup(bench); b != nil && m.opts.Field == "" {
			part = b.DefaultPart // a shared/data normalized file
		}
	}
	if rec.split == "" {
		rec.split = m.split
	}
	num := k // "<bench>/<n>": the record number in the file
	if rec.split != "" {
		key := bench + "/" + rec.split
		num = n[key]
		n[key]++
	}
	text, ok := rec.text(part)
	if m.fmap == nil {
		text, ok = rec.question, true
	}
	it := leakhound.Item{ID: m.id(row, bench, rec.split, num), Benchmark: bench, Split: rec.split,
		Part: string(part), Text: text, Answer: rec.itemAnswer()}
	return it, ok, nil
}

func (m *mapper) id(row jsonRow, bench, split string, num int) string {
	key := m.opts.IDField
	if key == "" {
		key = "id"
	}
	if v, ok := lookupPath(row, key); ok {
		switch v := v.(type) {
		case string:
			if v != "" {
				return v
			}
		case json.Number:
			return v.String()
		case int64, int32, int, float64:
			return fmt.Sprint(v)
		}
	}
	if split == "" {
		return bench + "/" + strconv.Itoa(num)
	}
	return bench + "/" + split + "/" + strconv.Itoa(num)
}

// textRecord reads Options.Field (default "text") into the question.
func (m *mapper) textRecord(row jsonRow, where string) (record, error) {
	field := m.opts.Field
	if field == "" {
		field = "text"
	}
	text, err := joinFields(row, splitList(field), where)
	if err != nil {
		return record{}, err
	}
	split, _ := str(row, "split")
	return record{split: split, question: text, source: where}, nil
}

// joinFields joins the values of the named fields with "\n".
func joinFields(row jsonRow, fields []string, where string) (string, error) {
	var parts []string
	for _, f := range fields {
		v, ok := lookupPath(row, f)
		if !ok {
			return "", fmt.Errorf("%s: no field %q (fields: %s); name the text field with --bench-field", where, f, strings.Join(sortedKeys(row), ", "))
		}
		s, err := valueText(v)
		if err != nil {
			return "", fmt.Errorf("%s: field %q: %w", where, f, err)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "\n"), nil
}

// lookupPath finds a field by name, or by a dotted path into objects when
// no field has the whole name.
func lookupPath(row jsonRow, name string) (any, bool) {
	if v, ok := row[name]; ok {
		return v, true
	}
	cur := any(row)
	for _, p := range strings.Split(name, ".") {
		obj, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = obj[p]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// valueText renders a field value as text: strings as they are, numbers
// in their usual spelling, lists one element per line.
func valueText(v any) (string, error) {
	switch v := v.(type) {
	case string:
		return v, nil
	case nil:
		return "", nil
	case []byte:
		return string(v), nil
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			s, err := valueText(e)
			if err != nil {
				return "", err
			}
			parts[i] = s
		}
		return strings.Join(parts, "\n"), nil
	case json.Number, bool, int, int8, int16, int32, int64, uint8, uint16, uint32, uint64, float32, float64:
		return fmt.Sprint(v), nil
	}
	return "", fmt.Errorf("value of type %T is not text", v)
}

// record maps one row by the field map.
func (fm *FieldMap) record(row jsonRow, where string) (record, error) {
	q, err := joinFields(row, fm.Question, where)
	if err != nil {
		return record{}, err
	}
	r := record{question: q, sep: fm.Sep, source: where}
	if fm.Split != "" {
		r.split, _ = str(row, fm.Split)
	}
	if len(fm.Solution) > 0 {
		if r.solution, err = joinFields(row, fm.Solution, where); err != nil {
			return record{}, err
		}
	}
	for _, f := range fm.Extra { // optional: C-Eval has explanations in dev only
		if v, ok := lookupPath(row, f); ok {
			if s, err := valueText(v); err == nil && s != "" {
				r.extra = strings.TrimPrefix(r.extra+"\n"+s, "\n")
			}
		}
	}
	if len(fm.Options) > 0 {
		if r.labels, r.options, err = fm.choices(row, where); err != nil {
			return record{}, err
		}
	}
	if fm.Answer != "" {
		v, ok := lookupPath(row, fm.Answer)
		if !ok {
			return record{}, fmt.Errorf("%s: no answer field %q", where, fm.Answer)
		}
		a, err := valueText(v)
		if err != nil {
			return record{}, fmt.Errorf("%s: answer: %w", where, err)
		}
		r.setAnswer(strings.TrimSpace(a))
	}
	return r, nil
}

// setAnswer records a as the key when it names an option (by label or
// 0-based index), else as the short answer.
func (r *record) setAnswer(a string) {
	if r.multipleChoice() {
		for _, l := range r.labels {
			if l == a {
				r.key = a
				return
			}
		}
		if i, err := strconv.Atoi(a); err == nil && i >= 0 && i < len(r.labels) {
			r.key = r.labels[i]
			return
		}
	}
	r.answer = a
}

// choices reads the options and their labels (A, B, … unless given).
func (fm *FieldMap) choices(row jsonRow, where string) (labels, opts []string, err error) {
	if len(fm.Options) > 1 {
		for _, f := range fm.Options {
			v, ok := lookupPath(row, f)
			if !ok {
				return nil, nil, fmt.Errorf("%s: no option field %q", where, f)
			}
			s, err := valueText(v)
			if err != nil {
				return nil, nil, fmt.Errorf("%s: option %q: %w", where, f, err)
			}
			opts = append(opts, s)
		}
		return letterLabels(len(opts), fm.Options), opts, nil
	}
	v, ok := lookupPath(row, fm.Options[0])
	if !ok {
		return nil, nil, fmt.Errorf("%s: no options field %q", where, fm.Options[0])
	}
	return optionList(v, where)
}

// letterLabels labels n options A, B, …; when the option fields are
// themselves named by single letters (A, B, C, D) those names are used.
func letterLabels(n int, names []string) []string {
	out := make([]string, n)
	for i := range out {
		if len(names) == n && len(names[i]) == 1 {
			out[i] = names[i]
		} else {
			out[i] = string(rune('A' + i%26))
		}
	}
	return out
}

// optionList accepts ["x","y"], [{"text":..,"label":..}], or
// {"text":[..],"label":[..]} (the Hub's ARC layout).
func optionList(v any, where string) (labels, opts []string, err error) {
	switch v := v.(type) {
	case []any:
		for i, e := range v {
			if m, ok := e.(map[string]any); ok {
				t, _ := valueText(m["text"])
				l, _ := valueText(m["label"])
				opts, labels = append(opts, t), append(labels, l)
				continue
			}
			s, err := valueText(e)
			if err != nil {
				return nil, nil, fmt.Errorf("%s: option %d: %w", where, i, err)
			}
			opts = append(opts, s)
		}
		if labels == nil {
			labels = letterLabels(len(opts), nil)
		}
		return labels, opts, nil
	case map[string]any:
		ts, _ := v["text"].([]any)
		ls, _ := v["label"].([]any)
		if len(ts) != len(ls) || len(ts) == 0 {
			return nil, nil, fmt.Errorf("%s: options object needs text and label lists of one length", where)
		}
		for i := range ts {
			t, _ := valueText(ts[i])
			l, _ := valueText(ls[i])
			opts, labels = append(opts, t), append(labels, l)
		}
		return labels, opts, nil
	}
	return nil, nil, fmt.Errorf("%s: options field is %T, want a list", where, v)
}
