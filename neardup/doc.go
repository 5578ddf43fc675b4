// Package neardup finds lightly edited copies of benchmark items — words
// changed, dropped or inserted here and there — with MinHash sketches of
// word shingles, and registers the scan method "neardup".
//
// Each item's canonical tokens (package ngram: case, punctuation and
// width folded) give its shingles, the hashes of every run of Shingle
// tokens. The item keeps a bottom-k MinHash sketch: the Sketch smallest
// shingle hashes after mixing (Broder 1997; one permutation, k minima). A
// record's shingles are probed against the sketches: an item whose sketch
// has at least CandidateShare of its entries in the record is a candidate,
// since the share of sketch entries found estimates the share of the
// item's shingles contained in the record. The candidate is then verified
// exactly: in the record window around the hits, the containment |item
// shingles ∩ window shingles| / |item shingles| must reach Threshold.
//
// Threshold 0.4 on 3-token shingles: a copy with one word in ten changed
// keeps about 0.9³ = 73% of its shingles, one with one in five changed
// about 51%; text that merely shares a topic keeps a few percent. Lee et
// al. (2021) confirm MinHash candidates with Jaccard ≥ 0.8 on whole
// documents; an item inside a longer record needs containment instead of
// Jaccard, and a lower bar to reach lightly edited copies.
//
// The record side is one pass over the record's tokens: each shingle hash
// is tested against a blocked Bloom filter of the sketch keys before it is
// mixed, and the few that pass are looked up in an open-addressing table
// (table.go). Tokenizing the record is most of the cost of Detect;
// Worker.DetectTokens takes the tokens of a caller that has them. The
// first implementation is kept in reference_test.go, and the tests require
// the same findings from both.
package neardup
