package clean

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/leakhound/leakhound"
	"github.com/leakhound/leakhound/corpus"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

// A Parquet input is rewritten row by row with the input's schema, its
// key-value metadata, its first column chunk's compression codec and one
// output row group per input row group; kept rows are copied value by
// value (every column, in order), flagged rows are dropped or have the
// values of their text columns redacted. The output is the same table
// less the dropped rows; its bytes are not the input's (pages are
// re-encoded), and the manifest records its hash.

// cleanParquet cleans a Parquet input.
func (c *Cleaner) cleanParquet(src *corpus.Source, in corpus.Input, marks []mark, w io.Writer, r *FileResult) error {
	texts, err := c.flaggedTexts(src, marks, r)
	if err != nil {
		return err
	}
	pf, closeFile, err := openParquet(in.Name, src.Compression())
	if err != nil {
		return err
	}
	defer closeFile()
	zw, err := newCompressor(src.Compression(), outWriter{w})
	if err != nil {
		return err
	}
	pw := parquet.NewWriter(zw, parquetOptions(pf)...)
	if err = c.copyRows(pf, pw, marks, texts, r); err == nil {
		err = pw.Close()
	}
	if cerr := zw.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	r.InputSHA256, r.InputBytes, err = hashFile(in.Name)
	return err
}

// flaggedTexts reads the records with corpus, counting them, and keeps
// the text of every flagged row (for redaction).
func (c *Cleaner) flaggedTexts(src *corpus.Source, marks []mark, r *FileResult) (map[int64]string, error) {
	texts := map[int64]string{}
	cur := cursor{marks: marks}
	var b corpus.Batch
	x := corpus.NewExtractor(c.opts.Corpus)
	for src.NextBatch(&b) {
		err := b.Each(x, func(rec *corpus.Record) error {
			if cur.at(rec.Line) != nil {
				texts[rec.Line] = string(rec.Text)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		n, g := b.Records()
		r.Read += n
		r.Bad += n - g
	}
	return texts, src.Err()
}

// openParquet opens the Parquet file at path; a file compressed as a
// whole is decompressed into a temporary file first.
func openParquet(path, method string) (*parquet.File, func(), error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	closeAll := func() { f.Close() }
	var ra io.ReaderAt = f
	if method != "none" {
		raw, err := openRaw(path)
		if err != nil {
			f.Close()
			return nil, nil, err
		}
		tmp, err := os.CreateTemp("", "leakhound-clean-*.parquet")
		if err == nil {
			_, err = io.Copy(tmp, raw.dec)
		}
		raw.close()
		if tmp != nil {
			closeAll = func() { f.Close(); tmp.Close(); os.Remove(tmp.Name()) }
		}
		if err != nil {
			closeAll()
			return nil, nil, err
		}
		ra = tmp
	}
	size, err := sizeOf(ra)
	if err == nil {
		var pf *parquet.File
		if pf, err = parquet.OpenFile(ra, size); err == nil {
			return pf, closeAll, nil
		}
	}
	closeAll()
	return nil, nil, err
}

func sizeOf(ra io.ReaderAt) (int64, error) {
	fi, err := ra.(*os.File).Stat()
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

// parquetOptions mirror the input's schema, metadata and codec.
func parquetOptions(pf *parquet.File) []parquet.WriterOption {
	opts := []parquet.WriterOption{pf.Schema(), parquet.CreatedBy("leakhound clean", "", "")}
	md := pf.Metadata()
	if len(md.RowGroups) > 0 && len(md.RowGroups[0].Columns) > 0 {
		codec := md.RowGroups[0].Columns[0].MetaData.Codec
		if cc := parquet.LookupCompressionCodec(codec); cc != nil {
			opts = append(opts, parquet.Compression(cc))
		}
	}
	for _, kv := range md.KeyValueMetadata {
		opts = append(opts, parquet.KeyValueMetadata(kv.Key, kv.Value))
	}
	return opts
}

// copyRows writes every row of pf to pw, dropping or redacting the
// flagged ones, one output row group per input row group.
func (c *Cleaner) copyRows(pf *parquet.File, pw *parquet.Writer, marks []mark, texts map[int64]string, r *FileResult) error {
	cols := textColumns(pf.Schema(), c.opts.Corpus.Fields)
	cur := cursor{marks: marks}
	var row int64
	applied := 0
	buf := make([]parquet.Row, 64)
	for _, rg := range pf.RowGroups() {
		rows := rg.Rows()
		for {
			n, err := rows.ReadRows(buf)
			kept := buf[:0]
			for _, rw := range buf[:n] {
				row++
				mk := cur.at(row)
				if mk == nil {
					kept = append(kept, rw)
					continue
				}
				applied++
				if red := c.redactRow(rw, mk, texts[row], cols, r); red != nil {
					kept = append(kept, red)
				} else {
					r.Dropped++
				}
			}
			if _, werr := pw.WriteRows(kept); werr != nil {
				rows.Close()
				return werr
			}
			if err == io.EOF {
				break
			}
			if err != nil {
				rows.Close()
				return err
			}
		}
		rows.Close()
		if err := pw.Flush(); err != nil {
			return err
		}
	}
	r.Kept = r.Read - r.Dropped
	if applied != len(marks) {
		r.Problem = fmt.Sprintf("%d flagged row(s) not found in the file", len(marks)-applied)
	}
	return nil
}

// redactRow returns the row with its text values redacted, or nil to
// drop it.
func (c *Cleaner) redactRow(row parquet.Row, mk *mark, text string, groups [][]int, r *FileResult) parquet.Row {
	if c.opts.Policy == Drop {
		return nil
	}
	if !spansFit(mk.spans, len(text)) {
		r.RedactFailed++
		return nil
	}
	for _, cols := range groups {
		idx := textValues(row, cols)
		if len(idx) == 0 || joinRowValues(row, idx) != text {
			continue
		}
		out := row.Clone()
		n, ok := redactValues(out, idx, mk.spans, c.opts.marker())
		if !ok {
			break
		}
		r.Redacted++
		r.Spans += int64(n)
		return out
	}
	r.RedactFailed++
	return nil
}

// textValues returns the indexes in row of the non-empty byte-array
// values of cols, in the order of cols and then of the row.
func textValues(row parquet.Row, cols []int) []int {
	var idx []int
	for _, c := range cols {
		for i, v := range row {
			if v.Column() == c && !v.IsNull() && v.Kind() == parquet.ByteArray && len(v.ByteArray()) > 0 {
				idx = append(idx, i)
			}
		}
	}
	return idx
}

func joinRowValues(row parquet.Row, idx []int) string {
	parts := make([][]byte, len(idx))
	for i, j := range idx {
		parts[i] = row[j].ByteArray()
	}
	return string(bytes.Join(parts, []byte{'\n'}))
}

// redactValues replaces the spans (which fit the values joined, see
// spansFit) in the values idx of row.
func redactValues(row parquet.Row, idx []int, spans []leakhound.Span, marker string) (int, bool) {
	total, off := 0, 0
	for _, j := range idx {
		v := row[j]
		text := v.ByteArray()
		local := cut(spans, off, off+len(text))
		off += len(text) + 1
		if len(local) == 0 {
			continue
		}
		red, ok := redactText(text, local, marker)
		if !ok {
			return 0, false
		}
		total += len(local)
		row[j] = parquet.ByteArrayValue(red).Level(v.RepetitionLevel(), v.DefinitionLevel(), v.Column())
	}
	return total, true
}

// textColumns returns, for each candidate field group, the leaf column
// indexes of its paths that the schema has.
func textColumns(schema *parquet.Schema, fields []string) [][]int {
	index := map[string]int{}
	for i, name := range leafPaths(schema) {
		index[name] = i
	}
	var groups [][]int
	specs := autoFields
	if fields != nil {
		specs = [][]string{fields}
	}
	for _, g := range specs {
		var cols []int
		for _, spec := range g {
			if c, ok := index[spec]; ok {
				cols = append(cols, c)
			}
		}
		if len(cols) > 0 {
			groups = append(groups, cols)
		}
	}
	return groups
}

// leafPaths names each leaf column as a field path, the way package
// corpus does: a repeated field, and a LIST with its repeated "list" and
// "element" levels, read as "[]" after the name.
func leafPaths(n parquet.Node) []string {
	var out []string
	var walk func(n parquet.Node, name string)
	walk = func(n parquet.Node, name string) {
		if n.Repeated() {
			name += "[]"
		}
		if n.Leaf() {
			out = append(out, name)
			return
		}
		fields := n.Fields()
		if inner, ok := listElement(n); ok {
			name += "[]"
			if inner.Leaf() {
				out = append(out, name)
				return
			}
			fields = inner.Fields()
		}
		for _, f := range fields {
			child := f.Name()
			if name != "" {
				child = name + "." + child
			}
			walk(f, child)
		}
	}
	walk(n, "")
	return out
}

// listElement returns the node whose fields a LIST's elements have (or
// the leaf element), skipping the repeated "list" level.
func listElement(n parquet.Node) (parquet.Node, bool) {
	lt := n.Type().LogicalType()
	if lt == nil {
		return nil, false
	}
	if _, ok := lt.Value.(*format.ListType); !ok {
		return nil, false
	}
	fields := n.Fields()
	if len(fields) != 1 || !fields[0].Repeated() {
		return nil, false
	}
	inner := fields[0]
	if inner.Leaf() {
		return inner, true
	}
	if elems := inner.Fields(); len(elems) == 1 {
		return elems[0], true
	}
	return inner, true
}

// parquetRows returns the number of rows of the Parquet file at path,
// compressed as a whole with method.
func parquetRows(path, method string) (int64, error) {
	pf, closeFile, err := openParquet(path, method)
	if err != nil {
		return 0, err
	}
	defer closeFile()
	return pf.NumRows(), nil
}
