package evalset

import (
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// maxBenchFileBytes bounds one benchmark file after decompression; the
// largest in shared/data (MMLU's professional_law test CSV) is 2.9 MB.
const maxBenchFileBytes = 1 << 30

// readText reads a whole UTF-8 file, decompressing .gz and .bz2 (also when
// the content starts with the gzip magic) and dropping a leading byte-order
// mark, as normalize_data.py's read_text does.
func readText(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	data, err := readAllDecompressed(f, path)
	if err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	return strings.TrimPrefix(string(data), "\ufeff"), nil
}

func readAllDecompressed(r io.Reader, name string) ([]byte, error) {
	var head [3]byte
	n, _ := io.ReadFull(r, head[:])
	r = io.MultiReader(bytes.NewReader(head[:n]), r)
	switch {
	case n >= 2 && head[0] == 0x1f && head[1] == 0x8b:
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, err
		}
		r = zr
	case n == 3 && string(head[:]) == "BZh" || strings.HasSuffix(name, ".bz2"):
		r = bzip2.NewReader(r)
	}
	data, err := io.ReadAll(io.LimitReader(r, maxBenchFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxBenchFileBytes {
		return nil, fmt.Errorf("larger than %d bytes", maxBenchFileBytes)
	}
	return data, nil
}

// jsonRow is one JSON object, numbers kept as json.Number.
type jsonRow = map[string]any

// parseJSONLines parses the non-blank lines of text as JSON objects, as
// normalize_data.py's read_jsonl does; k in a record's source counts only
// non-blank lines. name is used in errors.
func parseJSONLines(text, name string) ([]jsonRow, error) {
	var rows []jsonRow
	for i, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		row, err := decodeObject([]byte(line))
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, i+1, err)
		}
		rows = append(rows, row)
	}
	return rows, nil
}

func decodeObject(b []byte) (jsonRow, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var row jsonRow
	if err := d.Decode(&row); err != nil {
		return nil, fmt.Errorf("not a JSON object: %v", err)
	}
	if row == nil {
		return nil, fmt.Errorf("not a JSON object")
	}
	if d.More() {
		return nil, fmt.Errorf("text after the JSON object")
	}
	return row, nil
}

// readJSONL reads a JSON Lines file (optionally compressed).
func readJSONL(path string) ([]jsonRow, error) {
	text, err := readText(path)
	if err != nil {
		return nil, err
	}
	return parseJSONLines(text, path)
}

// readJSONArray reads a file holding one JSON array of objects.
func readJSONArray(path string) ([]jsonRow, error) {
	text, err := readText(path)
	if err != nil {
		return nil, err
	}
	d := json.NewDecoder(strings.NewReader(text))
	d.UseNumber()
	var rows []jsonRow
	if err := d.Decode(&rows); err != nil {
		return nil, fmt.Errorf("%s: not a JSON array of objects: %v", path, err)
	}
	return rows, nil
}

// readCSV reads a CSV file (optionally compressed) into rows.
func readCSV(path string) ([][]string, error) {
	text, err := readText(path)
	if err != nil {
		return nil, err
	}
	return parseCSV(text), nil
}

// str returns field key of row as a string: strings as they are, numbers
// in their JSON spelling, null and missing as "" with ok false.
func str(row jsonRow, key string) (string, bool) {
	switch v := row[key].(type) {
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case bool:
		if v {
			return "true", true
		}
		return "false", true
	case nil:
		return "", false
	default:
		b, err := json.Marshal(v)
		if err != nil {
			return "", false
		}
		return string(b), true
	}
}

// needStr returns string field key or an error naming the record.
func needStr(row jsonRow, key, where string) (string, error) {
	v, ok := row[key].(string)
	if !ok {
		return "", fmt.Errorf("%s: no string field %q (fields: %s)", where, key, strings.Join(sortedKeys(row), ", "))
	}
	return v, nil
}

// strList returns field key as a list of strings.
func strList(row jsonRow, key, where string) ([]string, error) {
	raw, ok := row[key].([]any)
	if !ok {
		return nil, fmt.Errorf("%s: no list field %q", where, key)
	}
	out := make([]string, len(raw))
	for i, v := range raw {
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("%s: %s[%d] is not a string", where, key, i)
		}
		out[i] = s
	}
	return out, nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// sortedFiles lists the regular files in dir whose names end in suffix, in
// byte order of their names (Python's sorted(os.listdir())).
func sortedFiles(dir, suffix string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		if !e.IsDir() && strings.HasSuffix(e.Name(), suffix) {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out, nil
}

// firstExisting returns the first of the paths (relative to root) that is a
// regular file, or "" when none is.
func firstExisting(root string, rels ...string) string {
	for _, r := range rels {
		st, err := os.Stat(filepath.Join(root, filepath.FromSlash(r)))
		if err == nil && st.Mode().IsRegular() {
			return r
		}
	}
	return ""
}

// firstDir returns the first of the paths (relative to root) that is a
// directory, or "" when none is.
func firstDir(root string, rels ...string) string {
	for _, r := range rels {
		st, err := os.Stat(filepath.Join(root, filepath.FromSlash(r)))
		if err == nil && st.IsDir() {
			return r
		}
	}
	return ""
}

// src formats a record's source as "<rel>#<k>".
func src(rel string, k int) string { return fmt.Sprintf("%s#%d", rel, k) }

// subdirs lists the directories in dir in byte order.
func subdirs(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		if e.IsDir() {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out, nil
}

// sortNumeric orders file names such as "12.json" by their leading number,
// names without one last in byte order.
func sortNumeric(names []string) {
	num := func(s string) (int, bool) {
		n, err := strconv.Atoi(strings.TrimSuffix(s, filepath.Ext(s)))
		return n, err == nil
	}
	sort.SliceStable(names, func(i, j int) bool {
		a, oka := num(names[i])
		b, okb := num(names[j])
		switch {
		case oka && okb:
			return a < b
		case oka != okb:
			return oka
		}
		return names[i] < names[j]
	})
}
