package evalset

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/leakhound/leakhound"
)

// FileLoader loads a benchmark from one JSONL (optionally gzip) or CSV file.
type FileLoader struct {
	Path    string
	Options Options
}

// String returns the file path.
func (l *FileLoader) String() string { return l.Path }

// maxBenchLineBytes bounds one benchmark record; the largest item in
// shared/data (an MMLU professional_law question) is under 20 KB.
const maxBenchLineBytes = 64 << 20

// Load reads every record of the file.
func (l *FileLoader) Load(ctx context.Context) ([]leakhound.Item, error) {
	f, err := os.Open(l.Path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, err := maybeGunzip(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", l.Path, err)
	}
	if isCSV(l.Path) {
		return l.loadCSV(r)
	}
	return l.loadJSONL(ctx, r)
}

// maybeGunzip returns a reader of the decompressed content when r starts
// with the gzip magic bytes, and of r itself otherwise.
func maybeGunzip(r io.Reader) (io.Reader, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	magic, _ := br.Peek(2)
	if len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		return gzip.NewReader(br)
	}
	return br, nil
}

func isCSV(path string) bool {
	p := strings.TrimSuffix(strings.ToLower(path), ".gz")
	return strings.HasSuffix(p, ".csv")
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

func (l *FileLoader) textField() string {
	if l.Options.Field != "" {
		return l.Options.Field
	}
	return "text"
}

func (l *FileLoader) loadJSONL(ctx context.Context, r io.Reader) ([]leakhound.Item, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<20), maxBenchLineBytes)
	var items []leakhound.Item
	for line := 1; sc.Scan(); line++ {
		if line%4096 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		it, err := l.jsonItem(sc.Bytes(), len(items))
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", l.Path, line, err)
		}
		items = append(items, it)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", l.Path, err)
	}
	return items, nil
}

func (l *FileLoader) jsonItem(line []byte, n int) (leakhound.Item, error) {
	var rec map[string]any
	if err := json.Unmarshal(line, &rec); err != nil {
		return leakhound.Item{}, fmt.Errorf("not a JSON object: %v", err)
	}
	text, ok := rec[l.textField()].(string)
	if !ok {
		return leakhound.Item{}, fmt.Errorf("no string field %q (fields: %s)", l.textField(), strings.Join(sortedKeys(rec), ", "))
	}
	bench := l.Options.Benchmark
	if bench == "" {
		bench, _ = rec["dataset"].(string)
	}
	if bench == "" {
		bench = baseName(l.Path)
	}
	split, _ := rec["split"].(string)
	return leakhound.Item{
		ID:        l.jsonID(rec, bench, n),
		Benchmark: bench,
		Split:     split,
		Part:      "full",
		Text:      text,
	}, nil
}

func (l *FileLoader) jsonID(rec map[string]any, bench string, n int) string {
	key := l.Options.IDField
	if key == "" {
		key = "id"
	}
	switch v := rec[key].(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return bench + "/" + strconv.Itoa(n)
}

func (l *FileLoader) loadCSV(r io.Reader) ([]leakhound.Item, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: reading CSV header: %w", l.Path, err)
	}
	col := indexOf(header, l.textField())
	if col < 0 {
		return nil, fmt.Errorf("%s: no column %q (columns: %s); name it with --bench-field", l.Path, l.textField(), strings.Join(header, ", "))
	}
	idCol := indexOf(header, l.Options.IDField)
	if l.Options.IDField == "" {
		idCol = indexOf(header, "id")
	}
	bench := l.Options.Benchmark
	if bench == "" {
		bench = baseName(l.Path)
	}
	var items []leakhound.Item
	for {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return items, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", l.Path, err)
		}
		if col >= len(row) {
			line, _ := cr.FieldPos(0)
			return nil, fmt.Errorf("%s:%d: row has %d columns, want at least %d", l.Path, line, len(row), col+1)
		}
		id := bench + "/" + strconv.Itoa(len(items))
		if idCol >= 0 && idCol < len(row) && row[idCol] != "" {
			id = row[idCol]
		}
		items = append(items, leakhound.Item{ID: id, Benchmark: bench, Part: "full", Text: row[col]})
	}
}

func indexOf(names []string, name string) int {
	for i, n := range names {
		if strings.TrimPrefix(n, "\ufeff") == name {
			return i
		}
	}
	return -1
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
