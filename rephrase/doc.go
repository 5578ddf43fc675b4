// Package rephrase detects benchmark items that were paraphrased,
// translated (Chinese ↔ English) or rewritten as other code, without a
// model. It registers the scan method "rephrase".
//
// It works in stages, cheapest first (doc/detection-quality.md):
//
//  1. Candidate generation at corpus speed. The anchors that survive a
//     paraphrase — numbers (1,000 = 1000, 0.5 = .5, "twelve" = 12 = 十二),
//     rare content words with their inflections, names, code identifiers
//     joined across naming styles, Latin terms in Chinese text, and the
//     Chinese words that translate an item's English words — are put in
//     one table from the record's token hashes to anchors, each anchor with
//     its items. A record costs one table probe per token; an item whose
//     distinct anchor weight inside a window passes a bound is a candidate.
//  2. Verification of each candidate window against the item: an
//     order-aware alignment of content words with stems, WordNet synonym
//     classes (when Debian's wordnet-base is installed) and CC-CEDICT
//     translations (Chinese text is segmented by forward maximum matching
//     over the dictionary), agreement of the number multisets, and for code
//     winnowing fingerprints of the token stream with identifiers and
//     literals normalized, shared identifiers and shared test values.
//  3. A logistic scorer per kind of pair (prose, code, cross-lingual) turns
//     the features into a probability; its weights are embedded
//     (weights.json) and are retrained by `leakhound eval train`.
//
// Findings carry the aligned words, numbers and code tokens as span pairs,
// and the features as Evidence.
package rephrase
