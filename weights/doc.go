// Package weights reads model weight files safely: safetensors (single files
// and shards listed in model.safetensors.index.json) and GGUF v2/v3, and
// dequantizes their tensors to float32 one tensor (or a few rows) at a time.
//
// Files are memory-mapped and every header field is bounds-checked against the
// file size before anything is allocated, so a hostile file yields an error
// with bounded memory rather than a crash or a huge allocation. GGUF tensors
// are presented in Hugging Face conventions: dims in PyTorch order
// (outermost first), llama.cpp names mapped back to HF names, and the
// llama.cpp Q/K row permutation undone for llama-family architectures.
//
// The package also writes both formats (with Q8_0, Q4_0, Q4_1, Q5_0, Q5_1,
// Q4_K, Q5_K and Q6_K quantizers), which the synthetic model generator and
// the round-trip tests use. Format facts and sources are in doc/lineage.md.
package weights
