package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/leakhound/leakhound/lm"
	"github.com/leakhound/leakhound/probe"
)

var cmdLM = &command{
	Name:      "lm",
	UsageLine: "lm train [flags] FILE... | lm serve [flags]",
	Short:     "train and serve a small n-gram language model (probe test bed)",
	Long: `
Lm trains and serves a small, real language model: an interpolated modified
Kneser-Ney n-gram model over word pieces (with byte fallback) or bytes. It
is the honest offline stand-in for a served model: train it on background
text plus chosen benchmark items and it memorises what it saw, so
'leakhound probe' can be checked end to end.

  leakhound lm train --out model.lm [--tokenizer word|byte] [--order N]
                     [--dup N] [--concat FILE [--concat-limit N]] FILE...

FILE is a JSONL(.gz) file whose records have a "text" field (the normalized
benchmark format), each record one document, or any other file, read whole
as one document. --concat FILE (repeatable) joins that JSONL file's texts,
each followed by a newline, in file order, into one document: the
benchmark file as it would appear in a pretraining crawl (what the Oren
test detects); --concat-limit keeps its first N records. --dup trains
every document N times.

  leakhound lm serve --model model.lm [--addr 127.0.0.1:8000]
                     [--api vllm,sglang] [--max-logprobs 20]

Serve answers the vLLM OpenAI-compatible API (/v1/models, /v1/completions
with echo, logprobs, prompt_logprobs and return_tokens_as_token_ids,
/v1/chat/completions, /tokenize), SGLang's native /generate and
/get_model_info, or with --api tgi TGI's /generate and /info. Prompts get
a BOS token, so every text token has a log-prob. --max-logprobs bounds
logprobs and prompt_logprobs as vLLM's flag does (-1: whole vocabulary,
exact Min-K%++). It runs until interrupted.
`,
	Run: runLM,
}

func runLM(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 {
		printCommandHelp(e.stderr, e.cmd, nil)
		return ExitError
	}
	switch args[0] {
	case "train":
		return runLMTrain(ctx, e, args[1:])
	case "serve":
		return runLMServe(ctx, e, args[1:])
	case "-h", "-help", "--help", "help":
		printCommandHelp(e.stdout, e.cmd, nil)
		return ExitClean
	}
	return e.errorf("lm: unknown subcommand %q (want train or serve)", args[0])
}

func runLMTrain(ctx context.Context, e *env, args []string) int {
	fs := e.newFlagSet()
	out := fs.String("out", "", "write the model to this `file` (required)")
	kind := fs.String("tokenizer", lm.KindWord, "tokenizer: word (word pieces, byte fallback) or byte")
	order := fs.Int("order", 4, "n-gram order (4 suits word pieces, 6-8 bytes)")
	minCount := fs.Int("min-count", 1, "word pieces seen fewer times are spelled in bytes")
	var concat repeatFlag
	fs.Var(&concat, "concat", "JSONL `file` whose texts are joined, in file order, into one document (repeatable)")
	limit := fs.Int("concat-limit", 0, "keep only the first N records of each --concat file (0: all)")
	dup := fs.Int("dup", 1, "train on every document this many times")
	files, code, ok := e.parseFlags(fs, args)
	if !ok {
		return code
	}
	if *out == "" || len(files)+len(concat) == 0 {
		return e.errorf("lm train: need --out and at least one input file")
	}
	var docs []string
	for i, f := range append(append([]string(nil), concat...), files...) {
		d, err := readDocs(f, i < len(concat), *limit)
		if err != nil {
			return e.errorf("lm train: %v", err)
		}
		docs = append(docs, d...)
	}
	m, err := trainModel(docs, *kind, *order, *minCount, *dup)
	if err != nil {
		return e.errorf("lm train: %v", err)
	}
	if err := saveModel(m, *out); err != nil {
		return e.errorf("lm train: %v", err)
	}
	fmt.Fprintf(e.stdout, "trained a %s order-%d model on %d documents (vocabulary %d) -> %s\n", *kind, *order, len(docs), m.VocabSize(), *out)
	return ExitClean
}

// readDocs reads one input file as documents.
func readDocs(path string, concat bool, limit int) ([]string, error) {
	if strings.HasSuffix(path, ".jsonl") || strings.HasSuffix(path, ".jsonl.gz") {
		items, err := probe.LoadJSONL(path)
		if err != nil {
			return nil, err
		}
		if concat && limit > 0 && limit < len(items) {
			items = items[:limit]
		}
		docs := make([]string, len(items))
		for i, it := range items {
			docs[i] = it.Text
		}
		if concat {
			return []string{strings.Join(docs, "\n") + "\n"}, nil // as probe's Oren examples (--oren-sep)
		}
		return docs, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return []string{string(b)}, nil
}

func trainModel(docs []string, kind string, order, minCount, dup int) (*lm.Model, error) {
	var tok *lm.Tokenizer
	switch kind {
	case lm.KindWord:
		tok = lm.NewWordTokenizer(docs, max(minCount, 1))
	case lm.KindByte:
		tok = lm.NewByteTokenizer()
	default:
		return nil, fmt.Errorf("unknown tokenizer %q (want word or byte)", kind)
	}
	tr, err := lm.NewTrainer(tok, order)
	if err != nil {
		return nil, err
	}
	for _, d := range docs {
		tr.Add(d, dup)
	}
	return tr.Build(), nil
}

func saveModel(m *lm.Model, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := m.Save(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func loadModel(path string) (*lm.Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m, err := lm.Load(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

func runLMServe(ctx context.Context, e *env, args []string) int {
	fs := e.newFlagSet()
	model := fs.String("model", "", "model `file` written by lm train (required)")
	addr := fs.String("addr", "127.0.0.1:8000", "listen address")
	var apis listFlag
	fs.Var(&apis, "api", "protocols to serve: vllm, sglang, tgi (default vllm,sglang; sglang and tgi exclude each other)")
	name := fs.String("name", "", "model name reported to clients (default: the file name)")
	maxLogprobs := fs.Int("max-logprobs", 20, "bound on logprobs and prompt_logprobs, as vLLM's --max-logprobs (-1: whole vocabulary)")
	maxLen := fs.Int("max-model-len", 65536, "bound on prompt plus generated tokens")
	noPrefill := fs.Bool("no-prefill-logprobs", false, "TGI: return an empty prefill, as TGI >= 3.0 does by default")
	if _, code, ok := e.parseFlags(fs, args); !ok {
		return code
	}
	if *model == "" {
		return e.errorf("lm serve: need --model")
	}
	m, err := loadModel(*model)
	if err != nil {
		return e.errorf("lm serve: %v", err)
	}
	if *name == "" {
		*name = strings.TrimSuffix(baseName(*model), ".lm")
	}
	h, err := lm.Handler(m, lm.ServeOptions{Name: *name, APIs: apis, MaxLogprobs: *maxLogprobs, MaxModelLen: *maxLen, NoPrefillLogprobs: *noPrefill})
	if err != nil {
		return e.errorf("lm serve: %v", err)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return e.errorf("lm serve: %v", err)
	}
	if len(apis) == 0 {
		apis = listFlag{"vllm", "sglang"}
	}
	fmt.Fprintf(e.stderr, "leakhound lm serve: model %q (%s order %d, vocabulary %d) on http://%s (%s)\n",
		*name, m.Tokenizer().Kind(), m.Order(), m.VocabSize(), ln.Addr(), apis.String())
	return serveUntilDone(ctx, e, ln, h)
}

func serveUntilDone(ctx context.Context, e *env, ln net.Listener, h http.Handler) int {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return e.errorf("lm serve: %v", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return e.errorf("lm serve: %v", err)
	}
	return ExitClean
}

func baseName(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return p
}
