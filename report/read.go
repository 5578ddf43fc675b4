package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/leakhound/leakhound"
)

// maxLineBytes bounds one findings line; excerpts are at most 8 KiB, so a
// finding is far smaller.
const maxLineBytes = 64 << 20

// ReadFindings reads findings JSONL from r and calls fn for each, in
// order. Blank lines are skipped. A line that is not a finding (bad JSON,
// a newer schema_version, no doc or item) is an error naming the line.
func ReadFindings(r io.Reader, fn func(*leakhound.Finding) error) error {
	br := bufio.NewReaderSize(r, 1<<16)
	var f leakhound.Finding
	for line := 1; ; line++ {
		b, err := readLine(br)
		if len(bytes.TrimSpace(b)) > 0 {
			f = leakhound.Finding{}
			if perr := parseFinding(b, &f); perr != nil {
				return fmt.Errorf("line %d: %w", line, perr)
			}
			if ferr := fn(&f); ferr != nil {
				return ferr
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
	}
}

// readLine returns the next line without its newline, or io.EOF after
// the last one.
func readLine(br *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		part, err := br.ReadSlice('\n')
		line = append(line, part...)
		if len(line) > maxLineBytes {
			return nil, fmt.Errorf("line longer than %d bytes", maxLineBytes)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		return bytes.TrimSuffix(line, []byte{'\n'}), err
	}
}

func parseFinding(b []byte, f *leakhound.Finding) error {
	if err := json.Unmarshal(b, f); err != nil {
		return fmt.Errorf("not a finding: %w", err)
	}
	switch {
	case f.SchemaVersion > leakhound.SchemaVersion:
		return fmt.Errorf("schema_version %d is newer than this leakhound's %d", f.SchemaVersion, leakhound.SchemaVersion)
	case f.Doc.File == "" || f.Item == "" || f.Method == "":
		return fmt.Errorf("not a finding: doc.file, item and method are required")
	}
	return nil
}
