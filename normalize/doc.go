// Package normalize defines leakhound's canonical text: the form in which a
// benchmark item and a corpus record are compared.
//
// The rules, applied per character:
//
//   - Unicode white space separates tokens.
//   - Han, Hiragana, Katakana and Hangul characters are tokens of their own.
//     Han and Hangul take NFKC (compatibility ideographs fold); kana take
//     NFKD with the voicing marks dropped, so that が, か followed by a
//     combining mark, and half-width ｶﾞ all become か (one character at a
//     time cannot compose them). Whitespace splitting would otherwise
//     treat a whole Chinese sentence as one word. Conjoining Hangul jamo
//     are not composed: 가 written as two jamo gives two tokens.
//   - Other letters and numbers are decomposed with NFKD (compatibility
//     forms such as full-width letters, ligatures and superscripts fold to
//     plain ones), combining marks are dropped (so "é" and "e\u0301" both
//     become "e"), and the rest is case-folded.
//   - Everything else is deleted: punctuation, symbols, controls and format
//     characters. Deletion does not split a token, so "don't" becomes
//     "dont" and "1,000" becomes "1000", as in GPT-3's "lowercase, whitespace
//     delimited words with no punctuation".
//
// Map gives the canonical form of one character. Append applies the rules
// to a whole text and writes the tokens separated by single spaces; it is
// the reference that the fast tokenizer in package ngram is tested against.
package normalize
