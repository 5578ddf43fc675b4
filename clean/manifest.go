package clean

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// ManifestVersion is the version of the manifest JSON.
const ManifestVersion = 1

// Manifest accounts for a cleaning run: one entry per input file, in
// input order. It holds no times, so that a resumed run writes the same
// bytes as an uninterrupted one.
type Manifest struct {
	SchemaVersion int               `json:"schema_version"`
	Policy        Policy            `json:"policy"`
	Marker        string            `json:"marker,omitempty"`
	Benchmarks    []string          `json:"benchmarks,omitempty"`
	Params        map[string]string `json:"params,omitempty"`
	Files         []FileResult      `json:"files"`
	Totals        Totals            `json:"totals"`
	// OK is true when every file passed its checks.
	OK bool `json:"ok"`
	// Failures describe every failed check, one line each.
	Failures []string `json:"failures,omitempty"`
}

// FileResult accounts for one input file.
type FileResult struct {
	Input       string `json:"input"`
	Output      string `json:"output"` // relative to the output directory, with '/'
	Format      string `json:"format"`
	Compression string `json:"compression"`
	// Read counts the records read (good and bad, as the scan counts
	// them); Kept those written (unchanged, redacted or bad records
	// copied through); Dropped those removed. Kept + Dropped == Read.
	Read     int64 `json:"read"`
	Kept     int64 `json:"kept"`
	Dropped  int64 `json:"dropped"`
	Redacted int64 `json:"redacted"`
	// Bad counts records that package corpus could not read (malformed,
	// too large, ...): they are copied through unchanged and count as
	// kept.
	Bad int64 `json:"bad"`
	// Spans counts the byte ranges replaced by the marker.
	Spans int64 `json:"spans_redacted,omitempty"`
	// RedactFailed counts flagged records whose fields could not be
	// mapped back to the finding's spans; they are dropped instead.
	RedactFailed int64 `json:"redact_failed,omitempty"`
	// Copied is true when no record was flagged and the output is a byte
	// copy of the input.
	Copied       bool   `json:"copied,omitempty"`
	InputBytes   int64  `json:"input_bytes"`
	OutputBytes  int64  `json:"output_bytes"`
	InputSHA256  string `json:"input_sha256"`
	OutputSHA256 string `json:"output_sha256"`
	// OutputRecords counts the records of the output, read back after it
	// was written; it must equal Kept.
	OutputRecords int64  `json:"output_records"`
	OK            bool   `json:"ok"`
	Problem       string `json:"problem,omitempty"`
}

// Totals sum the file results.
type Totals struct {
	Files       int   `json:"files"`
	Read        int64 `json:"read"`
	Kept        int64 `json:"kept"`
	Dropped     int64 `json:"dropped"`
	Redacted    int64 `json:"redacted"`
	Bad         int64 `json:"bad"`
	InputBytes  int64 `json:"input_bytes"`
	OutputBytes int64 `json:"output_bytes"`
}

// check runs the accounting checks of r and sets OK and Problem; a
// problem found while cleaning stays.
func (r *FileResult) check() {
	switch {
	case r.Problem != "":
	case r.Kept+r.Dropped != r.Read:
		r.Problem = fmt.Sprintf("kept %d + dropped %d != read %d", r.Kept, r.Dropped, r.Read)
	case r.OutputRecords != r.Kept:
		r.Problem = fmt.Sprintf("the output holds %d records, but %d were kept", r.OutputRecords, r.Kept)
	case r.Redacted > r.Kept:
		r.Problem = fmt.Sprintf("redacted %d > kept %d", r.Redacted, r.Kept)
	default:
		r.OK, r.Problem = true, ""
		return
	}
	r.OK = false
}

// finish sums the files and collects the failures.
func (m *Manifest) finish() {
	m.Totals = Totals{Files: len(m.Files)}
	m.OK, m.Failures = true, nil
	for _, f := range m.Files {
		t := &m.Totals
		t.Read += f.Read
		t.Kept += f.Kept
		t.Dropped += f.Dropped
		t.Redacted += f.Redacted
		t.Bad += f.Bad
		t.InputBytes += f.InputBytes
		t.OutputBytes += f.OutputBytes
		if !f.OK {
			m.OK = false
			m.Failures = append(m.Failures, f.Input+": "+f.Problem)
		}
	}
}

// Check returns an error naming every file that failed the accounting
// checks (kept + dropped == read, output records == kept), or nil.
func (m *Manifest) Check() error {
	if m.OK {
		return nil
	}
	return fmt.Errorf("accounting check failed for %d file(s): %v", len(m.Failures), m.Failures)
}

// ReadManifest reads a manifest written by Run.
func ReadManifest(path string) (*Manifest, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &m, nil
}

// writeJSON writes v as indented JSON to path through a temporary file
// and a rename.
func writeJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	data = append(data, '\n')
	tmp := filepath.Join(filepath.Dir(path), tmpPrefix+filepath.Base(path))
	if err := writeFileSync(tmp, data); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func writeFileSync(path string, data []byte) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
