// Package decompress recognises compressed streams by their magic bytes and
// opens a decompressing reader for them: gzip (including multi-member files),
// zstd (including skippable frames), bzip2 and xz.
//
// The file name is never consulted: a corpus file called data.jsonl that
// holds zstd is read as zstd, and data.jsonl.gz that holds plain JSONL is
// read as plain JSONL.
//
// It is internal plumbing for package corpus and not a promise to users.
package decompress

import (
	"bytes"
	"compress/bzip2"
	"errors"
	"fmt"
	"io"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
)

// Method is a compression method.
type Method int

// The compression methods that Sniff recognises.
const (
	None Method = iota
	Gzip
	Zstd
	Bzip2
	XZ
)

// String returns the method's usual name: "none", "gzip", "zstd", "bzip2" or "xz".
func (m Method) String() string {
	switch m {
	case Gzip:
		return "gzip"
	case Zstd:
		return "zstd"
	case Bzip2:
		return "bzip2"
	case XZ:
		return "xz"
	}
	return "none"
}

// HeadLen is the number of leading bytes that Sniff needs to decide.
const HeadLen = 10

var (
	magicGzip      = []byte{0x1f, 0x8b, 0x08} // RFC 1952: ID1 ID2 CM=deflate
	magicZstd      = []byte{0x28, 0xb5, 0x2f, 0xfd}
	magicXZ        = []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}
	bzip2Block     = []byte{0x31, 0x41, 0x59, 0x26, 0x53, 0x59} // pi: first block
	bzip2StreamEnd = []byte{0x17, 0x72, 0x45, 0x38, 0x50, 0x90} // sqrt(pi): empty stream
)

// Sniff reports the compression method of a stream that starts with head.
// It needs HeadLen bytes to recognise bzip2 (whose 4-byte "BZh1" prefix
// alone could be text) and fewer for the others; a shorter head that
// matches nothing is None.
func Sniff(head []byte) Method {
	switch {
	case bytes.HasPrefix(head, magicGzip):
		return Gzip
	case bytes.HasPrefix(head, magicZstd), isSkippableFrame(head):
		return Zstd
	case bytes.HasPrefix(head, magicXZ):
		return XZ
	case isBzip2(head):
		return Bzip2
	}
	return None
}

// isSkippableFrame reports whether head starts a zstd skippable frame
// (magic 0x184D2A50 to 0x184D2A5F, little endian), which a zstd stream
// may begin with (RFC 8878 §3.1.2).
func isSkippableFrame(head []byte) bool {
	return len(head) >= 4 && head[0]&0xf0 == 0x50 && head[1] == 0x2a && head[2] == 0x4d && head[3] == 0x18
}

func isBzip2(head []byte) bool {
	if len(head) < HeadLen || head[0] != 'B' || head[1] != 'Z' || head[2] != 'h' || head[3] < '1' || head[3] > '9' {
		return false
	}
	return bytes.Equal(head[4:10], bzip2Block) || bytes.Equal(head[4:10], bzip2StreamEnd)
}

// NewReader returns a reader of the data that r holds compressed with m.
// For None it returns r itself. Close releases the decoder (zstd keeps
// buffers until then); it does not close r.
//
// gzip and xz read their header at once, so a stream cut inside its header
// fails here with an error for which IsTruncated reports true.
func NewReader(m Method, r io.Reader) (io.ReadCloser, error) {
	switch m {
	case None:
		return io.NopCloser(r), nil
	case Gzip:
		// klauspost's inflate runs at 232 MB/s per core against 184 MB/s
		// for compress/gzip (shared/reference/performance.md §4).
		// Multi-member files (pigz, concatenated .gz) are read whole:
		// Multistream is on by default.
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		return zr, nil
	case Zstd:
		// One decoder goroutine: 1,100 MB/s per CPU-s against 1,020 for
		// the default asynchronous mode (performance.md §4), and the
		// other core is busy scanning.
		zr, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1))
		if err != nil {
			return nil, fmt.Errorf("zstd: %w", err)
		}
		return zstdCloser{zr}, nil
	case Bzip2:
		return io.NopCloser(bzip2.NewReader(r)), nil
	case XZ:
		t := &tailReader{r: r}
		zr, err := xz.NewReader(t)
		if err != nil {
			return nil, fmt.Errorf("xz: %w", err)
		}
		return io.NopCloser(&xzReader{zr: zr, tail: t}), nil
	}
	return nil, fmt.Errorf("decompress: unknown method %d", int(m))
}

type zstdCloser struct{ *zstd.Decoder }

func (z zstdCloser) Close() error {
	z.Decoder.Close()
	return nil
}

// IsTruncated reports whether err, returned by a reader from NewReader,
// means that the compressed stream ended before its end marker.
func IsTruncated(err error) bool {
	return errors.Is(err, io.ErrUnexpectedEOF)
}

// tailReader remembers the last two non-zero bytes read through it.
type tailReader struct {
	r    io.Reader
	last [2]byte
}

func (t *tailReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	for _, c := range p[:n] {
		if c != 0 {
			t.last[0], t.last[1] = t.last[1], c
		}
	}
	return n, err
}

// xzReader turns a silent early end of an xz stream into
// io.ErrUnexpectedEOF. github.com/ulikunitz/xz v0.5.17 reports io.EOF
// when the input ends where a block header should start; a complete
// stream ends with the footer magic "YZ", followed only by zero padding
// (xz file format 1.2.0, §2.1.2.4).
type xzReader struct {
	zr   io.Reader
	tail *tailReader
}

func (x *xzReader) Read(p []byte) (int, error) {
	n, err := x.zr.Read(p)
	if err == io.EOF && x.tail.last != [2]byte{'Y', 'Z'} {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}
