// Command genparquet writes corpus/testdata/chat.parquet, a small Parquet
// file of chat records (text written for this repository) that
// TestParquetFixture reads. Run from the repository root:
//
//	go run ./corpus/testdata/genparquet
package main

import (
	"log"
	"os"

	"github.com/parquet-go/parquet-go"
)

type message struct {
	Role    string `parquet:"role"`
	Content string `parquet:"content"`
}

type row struct {
	ID       int64     `parquet:"id"`
	Text     string    `parquet:"text"`
	Messages []message `parquet:"messages,list"`
}

func main() {
	rows := []row{
		{1, "The lighthouse keeper counted 12 ships before noon.", []message{{"user", "How many ships?"}, {"assistant", "Twelve."}}},
		{2, "Bread rises because yeast makes carbon dioxide.\nIt needs warmth.", nil},
		{3, "", []message{{"user", "Say hello in French."}, {"assistant", "Bonjour."}}},
		{4, "Caf\u00e9 au lait, \u4e2d\u6587, and an emoji \U0001F600.", []message{}},
	}
	f, err := os.Create("corpus/testdata/chat.parquet")
	if err != nil {
		log.Fatal(err)
	}
	if err := parquet.Write(f, rows); err != nil {
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
}
