package rephrase

import (
	"math"
	"slices"
	"testing"
)

func TestWordNetHypernyms(t *testing.T) {
	wn := testWordNet(t)
	// direct reports whether one word's sense is a direct hypernym of the
	// other's.
	direct := func(a, b string) bool {
		sa, sb := wn.Synsets(a), wn.Synsets(b)
		for _, h := range wn.Hypernyms(sa) {
			if slices.Contains(sb, h) {
				return true
			}
		}
		for _, h := range wn.Hypernyms(sb) {
			if slices.Contains(sa, h) {
				return true
			}
		}
		return false
	}
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"credited", "attributed", true},
		{"collision", "accident", true},
		{"emerged", "developed", true},
		{"red", "green", false}, // siblings under "chromatic color"
		{"dog", "cat", false},
	} {
		if got := direct(tc.a, tc.b); got != tc.want {
			t.Errorf("direct hypernym link %s/%s = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestSpecificityFeatures(t *testing.T) {
	m := testModel(t)
	idx := func(name string) int { return slices.Index(featureNames, name) }
	item := m.Prepare("Write a function that returns the length of a string.\ndef length(s):\n    n = 0\n    for c in s:\n        n = n + 1\n    return n\n")
	doc := m.Prepare("Compute the length of a string without len.\ndef length(s):\n    n = 0\n    for c in s:\n        n = n + 1\n    return n\n")
	p := m.Compare(item, doc)
	// The item repeats "length", "n" and "s": distinct evidence counts
	// each aligned key once, the old evidence feature every occurrence.
	if d, e := p.Features[idx("distinct")], p.Features[idx("evidence")]; !(d > 0 && d < e) {
		t.Errorf("distinct evidence %.2f, evidence %.2f: want 0 < distinct < evidence", d, e)
	}
	if w := p.Features[idx("words")]; w < math.Log1p(2) {
		t.Errorf("aligned words feature %.2f, want at least log(3)", w)
	}
	if h := p.Features[idx("head_info")]; h <= 0 {
		t.Errorf("head_info %.2f, want > 0", h)
	}
	// The question is part of the item: its aligned evidence is positive
	// and at most the whole item's.
	if h, d := p.Features[idx("head_evidence")], p.Features[idx("distinct")]; !(h > 0 && h <= d) {
		t.Errorf("head_evidence %.2f, distinct %.2f: want 0 < head_evidence <= distinct", h, d)
	}
}

func TestLostNumbers(t *testing.T) {
	m := testModel(t)
	item := m.Prepare("What is the greatest common divisor of 315 and 108?")
	for _, tc := range []struct {
		doc  string
		lost bool
	}{
		{"Find the GCD of the numbers 108 and 315.", false},
		{"Write a function that returns the greatest common divisor of two numbers.", true},
		{"Compute the greatest common divisor of three hundred fifteen and 108.", false},
	} {
		doc := m.Prepare(tc.doc)
		if got := lostNumbers(item.an, numbersMissed(item.an, doc.an)); got != tc.lost {
			t.Errorf("lostNumbers(%q) = %v, want %v", tc.doc, got, tc.lost)
		}
		p := m.Compare(item, doc)
		if tc.lost && (p.Eligible || p.Flag) {
			t.Errorf("%q: eligible %v flag %v, want neither (the question's numbers are missing)", tc.doc, p.Eligible, p.Flag)
		}
	}
}

func TestTrainLogisticWeights(t *testing.T) {
	// One feature separates the classes; a heavy negative at x = 0.6
	// pulls the boundary above it.
	mk := func(x float64, label bool, w float64) Example {
		v := make([]float64, nFeatures)
		v[0] = x
		return Example{X: v, Label: label, Eligible: true, Weight: w}
	}
	ex := []Example{mk(0.9, true, 1), mk(0.8, true, 1), mk(0.7, true, 1), mk(0.1, false, 1), mk(0.2, false, 1)}
	light := TrainLogistic(append(slices.Clone(ex), mk(0.6, false, 1)), 1e-3, 1)
	heavy := TrainLogistic(append(slices.Clone(ex), mk(0.6, false, 20)), 1e-3, 1)
	x := mk(0.6, false, 1).X
	if !(heavy.Prob(x) < light.Prob(x)) {
		t.Errorf("P(x=0.6): weight 20 gives %.3f, weight 1 gives %.3f; want lower with the heavier negative", heavy.Prob(x), light.Prob(x))
	}
	if p := UntrainedWeights(); len(p.Models) != len(Kinds) || p.Models[KindProse].Threshold <= 1 {
		t.Error("untrained weights: want a model per kind that flags nothing")
	}
}

func TestCodeIDF(t *testing.T) {
	m := testModel(t)
	var texts []string
	for i := 0; i < 3; i++ {
		texts = append(texts, "def height(node):\n    if node is None:\n        return 0\n    return 1 + max(height(node.left), height(node.right))\n")
	}
	texts = append(texts, "def palindrome(s):\n    return s == s[::-1]\n")
	for i := 0; i < 12; i++ {
		texts = append(texts, "Janet sells eggs at the market every morning for two dollars.")
	}
	if err := m.SetBackground(m.BuildBackground(texts)); err != nil {
		t.Fatal(err)
	}
	units := m.Prepare("the node and the palindrome").an.units
	var node, pal unit
	for _, u := range units {
		switch stemOf(m, u) {
		case "node":
			node = u
		case "palindrome":
			pal = u
		}
	}
	// "node" is in 3 of 4 code texts: common in code, rare overall.
	if !(node.wc < node.w) {
		t.Errorf("node: code IDF %.2f, IDF %.2f; want the code IDF lower", node.wc, node.w)
	}
	if !(pal.wc > node.wc) {
		t.Errorf("code IDF: palindrome %.2f, node %.2f; want palindrome rarer", pal.wc, node.wc)
	}
}

// stemOf returns the stem whose key is u's primary key, among the words
// of the test.
func stemOf(m *Model, u unit) string {
	for _, w := range []string{"node", "palindrome"} {
		if wordKey(stem(w)) == u.keys[0] {
			return w
		}
	}
	return ""
}

func TestMathSymbol(t *testing.T) {
	for in, want := range map[string]bool{
		"Z_3": true, "S_5": true, "x_12": true, "Zn_26": true,
		"_3": false, "abc_3": false, "Z_": false, "Z_x": false, "count_vowels": false, "arr1": false,
	} {
		if got := mathSymbol(in); got != want {
			t.Errorf("mathSymbol(%q) = %v, want %v", in, got, want)
		}
	}
	m := testModel(t)
	item := m.Prepare("Find the characteristic of the ring Z_3 x Z_3.")
	doc := m.Prepare("What is the characteristic of the Z_3 x Z_3 ring?")
	other := m.Prepare("What is the characteristic of the Z_5 x Z_7 ring?")
	if a, b := m.Compare(item, doc).Features[0], m.Compare(item, other).Features[0]; !(a > b) {
		t.Errorf("recall with the same symbols %.2f, with other symbols %.2f; want higher", a, b)
	}
}

// TestCompoundIdentifiers checks the compound feature: a function name a
// programmer chose counts across snake_case and camelCase, and plain
// words, short names and keywords do not.
func TestCompoundIdentifiers(t *testing.T) {
	for id, want := range map[string]bool{
		"below_zero": true, "filterBySubstring": true, "parse_music": true,
		"balance": false, "Balance": false, "_private": false, "x_1": false, "HTTPServer": false,
	} {
		if got := isCompound(id); got != want {
			t.Errorf("isCompound(%q) = %v, want %v", id, got, want)
		}
	}
	m := testModel(t)
	compound := slices.Index(featureNames, "compound")
	py := m.Prepare("def below_zero(operations):\n    balance = 0\n    return balance < 0\n")
	for _, c := range []struct {
		text string
		want float64
	}{
		{"bool belowZero(int *ops, size_t n) { int balance = 0; return balance < 0; }", math.Log1p(1)},
		{"bool negative(int *ops, size_t n) { int balance = 0; return balance < 0; }", 0},
	} {
		if got := m.Compare(py, m.Prepare(c.text)).Features[compound]; got != c.want {
			t.Errorf("compound feature of %q = %.3f, want %.3f", c.text, got, c.want)
		}
	}
}
