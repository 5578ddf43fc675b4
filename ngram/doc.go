// Package ngram turns text into canonical tokens and rolling n-gram hashes:
// the hot loop of every exact detector.
//
// A token is a word or a CJK character of the canonical text defined by
// package normalize; the tokenizer never builds that text. It hashes each
// token as it goes, eight bytes at a time on ASCII (a SWAR classifier finds
// the end of a lower-case-able alphanumeric run and lower-cases it in one
// operation) and falls back to a per-character path on punctuation inside a
// word and on non-ASCII text. Both paths feed the same streaming hash, so a
// token's hash depends only on its canonical bytes: HashString of the
// canonical token equals the Hash the tokenizer produces.
//
// Hashes are stable across processes and machines (fixed constants, no
// per-process seed), so they may be written to disk.
package ngram
