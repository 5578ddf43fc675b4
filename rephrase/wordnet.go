package rephrase

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// WordNet holds the synonym classes of Princeton WordNet 3.0 (Debian
// package wordnet-base, /usr/share/wordnet; its license allows this use):
// for each lemma, the synsets of its most frequent senses, and the
// irregular forms of the exception lists.
type WordNet struct {
	senses map[string][]uint32 // lemma → synset keys (POS in the top bits)
	exc    map[string]string   // irregular form → lemma
	hyper  map[uint32][]uint32 // noun and verb synset → its direct hypernyms
}

// maxSenses is how many senses per part of speech count as synonyms.
// WordNet lists senses by frequency; "consume" and "eat" meet at their
// 5th and 5th senses, and 5 is where random-pair matches stay rare.
const maxSenses = 5

// DefaultWordNetDir is where Debian's wordnet-base installs the database.
const DefaultWordNetDir = "/usr/share/wordnet"

var (
	wnMu    sync.Mutex
	wnCache = map[string]*WordNet{}
)

// ErrNoWordNet says that the WordNet database was not found; synonym
// classes are then off and stems still match.
var ErrNoWordNet = errors.New("no WordNet database: install Debian's wordnet-base (apt-get install wordnet-base) or set LEAKHOUND_WORDNET to a WordNet 3.0 dict folder; synonyms are not matched without it")

// FindWordNet returns $LEAKHOUND_WORDNET or DefaultWordNetDir when it holds
// index.noun, else "".
func FindWordNet() string {
	for _, d := range []string{os.Getenv("LEAKHOUND_WORDNET"), DefaultWordNetDir} {
		if d == "" {
			continue
		}
		if _, err := os.Stat(filepath.Join(d, "index.noun")); err == nil {
			return d
		}
	}
	return ""
}

// LoadWordNet reads the index and exception files of a WordNet dict
// folder. Loaded databases are cached by folder.
func LoadWordNet(dir string) (*WordNet, error) {
	wnMu.Lock()
	defer wnMu.Unlock()
	if w, ok := wnCache[dir]; ok {
		return w, nil
	}
	w := &WordNet{senses: make(map[string][]uint32, 160000), exc: make(map[string]string), hyper: make(map[uint32][]uint32, 100000)}
	for i, pos := range []string{"noun", "verb", "adj", "adv"} {
		if err := w.readIndex(filepath.Join(dir, "index."+pos), uint32(i)<<30); err != nil {
			return nil, err
		}
		if err := w.readExc(filepath.Join(dir, pos+".exc")); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
	}
	for i, pos := range []string{"noun", "verb"} {
		if err := w.readHypernyms(filepath.Join(dir, "data."+pos), uint32(i)<<30); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
	}
	wnCache[dir] = w
	return w, nil
}

func (w *WordNet) readIndex(path string, pos uint32) error {
	return eachWordNetLine(path, 1<<20, func(fs []string) {
		nptr, err := strconv.Atoi(fs[3])
		if err != nil || len(fs) < 6+nptr {
			return
		}
		for i, o := range fs[6+nptr:] {
			if i >= maxSenses {
				break
			}
			v, err := strconv.ParseUint(o, 10, 30)
			if err != nil {
				break
			}
			w.senses[fs[0]] = append(w.senses[fs[0]], pos|uint32(v))
		}
	})
}

// eachWordNetLine calls fn with the fields of each entry line of a WordNet
// index or data file (lines of at most maxLine bytes; the license header
// lines start with a space, and lines of fewer than 4 fields are skipped).
func eachWordNetLine(path string, maxLine int, fn func(fs []string)) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<16), maxLine)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == ' ' {
			continue
		}
		if fs := strings.Fields(line); len(fs) >= 4 {
			fn(fs)
		}
	}
	return sc.Err()
}

// readHypernyms reads the direct hypernym pointers ("@", and "@i" for
// instances) of a data file's synsets. A data line is: offset, lexicographer
// file, POS, word count (hex), words with lexical ids, pointer count, and
// pointers as (symbol, offset, POS, source/target).
func (w *WordNet) readHypernyms(path string, pos uint32) error {
	return eachWordNetLine(path, 1<<22, func(fs []string) {
		off, err1 := strconv.ParseUint(fs[0], 10, 30)
		nw, err2 := strconv.ParseUint(fs[3], 16, 16)
		p := 4 + 2*int(nw)
		if err1 != nil || err2 != nil || p >= len(fs) {
			return
		}
		np, err := strconv.Atoi(fs[p])
		if err != nil || len(fs) < p+1+4*np {
			return
		}
		for k := 0; k < np; k++ {
			sym, to, tpos := fs[p+1+4*k], fs[p+2+4*k], fs[p+3+4*k]
			if (sym != "@" && sym != "@i") || tpos != fs[2] {
				continue
			}
			if v, err := strconv.ParseUint(to, 10, 30); err == nil {
				key := pos | uint32(off)
				w.hyper[key] = append(w.hyper[key], pos|uint32(v))
			}
		}
	})
}

// Hypernyms returns the direct hypernyms of synsets (nouns and verbs):
// "credit" and "attribute", "emerge" and "develop", "collision" and
// "accident" meet when one's sense is the other's direct generalization.
// Siblings (two senses under one hypernym: "red" and "green") do not.
func (w *WordNet) Hypernyms(syns []uint32) []uint32 {
	if w == nil {
		return nil
	}
	var out []uint32
	for _, s := range syns {
		for _, h := range w.hyper[s] {
			if !slices.Contains(out, h) {
				out = append(out, h)
			}
		}
	}
	return out
}

func (w *WordNet) readExc(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) >= 2 {
			if _, ok := w.exc[fs[0]]; !ok {
				w.exc[fs[0]] = fs[1]
			}
		}
	}
	return sc.Err()
}

// detachments are WordNet's morphy suffix rules (ending → replacement).
var detachments = [][2]string{
	{"ies", "y"}, {"es", "e"}, {"es", ""}, {"s", ""}, {"ed", "e"}, {"ed", ""},
	{"ing", "e"}, {"ing", ""}, {"er", ""}, {"est", ""}, {"er", "e"}, {"est", "e"},
}

// Synsets returns the synset keys of a lower-case word's lemma (the word
// itself, its irregular lemma, or a lemma found by removing an ending).
func (w *WordNet) Synsets(word string) []uint32 {
	if w == nil {
		return nil
	}
	// A form can be a lemma of one part of speech and an inflection of
	// another ("eats": a noun, and a form of the verb "eat"), so every
	// candidate lemma counts.
	var out []uint32
	add := func(lemma string) {
		for _, s := range w.senses[lemma] {
			if !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	add(word)
	if l, ok := w.exc[word]; ok {
		add(l)
	}
	for _, d := range detachments {
		if strings.HasSuffix(word, d[0]) && len(word) > len(d[0])+2 {
			add(word[:len(word)-len(d[0])] + d[1])
		}
	}
	return out
}
