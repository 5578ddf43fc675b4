// Package lineage compares two models from their files and reports whether
// one is derived from the other (a renamed, fine-tuned, pruned, permuted or
// quantized "shell") or independent, as an evidence ladder with p-values:
// config diff, tokenizer identity, a rename-robust tensor mapping, exact
// tensor reuse, and an independence test on matched MLP neurons (Zhu et al.,
// ICML 2025) after an AWM-style alignment of the residual dimensions through
// the embeddings of shared tokens (Zeng et al., ICLR 2026). Std profiles and
// norm-gain cosines are computed only as context: they match unrelated
// models too and never decide the verdict.
//
// Compare streams tensors: it holds at most a few tensors of each model at a
// time, never a whole model. The Result is a plain struct with JSON tags so a
// report renderer can show it. No weights-only test sees through an
// output-preserving rotation of the residual stream; Result.Limitations says
// so in every result. Methods, sources and measured p-values are in
// doc/lineage.md.
package lineage
