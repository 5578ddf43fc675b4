package probe

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/leakhound/leakhound"
)

// Loader loads the items of one benchmark. LoadJSONL is the default; the
// catalog in package evalset can replace it once it is available.
type Loader func(path string) ([]leakhound.Item, error)

// maxLineBytes bounds one JSONL record.
const maxLineBytes = 64 << 20

// LoadJSONL reads a JSONL file, gzip-compressed when it starts with the
// gzip magic, in the normalized format of shared/data (FORMAT.md): each
// record has "id" and "text"; "dataset", "split" and a string "answer" are
// used when present. A record without id gets "<file>/<n>".
func LoadJSONL(path string) ([]leakhound.Item, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 1<<16)
	var r io.Reader = br
	if magic, _ := br.Peek(2); bytes.Equal(magic, []byte{0x1f, 0x8b}) {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		r = zr
	}
	return readItems(r, path)
}

func readItems(r io.Reader, path string) ([]leakhound.Item, error) {
	base := strings.TrimSuffix(strings.TrimSuffix(filepath.Base(path), ".gz"), ".jsonl")
	br := bufio.NewReaderSize(r, 1<<16)
	var items []leakhound.Item
	for line := 1; ; line++ {
		b, err := readLine(br)
		if len(bytes.TrimSpace(b)) > 0 {
			it, perr := parseItem(b, base, len(items))
			if perr != nil {
				return nil, fmt.Errorf("%s:%d: %w", path, line, perr)
			}
			items = append(items, it)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
	}
	if len(items) == 0 {
		return nil, fmt.Errorf("%s: no records", path)
	}
	return items, nil
}

func readLine(br *bufio.Reader) ([]byte, error) {
	var out []byte
	for {
		chunk, err := br.ReadSlice('\n')
		out = append(out, chunk...)
		if len(out) > maxLineBytes {
			return nil, fmt.Errorf("record longer than %d bytes", maxLineBytes)
		}
		if err != bufio.ErrBufferFull {
			return out, err
		}
	}
}

type record struct {
	ID      json.RawMessage `json:"id"`
	Text    *string         `json:"text"`
	Dataset string          `json:"dataset"`
	Split   string          `json:"split"`
	Answer  json.RawMessage `json:"answer"`
}

func parseItem(b []byte, base string, n int) (leakhound.Item, error) {
	var rec record
	if err := json.Unmarshal(b, &rec); err != nil {
		return leakhound.Item{}, err
	}
	if rec.Text == nil {
		return leakhound.Item{}, errors.New(`record has no "text" field`)
	}
	it := leakhound.Item{Benchmark: rec.Dataset, Split: rec.Split, Text: *rec.Text, Part: "full"}
	if it.Benchmark == "" {
		it.Benchmark = base
	}
	var s string
	switch {
	case json.Unmarshal(rec.ID, &s) == nil && s != "":
		it.ID = s
	case len(rec.ID) > 0 && rec.ID[0] != '"' && string(rec.ID) != "null":
		it.ID = string(rec.ID) // numeric ids kept as written
	default:
		it.ID = base + "/" + strconv.Itoa(n)
	}
	if json.Unmarshal(rec.Answer, &s) == nil {
		it.Answer = s
	}
	return it, nil
}

// LoadLabels reads membership labels: lines "id<TAB>label" or JSON
// objects {"id": ..., "label": 0|1}; label 1 means member (trained on).
func LoadLabels(path string) (map[string]bool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for i, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, lab, err := parseLabel(line)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, i+1, err)
		}
		out[id] = lab
	}
	return out, nil
}

func parseLabel(line string) (string, bool, error) {
	if strings.HasPrefix(line, "{") {
		var v struct {
			ID    string `json:"id"`
			Label *int   `json:"label"`
		}
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			return "", false, err
		}
		if v.ID == "" || v.Label == nil || *v.Label < 0 || *v.Label > 1 {
			return "", false, errors.New(`want {"id": "...", "label": 0 or 1}`)
		}
		return v.ID, *v.Label == 1, nil
	}
	id, lab, ok := strings.Cut(line, "\t")
	if !ok || (lab != "0" && lab != "1") {
		return "", false, errors.New(`want "id<TAB>0" or "id<TAB>1"`)
	}
	return id, lab == "1", nil
}
