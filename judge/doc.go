// Package judge talks to the optional model plug-ins of the rephrase
// method over OpenAI-compatible HTTP APIs, as served by vLLM, Ollama, TEI,
// SGLang and llama.cpp:
//
//   - Judge asks a chat model (POST /v1/chat/completions) whether two texts
//     are the same test item, with LMSYS-style instructions per kind of
//     benchmark (written anew here), temperature 0, a verdict cache on
//     disk, a concurrency limit and retries. Unlike LMSYS's script, a pair
//     the server never answers is an error, not a silent False.
//   - Embedder fetches embeddings (POST /v1/embeddings) for a cosine
//     similarity between an item and a candidate window.
//
// Neither is needed: the offline scorer decides alone unless the user asks
// for them with --judge or --embed.
package judge
