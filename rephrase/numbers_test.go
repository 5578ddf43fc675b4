package rephrase

import "testing"

func TestCanonNumber(t *testing.T) {
	for _, c := range []struct {
		in, want string
		ok       bool
	}{
		{"1,000", "1000", true}, {"1000", "1000", true}, {"0.5", "0.5", true}, {".5", "0.5", true},
		{"0.50", "0.5", true}, {"007", "7", true}, {"3.0", "3", true}, {"12,34", "", false},
		{"1,000,000", "1000000", true}, {"abc", "", false}, {"0", "0", true}, {"", "", false},
	} {
		got, ok := canonNumber(c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("canonNumber(%q) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestWordsNumber(t *testing.T) {
	for _, c := range []struct {
		in   []string
		v    int64
		used int
	}{
		{[]string{"twelve"}, 12, 1},
		{[]string{"twenty", "five", "apples"}, 25, 2},
		{[]string{"one", "hundred", "and", "twenty"}, 120, 4},
		{[]string{"three", "thousand", "two", "hundred"}, 3200, 4},
		{[]string{"apples"}, 0, 0},
	} {
		v, n := wordsNumber(c.in)
		if v != c.v || n != c.used {
			t.Errorf("wordsNumber(%v) = %d, %d; want %d, %d", c.in, v, n, c.v, c.used)
		}
	}
}

func TestZhNumber(t *testing.T) {
	for _, c := range []struct {
		in string
		v  int64
	}{{"十二", 12}, {"二十四", 24}, {"一百二十", 120}, {"三千五百", 3500}, {"八", 8}, {"一〇二", 102}, {"两万", 20000}, {"十", 10}} {
		v, ok := zhNumber([]rune(c.in))
		if !ok || v != c.v {
			t.Errorf("zhNumber(%s) = %d, %v; want %d", c.in, v, ok, c.v)
		}
	}
}
