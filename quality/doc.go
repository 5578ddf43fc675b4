// Package quality measures detection quality on public data: the LMSYS
// rephrase sets (Yang et al. 2023, arXiv 2311.04850) under the F1 protocol
// of their Tables 5–6, a corpus with planted items and its truth file, and
// the CodeAlpaca × HumanEval pairs judged by GPT-4. It also holds the
// training of the rephrase scorer, with a held-out split that no training
// or threshold choice sees. The command is `leakhound eval`.
package quality
