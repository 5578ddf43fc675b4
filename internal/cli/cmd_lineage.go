package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"time"

	"github.com/leakhound/leakhound"
	"github.com/leakhound/leakhound/lineage"
	"github.com/leakhound/leakhound/lineage/synth"
)

var cmdLineage = &command{
	Name:      "lineage",
	UsageLine: "lineage [flags] A B | lineage synth -out DIR [flags]",
	Short:     "tell a shell model from an independent one, from the weight files",
	Long: `
Lineage compares two models from their files and says whether B is derived
from A (renamed, fine-tuned, continued-pretrained, pruned, permuted or
quantized) or independent. A and B are each an HF-style folder (config.json,
tokenizer.json, model.safetensors or shards with model.safetensors.index.json)
or a GGUF file (v2/v3; F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K,
Q5_K, Q6_K tensors are dequantized).

The report is an evidence ladder, strongest first: declared metadata
(printed, never concluded from), config diff, tokenizer identity (same ids,
merge order, specials; vocabulary overlap alone is weak), a rename-robust
tensor mapping, exact tensor reuse, and the weights test: residual dims are
aligned through the embeddings of shared tokens (AWM, Zeng et al. 2025),
then per layer MLP neurons are matched by the Hungarian algorithm on
gate_proj and on up_proj, and Spearman correlations of the matchings give
per-layer p-values (Zhu et al., ICML 2025), combined with Fisher's method.
The verdict is "derived" when the combined p-value is below -alpha,
"independent" when it is not and the alignment ran, and "inconclusive" when
the test could not run. Std profiles and norm-gain cosines are shown as
context only: they match unrelated models too.

An output-preserving rotation of the residual stream defeats every
weights-only test; "independent" is not proof of independent training.

Tensors are streamed one at a time from memory-mapped files; a comparison
never holds a whole model in memory.

'lineage synth -out DIR' writes a synthetic model family for testing:
a base, derived variants (fine-tune, continued pre-training, permuted,
renamed, pruned, GGUF Q8_0/Q4_0/Q4_K copies) and independent models made
with the same init, with manifest.json giving the ground truth.

Exit status: 0 independent or inconclusive, 1 derived, 2 error.
`,
	Run: runLineage,
}

func runLineage(ctx context.Context, e *env, args []string) int {
	if len(args) > 0 && args[0] == "synth" {
		return runLineageSynth(e, args[1:])
	}
	fs := e.newFlagSet()
	format := fs.String("format", "text", "output format: text or json")
	alpha := fs.Float64("alpha", 0.01, "significance level for a derived verdict")
	maxRows := fs.Int("max-rows", 256, "neurons sampled per layer for matching")
	maxDims := fs.Int("max-dims", 512, "aligned residual dims used in neuron cosines")
	maxTokens := fs.Int("max-tokens", 4096, "shared tokens used for residual alignment")
	fast := fs.Bool("fast", false, "skip the full pass (exact reuse, std profile, norm gains); read only embeddings and MLP gate/up")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile to this file")
	verbose := fs.Bool("v", false, "print timing and throughput to stderr")
	pos, code, ok := e.parseFlags(fs, args)
	if !ok {
		return code
	}
	if len(pos) != 2 {
		return e.errorf("lineage: need two models (A B), got %d arguments", len(pos))
	}
	if *format != "text" && *format != "json" {
		return e.errorf("lineage: -format must be text or json")
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			return e.errorf("lineage: %v", err)
		}
		defer f.Close()
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	start := time.Now()
	res, err := compareFiles(pos[0], pos[1], lineage.Options{Alpha: *alpha, MaxRows: *maxRows, MaxDims: *maxDims, MaxTokens: *maxTokens, SkipContext: *fast})
	if err != nil {
		return e.errorf("lineage: %v", err)
	}
	if *verbose {
		sec := time.Since(start).Seconds()
		models := res.A.Bytes + res.B.Bytes
		fmt.Fprintf(e.stderr, "lineage: %.2f s (align %.2f, stream %.2f, match %.2f), models %.1f MB (%.2f GB/s), read %.1f MB, peak buffers %.1f MB\n",
			sec, res.Run.Seconds["align"], res.Run.Seconds["pass"], res.Run.Seconds["match"], float64(models)/1e6,
			float64(models)/1e9/sec, float64(res.Run.BytesRead)/1e6, float64(res.Run.PeakBufferBytes)/1e6)
	}
	if *format == "json" {
		err = lineage.WriteJSON(e.stdout, res)
	} else {
		err = lineage.WriteText(e.stdout, res)
	}
	if err != nil {
		return e.errorf("lineage: %v", err)
	}
	if res.Verdict == leakhound.VerdictDerived {
		return ExitFound
	}
	return ExitClean
}

func compareFiles(pa, pb string, opt lineage.Options) (*lineage.Result, error) {
	a, err := lineage.Load(pa)
	if err != nil {
		return nil, err
	}
	defer a.Close()
	b, err := lineage.Load(pb)
	if err != nil {
		return nil, err
	}
	defer b.Close()
	return lineage.Compare(a, b, opt)
}

func runLineageSynth(e *env, args []string) int {
	fs := e.newFlagSet()
	out := fs.String("out", "", "directory to write the family into (required)")
	n := fs.Int("independents", 3, "independent models to write")
	seed := fs.Uint64("seed", 1, "weight seed of the base model")
	pos, code, ok := e.parseFlags(fs, args)
	if !ok {
		return code
	}
	if *out == "" || len(pos) != 0 {
		return e.errorf("lineage synth: need -out DIR and no arguments")
	}
	s := synth.DefaultSpec()
	s.Seed = *seed
	vs, err := synth.WriteFamily(*out, s, *n)
	if err != nil {
		return e.errorf("lineage synth: %v", err)
	}
	b, _ := json.MarshalIndent(vs, "", "  ")
	if err := os.WriteFile(filepath.Join(*out, "manifest.json"), append(b, '\n'), 0o644); err != nil {
		return e.errorf("lineage synth: %v", err)
	}
	for _, v := range vs {
		fmt.Fprintf(e.stdout, "%-28s derived=%-5v %s\n", v.Name, v.Derived, v.How)
	}
	return ExitClean
}
