package evalset

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/parquet-go/parquet-go"
)

// readParquetFile reads every row of a Parquet file as a map from column
// name to value (strings, integers, floats, lists as []any, groups as
// map[string]any).
func readParquetFile(path string) ([]jsonRow, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	rows, err := readParquet(f, st.Size())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return rows, nil
}

// readParquet decodes Parquet bytes. parquet-go may panic on malformed
// input; the panic becomes an error, since benchmark files can come from
// the network.
func readParquet(r io.ReaderAt, size int64) (rows []jsonRow, err error) {
	defer func() {
		if p := recover(); p != nil {
			rows, err = nil, fmt.Errorf("malformed Parquet file: %v", p)
		}
	}()
	file, err := parquet.OpenFile(r, size)
	if err != nil {
		return nil, fmt.Errorf("not a Parquet file: %w", err)
	}
	pr := parquet.NewGenericReader[any](file)
	defer pr.Close()
	buf := make([]any, 256)
	for {
		n, err := pr.Read(buf)
		for _, v := range buf[:n] {
			m, ok := v.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("row of type %T, want a record", v)
			}
			rows = append(rows, m)
		}
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return rows, nil
		}
	}
}
