package rephrase

import (
	"strconv"
	"strings"
)

// canonNumber returns the canonical form of a written number: group
// commas removed, leading zeros and trailing fractional zeros dropped, so
// that "1,000" = "1000" and "0.50" = ".5" = "0.5". ok is false when s is
// not a plain decimal number.
func canonNumber(s string) (string, bool) {
	if s == "" {
		return "", false
	}
	var b strings.Builder
	digits, dot := 0, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			b.WriteByte(c)
			digits++
		case c == ',' && !dot && digits > 0 && i+3 < len(s)+0 && groupOf3(s, i+1):
		case c == '.' && !dot:
			dot = true
			b.WriteByte('.')
		default:
			return "", false
		}
	}
	if digits == 0 {
		return "", false
	}
	out := b.String()
	if dot {
		out = strings.TrimRight(out, "0")
		out = strings.TrimSuffix(out, ".")
	}
	out = strings.TrimLeft(out, "0")
	if out == "" || out[0] == '.' {
		out = "0" + out
	}
	return out, true
}

// groupOf3 reports whether s[i:] starts with exactly three digits.
func groupOf3(s string, i int) bool {
	if i+3 > len(s) {
		return false
	}
	for j := i; j < i+3; j++ {
		if s[j] < '0' || s[j] > '9' {
			return false
		}
	}
	return i+3 == len(s) || s[i+3] < '0' || s[i+3] > '9'
}

// numberWords are English number words and their values.
var numberWords = map[string]int64{
	"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
	"seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
	"thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
	"seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
	"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
	"eighty": 80, "ninety": 90, "twice": 2, "thrice": 3, "dozen": 12,
	"double": 2, "triple": 3,
}

// numberScales multiply the number before them.
var numberScales = map[string]int64{"hundred": 100, "thousand": 1000, "million": 1000000, "billion": 1000000000}

// wordsNumber parses a run of English number words ("twenty five",
// "one hundred twenty", "three thousand") and returns its value and the
// number of words used; n is 0 when words[0] is not a number word.
func wordsNumber(words []string) (v int64, n int) {
	var total, cur int64
	for n < len(words) {
		w := words[n]
		if x, ok := numberWords[w]; ok {
			cur += x
		} else if s, ok := numberScales[w]; ok && n > 0 {
			if cur == 0 {
				cur = 1
			}
			cur *= s
			if s >= 1000 {
				total += cur
				cur = 0
			}
		} else if w == "and" && n > 0 && n+1 < len(words) {
			if _, ok := numberWords[words[n+1]]; !ok {
				break
			}
		} else {
			break
		}
		n++
	}
	return total + cur, n
}

// zhDigits are Chinese numerals and their values; zhScales multiply.
var (
	zhDigits = map[rune]int64{'零': 0, '〇': 0, '一': 1, '二': 2, '两': 2, '兩': 2, '三': 3, '四': 4,
		'五': 5, '六': 6, '七': 7, '八': 8, '九': 9}
	zhScales = map[rune]int64{'十': 10, '百': 100, '千': 1000, '万': 10000, '萬': 10000, '亿': 100000000, '億': 100000000}
)

func isZhNumeral(r rune) bool {
	_, d := zhDigits[r]
	_, s := zhScales[r]
	return d || s
}

// zhNumber parses a run of Chinese numerals: 十二 = 12, 二十四 = 24,
// 一百二十 = 120, 三千五百 = 3500, 一〇二 = 102 (digit by digit).
func zhNumber(rs []rune) (int64, bool) {
	if len(rs) == 0 {
		return 0, false
	}
	plain := true
	for _, r := range rs {
		if _, ok := zhScales[r]; ok {
			plain = false
		}
	}
	if plain { // digit by digit, as in years
		var v int64
		for _, r := range rs {
			v = v*10 + zhDigits[r]
		}
		return v, true
	}
	var total, section, cur int64
	for _, r := range rs {
		if d, ok := zhDigits[r]; ok {
			cur = d
			continue
		}
		s := zhScales[r]
		switch {
		case s >= 10000:
			total += (section + cur) * s
			section, cur = 0, 0
		default:
			if cur == 0 {
				cur = 1
			}
			section += cur * s
			cur = 0
		}
	}
	return total + section + cur, true
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }
