package corpus

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/leakhound/leakhound/internal/shareddata"

	"github.com/parquet-go/parquet-go"
)

func TestJSONArray(t *testing.T) {
	data := "\xef\xbb\xbf[\n  {\"instruction\": \"Add\", \"input\": \"1 2\", \"output\": \"3\", \"id\": 7},\n" +
		"  {\"instruction\": \"Say hi\",\n   \"input\": \"\",\n   \"output\": \"hi \\u00e9\"}\n]\n"
	res := readInput(t, memInput("alpaca.json", []byte(data)), Options{})
	if res.format != JSONArray || len(res.diags) != 0 || len(res.recs) != 2 {
		t.Fatalf("format %v, %d records, diagnostics %v", res.format, len(res.recs), res.diags)
	}
	for i, want := range []got{
		{1, int64(strings.Index(data, `{"instruction": "Add"`)), "7", "Add\n1 2\n3", `{"instruction": "Add", "input": "1 2", "output": "3", "id": 7}`},
		{2, int64(strings.Index(data, `{"instruction": "Say hi"`)), "", "Say hi\nhi é", "{\"instruction\": \"Say hi\",\n   \"input\": \"\",\n   \"output\": \"hi \\u00e9\"}"},
	} {
		if res.recs[i] != want {
			t.Errorf("element %d:\n got %+v\nwant %+v", i+1, res.recs[i], want)
		}
	}
}

func TestJSONArrayStreaming(t *testing.T) {
	// Many elements over many batches and reads: numbering and offsets stay exact.
	var b strings.Builder
	var offs []int
	b.WriteString("[")
	for i := range 5000 {
		if i > 0 {
			b.WriteString(",\n")
		}
		offs = append(offs, b.Len())
		fmt.Fprintf(&b, `{"text": "element %d %s", "nested": {"a": [1, 2, {"b": "]"}]}}`, i, strings.Repeat("x", i%300))
	}
	b.WriteString("]")
	data := []byte(b.String())
	for _, opts := range []Options{{}, {BatchBytes: 4 << 10}} {
		res := readInput(t, memInput("many.json", data), opts)
		if len(res.recs) != 5000 || len(res.diags) != 0 {
			t.Fatalf("%d records, diagnostics %v", len(res.recs), res.diags)
		}
		for i, r := range res.recs {
			if r.Line != int64(i+1) || r.Offset != int64(offs[i]) || !strings.HasPrefix(r.Text, fmt.Sprintf("element %d ", i)) {
				t.Fatalf("element %d: %+v (offset want %d)", i+1, trunc(r), offs[i])
			}
		}
	}
}

func TestJSONArrayErrors(t *testing.T) {
	big := `{"text":"` + strings.Repeat("z", 5000) + `"}`
	tests := []struct {
		name, data string
		texts      int
		diags      string
	}{
		{"malformed element", `[{"text":"a"}, {"text": x}, {"text":"c"}]`, 1, "malformed-json@2"},
		{"missing comma", `[{"text":"a"} {"text":"b"}]`, 1, "malformed-json@2"},
		{"bad element kinds", `[{"text":"a"}, 5, {"other":1}, {"text":"d"}]`, 2, "not-object@2 missing-field@3"},
		{"trailing data", `[{"text":"a"}] [`, 1, "malformed-json@0"},
		{"unterminated", `[{"text":"a"},`, 1, "malformed-json@0"},
		{"too large", `[{"text":"a"},` + big + `,{"text":"c"}]`, 2, "too-large@2"},
		{"too large and cut", `[{"text":"a"},` + big[:3000], 1, "too-large@2"},
		{"too large, then cut", `[{"text":"a"},` + big, 1, "too-large@2 malformed-json@0"},
		{"empty array", `[]`, 0, ""},
	}
	for _, tt := range tests {
		res := readInput(t, memInput(tt.name+".json", []byte(tt.data)), Options{MaxRecordBytes: 1000})
		if len(res.recs) != tt.texts || res.kinds() != tt.diags {
			t.Errorf("%s: %d records, diagnostics %q; want %d and %q", tt.name, len(res.recs), res.kinds(), tt.texts, tt.diags)
		}
	}
	// A truncated compressed array keeps the elements before the cut.
	var b strings.Builder
	b.WriteString("[")
	for i := range 3000 {
		fmt.Fprintf(&b, `{"text":"element %d with some words in it"},`, i)
	}
	b.WriteString(`{"text":"end"}]`)
	z := gzipBytes(t, []byte(b.String()))
	res := readInput(t, memInput("cut.json.gz", z[:len(z)/2]), Options{})
	if len(res.recs) < 100 || len(res.diags) != 1 || res.diags[0].Kind != KindTruncated {
		t.Errorf("truncated array: %d records, diagnostics %v", len(res.recs), res.diags)
	}
}

// sharedData returns ../shared/data, or skips the test when it is absent.
func sharedData(t *testing.T) string {
	return shareddata.Dir(t)
}

func TestCodeAlpaca(t *testing.T) {
	p := filepath.Join(sharedData(t), "codealpaca", "code_alpaca_2k.json")
	data, err := os.ReadFile(p)
	if err != nil {
		t.Skipf("real-data test: %v", err)
	}
	var want []struct{ Instruction, Input, Output string }
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatal(err)
	}
	res := readInput(t, fileInput(t, p), Options{})
	if res.format != JSONArray || len(res.diags) != 0 || len(res.recs) != len(want) {
		t.Fatalf("format %v, %d records (want %d), diagnostics %v", res.format, len(res.recs), len(want), res.diags)
	}
	for i, w := range want {
		var parts []string
		for _, s := range []string{w.Instruction, w.Input, w.Output} {
			if s != "" {
				parts = append(parts, s)
			}
		}
		r := res.recs[i]
		if r.Text != strings.Join(parts, "\n") || r.Line != int64(i+1) {
			t.Fatalf("element %d: %+v", i+1, trunc(r))
		}
		if !json.Valid([]byte(r.Raw)) || string(data[r.Offset:r.Offset+int64(len(r.Raw))]) != r.Raw {
			t.Fatalf("element %d: raw bytes are not the file's at offset %d", i+1, r.Offset)
		}
	}
}

func TestText(t *testing.T) {
	small := "Title\n\nA paragraph.\n"
	res := readInput(t, memInput("doc.txt", []byte(small)), Options{})
	if res.format != Text || len(res.recs) != 1 || res.recs[0] != (got{1, 0, "", small, small}) {
		t.Errorf("small text: %+v %v", res.recs, res.diags)
	}
	// A long text is split at the first blank line after each MiB.
	var b strings.Builder
	for i := 0; b.Len() < 3<<20+1000; i++ {
		fmt.Fprintf(&b, "Paragraph %d line one, héllo.\nline two %s\n\n\n", i, strings.Repeat("w", i%100))
	}
	data := b.String()
	res = readInput(t, memInput("long.txt", []byte(data)), Options{})
	if len(res.recs) != 4 || len(res.diags) != 0 {
		t.Fatalf("long text: %d records, diagnostics %v", len(res.recs), res.diags)
	}
	var joined strings.Builder
	for i, r := range res.recs {
		if i < 3 && (len(r.Text) < textSplitBytes || len(r.Text) > textSplitBytes+300 || !strings.HasSuffix(r.Text, "\n")) {
			t.Errorf("record %d has %d bytes", i, len(r.Text))
		}
		if !strings.HasPrefix(data[r.Offset:], r.Text) || strings.Count(data[:r.Offset], "\n")+1 != int(r.Line) {
			t.Errorf("record %d: line %d offset %d do not match the file", i, r.Line, r.Offset)
		}
		if i > 0 && !strings.HasPrefix(r.Text, "Paragraph ") {
			t.Errorf("record %d starts with %q", i, r.Text[:20])
		}
		joined.WriteString(r.Text)
	}
	if strings.ReplaceAll(joined.String(), "\n", "") != strings.ReplaceAll(data, "\n", "") {
		t.Error("the records do not cover the text")
	}
	// Invalid UTF-8 past the first block is a record diagnostic, not a binary file.
	bad := strings.Repeat("clean text line\n", 80000) + "\nbad \xff byte\n"
	res = readInput(t, memInput("late.txt", []byte(bad)), Options{})
	if res.kinds() != "invalid-utf8@80002" || len(res.recs) != 1 {
		t.Errorf("late invalid UTF-8: %d records, diagnostics %s", len(res.recs), res.kinds())
	}
	// A text without blank lines or line breaks over the limit.
	res = readInput(t, memInput("wall.txt", []byte(strings.Repeat("x", 3000)+"\nend\n")), Options{MaxRecordBytes: 1000})
	if res.kinds() != "too-large@1" || len(res.recs) != 1 || res.recs[0].Text != "end\n" || res.recs[0].Line != 2 {
		t.Errorf("wall of text: %+v %s", res.recs, res.kinds())
	}
}

func TestBlankLineAfter(t *testing.T) {
	tests := []struct {
		buf       string
		from      int
		end, next int
	}{
		{"a\n\nb", 0, 2, 3},
		{"a\n \t\r\n\nb", 0, 2, 7},
		{"a\nb\n\nc", 3, 4, 5},
		{"a\n\nb\n\nc", 3, 5, 6},
		{"a\n  ", 0, -1, -1}, // not known to be blank yet
		{"a\n\n  ", 0, -1, -1},
		{"abc", 0, -1, -1},
	}
	for _, tt := range tests {
		end, next := blankLineAfter([]byte(tt.buf), tt.from)
		if end != tt.end || next != tt.next {
			t.Errorf("blankLineAfter(%q, %d) = %d, %d; want %d, %d", tt.buf, tt.from, end, next, tt.end, tt.next)
		}
	}
}

type flatRow struct {
	ID   int64  `parquet:"id"`
	Text string `parquet:"text"`
	N    int32  `parquet:"n"`
}

type message struct {
	Role    string `parquet:"role"`
	Content string `parquet:"content"`
}

type chatRow struct {
	UID      string    `parquet:"uid"`
	Messages []message `parquet:"messages,list"`
	Meta     struct {
		Source string `parquet:"source"`
	} `parquet:"meta"`
	Note *string `parquet:"note,optional"`
}

func parquetBytes[T any](t testing.TB, rows []T, opts ...parquet.WriterOption) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := parquet.Write(&b, rows, opts...); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestParquet(t *testing.T) {
	var flat []flatRow
	for i := range 3000 {
		flat = append(flat, flatRow{ID: int64(1000 + i), Text: fmt.Sprintf("row %d %s", i, strings.Repeat("é", i%50)), N: int32(i)})
	}
	data := parquetBytes(t, flat, parquet.PageBufferSize(4<<10), parquet.MaxRowsPerRowGroup(700))
	dir := t.TempDir()
	p := writeFile(t, dir, "flat.parquet", data)
	for _, in := range []Input{fileInput(t, p), memInput("flat.bin", data), memInput("flat.parquet.gz", gzipBytes(t, data))} {
		res := readInput(t, in, Options{BatchBytes: 8 << 10})
		if res.format != Parquet || len(res.diags) != 0 || len(res.recs) != len(flat) {
			t.Fatalf("%s: format %v, %d records, diagnostics %v", in.Name, res.format, len(res.recs), res.diags)
		}
		for i, r := range res.recs {
			if r != (got{int64(i + 1), -1, fmt.Sprint(1000 + i), flat[i].Text, ""}) {
				t.Fatalf("%s row %d: %+v", in.Name, i+1, r)
			}
		}
	}
	note := "a note"
	chat := []chatRow{
		{UID: "c1", Messages: []message{{"user", "hello"}, {"assistant", "hi there"}}, Note: &note},
		{UID: "c2", Messages: nil},
		{UID: "c3", Messages: []message{{"user", ""}, {"assistant", "only"}}},
	}
	chat[0].Meta.Source = "web"
	chatData := parquetBytes(t, chat)
	res := readInput(t, memInput("chat.parquet", chatData), Options{IDField: "uid"})
	if got := fmt.Sprintf("%v %s", res.recs, res.kinds()); got != "[{1 -1 c1 hello\nhi there } {3 -1 c3 only }] missing-field@2" {
		t.Errorf("chat parquet: %s", got)
	}
	res = readInput(t, memInput("chat.parquet", chatData), Options{Fields: []string{"meta.source", "note"}})
	if got := fmt.Sprintf("%v %s", res.recs, res.kinds()); got != "[{1 -1  web\na note } {2 -1   } {3 -1   }] " {
		t.Errorf("nested columns: %s", got)
	}
	_, err := Open(memInput("chat.parquet", chatData), Options{Fields: []string{"body"}})
	if err == nil || !strings.Contains(err.Error(), `"messages[].role", "messages[].content", "meta.source", "note"`) {
		t.Errorf("missing column: %v", err)
	}
	_, err = Open(memInput("flat.parquet", parquetBytes(t, []struct{ Q string }{{"q"}})), Options{})
	if err == nil || !strings.Contains(err.Error(), `columns "Q"`) {
		t.Errorf("no text column: %v", err)
	}
}

func TestParquetCorrupt(t *testing.T) {
	data := parquetBytes(t, []flatRow{{1, "a", 1}, {2, "b", 2}})
	for _, cut := range []int{4, 20, len(data) / 2, len(data) - 3} {
		bad := append([]byte{}, data[:cut]...)
		res := readInput(t, memInput("bad.parquet", bad), Options{})
		if len(res.diags) != 1 || res.diags[0].Kind != KindCorrupt {
			t.Errorf("cut at %d: diagnostics %v", cut, res.diags)
		}
	}
	flipped := append([]byte{}, data...)
	for i := 4; i < len(flipped)-8; i += 7 {
		flipped[i] ^= 0x5a
	}
	readInput(t, memInput("flipped.parquet", flipped), Options{}) // must not panic
}

func TestParquetFixture(t *testing.T) {
	// testdata/chat.parquet is committed (written by testdata/genparquet),
	// so a change of writer library cannot hide a reader regression.
	for _, tt := range []struct {
		opts Options
		want string
	}{
		{Options{}, "[{1 -1 1 The lighthouse keeper counted 12 ships before noon. } {2 -1 2 Bread rises because yeast makes carbon dioxide.\nIt needs warmth. } {3 -1 3  } {4 -1 4 Café au lait, 中文, and an emoji 😀. }] "},
		{Options{Fields: []string{"messages[].content"}}, "[{1 -1 1 How many ships?\nTwelve. } {3 -1 3 Say hello in French.\nBonjour. }] missing-field@2 missing-field@4"},
	} {
		res := readInput(t, fileInput(t, "testdata/chat.parquet"), tt.opts)
		if got := fmt.Sprintf("%v %s", res.recs, res.kinds()); got != tt.want {
			t.Errorf("fields %q:\n got %q\nwant %q", tt.opts.Fields, got, tt.want)
		}
	}
}
