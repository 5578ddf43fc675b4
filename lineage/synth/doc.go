// Package synth generates synthetic llama-shaped model families for testing
// lineage detection without real checkpoints (reference protocol §8.2): a
// base model, derived models (fine-tuned with small noise, continued
// pre-training with larger drift, permuted neurons/heads/residual dims,
// renamed tensors, pruned layers and neurons, quantized GGUF copies) and
// independent models drawn with the same init scheme, written as HF folders
// (config.json, tokenizer.json, safetensors, optionally sharded) or GGUF.
package synth
