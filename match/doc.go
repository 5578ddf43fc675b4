// Package match holds leakhound's detectors: the published exact recipes
// (GPT-3, PaLM, GPT-4, Llama 2), each implemented as its paper states it,
// over one shared candidate generator.
//
// A Set is the benchmark side, prepared once: the items, their tokens and
// an index of their seed n-grams (n = the smallest n-gram any chosen
// method needs). A Matcher is one worker's state. For each corpus record
// it tokenizes the text once, probes the index with every seed n-gram,
// verifies each hit token by token and extends it to the maximal exact
// run (a Run). The token methods then read the runs:
//
//   - gpt3: an item is dirty if the record shares any N-gram with it, where
//     N = clip(P5 of the benchmark's item lengths, 8, 13) (GPT-3, App. C);
//   - palm: an item is contaminated if at least 70% of its 8-grams occur in
//     the training data (PaLM, §8);
//   - llama2: tokens in matched spans of more than 10 tokens, allowing a
//     skip budget of 4 mismatched tokens, with no mismatch in the first 10
//     tokens and none trailing; an item is clean below 20% contaminated
//     tokens and dirty at 80% or more (Llama 2, App. A.6).
//
// The gpt4 method works on characters instead: three seeded 50-character
// substrings of each item, after deleting everything that is not a letter
// or digit, searched for in the record (GPT-4, App. C). See doc/methods.md.
//
// Findings are per record; item-level verdicts that the papers define over
// the whole training set (palm, llama2) are accumulated in a Tally per
// worker and merged at the end.
package match
