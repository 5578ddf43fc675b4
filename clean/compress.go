package clean

import (
	"fmt"
	"io"

	"github.com/dsnet/compress/bzip2"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
	"github.com/ulikunitz/xz"
)

// newCompressor returns a writer that compresses to w with the method
// that package corpus named ("none", "gzip", "zstd", "bzip2", "xz").
// Every encoder is deterministic for a given input: gzip writes no name
// and a zero time, zstd runs on one goroutine.
func newCompressor(method string, w io.Writer) (io.WriteCloser, error) {
	switch method {
	case "none":
		return nopCloser{w}, nil
	case "gzip":
		return gzip.NewWriterLevel(w, gzip.DefaultCompression)
	case "zstd":
		return zstd.NewWriter(w, zstd.WithEncoderConcurrency(1))
	case "bzip2":
		// Go's standard library reads bzip2 but cannot write it.
		return bzip2.NewWriter(w, &bzip2.WriterConfig{Level: bzip2.DefaultCompression})
	case "xz":
		return xz.NewWriter(w)
	}
	return nil, fmt.Errorf("cannot write %s compression", method)
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }
