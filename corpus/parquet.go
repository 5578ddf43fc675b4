package corpus

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/leakhound/leakhound/internal/decompress"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

// Parquet files are read with github.com/parquet-go/parquet-go, column by
// column: only the selected columns are decoded. Field paths name leaf
// columns the way JSON paths name values: "text", "meta.text", and
// "messages[].content" for a field of the elements of a LIST (or of a
// repeated group). A row is one record; Line is its 1-based number in the
// file and Offset is -1. Byte-array values are the text; an integer id
// column is rendered in decimal.
//
// Parquet needs random access: a plain file is read in place; a
// compressed or piped stream is first copied to a temporary file.

// parquetSource reads the rows of a Parquet file.
type parquetSource struct {
	file    *parquet.File
	closer  io.Closer
	groups  [][]int // selected text columns, in field order (one group)
	idCol   int     // leaf index of the id column, or -1
	names   []string
	rg      int // next row group
	cursors map[int]*colCursor
	left    int64 // rows left in the current row group
	row     int64 // rows read so far
}

// openParquet opens the Parquet file and resolves the fields on its columns.
func (s *Source) openParquet() (err error) {
	s.next = s.nextParquet
	defer func() {
		if r := recover(); r != nil { // a damaged file can make the library panic
			s.corruptParquet(fmt.Errorf("%v", r))
			err = nil
		}
	}()
	ra, size, err := s.readerAt()
	if err != nil || ra == nil {
		return err
	}
	f, err := parquet.OpenFile(ra, size, parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true))
	if err != nil {
		s.corruptParquet(err)
		return nil
	}
	pq := &parquetSource{file: f, closer: s.pq.closerOrNil(), idCol: -1, cursors: map[int]*colCursor{}}
	s.pq = pq
	pq.names = leafSpecs(f.Schema())
	return s.pickColumns()
}

func (p *parquetSource) closerOrNil() io.Closer {
	if p == nil {
		return nil
	}
	return p.closer
}

// corruptParquet reports a damaged Parquet file and reads no rows.
func (s *Source) corruptParquet(err error) {
	s.fileDiag(KindCorrupt, -1, "corrupt Parquet file: "+err.Error())
	s.next = s.nextNone
}

// readerAt returns random access to the uncompressed stream: the file
// itself, a ReaderAt given to FromReader, or a temporary copy.
func (s *Source) readerAt() (io.ReaderAt, int64, error) {
	if s.method == decompress.None && s.in.r == nil {
		f := s.closer.(*os.File)
		fi, err := f.Stat()
		if err != nil {
			return nil, 0, fmt.Errorf("%s: %w", s.in.Name, err)
		}
		s.raw.n.Store(fi.Size())
		return f, fi.Size(), nil
	}
	if ra, ok := s.in.r.(io.ReaderAt); ok && s.method == decompress.None && s.in.Size >= 0 {
		s.raw.n.Store(s.in.Size)
		return ra, s.in.Size, nil
	}
	tmp, err := os.CreateTemp("", "leakhound-*.parquet")
	if err != nil {
		return nil, 0, fmt.Errorf("%s: spooling Parquet to a temporary file: %w", s.in.Name, err)
	}
	s.spool = tmp.Name()
	s.pq = &parquetSource{closer: tmp}
	n, err := tmp.Write(s.buf)
	if err == nil {
		var m int64
		m, err = io.Copy(tmp, readerFunc(func(p []byte) (int, error) {
			if s.eof {
				return 0, io.EOF
			}
			return s.read(p), nil
		}))
		n += int(m)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("%s: spooling Parquet to a temporary file: %w", s.in.Name, err)
	}
	if s.err != nil {
		return nil, 0, s.err
	}
	if s.streamDiag != nil {
		s.next = s.nextNone // a truncated stream cannot be read as Parquet
		return nil, 0, nil
	}
	return tmp, int64(n), nil
}

type readerFunc func(p []byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }

// pickColumns maps the selected fields to leaf columns.
func (s *Source) pickColumns() error {
	pq, sel := s.pq, s.info.sel
	index := map[string]int{}
	for i, n := range pq.names {
		index[n] = i
	}
	for g, paths := range sel.groups {
		var cols []int
		for _, p := range paths {
			if c, ok := index[canonical(sel.paths[p].steps)]; ok {
				cols = append(cols, c)
			}
		}
		if len(cols) > 0 {
			pq.groups = [][]int{cols}
			s.info.sel = sel.only(g)
			break
		}
	}
	if c, ok := index[canonical(sel.paths[sel.id].steps)]; ok {
		pq.idCol = c
	}
	if pq.groups != nil {
		return nil
	}
	var quoted []string
	for _, n := range pq.names {
		quoted = append(quoted, strconv.Quote(n))
	}
	if s.opts.Fields == nil {
		return fmt.Errorf("%s: %w; the Parquet file has the columns %s", s.in.Name, ErrNoTextField, strings.Join(quoted, ", "))
	}
	return fmt.Errorf("%s: no column %s in the Parquet file, which has the columns %s", s.in.Name, sel.groupName(sel.groups[0]), strings.Join(quoted, ", "))
}

// canonical renders steps as a field path: names joined with '.', "[]"
// after a name for each array level.
func canonical(steps []step) string {
	var b strings.Builder
	for i, st := range steps {
		switch {
		case st.each:
			b.WriteString("[]")
		case i > 0:
			b.WriteString(".")
			fallthrough
		default:
			b.WriteString(st.name)
		}
	}
	return b.String()
}

// leafSpecs returns the field path of every leaf column, in column order.
// A LIST group and its repeated "list" and "element" levels read as "[]"
// after the list's name; so does a repeated field.
func leafSpecs(schema *parquet.Schema) []string {
	var out []string
	var walk func(n parquet.Node, spec string)
	walk = func(n parquet.Node, spec string) {
		if n.Repeated() {
			spec += "[]"
		}
		if n.Leaf() {
			out = append(out, spec)
			return
		}
		fields := n.Fields()
		if isListNode(n) && len(fields) == 1 && fields[0].Repeated() {
			inner := fields[0] // the repeated "list" group
			spec += "[]"
			if inner.Leaf() {
				out = append(out, spec)
				return
			}
			if elems := inner.Fields(); len(elems) == 1 {
				if elems[0].Leaf() {
					out = append(out, spec)
					return
				}
				fields = elems[0].Fields()
				if elems[0].Repeated() {
					spec += "[]"
				}
			} else {
				fields = elems
			}
		}
		for _, f := range fields {
			name := f.Name()
			if spec != "" {
				name = spec + "." + name
			}
			walk(f, name)
		}
	}
	walk(schema, "")
	return out
}

func isListNode(n parquet.Node) bool {
	lt := n.Type().LogicalType()
	if lt == nil {
		return false
	}
	_, ok := lt.Value.(*format.ListType)
	return ok
}

// nextParquet fills b with rows.
func (s *Source) nextParquet(b *Batch) (ok bool) {
	b.reset(s.info)
	defer func() {
		if r := recover(); r != nil {
			s.corruptParquet(fmt.Errorf("%v", r))
			s.takeStreamDiag(b, 0)
			ok = true
		}
	}()
	pq := s.pq
	for len(b.buf) < s.opts.BatchBytes {
		if pq.left == 0 && !pq.nextGroup() {
			break
		}
		if err := s.parquetRow(b); err != nil {
			s.corruptParquet(err)
			s.takeStreamDiag(b, 0)
			return true
		}
	}
	return len(b.recs) > 0
}

// nextGroup moves to the next row group with rows, or reports false.
func (pq *parquetSource) nextGroup() bool {
	for _, c := range pq.cursors {
		c.pages.Close()
	}
	clear(pq.cursors)
	groups := pq.file.RowGroups()
	for pq.rg < len(groups) {
		rg := groups[pq.rg]
		pq.rg++
		if pq.left = rg.NumRows(); pq.left <= 0 {
			continue
		}
		chunks := rg.ColumnChunks()
		cols := append([]int{}, pq.groups[0]...)
		if pq.idCol >= 0 {
			cols = append(cols, pq.idCol)
		}
		for _, c := range cols {
			if _, ok := pq.cursors[c]; !ok && c < len(chunks) {
				pq.cursors[c] = &colCursor{pages: chunks[c].Pages()}
			}
		}
		return true
	}
	return false
}

// parquetRow appends the next row's text and id to b.
func (s *Source) parquetRow(b *Batch) error {
	pq := s.pq
	pq.left--
	pq.row++
	r := recSpan{start: len(b.buf), line: pq.row, off: -1}
	values := 0
	for _, c := range pq.groups[0] {
		err := pq.cursors[c].nextRow(func(v parquet.Value) {
			if v.IsNull() || v.Kind() != parquet.ByteArray {
				return
			}
			values++
			if t := v.ByteArray(); len(t) > 0 {
				if len(b.buf) > r.start {
					b.buf = append(b.buf, '\n')
				}
				b.buf = append(b.buf, t...)
			}
		})
		if err != nil {
			return err
		}
	}
	r.end = len(b.buf)
	if values == 0 {
		r.kind = KindMissingField
		r.msg = "row has no string value in " + s.info.sel.groupName(s.info.sel.groups[0])
	}
	if len(b.buf)-r.start > s.opts.MaxRecordBytes {
		r.kind = KindTooLarge
		r.msg = tooLargeMsg(len(b.buf)-r.start, s.opts.MaxRecordBytes)
		b.buf = b.buf[:r.start]
		r.end = r.start
	}
	if pq.idCol >= 0 {
		r.idStart = len(b.buf)
		err := pq.cursors[pq.idCol].nextRow(func(v parquet.Value) {
			if r.idEnd > 0 || v.IsNull() {
				return
			}
			switch v.Kind() {
			case parquet.ByteArray:
				b.buf = append(b.buf, v.ByteArray()...)
			case parquet.Int32, parquet.Int64:
				b.buf = strconv.AppendInt(b.buf, v.Int64(), 10)
			default:
				return
			}
			r.idEnd = len(b.buf)
		})
		if err != nil {
			return err
		}
	}
	b.recs = append(b.recs, r)
	return nil
}

// colCursor reads the values of one column chunk row by row.
type colCursor struct {
	pages parquet.Pages
	vr    parquet.ValueReader
	vals  []parquet.Value
	i, n  int
	done  bool
}

// peek returns the next value without consuming it; ok is false at the
// end of the chunk.
func (c *colCursor) peek() (v parquet.Value, ok bool, err error) {
	for c.i == c.n {
		if c.done {
			return v, false, nil
		}
		if c.vr == nil {
			page, err := c.pages.ReadPage()
			if err == io.EOF {
				c.done = true
				continue
			}
			if err != nil {
				return v, false, err
			}
			c.vr = page.Values()
		}
		if c.vals == nil {
			c.vals = make([]parquet.Value, 256)
		}
		n, err := c.vr.ReadValues(c.vals)
		c.i, c.n = 0, n
		if err == io.EOF {
			c.vr = nil
		} else if err != nil {
			return v, false, err
		}
	}
	return c.vals[c.i], true, nil
}

// nextRow calls fn with every value of the next row: the first value has
// repetition level 0, the rest of the row's values more.
func (c *colCursor) nextRow(fn func(parquet.Value)) error {
	v, ok, err := c.peek()
	if err != nil {
		return err
	}
	if !ok {
		return errors.New("column chunk has fewer rows than its row group")
	}
	for first := true; ok && (first || v.RepetitionLevel() > 0); first = false {
		fn(v)
		c.i++
		if v, ok, err = c.peek(); err != nil {
			return err
		}
	}
	return nil
}

func (p *parquetSource) close() error {
	var errs []error
	for _, c := range p.cursors {
		errs = append(errs, c.pages.Close())
	}
	if p.closer != nil {
		errs = append(errs, p.closer.Close())
	}
	return errors.Join(errs...)
}
