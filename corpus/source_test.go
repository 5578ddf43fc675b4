package corpus

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
)

// got is a record as the tests compare it.
type got struct {
	Line   int64
	Offset int64
	ID     string
	Text   string
	Raw    string
}

// result is everything a Source gave.
type result struct {
	format     Format
	recs       []got
	diags      []Diagnostic
	read, good int64
	batches    int
}

func (r result) kinds() string {
	var k []string
	for _, d := range r.diags {
		k = append(k, fmt.Sprintf("%s@%d", d.Kind, d.Line))
	}
	return strings.Join(k, " ")
}

// readInput reads every batch of in and checks the accounting invariant.
func readInput(t testing.TB, in Input, opts Options) result {
	t.Helper()
	src, err := Open(in, opts)
	if err != nil {
		t.Fatalf("Open(%s): %v", in.Name, err)
	}
	defer src.Close()
	res := result{format: src.Format()}
	x := NewExtractor(opts)
	var b Batch
	for src.NextBatch(&b) {
		res.batches++
		err := b.Each(x, func(r *Record) error {
			if r.File != in.Name {
				t.Errorf("record file %q, want %q", r.File, in.Name)
			}
			res.recs = append(res.recs, got{r.Line, r.Offset, string(r.ID), string(r.Text), string(r.Raw)})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		read, good := b.Records()
		var recDiags int64
		for _, d := range b.Diagnostics() {
			if d.Line > 0 {
				recDiags++
			}
			if d.File != in.Name || d.Kind == "" || d.Msg == "" {
				t.Errorf("incomplete diagnostic %+v", d)
			}
		}
		if read-good != recDiags {
			t.Errorf("batch: read %d - good %d != %d record diagnostics %v", read, good, recDiags, b.Diagnostics())
		}
		res.diags = append(res.diags, b.Diagnostics()...)
		res.read += read
		res.good += good
	}
	if err := src.Err(); err != nil {
		t.Fatalf("Err: %v", err)
	}
	if int64(len(res.recs)) != res.good {
		t.Errorf("%d records given, %d counted good", len(res.recs), res.good)
	}
	return res
}

func memInput(name string, data []byte) Input {
	return FromReader(name, bytes.NewReader(data), int64(len(data)))
}

func writeFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func fileInput(t testing.TB, p string) Input {
	t.Helper()
	ins, err := Expand([]string{p})
	if err != nil || len(ins) != 1 {
		t.Fatalf("Expand(%s) = %v, %v", p, ins, err)
	}
	return ins[0]
}

// genJSONL writes n records of varied sizes, with escapes, non-ASCII
// text, blank lines and CRLF endings, and returns the data and the
// records expected from it.
func genJSONL(n int) ([]byte, []got) {
	var buf bytes.Buffer
	var want []got
	line := int64(1)
	for i := range n {
		text := strings.Repeat(fmt.Sprintf("w%d ", i), 1+(i*37)%400)
		enc := text
		if i%5 == 0 {
			text += "é\n\"q\""
			enc += `é\n\"q\"`
		}
		end := "\n"
		if i%7 == 3 {
			end = "\r\n"
		}
		raw := fmt.Sprintf(`{"id":"r%d","n":[1,{"x":null}],"text":"%s"}`, i, enc)
		if end == "\r\n" {
			raw += "\r"
		}
		want = append(want, got{line, int64(buf.Len()), fmt.Sprintf("r%d", i), text, raw})
		buf.WriteString(raw + "\n")
		line++
		if i%11 == 5 {
			buf.WriteString("  \n") // a blank line is no record
			line++
		}
	}
	return buf.Bytes(), want
}

func compareRecords(t *testing.T, gotRecs, want []got) {
	t.Helper()
	if len(gotRecs) != len(want) {
		t.Fatalf("got %d records, want %d", len(gotRecs), len(want))
	}
	for i := range want {
		if gotRecs[i] != want[i] {
			t.Fatalf("record %d:\n got %+v\nwant %+v", i, trunc(gotRecs[i]), trunc(want[i]))
		}
	}
}

func trunc(g got) got {
	if len(g.Text) > 60 {
		g.Text = g.Text[:60] + "..."
	}
	if len(g.Raw) > 60 {
		g.Raw = g.Raw[:60] + "..."
	}
	return g
}

func TestJSONLLinesAndOffsets(t *testing.T) {
	data, want := genJSONL(3000) // ~2.4 MB: several batches and reads
	for _, tt := range []struct {
		name string
		in   Input
		opts Options
	}{
		{"default", memInput("a.jsonl", data), Options{}},
		{"small batches", memInput("a.jsonl", data), Options{BatchBytes: 1000}},
		{"one byte reads", FromReader("a.jsonl", iotest.OneByteReader(bytes.NewReader(data)), -1), Options{BatchBytes: 70 << 10}},
		{"half reads", FromReader("a.jsonl", iotest.HalfReader(bytes.NewReader(data)), -1), Options{BatchBytes: 200 << 10}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := readInput(t, tt.in, tt.opts)
			if res.format != JSONL || len(res.diags) != 0 {
				t.Fatalf("format %v, diagnostics %v", res.format, res.diags)
			}
			compareRecords(t, res.recs, want)
			if tt.opts.BatchBytes != 0 && res.batches < 3 {
				t.Errorf("only %d batches", res.batches)
			}
		})
	}
}

func TestJSONLBadRecords(t *testing.T) {
	data := "\xef\xbb\xbf{\"id\":1,\"text\":\"bom\"}\n" + // 1: a BOM on line 1 is skipped
		"{\"text\":\"ok\"}\n" + // 2
		"{\"text\":\"ok\",}\n" + // 3 malformed
		"\n" + // 4 blank
		"{\"text\":\"\xff\"}\n" + // 5 invalid UTF-8
		"{\"other\":\"x\"}\n" + // 6 missing
		"[\"text\"]\n" + // 7 not an object
		"{\"text\":\"" + strings.Repeat("x", 200) + "\"}\n" + // 8 too large
		"garbage\n" + // 9 malformed
		"{\"text\":\"last\"}" // 10, no final newline
	res := readInput(t, memInput("bad.jsonl", []byte(data)), Options{MaxRecordBytes: 100})
	if got, want := res.kinds(), "malformed-json@3 invalid-utf8@5 missing-field@6 not-object@7 too-large@8 malformed-json@9"; got != want {
		t.Errorf("diagnostics %s, want %s", got, want)
	}
	var texts []string
	for _, r := range res.recs {
		texts = append(texts, fmt.Sprintf("%d:%s", r.Line, r.Text))
	}
	if got, want := strings.Join(texts, " "), "1:bom 2:ok 10:last"; got != want {
		t.Errorf("records %s, want %s", got, want)
	}
	if res.read != 9 || res.good != 3 {
		t.Errorf("read %d good %d, want 9 and 3", res.read, res.good)
	}
	d := res.diags[0]
	if want := strings.Index(data, "{\"text\":\"ok\",}"); d.Offset != int64(want) {
		t.Errorf("offset of line 3 = %d, want %d", d.Offset, want)
	}
	if s := d.String(); !strings.HasPrefix(s, "bad.jsonl:3: expected '\"' to begin an object key, found '}'") {
		t.Errorf("diagnostic string %q", s)
	}
}

func TestJSONLTooLargeStreaming(t *testing.T) {
	// A record far over the limit and over the batch size is skipped
	// without holding it: the reader discards it in chunks.
	big := `{"text":"` + strings.Repeat("y", 3<<20) + `"}`
	data := `{"text":"a"}` + "\n" + big + "\n" + `{"text":"b"}` + "\n" + big // the last one without newline
	for _, opts := range []Options{{MaxRecordBytes: 1 << 20, BatchBytes: 64 << 10}, {MaxRecordBytes: 100 << 10}} {
		res := readInput(t, FromReader("big.jsonl", iotest.HalfReader(strings.NewReader(data)), -1), opts)
		if got, want := res.kinds(), "too-large@2 too-large@4"; got != want {
			t.Fatalf("diagnostics %s, want %s", got, want)
		}
		if len(res.recs) != 2 || res.recs[1].Text != "b" || res.recs[1].Line != 3 || res.recs[1].Offset != int64(len(data)-len(big)-13) {
			t.Errorf("records %+v", res.recs)
		}
		if res.diags[1].Offset != int64(len(data)-len(big)) {
			t.Errorf("too-large offset %d, want %d", res.diags[1].Offset, len(data)-len(big))
		}
	}
	// A record of several MB under the limit is read whole.
	res := readInput(t, memInput("big.jsonl", []byte(big+"\n")), Options{})
	if len(res.recs) != 1 || len(res.recs[0].Text) != 3<<20 {
		t.Errorf("a 3 MB record was not read whole: %d records, diagnostics %v", len(res.recs), res.diags)
	}
}

func gzipBytes(t testing.TB, data []byte) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write(data)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// zstdEncoder is shared: EncodeAll is safe for concurrent use, and a new
// encoder per call made FuzzOpen ten times slower.
var zstdEncoder, _ = zstd.NewWriter(nil, zstd.WithEncoderConcurrency(1))

func zstdBytes(t testing.TB, data []byte) []byte {
	return zstdEncoder.EncodeAll(data, nil)
}

func xzBytes(t testing.TB, data []byte) []byte {
	var b bytes.Buffer
	w, err := xz.NewWriter(&b)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(data)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestCompression(t *testing.T) {
	data, want := genJSONL(500)
	half := bytes.IndexByte(data[len(data)/2:], '\n') + len(data)/2 + 1
	multi := append(gzipBytes(t, data[:half]), gzipBytes(t, data[half:])...)
	dir := t.TempDir()
	for _, tt := range []struct {
		name, method string
		data         []byte
	}{
		{"plain.jsonl.gz", "none", data}, // the name lies: content decides
		{"a.gz", "gzip", gzipBytes(t, data)},
		{"multi.jsonl.gz", "gzip", multi},
		{"a.zst", "zstd", zstdBytes(t, data)},
		{"a.xz", "xz", xzBytes(t, data)},
		{"a.jsonl", "zstd", zstdBytes(t, data)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := writeFile(t, dir, tt.name, tt.data)
			res := readInput(t, fileInput(t, p), Options{})
			if len(res.diags) != 0 {
				t.Fatalf("diagnostics %v", res.diags)
			}
			compareRecords(t, res.recs, want)
			src, _ := Open(fileInput(t, p), Options{})
			defer src.Close()
			if src.Compression() != tt.method {
				t.Errorf("compression %s, want %s", src.Compression(), tt.method)
			}
		})
	}
	t.Run("bzip2", func(t *testing.T) {
		res := readInput(t, fileInput(t, "testdata/three-bzip2.bin"), Options{})
		if len(res.recs) != 3 || res.recs[1].Text != "second é" || res.recs[2].ID != "b3" || res.recs[2].Offset != 76 {
			t.Errorf("bzip2 records %+v, diagnostics %v", res.recs, res.diags)
		}
	})
}

func TestBytesRead(t *testing.T) {
	data, _ := genJSONL(2000)
	z := gzipBytes(t, data)
	p := writeFile(t, t.TempDir(), "a.gz", z)
	src, err := Open(fileInput(t, p), Options{BatchBytes: 64 << 10})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	done := make(chan int64)
	go func() { // BytesRead is safe from another goroutine
		var last int64
		for range 1000 {
			last = max(last, src.BytesRead())
		}
		done <- last
	}()
	var b Batch
	for src.NextBatch(&b) {
	}
	<-done
	if src.BytesRead() != int64(len(z)) {
		t.Errorf("BytesRead = %d, want %d", src.BytesRead(), len(z))
	}
}

func TestTruncated(t *testing.T) {
	data, want := genJSONL(2000)
	for _, tt := range []struct {
		name string
		z    []byte
	}{{"gz", gzipBytes(t, data)}, {"zst", zstdBytes(t, data)}, {"xz", xzBytes(t, data)}} {
		for _, cut := range []int{len(tt.z) / 2, len(tt.z) - 5, 15} {
			t.Run(fmt.Sprintf("%s/%d", tt.name, cut), func(t *testing.T) {
				res := readInput(t, memInput("cut."+tt.name, tt.z[:cut]), Options{})
				if len(res.diags) != 1 || res.diags[0].Kind != KindTruncated {
					t.Fatalf("diagnostics %v, want one truncated", res.diags)
				}
				d := res.diags[0]
				if d.Offset < 0 || d.Offset > int64(len(data)) || !strings.Contains(d.Msg, fmt.Sprint(d.Offset)) {
					t.Errorf("truncated diagnostic %+v", d)
				}
				compareRecords(t, res.recs, want[:len(res.recs)])
				if last := len(res.recs); last > 0 && d.Line > 0 && d.Line != want[last].Line {
					t.Errorf("truncated line %d, want %d (the partial record)", d.Line, want[last].Line)
				}
				if cut == len(tt.z)/2 && tt.name != "xz" && len(res.recs) < len(want)/4 {
					t.Errorf("only %d good records kept before the cut", len(res.recs))
				}
			})
		}
	}
}

func TestCorruptStream(t *testing.T) {
	data, _ := genJSONL(200)
	z := gzipBytes(t, data)
	z[len(z)/2] ^= 0xff
	res := readInput(t, memInput("bad.gz", z), Options{})
	if n := len(res.diags); n == 0 || res.diags[n-1].Kind != KindCorrupt && res.diags[n-1].Kind != KindMalformedJSON {
		t.Errorf("diagnostics %v, want a corrupt stream", res.diags)
	}
}

func TestFileDiagnostics(t *testing.T) {
	png := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 100)...)
	tests := []struct {
		name string
		data []byte
		kind string
	}{
		{"empty.jsonl", nil, KindEmptyFile},
		{"blank.jsonl", []byte(" \n\n\t\r\n"), KindEmptyFile},
		{"empty.gz", gzipBytes(t, nil), KindEmptyFile},
		{"image.png", png, KindBinaryFile},
		{"latin1.txt", []byte("caf\xe9 au lait\n"), KindBinaryFile},
		{"nul.txt", []byte("text\x00more"), KindBinaryFile},
		{"binary.gz", gzipBytes(t, png), KindBinaryFile},
		{"zip.zip", []byte("PK\x03\x04\x14\x00\x00\x00\x08\x00"), KindBinaryFile},
		{"gzhead.gz", []byte{0x1f, 0x8b, 0x08}, KindTruncated},
	}
	for _, tt := range tests {
		res := readInput(t, memInput(tt.name, tt.data), Options{})
		if len(res.diags) != 1 || res.diags[0].Kind != tt.kind || res.diags[0].Line != 0 || res.read != 0 {
			t.Errorf("%s: diagnostics %v, read %d; want one %s", tt.name, res.diags, res.read, tt.kind)
		}
	}
}

func TestBinaryAt(t *testing.T) {
	tests := []struct {
		head string
		eof  bool
		want int
	}{
		{"plain text", true, -1},
		{"中文", true, -1},
		{"cut \xe4\xb8", false, -1}, // a rune cut by the block end
		{"cut \xe4\xb8", true, 4},
		{"bad \xff rest", false, 4},
		{"a\x00b", false, 1},
	}
	for _, tt := range tests {
		if got := binaryAt([]byte(tt.head), tt.eof); got != tt.want {
			t.Errorf("binaryAt(%q, %v) = %d, want %d", tt.head, tt.eof, got, tt.want)
		}
	}
}

func TestAutoFields(t *testing.T) {
	tests := []struct {
		name, data string
		want       string // texts joined with "|", or the diagnostics
	}{
		{"text", `{"text":"t","content":"c"}` + "\n" + `{"content":"c2"}`, "t | missing-field@2"},
		{"content", `{"content":"c"}` + "\n" + `{"text":"t","content":"c2"}`, "c|c2 | "},
		{"alpaca", `{"instruction":"i","input":"","output":"o"}` + "\n" + `{"instruction":"i2","output":"o2"}`, "i\no|i2\no2 | "},
		{"chat", `{"messages":[{"role":"user","content":"q"},{"role":"assistant","content":"a"}]}`, "q\na | "},
		{"first malformed", `{"text":` + "\n" + `{"content":"c"}`, "c | malformed-json@1"},
	}
	for _, tt := range tests {
		res := readInput(t, memInput(tt.name+".jsonl", []byte(tt.data)), Options{})
		var texts []string
		for _, r := range res.recs {
			texts = append(texts, r.Text)
		}
		if got := strings.Join(texts, "|") + " | " + res.kinds(); strings.TrimSpace(got) != strings.TrimSpace(tt.want) {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestNoTextField(t *testing.T) {
	data := "\n" + `{"question":"q","answer":"a","meta":{"text":"x"}}` + "\n"
	_, err := Open(memInput("qa.jsonl", []byte(data)), Options{})
	if !errors.Is(err, ErrNoTextField) {
		t.Fatalf("Open: %v, want ErrNoTextField", err)
	}
	for _, want := range []string{"qa.jsonl:2:", `"question", "answer", "meta"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
	// With explicit fields the same file reads.
	res := readInput(t, memInput("qa.jsonl", []byte(data)), Options{Fields: []string{"question", "answer"}})
	if len(res.recs) != 1 || res.recs[0].Text != "q\na" {
		t.Errorf("explicit fields: %+v", res.recs)
	}
	// An invalid path is an Open error.
	if _, err := Open(memInput("qa.jsonl", []byte(data)), Options{Fields: []string{"a..b"}}); err == nil {
		t.Error("Open accepted the field path a..b")
	}
}

func TestFormatSniffing(t *testing.T) {
	tests := []struct {
		name, data string
		want       Format
	}{
		{"a.jsonl", `{"text":"x"}`, JSONL},
		{"a.json", "  \n[{\"text\":\"x\"}]", JSONArray},
		{"a.data", `[{"text":"x"}]`, JSONArray},
		{"a.txt", `{"text":"x"}`, Text}, // the name says text
		{"a.md.gz", `[link]`, Text},
		{"a.jsonl", "just words", JSONL}, // the name says JSONL: the line is a bad record
		{"a.data", "[1]\n{\"text\":\"x\"}\n", JSONL},
		{"a.data", "oops\n{\"text\":\"x\"}\n{\"text\":\"y\"}\n", JSONL},
		{"a.data", "just words\nand more words\n{\"text\":\"x\"}\n", Text},
		{"a", "\xef\xbb\xbf{\"text\":\"x\"}", JSONL},
	}
	for _, tt := range tests {
		data := []byte(tt.data)
		if strings.HasSuffix(tt.name, ".gz") {
			data = gzipBytes(t, data)
		}
		src, err := Open(memInput(tt.name, data), Options{})
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if src.Format() != tt.want {
			t.Errorf("%s %q: format %v, want %v", tt.name, tt.data, src.Format(), tt.want)
		}
		src.Close()
	}
}

// TestBadFirstLineDoesNotHideTheFile: a JSONL file that opens with a bad
// line, or with a line holding a JSON array, is still read line by line;
// the first line is one bad record (review finding 1).
func TestBadFirstLineDoesNotHideTheFile(t *testing.T) {
	for _, first := range []string{"oops, not JSON", "[1]"} {
		data := first + "\n{\"text\":\"a\"}\n{\"text\":\"b\"}\n{\"text\":\"c\"}\n"
		res := readInput(t, memInput("corpus.data", []byte(data)), Options{})
		if len(res.recs) != 3 || len(res.diags) != 1 || res.diags[0].Line != 1 {
			t.Errorf("first line %q: %d records, diagnostics %v; want 3 records and one diagnostic on line 1", first, len(res.recs), res.diags)
		}
	}
}

func TestStopOnCallbackError(t *testing.T) {
	data, _ := genJSONL(10)
	src, err := Open(memInput("a.jsonl", data), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var b Batch
	src.NextBatch(&b)
	stop := errors.New("stop")
	n := 0
	if err := b.Each(NewExtractor(Options{}), func(*Record) error { n++; return stop }); err != stop || n != 1 {
		t.Errorf("Each = %v after %d records, want stop after 1", err, n)
	}
}

func TestReadError(t *testing.T) {
	data, _ := genJSONL(100)
	r := io.MultiReader(bytes.NewReader(data[:5000]), iotest.ErrReader(errors.New("disk on fire")))
	src, err := Open(FromReader("fire.jsonl", r, -1), Options{})
	if err == nil {
		var b Batch
		for src.NextBatch(&b) {
		}
		err = src.Err()
	}
	if err == nil || !strings.Contains(err.Error(), "disk on fire") || !strings.Contains(err.Error(), "fire.jsonl") {
		t.Errorf("error %v, want the read error with the file name", err)
	}
}

func TestConcurrentEach(t *testing.T) {
	// Batches of one file are extracted by several workers at once, as
	// the scan driver does; each worker has its own Extractor.
	data, want := genJSONL(3000)
	src, err := Open(memInput("c.jsonl", data), Options{BatchBytes: 64 << 10})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var batches []*Batch
	for {
		b := new(Batch)
		if !src.NextBatch(b) {
			break
		}
		batches = append(batches, b)
	}
	results := make([][]got, len(batches))
	done := make(chan bool)
	for w := range 4 {
		go func() {
			x := NewExtractor(Options{})
			for i := w; i < len(batches); i += 4 {
				batches[i].Each(x, func(r *Record) error {
					results[i] = append(results[i], got{r.Line, r.Offset, string(r.ID), string(r.Text), string(r.Raw)})
					return nil
				})
			}
			done <- true
		}()
	}
	for range 4 {
		<-done
	}
	var all []got
	for _, r := range results {
		all = append(all, r...)
	}
	compareRecords(t, all, want)
}

// repeatReader yields block n times.
type repeatReader struct {
	block []byte
	n     int
	pos   int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, io.EOF
	}
	k := copy(p, r.block[r.pos:])
	if r.pos += k; r.pos == len(r.block) {
		r.pos, r.n = 0, r.n-1
	}
	return k, nil
}

func TestStreamingMemory(t *testing.T) {
	// 256 MB of JSONL (with one 8 MB record) stream through with a heap
	// that stays at a few batches.
	block, _ := genJSONL(1200) // ~1 MB
	big := []byte(`{"text":"` + strings.Repeat("b", 8<<20) + `"}` + "\n")
	in := FromReader("stream.jsonl", io.MultiReader(&repeatReader{block: block, n: 128}, bytes.NewReader(big), &repeatReader{block: block, n: 128}), -1)
	src, err := Open(in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	x := NewExtractor(Options{})
	var b Batch
	var ms runtime.MemStats
	runtime.GC() // garbage left by earlier tests must not count
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	var peak uint64
	records := 0
	for n := 0; src.NextBatch(&b); n++ {
		b.Each(x, func(*Record) error { records++; return nil })
		if n%16 == 0 {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
		}
	}
	if records != 256*1200+1 {
		t.Errorf("%d records, want %d", records, 256*1200+1)
	}
	grew := peak - min(peak, base)
	t.Logf("peak heap in use %d MB, %d MB above the start", peak>>20, grew>>20)
	if grew > 64<<20 {
		t.Errorf("heap in use grew by %d MB while streaming 256 MB", grew>>20)
	}
}
