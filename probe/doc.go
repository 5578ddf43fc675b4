// Package probe runs model-side contamination tests against a served
// model: the likelihood family (loss, zlib, lowercase, reference model,
// Min-K%, Min-K%++), the Oren et al. sharded likelihood test with a
// p-value, the Skywork loss gap, BenBench n-gram accuracy, CDD and
// TS-Guessing, with AUROC and TPR at a fixed FPR when labels are known.
//
// Backends talk to real servers over their HTTP APIs: vLLM's
// OpenAI-compatible /v1/completions (echo with logprobs, prompt_logprobs),
// SGLang's native /generate, TGI's /generate and any OpenAI-compatible
// chat server (generation only). Each backend detects at start what the
// server can do and says which tests it cannot support and why.
//
// Sign convention: every per-item score is oriented so that a higher
// score means "more likely a member" (seen in training). See
// doc/probes.md for each test's source and formula.
package probe
