package clean

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"

	"github.com/leakhound/leakhound/corpus"
	"github.com/leakhound/leakhound/internal/decompress"
)

// fileState is what Run keeps per finished input in stateDir/files, to
// resume: the fingerprint of the work and its result.
type fileState struct {
	Fingerprint string     `json:"fingerprint"`
	Result      FileResult `json:"result"`
}

// file cleans input i, or reuses an earlier run's output of it.
func (c *Cleaner) file(ctx context.Context, i int) (FileResult, error) {
	in := c.inputs[i]
	marks := c.marksOf(i)
	fp, err := c.fingerprint(i, marks)
	if err != nil {
		return FileResult{}, err
	}
	statePath := filepath.Join(c.out, stateDir, "files", shortHash(c.rel[i])+".json")
	outPath := filepath.Join(c.out, filepath.FromSlash(c.rel[i]))
	if r, ok := resumable(statePath, outPath, fp); ok {
		return r, nil
	}
	if err := ctx.Err(); err != nil {
		return FileResult{}, err
	}
	r, err := c.write(in, marks, outPath)
	if err != nil {
		return FileResult{}, fmt.Errorf("clean: %s: %w", in.Name, err)
	}
	r.Output = c.rel[i]
	r.check()
	if err := writeJSON(statePath, fileState{Fingerprint: fp, Result: r}); err != nil {
		return FileResult{}, fmt.Errorf("clean: %w", err)
	}
	return r, nil
}

// fingerprint hashes everything the output of input i depends on: the
// input's identity (path, size, modification time), the options and the
// flagged records.
func (c *Cleaner) fingerprint(i int, marks []mark) (string, error) {
	in := c.inputs[i]
	fi, err := os.Stat(in.Name)
	if err != nil {
		return "", fmt.Errorf("clean: %w", err)
	}
	h := sha256.New()
	enc := json.NewEncoder(h)
	o := c.opts
	err = enc.Encode([]any{ManifestVersion, in.Name, fi.Size(), fi.ModTime().UnixNano(), o.Policy, o.marker(), o.Corpus, o.Params, c.rel[i]})
	for _, m := range marks {
		if err == nil {
			err = enc.Encode([]any{m.line, m.spans})
		}
	}
	return hex.EncodeToString(h.Sum(nil)), err
}

func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:8])
}

// resumable returns the recorded result when the state matches fp and the
// output on disk has the recorded size and hash.
func resumable(statePath, outPath, fp string) (FileResult, bool) {
	data, err := os.ReadFile(statePath)
	if err != nil {
		return FileResult{}, false
	}
	var st fileState
	if json.Unmarshal(data, &st) != nil || st.Fingerprint != fp {
		return FileResult{}, false
	}
	sum, size, err := hashFile(outPath)
	if err != nil || sum != st.Result.OutputSHA256 || size != st.Result.OutputBytes {
		return FileResult{}, false
	}
	return st.Result, true
}

func hashFile(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	return hex.EncodeToString(h.Sum(nil)), n, err
}

// write produces the output of one input through a temporary file in the
// output's directory, verifies it and renames it into place.
func (c *Cleaner) write(in corpus.Input, marks []mark, outPath string) (FileResult, error) {
	if err := os.MkdirAll(filepath.Dir(outPath), 0o755); err != nil {
		return FileResult{}, err
	}
	if err := c.notAnInput(outPath); err != nil {
		return FileResult{}, err
	}
	tmp := filepath.Join(filepath.Dir(outPath), tmpPrefix+filepath.Base(outPath))
	f, err := os.Create(tmp)
	if err != nil {
		return FileResult{}, err
	}
	defer os.Remove(tmp) // after a successful rename, nothing is there
	h := sha256.New()
	cnt := &countWriter{w: io.MultiWriter(f, h)}
	r, err := c.fill(in, marks, cnt)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return r, err
	}
	r.Input = in.Name
	r.OutputBytes, r.OutputSHA256 = cnt.n, hex.EncodeToString(h.Sum(nil))
	if r.Copied {
		r.OutputRecords = r.Read // a byte copy: the same records
	} else if r.OutputRecords, err = countOutput(tmp, r, c.opts.Corpus); err != nil {
		return r, fmt.Errorf("verifying the output: %w", err)
	}
	return r, os.Rename(tmp, outPath)
}

// notAnInput refuses to write over any input (a hard link or symbolic
// link in the output directory could lead there).
func (c *Cleaner) notAnInput(outPath string) error {
	fo, err := os.Stat(outPath)
	if err != nil {
		return nil
	}
	for _, in := range c.inputs {
		if fi, err := os.Stat(in.Name); err == nil && os.SameFile(fi, fo) {
			return fmt.Errorf("refusing to overwrite the input %s", in.Name)
		}
	}
	return nil
}

// fill writes the cleaned content of in to w and accounts for it.
func (c *Cleaner) fill(in corpus.Input, marks []mark, w io.Writer) (FileResult, error) {
	src, err := corpus.Open(in, c.opts.Corpus)
	if err != nil {
		return FileResult{}, err
	}
	defer src.Close()
	r := FileResult{Format: src.Format().String(), Compression: src.Compression()}
	switch {
	case len(marks) == 0:
		err = c.copyFile(src, in, w, &r)
	case src.Format() == corpus.Parquet:
		err = c.cleanParquet(src, in, marks, w, &r)
	default:
		err = c.cleanStream(src, in, marks, w, &r)
	}
	return r, err
}

// copyFile copies an input without flagged records byte for byte, and
// counts its records.
func (c *Cleaner) copyFile(src *corpus.Source, in corpus.Input, w io.Writer, r *FileResult) error {
	read, good, err := countSource(src)
	if err != nil {
		return err
	}
	r.Read, r.Kept, r.Bad, r.Copied = read, read, read-good, true
	f, err := os.Open(in.Name)
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(w, h), f)
	r.InputBytes, r.InputSHA256 = n, hex.EncodeToString(h.Sum(nil))
	return err
}

// countSource reads every record of src and returns how many were read
// and how many were good.
func countSource(src *corpus.Source) (read, good int64, err error) {
	var b corpus.Batch
	x := corpus.NewExtractor(corpus.Options{})
	for src.NextBatch(&b) {
		if err := b.Each(x, func(*corpus.Record) error { return nil }); err != nil {
			return read, good, err
		}
		n, g := b.Records()
		read, good = read+n, good+g
	}
	return read, good, src.Err()
}

// countOutput counts the records of a written output. Fields are given
// explicitly so that the count never depends on automatic field choice:
// every record read counts, good or bad.
func countOutput(path string, r FileResult, opts corpus.Options) (int64, error) {
	if r.Format == corpus.Parquet.String() {
		return parquetRows(path, r.Compression)
	}
	if opts.Fields == nil {
		opts.Fields = []string{"text"}
	}
	ins, err := corpus.Expand([]string{path})
	if err != nil {
		return 0, err
	}
	src, err := corpus.Open(ins[0], opts)
	if err != nil {
		return 0, err
	}
	defer src.Close()
	read, _, err := countSource(src)
	return read, err
}

// cleanStream cleans a JSONL, JSON array or text input.
func (c *Cleaner) cleanStream(src *corpus.Source, in corpus.Input, marks []mark, w io.Writer, r *FileResult) error {
	raw, err := openRaw(in.Name)
	if err != nil {
		return err
	}
	defer raw.close()
	zw, err := newCompressor(src.Compression(), outWriter{w})
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(zw, 1<<16)
	st := &streamer{raw: raw.dec, out: bw, format: src.Format()}
	applied, err := c.records(src, st, marks, r)
	if err == nil {
		err = st.finish()
	}
	if err == nil {
		err = bw.Flush()
	}
	if cerr := zw.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if applied != len(marks) {
		r.Problem = fmt.Sprintf("%d flagged record(s) not found in the file", len(marks)-applied)
	}
	r.InputBytes, r.InputSHA256, err = raw.finish()
	return err
}

// records runs through the good records of src, dropping or redacting the
// flagged ones; it returns how many marks it applied.
func (c *Cleaner) records(src *corpus.Source, st *streamer, marks []mark, r *FileResult) (int, error) {
	cur := cursor{marks: marks}
	groups := fieldGroups(c.opts.Corpus.Fields)
	applied := 0
	var good int64
	var b corpus.Batch
	x := corpus.NewExtractor(c.opts.Corpus)
	for src.NextBatch(&b) {
		err := b.Each(x, func(rec *corpus.Record) error {
			if err := st.gapTo(rec.Offset); err != nil {
				return err
			}
			body, err := st.take(rec.Raw)
			if err != nil {
				return err
			}
			mk := cur.at(rec.Line)
			if mk != nil {
				applied++
				body = c.apply(st.format, body, rec.Text, mk, groups, r)
			}
			if body == nil {
				r.Dropped++
			} else {
				good++
			}
			return st.emit(body, body == nil)
		})
		if err != nil {
			return applied, err
		}
		n, g := b.Records()
		r.Read += n
		r.Bad += n - g
	}
	r.Kept = good + r.Bad
	return applied, src.Err()
}

// apply returns the body to write for a flagged record: nil to drop it,
// or the redacted record.
func (c *Cleaner) apply(format corpus.Format, raw, text []byte, mk *mark, groups [][][]fieldStep, r *FileResult) []byte {
	if c.opts.Policy == Drop {
		return nil
	}
	var out []byte
	var n int
	ok := len(mk.spans) > 0
	if ok && format == corpus.Text {
		out, ok = redactText(raw, mk.spans, c.opts.marker())
		n = len(mk.spans)
	} else if ok {
		out, n, ok = redactJSON(raw, text, mk.spans, c.opts.marker(), groups)
	}
	if !ok {
		r.RedactFailed++
		return nil
	}
	r.Redacted++
	r.Spans += int64(n)
	return out
}

// rawInput reads an input file's bytes (hashing them) and decompresses
// them with the method that their magic bytes name.
type rawInput struct {
	f   *os.File
	h   hash.Hash
	n   int64
	zr  io.ReadCloser
	dec *bufio.Reader
	err error // the file's own read error, which is fatal
}

func openRaw(path string) (*rawInput, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	r := &rawInput{f: f, h: sha256.New()}
	br := bufio.NewReaderSize(readerFunc(r.readFile), 1<<16)
	head, _ := br.Peek(decompress.HeadLen)
	if r.err != nil {
		f.Close()
		return nil, r.err
	}
	if r.zr, err = decompress.NewReader(decompress.Sniff(head), br); err != nil {
		r.zr = io.NopCloser(&io.LimitedReader{}) // a damaged header: nothing to copy
	}
	r.dec = bufio.NewReaderSize(r.zr, 1<<16)
	return r, nil
}

func (r *rawInput) readFile(p []byte) (int, error) {
	n, err := r.f.Read(p)
	r.h.Write(p[:n])
	r.n += int64(n)
	if err != nil && err != io.EOF && r.err == nil {
		r.err = err
	}
	return n, err
}

// finish reads what the decompressor left of the file, so that the hash
// covers every byte, and returns the size and hash.
func (r *rawInput) finish() (int64, string, error) {
	if _, err := io.Copy(io.Discard, readerFunc(r.readFile)); err != nil {
		return 0, "", err
	}
	if r.err != nil {
		return 0, "", r.err
	}
	return r.n, hex.EncodeToString(r.h.Sum(nil)), nil
}

func (r *rawInput) close() error {
	return errors.Join(r.zr.Close(), r.f.Close())
}

type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
