// Package lm is a small, real language model: an interpolated modified
// Kneser–Ney n-gram model (Chen & Goodman 1998) over byte-level or
// word-level tokens. It trains on any corpus, exposes the full next-token
// distribution, scores texts by teacher forcing, decodes greedily and
// samples, and saves to and loads from a model file.
//
// It is the honest offline stand-in for a served model: trained on a
// background corpus plus chosen benchmark items it memorises what it saw,
// so leakhound's probes can be tested end to end (see Handler, which serves
// a model over the vLLM, SGLang and TGI HTTP APIs).
package lm
