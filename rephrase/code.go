package rephrase

import (
	"slices"
	"strings"

	"github.com/leakhound/leakhound/ngram"
)

// codeKeywords map the keywords and common library names of Python, C,
// C++, JavaScript, Java, Go and Rust to language-neutral classes, so that
// a Python function and its C or JavaScript rewrite give similar token
// streams (MOSS and Dolos normalize identifiers and literals the same way;
// the keyword classes are what lets the comparison cross languages).
var codeKeywords = map[string]bool{}

var codeClasses = map[string]string{}

func init() {
	for class, words := range map[string]string{
		"FN":   "def function fn func lambda",
		"RET":  "return",
		"IF":   "if elif",
		"ELSE": "else",
		"LOOP": "for while foreach loop do",
		"IN":   "in of range",
		"BRK":  "break continue",
		"AND":  "and",
		"OR":   "or",
		"NOT":  "not",
		"T":    "true",
		"F":    "false",
		"NIL":  "none null nil nullptr undefined",
		"LEN":  "len length size strlen count",
		"ADD":  "append push push_back add insert",
		"SORT": "sort sorted sorting qsort",
		"MAX":  "max",
		"MIN":  "min",
		"ABS":  "abs fabs",
		"TYPE": "int float double char long bool boolean str string void auto var let const list vector array dict map set usize i32 i64 f64 number",
		"OUT":  "print printf println console log cout",
		"IMP":  "import include from using require package use",
		"CLS":  "class struct interface impl",
		"TRY":  "try catch except finally throw raise",
		"NEW":  "new malloc make vec",
		"MOD":  "pub public private static",
	} {
		for _, w := range strings.Fields(class + " " + words) {
			codeClasses[strings.ToLower(w)] = class
			codeKeywords[strings.ToLower(w)] = true
		}
	}
}

// codeClass returns the hash of a raw token's class in the normalized
// code stream: keywords by class, other identifiers as one class, numbers
// as one class, symbols as themselves (== and === alike).
func codeClass(t rawToken) uint64 {
	switch t.class {
	case rawNum:
		return ngram.HashString("<N>")
	case rawHan:
		return ngram.HashString("<H>")
	case rawWord:
		if c, ok := codeClasses[strings.ToLower(t.text)]; ok {
			return ngram.HashString(c)
		}
		return ngram.HashString("<I>")
	}
	switch t.text {
	case "{", "}", ";", ":": // block syntax differs between languages
		return 0
	}
	return ngram.HashString(t.text)
}

// Winnowing parameters (Schleimer, Wilkerson and Aiken 2003): k-grams of
// normalized tokens, one fingerprint per window of w k-grams. Shared runs
// of w+k-1 = 8 tokens are always found. Dolos uses k = 23, w = 17 for
// whole files; HumanEval functions are a few dozen tokens, so shorter
// grams are needed.
const (
	winK = 5
	winW = 4
)

// fingerprints returns the sorted, distinct winnowing fingerprints of a
// normalized code stream (zero entries, the dropped block symbols, are
// skipped).
func fingerprints(stream []uint64) []uint64 {
	s := make([]uint64, 0, len(stream))
	for _, h := range stream {
		if h != 0 {
			s = append(s, h)
		}
	}
	if len(s) < winK {
		return nil
	}
	grams := make([]uint64, len(s)-winK+1)
	for i := range grams {
		grams[i] = ngram.NgramAt(s, i, winK)
	}
	var fps []uint64
	last := -1
	for i := 0; i+winW <= len(grams); i++ {
		m := i
		for j := i; j < i+winW; j++ {
			if grams[j] <= grams[m] { // rightmost minimum
				m = j
			}
		}
		if m != last {
			fps = append(fps, grams[m])
			last = m
		}
	}
	if len(grams) < winW {
		fps = append(fps, slices.Min(grams))
	}
	slices.Sort(fps)
	return slices.Compact(fps)
}

// overlap returns |a ∩ b| for sorted distinct slices.
func overlap(a, b []uint64) int {
	n, i, j := 0, 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			n++
			i++
			j++
		}
	}
	return n
}

// sortedSet returns the sorted distinct values of xs.
func sortedSet(xs []uint64) []uint64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return slices.Compact(s)
}
