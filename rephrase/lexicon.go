package rephrase

import (
	"bufio"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
)

// Lexicon is a Chinese–English dictionary read at run time from a
// CC-CEDICT file (CC BY-SA 4.0, MDBG; see doc/detection-quality.md). The
// program ships no data derived from it: it reads the user's copy.
type Lexicon struct {
	// words maps a simplified or traditional headword to the stems of the
	// content words of its English glosses.
	words  map[string][]string
	maxLen int // longest headword in runes
}

// ErrNoLexicon says that no CC-CEDICT file was found; the cross-lingual
// features are then off and everything else works.
var ErrNoLexicon = errors.New("no Chinese–English lexicon: pass --lexicon PATH to a CC-CEDICT file (cedict_ts.u8 or .gz, from https://www.mdbg.net/chinese/dictionary?page=cc-cedict) to match Chinese translations; without it, Chinese text is matched by numbers and Latin terms only")

var (
	lexMu    sync.Mutex
	lexCache = map[string]*Lexicon{}
)

// LoadLexicon reads a CC-CEDICT file (plain or gzip). Loaded lexicons are
// cached by path.
func LoadLexicon(path string) (*Lexicon, error) {
	lexMu.Lock()
	defer lexMu.Unlock()
	if l, ok := lexCache[path]; ok {
		return l, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	l, err := readLexicon(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	lexCache[path] = l
	return l, nil
}

// FindLexicon returns the first CC-CEDICT file among $LEAKHOUND_LEXICON,
// DIR/lexicon/cedict_ts.u8.gz for each dir given, or "" when none exists.
func FindLexicon(dirs ...string) string {
	cands := []string{os.Getenv("LEAKHOUND_LEXICON")}
	for _, d := range dirs {
		if d != "" {
			cands = append(cands, filepath.Join(d, "lexicon", "cedict_ts.u8.gz"))
		}
	}
	for _, c := range cands {
		if c == "" {
			continue
		}
		if st, err := os.Stat(c); err == nil && !st.IsDir() {
			return c
		}
	}
	return ""
}

var cedictLine = regexp.MustCompile(`^(\S+) (\S+) \[[^\]]*\] /(.+)/$`)

// glossNoise removes notes that are not translations: classifiers,
// cross references and parenthesized labels.
var glossNoise = regexp.MustCompile(`\([^)]*\)|CL:.*|\S*\|\S*|\S*\[[^\]]*\]`)

func readLexicon(r io.Reader) (*Lexicon, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	if b, err := br.Peek(2); err == nil && b[0] == 0x1f && b[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, err
		}
		defer zr.Close()
		br = bufio.NewReaderSize(zr, 1<<16)
	}
	l := &Lexicon{words: make(map[string][]string, 130000)}
	sc := bufio.NewScanner(br)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	n := 0
	for sc.Scan() {
		line := strings.TrimSuffix(sc.Text(), "\r")
		if line == "" || line[0] == '#' {
			continue
		}
		m := cedictLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		n++
		stems := glossStems(m[3])
		if len(stems) == 0 {
			continue
		}
		for _, hw := range []string{m[2], m[1]} {
			l.add(hw, stems)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, errors.New("no CC-CEDICT entries")
	}
	return l, nil
}

func (l *Lexicon) add(hw string, stems []string) {
	old := l.words[hw]
	for _, s := range stems {
		if !containsStr(old, s) {
			old = append(old, s)
		}
	}
	l.words[hw] = old
	l.maxLen = max(l.maxLen, len([]rune(hw)))
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// maxGlossStems bounds the English stems kept per entry: the first glosses
// are the main senses, and long entries would otherwise match anything.
const maxGlossStems = 8

// glossStems returns the stems of the content words of a "/"-separated
// gloss list, in order, without duplicates.
func glossStems(glosses string) []string {
	var out []string
	for _, g := range strings.Split(glosses, "/") {
		if strings.HasPrefix(g, "variant of") || strings.HasPrefix(g, "old variant") || strings.HasPrefix(g, "see ") || strings.HasPrefix(g, "surname ") {
			continue
		}
		g = glossNoise.ReplaceAllString(g, " ")
		for _, w := range splitWords(g) {
			if stopwords[w] || len(w) < 2 || w == "to" || w == "sb" || w == "sth" {
				continue
			}
			s := stem(w)
			if !containsStr(out, s) {
				out = append(out, s)
			}
			if len(out) >= maxGlossStems {
				return out
			}
		}
	}
	return out
}

// splitWords lower-cases s and splits it into runs of ASCII letters.
func splitWords(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return r < 'a' || r > 'z' })
}

// Segment splits a run of Chinese characters into dictionary words by
// forward maximum matching; characters not in the dictionary are words
// of one character.
func (l *Lexicon) Segment(rs []rune) []string {
	var out []string
	for i := 0; i < len(rs); {
		n := 1
		for k := min(l.maxLen, len(rs)-i); k > 1; k-- {
			if _, ok := l.words[string(rs[i:i+k])]; ok {
				n = k
				break
			}
		}
		out = append(out, string(rs[i:i+n]))
		i += n
	}
	return out
}

// Gloss returns the English stems for a Chinese word, or nil.
func (l *Lexicon) Gloss(w string) []string {
	if l == nil {
		return nil
	}
	return l.words[w]
}

// Translations returns, for each English stem, the Chinese headwords of at
// least two characters whose glosses contain it (the inverted lexicon used
// to index Chinese anchors for English items).
func (l *Lexicon) Translations(stems map[string]bool) map[string][]string {
	out := make(map[string][]string)
	for hw, gl := range l.words {
		if len([]rune(hw)) < 2 {
			continue
		}
		for i, s := range gl {
			if i >= 4 {
				break
			}
			if stems[s] {
				out[s] = append(out[s], hw)
			}
		}
	}
	return out
}
