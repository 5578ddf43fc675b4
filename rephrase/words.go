package rephrase

import "strings"

// stopwords are English function words (our own list): they carry no
// evidence that two texts share a source, so they are never anchors and
// never count in an alignment.
var stopwords = toSet(`a about above after again against all also am an and any are as at be
because been before being below between both but by can could did do does doing down during
each either else ever every few for from further had has have having he her here hers herself
him himself his how however i if in into is it its itself just let like may me might more most
much must my myself neither no nor not now of off on once one only or other others otherwise our
ours ourselves out over own per same shall she should so some such than that the their theirs
them themselves then there these they this those though through thus to too under until up upon
us very was we were what whatever when where whether which while who whom whose why will with
within without would yet you your yours yourself yourselves following given find true false
which answer question statement correct incorrect choose select option options best
def return function var let const int float double char void bool include printf print
console log main std public static class new null none self this`)

func toSet(s string) map[string]bool {
	m := make(map[string]bool)
	for _, w := range strings.Fields(s) {
		m[w] = true
	}
	return m
}

// isVowel reports whether b[i] acts as a vowel (y after a consonant does).
func isVowel(b string, i int) bool {
	switch b[i] {
	case 'a', 'e', 'i', 'o', 'u':
		return true
	case 'y':
		return i > 0 && !isVowel(b, i-1)
	}
	return false
}

func hasVowel(s string) bool {
	for i := range len(s) {
		if isVowel(s, i) {
			return true
		}
	}
	return false
}

// stemSuffixes are derivational endings removed after inflections, longest
// first within each group; each leaves at least a three-letter stem.
var stemSuffixes = []string{
	"ization", "isation", "ational", "fulness", "iveness", "ousness",
	"ations", "ation", "ption", "tion", "sion", "ators", "ator", "ments", "ment", "ness", "ities", "ity",
	"ively", "ive", "ably", "ibly", "able", "ible", "ally", "ful", "ous", "ism", "ist",
	"ies", "ers", "er", "ly", "al", "ic",
}

// stem reduces an English word (lower case ASCII letters) to a crude
// stem: possessives, plurals, -ed/-ing and common derivational suffixes
// are removed, and a final e is dropped, so that "consumes", "consumed",
// "consuming" and "consumption" meet at "consum". It is a light Porter
// style stemmer: it needs to be consistent, not linguistically exact,
// because both sides go through it.
func stem(w string) string {
	if len(w) <= 3 {
		return w
	}
	w = inflection(w)
	for _, s := range stemSuffixes {
		if len(w)-len(s) >= 4 && strings.HasSuffix(w, s) && hasVowel(w[:len(w)-len(s)]) {
			w = w[:len(w)-len(s)]
			break
		}
	}
	if len(w) > 4 && w[len(w)-1] == 'e' {
		w = w[:len(w)-1]
	}
	if len(w) > 4 && w[len(w)-1] == 'y' {
		w = w[:len(w)-1] + "i"
	}
	if n := len(w); n > 4 && w[n-1] == w[n-2] && !strings.ContainsRune("lsz", rune(w[n-1])) && !isVowel(w, n-1) {
		w = w[:n-1]
	}
	return w
}

// inflection removes plural, possessive, -ed and -ing endings.
func inflection(w string) string {
	switch {
	case strings.HasSuffix(w, "sses"):
		w = w[:len(w)-2]
	case strings.HasSuffix(w, "ies") && len(w) > 4:
		w = w[:len(w)-3] + "y"
	case strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us") && !strings.HasSuffix(w, "is") && len(w) > 3:
		w = w[:len(w)-1]
	}
	for _, s := range []string{"ing", "ed"} {
		if strings.HasSuffix(w, s) && len(w)-len(s) >= 3 && hasVowel(w[:len(w)-len(s)]) {
			return w[:len(w)-len(s)]
		}
	}
	return w
}
