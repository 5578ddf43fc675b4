package corpus

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzOpen feeds arbitrary bytes (raw, or compressed first) to the whole
// reader: format and compression sniffing, every format's batching and
// extraction. It must never panic or hang, and the accounting must hold:
// every record read is good or has exactly one Diagnostic.
func FuzzOpen(f *testing.F) {
	seeds := []string{
		`{"id":1,"text":"a"}` + "\n" + `{"text":"b\n"}`,
		`[{"instruction":"i","output":"o"},{"text":"x"}]`,
		"plain text\n\nsecond paragraph\n",
		"PAR1garbagePAR1",
		"\x1f\x8b\x08\x00\x00\x00\x00\x00",
		"\x28\xb5\x2f\xfd\x00",
		"BZh91AY&SY",
		"\xfd7zXZ\x00\x00",
		"\x00\x01\x02binary",
		"",
		"\xef\xbb\xbf[",
	}
	for _, s := range seeds {
		f.Add([]byte(s), uint8(0))
	}
	f.Add(gzipBytes(f, []byte(`{"text":"zipped"}`)), uint8(0))
	f.Add(zstdBytes(f, []byte(`[{"text":"z"}]`)), uint8(0))
	f.Add(xzBytes(f, []byte("some text")), uint8(0))
	f.Add(parquetBytes(f, []flatRow{{1, "a", 1}, {2, "b", 2}}), uint8(0))
	f.Fuzz(func(t *testing.T, data []byte, mode uint8) {
		switch mode % 4 {
		case 1:
			data = gzipBytes(t, data)
		case 2:
			data = zstdBytes(t, data)
		}
		opts := Options{MaxRecordBytes: 1 << 10, BatchBytes: 256}
		if mode&4 != 0 {
			opts.Fields = []string{"messages[].content", "meta.text"}
		}
		src, err := Open(memInput("fuzz", data), opts)
		if err != nil {
			if !errors.Is(err, ErrNoTextField) && !bytes.Contains([]byte(err.Error()), []byte("no column")) {
				t.Fatalf("Open: unexpected error %v", err)
			}
			return
		}
		defer src.Close()
		x := NewExtractor(opts)
		var b Batch
		for n := 0; src.NextBatch(&b); n++ {
			if n > len(data)+10 {
				t.Fatal("more batches than input bytes")
			}
			good := int64(0)
			b.Each(x, func(r *Record) error { good++; return nil })
			read, g := b.Records()
			var recDiags int64
			for _, d := range b.Diagnostics() {
				if d.Line > 0 {
					recDiags++
				}
			}
			if g != good || read-g != recDiags {
				t.Fatalf("accounting: read %d good %d (fn saw %d), %d record diagnostics", read, g, good, recDiags)
			}
		}
		if err := src.Err(); err != nil {
			t.Fatalf("Err on in-memory input: %v", err)
		}
	})
}
