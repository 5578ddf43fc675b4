module github.com/leakhound/leakhound

go 1.26.8

// Direct dependencies, each for a format or a standard the stdlib lacks.
require (
	github.com/dsnet/compress v0.0.1 // bzip2 writer: clean output mirrors .bz2 input (stdlib only reads bzip2)
	github.com/klauspost/compress v1.20.4 // zstd reader and writer; gzip faster than compress/gzip (232 vs 182 MB/s)
	github.com/parquet-go/parquet-go v0.32.0 // Parquet corpora, benchmarks and Hub datasets
	github.com/ulikunitz/xz v0.5.17 // xz-compressed corpora
	golang.org/x/text v0.44.0 // NFKC/NFKD and Unicode case folding for the canonical text
)

require (
	github.com/andybalholm/brotli v1.1.1 // indirect
	github.com/google/uuid v1.6.0 // indirect
	github.com/parquet-go/bitpack v1.0.0 // indirect
	github.com/parquet-go/jsonlite v1.0.0 // indirect
	github.com/pierrec/lz4/v4 v4.1.21 // indirect
	github.com/twpayne/go-geom v1.6.1 // indirect
	golang.org/x/sys v0.38.0 // indirect
	google.golang.org/protobuf v1.34.2 // indirect
)
