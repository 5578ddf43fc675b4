package decompress

import (
	"bytes"
	"io"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
)

func compress(t *testing.T, m Method, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	var w io.WriteCloser
	var err error
	switch m {
	case Gzip:
		w = gzip.NewWriter(&b)
	case Zstd:
		w, err = zstd.NewWriter(&b)
	case XZ:
		w, err = xz.NewWriter(&b)
	default:
		return data
	}
	if err != nil {
		t.Fatal(err)
	}
	w.Write(data)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestSniff(t *testing.T) {
	tests := []struct {
		head string
		want Method
	}{
		{"\x1f\x8b\x08\x00", Gzip},
		{"\x1f\x8b", None}, // too short to be sure
		{"\x28\xb5\x2f\xfd", Zstd},
		{"\x50\x2a\x4d\x18", Zstd}, // skippable frame
		{"\xfd7zXZ\x00", XZ},
		{"BZh91AY&SY", Bzip2},
		{"BZh9\x17\x72\x45\x38\x50\x90", Bzip2}, // empty stream
		{"BZh9 is text", None},
		{"BZh0" + "1AY&SY", None},
		{`{"text":"x"}`, None},
		{"PAR1", None},
		{"", None},
	}
	for _, tt := range tests {
		if got := Sniff([]byte(tt.head)); got != tt.want {
			t.Errorf("Sniff(%q) = %v, want %v", tt.head, got, tt.want)
		}
	}
}

func TestRoundTripAndTruncation(t *testing.T) {
	data := bytes.Repeat([]byte("a line of text for the stream\n"), 5000)
	for _, m := range []Method{None, Gzip, Zstd, XZ} {
		z := compress(t, m, data)
		if got := Sniff(z); got != m {
			t.Fatalf("Sniff(%v data) = %v", m, got)
		}
		r, err := NewReader(m, bytes.NewReader(z))
		if err != nil {
			t.Fatal(err)
		}
		out, err := io.ReadAll(r)
		r.Close()
		if err != nil || !bytes.Equal(out, data) {
			t.Errorf("%v: round trip: %d bytes, %v", m, len(out), err)
		}
		if m == None {
			continue
		}
		for _, cut := range []int{len(z) - 1, len(z) / 2, 15} {
			r, err := NewReader(m, bytes.NewReader(z[:cut]))
			if err == nil {
				_, err = io.ReadAll(r)
				r.Close()
			}
			if !IsTruncated(err) {
				t.Errorf("%v cut at %d of %d: error %v, want truncated", m, cut, len(z), err)
			}
		}
	}
}
