package rephrase

import (
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"
)

// background holds document frequencies of concept keys (stems and
// numbers) over a reference collection: all benchmark items of
// shared/data (about 48,000 texts in English, Chinese and code). Words that
// are common in benchmarks ("following", "value", "number") weigh little
// and rare ones (names, terms) weigh much, the same for every scan whatever
// benchmarks it loads. The table holds only 64-bit key hashes and counts,
// no text. It is written by `leakhound eval train` (WriteBackground).
type background struct {
	docs int
	df   map[uint64]uint32
}

//go:embed background.bin
var backgroundBin []byte

var (
	bgOnce sync.Once
	bgDef  *background
	bgErr  error
)

// defaultBackground returns the embedded table, or an empty one (every
// word equally rare) when the embedded file is empty.
func defaultBackground() (*background, error) {
	bgOnce.Do(func() { bgDef, bgErr = decodeBackground(backgroundBin) })
	return bgDef, bgErr
}

const bgMagic = "LHBG1\n"

// decodeBackground reads the table format: magic, uint32 docs, uint32 n,
// then n × (uint64 key, uint32 df), little-endian, keys ascending.
func decodeBackground(b []byte) (*background, error) {
	bg := &background{df: map[uint64]uint32{}}
	if len(b) == 0 {
		return bg, nil
	}
	if len(b) < len(bgMagic)+8 || string(b[:len(bgMagic)]) != bgMagic {
		return nil, errors.New("background table: bad header")
	}
	b = b[len(bgMagic):]
	bg.docs = int(binary.LittleEndian.Uint32(b))
	n := int(binary.LittleEndian.Uint32(b[4:]))
	b = b[8:]
	if len(b) != n*12 {
		return nil, fmt.Errorf("background table: %d bytes for %d entries", len(b), n)
	}
	bg.df = make(map[uint64]uint32, n)
	for i := 0; i < n; i++ {
		bg.df[binary.LittleEndian.Uint64(b[12*i:])] = binary.LittleEndian.Uint32(b[12*i+8:])
	}
	return bg, nil
}

// encode writes the table format; keys seen in fewer than minDF documents
// are left out (they get the highest weight anyway).
func (bg *background) encode(minDF uint32) []byte {
	keys := make([]uint64, 0, len(bg.df))
	for k, v := range bg.df {
		if v >= minDF {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	out := append([]byte(bgMagic), make([]byte, 8+12*len(keys))...)
	b := out[len(bgMagic):]
	binary.LittleEndian.PutUint32(b, uint32(bg.docs))
	binary.LittleEndian.PutUint32(b[4:], uint32(len(keys)))
	for i, k := range keys {
		binary.LittleEndian.PutUint64(b[8+12*i:], k)
		binary.LittleEndian.PutUint32(b[8+12*i+8:], bg.df[k])
	}
	return out
}

// idf returns ln((docs+1)/(df+1)) + 1, at least 1; a nil or empty table
// weighs every key 1.
func (bg *background) idf(k uint64) float32 {
	if bg == nil || bg.docs == 0 {
		return 1
	}
	return float32(math.Log(float64(bg.docs+1)/float64(bg.df[k]+1)) + 1)
}

// The table also counts the reference texts that are source code
// (HumanEval, MBPP and the few code questions elsewhere, about 1,100): under
// codeDocsKey their number, under codeKey(k) the code texts holding key k.
// In code, "node", "left", "arr" and "sorted" are everyday words that the
// mostly-prose benchmarks make look rare.
const codeDocsKey = 0x9e3779b97f4a7c15

func codeKey(k uint64) uint64 { return (k^0xc0dec0dec0dec0de)*0xff51afd7ed558ccd | 1 }

// idfCode is the IDF of k among the code texts (idf when the table has
// none).
func (bg *background) idfCode(k uint64) float32 {
	if bg == nil || bg.df[codeDocsKey] == 0 {
		return bg.idf(k)
	}
	n := bg.df[codeDocsKey]
	return float32(math.Log(float64(n+1)/float64(bg.df[codeKey(k)]+1)) + 1)
}

// maxIDF is the weight of a key never seen in the reference collection.
func (bg *background) maxIDF() float32 { return bg.idf(0) }

// count adds one document's distinct primary keys (and, for a code
// text, its code counts).
func (bg *background) count(an *analysis, code bool) {
	seen := map[uint64]bool{}
	for _, u := range an.units {
		if !seen[u.keys[0]] {
			seen[u.keys[0]] = true
			bg.df[u.keys[0]]++
			if code {
				bg.df[codeKey(u.keys[0])]++
			}
		}
	}
	bg.docs++
	if code {
		bg.df[codeDocsKey]++
	}
}
