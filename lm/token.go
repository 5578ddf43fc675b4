package lm

import (
	"fmt"
	"sort"
	"unicode"
	"unicode/utf8"
)

// Tokenizer kinds accepted by NewTokenizer and stored in model files.
const (
	KindByte = "byte" // one token per byte, plus BOS and EOS
	KindWord = "word" // word pieces from the training corpus, byte fallback
)

// Tokenizer maps text to token ids and back. Every tokenizer here is
// lossless: Decode(Encode(s)) == s for any string s.
type Tokenizer struct {
	kind   string
	pieces []string       // id → text; ids 0..255 are the bytes
	index  map[string]int // piece → id, word pieces only
}

// Reserved token ids shared by both tokenizer kinds.
const (
	BOS       = 256 // beginning of sequence; never predicted
	EOS       = 257 // end of document
	firstWord = 258
)

// NewByteTokenizer returns the byte-level tokenizer (vocabulary 258).
func NewByteTokenizer() *Tokenizer {
	return &Tokenizer{kind: KindByte, pieces: basePieces()}
}

func basePieces() []string {
	p := make([]string, firstWord)
	for i := 0; i < 256; i++ {
		p[i] = string([]byte{byte(i)})
	}
	p[BOS], p[EOS] = "<s>", "</s>"
	return p
}

// NewWordTokenizer builds a word-piece vocabulary from texts: every
// pre-token (see Pretokenize) that occurs at least minCount times becomes
// one token; anything else is spelled out in byte tokens.
func NewWordTokenizer(texts []string, minCount int) *Tokenizer {
	counts := map[string]int{}
	for _, s := range texts {
		for _, p := range Pretokenize(s) {
			if len(p) > 1 {
				counts[p]++
			}
		}
	}
	words := make([]string, 0, len(counts))
	for w, c := range counts {
		if c >= minCount {
			words = append(words, w)
		}
	}
	sort.Strings(words)
	return newWordTokenizer(words)
}

func newWordTokenizer(words []string) *Tokenizer {
	t := &Tokenizer{kind: KindWord, pieces: basePieces(), index: make(map[string]int, len(words))}
	for _, w := range words {
		t.index[w] = len(t.pieces)
		t.pieces = append(t.pieces, w)
	}
	return t
}

// Kind returns KindByte or KindWord.
func (t *Tokenizer) Kind() string { return t.kind }

// VocabSize returns the number of token ids.
func (t *Tokenizer) VocabSize() int { return len(t.pieces) }

// Piece returns the text of token id, or "" when id is out of range.
func (t *Tokenizer) Piece(id int) string {
	if id < 0 || id >= len(t.pieces) || id == BOS || id == EOS {
		return ""
	}
	return t.pieces[id]
}

// Name returns a printable name for id: its text, "<s>" or "</s>".
func (t *Tokenizer) Name(id int) string {
	if id < 0 || id >= len(t.pieces) {
		return fmt.Sprintf("<%d>", id)
	}
	return t.pieces[id]
}

// Encode returns the token ids of s (no BOS or EOS).
func (t *Tokenizer) Encode(s string) []int {
	ids := make([]int, 0, len(s)/3+1)
	if t.kind == KindByte {
		for i := 0; i < len(s); i++ {
			ids = append(ids, int(s[i]))
		}
		return ids
	}
	for _, p := range Pretokenize(s) {
		if id, ok := t.index[p]; ok {
			ids = append(ids, id)
			continue
		}
		for i := 0; i < len(p); i++ {
			ids = append(ids, int(p[i]))
		}
	}
	return ids
}

// Decode returns the text of ids; BOS, EOS and unknown ids decode to "".
func (t *Tokenizer) Decode(ids []int) string {
	var b []byte
	for _, id := range ids {
		b = append(b, t.Piece(id)...)
	}
	return string(b)
}

// Pretokenize splits s into pieces whose concatenation is s: a run of
// letters or a run of digits with at most one leading space, a single
// other character with at most one leading space, or a run of whitespace.
func Pretokenize(s string) []string {
	var out []string
	for i := 0; i < len(s); {
		j := pieceEnd(s, i)
		out = append(out, s[i:j])
		i = j
	}
	return out
}

// pieceEnd returns the end of the piece that starts at byte i of s.
func pieceEnd(s string, i int) int {
	start := i
	if s[i] == ' ' && i+1 < len(s) && s[i+1] != ' ' && !isSpaceAt(s, i+1) {
		i++
	}
	r, w := utf8.DecodeRuneInString(s[i:])
	cls := class(r)
	if unicode.IsSpace(r) && i == start {
		for i < len(s) {
			r, w = utf8.DecodeRuneInString(s[i:])
			if !unicode.IsSpace(r) {
				break
			}
			i += w
		}
		// leave one space to lead the next word
		if i < len(s) && i-start > 1 && s[i-1] == ' ' {
			i--
		}
		return i
	}
	i += w
	if cls == 0 {
		return i
	}
	for i < len(s) {
		r, w = utf8.DecodeRuneInString(s[i:])
		if class(r) != cls {
			break
		}
		i += w
	}
	return i
}

func isSpaceAt(s string, i int) bool {
	r, _ := utf8.DecodeRuneInString(s[i:])
	return unicode.IsSpace(r)
}

// class is 1 for letters, 2 for digits and 0 for anything else.
func class(r rune) int {
	switch {
	case unicode.IsLetter(r):
		return 1
	case unicode.IsDigit(r):
		return 2
	}
	return 0
}
