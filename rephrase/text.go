package rephrase

import (
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"github.com/leakhound/leakhound/ngram"
)

// Unit kinds.
const (
	kindWord = iota // an English content word (or identifier part)
	kindNum         // a number
	kindZh          // a Chinese word, matched through its glosses
)

// unit is one alignable piece of a text: a content word, a number or a
// Chinese word, with the concept keys under which it matches and its
// byte span.
type unit struct {
	keys       []uint64 // keys[0] is the primary key (stem, number, Chinese word)
	up         []uint64 // synonym keys of the direct hypernyms of the word's senses
	kind       uint8
	start, end int32
	w          float32 // weight (IDF of the primary key)
	wc         float32 // its IDF among the code texts of the reference collection
}

// analysis is a text prepared for verification.
type analysis struct {
	units  []unit
	code   []uint64 // normalized code token stream, for winnowing
	idents []uint64 // identifiers of 4+ letters, joined and lower-cased
	// compounds are the identifiers made of several words (snake_case or
	// camelCase, 6+ letters joined), lower-cased and joined: names a
	// programmer chose, such as below_zero or filterBySubstring.
	compounds []uint64
	cjk       int // Han characters
	words     int // word tokens (content or not)
	head0     int // first unit of the question
	head      int // end of the question: units before the options or the solution
}

// analyzer turns texts into analyses. It is read-only once built and
// safe for concurrent use.
type analyzer struct {
	lex *Lexicon
	wn  *WordNet
	bg  *background
	// words caches wordUnit's keys and weight per word (string →
	// wordEntry). Its size is bounded by the vocabulary seen; a scan of
	// English text meets some 10^5–10^6 distinct words.
	words  *sync.Map
	nwords *atomic.Int64
}

// maxCachedWords bounds the word cache (about 100 MB at most).
const maxCachedWords = 1 << 20

// Key prefixes keep the key spaces apart.
func wordKey(stem string) uint64 { return ngram.HashString("w\x00" + stem) }
func numKey(n string) uint64     { return ngram.HashString("#\x00" + n) }
func zhKey(w string) uint64      { return ngram.HashString("z\x00" + w) }
func prefixKey(p string) uint64  { return ngram.HashString("p\x00" + p) }
func synKey(s uint32) uint64     { return ngram.HashString("s\x00"+itoa(int64(s))) | 1 }

// rawToken is a token of the scanner: a word, a number, a Han run or a
// symbol.
type rawToken struct {
	text       string
	start, end int
	class      uint8
}

const (
	rawWord = iota
	rawNum
	rawHan
	rawSym
)

// scan splits text into raw tokens.
func scanTokens(dst []rawToken, text string) []rawToken {
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case unicode.Is(unicode.Han, r):
			j := i + size
			for j < len(text) {
				r2, s2 := utf8.DecodeRuneInString(text[j:])
				if !unicode.Is(unicode.Han, r2) {
					break
				}
				j += s2
			}
			dst = append(dst, rawToken{text[i:j], i, j, rawHan})
			i = j
		case r >= '0' && r <= '9' || r == '.' && i+1 < len(text) && isDigit(text[i+1]) && (i == 0 || !isWordByte(text[i-1])):
			j := i + 1
			for j < len(text) && (isDigit(text[j]) || (text[j] == '.' || text[j] == ',') && j+1 < len(text) && isDigit(text[j+1])) {
				j++
			}
			if j < len(text) && isLetter(text[j]) { // "3x", "2nd": a word
				for j < len(text) && isWordByte(text[j]) {
					j++
				}
				dst = append(dst, rawToken{text[i:j], i, j, rawWord})
			} else {
				dst = append(dst, rawToken{text[i:j], i, j, rawNum})
			}
			i = j
		case r == '_' || unicode.IsLetter(r):
			j := i + size
			for j < len(text) {
				r2, s2 := utf8.DecodeRuneInString(text[j:])
				if r2 != '_' && !unicode.IsLetter(r2) && !unicode.IsDigit(r2) || unicode.Is(unicode.Han, r2) {
					break
				}
				j += s2
			}
			dst = append(dst, rawToken{text[i:j], i, j, rawWord})
			i = j
		case unicode.IsSpace(r):
			i += size
		default:
			dst = append(dst, rawToken{text[i : i+size], i, i + size, rawSym})
			i += size
		}
	}
	return dst
}

func isDigit(c byte) bool    { return c >= '0' && c <= '9' }
func isLetter(c byte) bool   { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isWordByte(c byte) bool { return isDigit(c) || isLetter(c) || c == '_' }

// mathSymbol reports whether a word is a subscripted symbol of one or
// two letters ("Z_3", "S_5", "x_12"): algebra items name their objects so
// and their rephrases keep the names, while splitting them at "_" leaves
// only a letter and a digit, which match anything.
func mathSymbol(s string) bool {
	i := strings.IndexByte(s, '_')
	if i < 1 || i > 2 || i+1 >= len(s) {
		return false
	}
	for k := 0; k < i; k++ {
		if !isLetter(s[k]) {
			return false
		}
	}
	return isAllDigits(s[i+1:])
}

// plainWord returns an ASCII word of lower-case letters, or one with only
// its first letter upper case, lower-cased; ok is false for anything that
// subwords must split or fold.
func plainWord(s string) (string, bool) {
	for i := 1; i < len(s); i++ {
		if c := s[i]; c < 'a' || c > 'z' {
			return "", false
		}
	}
	switch c := s[0]; {
	case c >= 'a' && c <= 'z':
		return s, true
	case c >= 'A' && c <= 'Z':
		return string(c+32) + s[1:], true
	}
	return "", false
}

// subwords splits an identifier at underscores, lower-to-upper case
// changes and letter/digit changes, lower-cased: "truncateNumber" and
// "truncate_number" both give "truncate", "number".
func subwords(s string) []string {
	var out []string
	start := 0
	rs := []rune(s)
	flush := func(end int) {
		if end > start {
			out = append(out, strings.ToLower(string(rs[start:end])))
		}
	}
	for i := 0; i < len(rs); i++ {
		switch {
		case rs[i] == '_':
			flush(i)
			start = i + 1
		case i > start && unicode.IsUpper(rs[i]) && (unicode.IsLower(rs[i-1]) || i+1 < len(rs) && unicode.IsLower(rs[i+1])):
			flush(i)
			start = i
		case i > start && unicode.IsDigit(rs[i]) != unicode.IsDigit(rs[i-1]):
			flush(i)
			start = i
		}
	}
	flush(len(rs))
	return out
}

// analyze prepares text. It never fails: unknown words are their own
// concepts.
func (a *analyzer) analyze(text string) *analysis {
	toks := scanTokens(nil, text)
	an := &analysis{}
	var pend []pendingWord // English words waiting for number-word grouping
	flush := func() {
		a.addWords(an, pend)
		pend = pend[:0]
	}
	for _, t := range toks {
		switch t.class {
		case rawHan:
			flush()
			a.addHan(an, t)
			an.code = append(an.code, codeClass(t))
		case rawNum:
			flush()
			if c, ok := canonNumber(t.text); ok {
				an.units = append(an.units, a.numUnit(c, t.start, t.end))
			}
			an.code = append(an.code, codeClass(t))
		case rawWord:
			an.words++
			an.code = append(an.code, codeClass(t))
			if j := strings.ToLower(strings.ReplaceAll(t.text, "_", "")); len(j) >= 4 && !stopwords[j] && !codeKeywords[j] {
				h := ngram.HashString(j)
				an.idents = append(an.idents, h)
				if len(j) >= 6 && isCompound(t.text) {
					an.compounds = append(an.compounds, h)
				}
			}
			if w, ok := plainWord(t.text); ok { // most prose: no split, no allocation
				pend = append(pend, pendingWord{w, t.start, t.end})
				continue
			}
			if mathSymbol(t.text) { // "Z_3", "S_5": one unit, not "z" and "3"
				pend = append(pend, pendingWord{strings.ToLower(t.text), t.start, t.end})
				continue
			}
			for _, s := range subwords(t.text) {
				pend = append(pend, pendingWord{s, t.start, t.end})
			}
		default:
			an.code = append(an.code, codeClass(t))
			if t.text != "-" && t.text != "'" { // "twenty-five", "Janet's"
				flush()
			}
		}
	}
	flush()
	lo, hi := headSpan(text)
	an.head0, an.head = len(an.units), len(an.units)
	for i := len(an.units) - 1; i >= 0; i-- {
		if u := an.units[i]; int(u.start) >= hi {
			an.head = i
		} else if int(u.start) >= lo {
			an.head0 = i
		}
	}
	if an.head0 > an.head {
		an.head0 = an.head
	}
	return an
}

// headSpan returns the byte range of an item's question: the last
// paragraph before its first option line (a passage often comes first),
// else (for prose) its first line when a solution or answer follows, else
// the whole text.
func headSpan(text string) (lo, hi int) {
	if loc := optionLine.FindStringIndex(text); loc != nil {
		hi = loc[0]
		body := strings.TrimRight(text[:hi], " \t\n")
		if i := strings.LastIndexByte(body, '\n'); i >= 0 {
			lo = i + 1
		}
		return lo, hi
	}
	if looksLikeCode(text) {
		// The task of a Python item is its docstring.
		for _, q := range []string{`"""`, "'''"} {
			if i := strings.Index(text, q); i >= 0 {
				if j := strings.Index(text[i+3:], q); j > 0 {
					return i + 3, i + 3 + j
				}
			}
		}
		return 0, len(text)
	}
	start := len(text) - len(strings.TrimLeft(text, "\n"))
	if i := strings.IndexByte(text[start:], '\n'); i > 0 {
		return start, start + i
	}
	return 0, len(text)
}

// optionLine finds the first multiple-choice option line.
var optionLine = regexp.MustCompile(`\n\(?[A-Ea-e][.)][ \t]`)

type pendingWord struct {
	w          string
	start, end int
}

// addWords appends units for a run of words, turning number words into
// numbers.
func (a *analyzer) addWords(an *analysis, ws []pendingWord) {
	words := make([]string, len(ws))
	for i, w := range ws {
		words[i] = w.w
	}
	for i := 0; i < len(ws); {
		if v, n := wordsNumber(words[i:]); n > 0 && !(n == 1 && words[i] == "one") {
			an.units = append(an.units, a.numUnit(itoa(v), ws[i].start, ws[i+n-1].end))
			i += n
			continue
		}
		w := words[i]
		if !stopwords[w] && len(w) >= 2 && !isAllDigits(w) {
			an.units = append(an.units, a.wordUnit(w, ws[i].start, ws[i].end))
		}
		i++
	}
}

func isAllDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func (a *analyzer) numUnit(c string, start, end int) unit {
	k := numKey(c)
	return unit{keys: []uint64{k}, kind: kindNum, start: int32(start), end: int32(end), w: a.bg.idf(k), wc: a.bg.idfCode(k)}
}

// wordEntry is the cached analysis of one word: its keys and weight.
type wordEntry struct {
	keys, up []uint64
	w, wc    float32
}

func (a *analyzer) wordUnit(w string, start, end int) unit {
	if e, ok := a.words.Load(w); ok {
		we := e.(wordEntry)
		return unit{keys: we.keys, up: we.up, kind: kindWord, start: int32(start), end: int32(end), w: we.w, wc: we.wc}
	}
	k := wordKey(stem(w))
	keys := []uint64{k}
	syns := a.wn.Synsets(w)
	for _, s := range syns {
		keys = append(keys, synKey(s))
	}
	if len(w) >= 6 {
		keys = append(keys, prefixKey(w[:5]))
	}
	var up []uint64
	for _, h := range a.wn.Hypernyms(syns) {
		up = append(up, synKey(h))
	}
	we := wordEntry{keys: keys, up: up, w: a.bg.idf(k), wc: a.bg.idfCode(k)}
	if a.nwords.Add(1) <= maxCachedWords {
		a.words.Store(w, we)
	}
	return unit{keys: we.keys, up: we.up, kind: kindWord, start: int32(start), end: int32(end), w: we.w, wc: we.wc}
}

// addHan appends the units of a run of Han characters: numbers, and
// dictionary words with their gloss stems as keys.
func (a *analyzer) addHan(an *analysis, t rawToken) {
	rs := []rune(t.text)
	an.cjk += len(rs)
	var segs []string
	if a.lex != nil {
		segs = a.lex.Segment(rs)
	} else {
		for _, r := range rs {
			segs = append(segs, string(r))
		}
	}
	off := t.start
	for k := 0; k < len(segs); k++ {
		s := segs[k]
		// Consecutive numeral segments are one number (十 + 二 = 12).
		for allZhNumerals([]rune(s)) && k+1 < len(segs) && allZhNumerals([]rune(segs[k+1])) {
			k++
			s += segs[k]
		}
		end := off + len(s)
		srs := []rune(s)
		if allZhNumerals(srs) {
			if v, ok := zhNumber(srs); ok {
				an.units = append(an.units, a.numUnit(itoa(v), off, end))
			}
			off = end
			continue
		}
		u := unit{keys: []uint64{zhKey(s)}, kind: kindZh, start: int32(off), end: int32(end), w: a.bg.idf(zhKey(s))}
		u.wc = u.w
		for i, g := range a.lex.Gloss(s) {
			u.keys = append(u.keys, wordKey(g))
			if a.wn != nil && i < 3 {
				for _, sy := range a.wn.Synsets(g) {
					u.keys = append(u.keys, synKey(sy))
				}
			}
		}
		if len(u.keys) > 1 && !zhStop[s] {
			an.units = append(an.units, u)
		}
		off = end
	}
}

func allZhNumerals(rs []rune) bool {
	for _, r := range rs {
		if !isZhNumeral(r) {
			return false
		}
	}
	return len(rs) > 0
}

// zhStop are Chinese function words (our own list).
var zhStop = toSet(`的 了 是 在 和 与 或 及 其 中 之 也 都 而 被 把 对 从 以 为 于 由 这 那 个 些 有 无 不 没有 什么 哪 哪个 哪些 下列 以下 如果 因为 所以 但是 可以 一个 我们 他们 它们 你 我 他 她 它 请 问 答案 选项 正确 错误 是否 如何 怎样 多少 几`)

// isCompound reports whether an identifier joins several words: an
// underscore between letters, or a lower-case letter followed by an
// upper-case one.
func isCompound(id string) bool {
	for i := 1; i+1 < len(id); i++ {
		if id[i] == '_' && isLetter(id[i-1]) && isLetter(id[i+1]) {
			return true
		}
	}
	for i := 1; i < len(id); i++ {
		if id[i-1] >= 'a' && id[i-1] <= 'z' && id[i] >= 'A' && id[i] <= 'Z' {
			return true
		}
	}
	return false
}
