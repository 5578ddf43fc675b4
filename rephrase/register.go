package rephrase

import (
	"flag"
	"fmt"
	"os"

	"github.com/leakhound/leakhound"
	"github.com/leakhound/leakhound/judge"
	"github.com/leakhound/leakhound/match"
)

// flags holds the values of the method's command-line flags. The
// registry's Build sees only the items and the match options, so the
// flags registered by AddFlags land here.
var flags struct {
	lexicon string
	wordnet string
	weights string
	fs      *flag.FlagSet

	embed, embedModel    string
	embedThreshold, gray float64
	judgeURL, judgeModel string
	judgeCache           string
	judgeConcurrency     int
	minProb              float64
}

func init() {
	match.Register(match.Registration{
		Name:     Method,
		Build:    build,
		AddFlags: addFlags,
		InAll:    true,
		Usage:    "rephrase  paraphrased, translated (zh↔en) and rewritten (code) items: anchor candidates, alignment with synonyms and a lexicon, winnowing, a logistic scorer",
	})
}

func addFlags(fs *flag.FlagSet) {
	flags.fs = fs
	fs.StringVar(&flags.lexicon, "lexicon", "", "rephrase: CC-CEDICT file for Chinese↔English matching (default $LEAKHOUND_LEXICON, else BENCH-DIR/lexicon/cedict_ts.u8.gz; \"none\" turns it off)")
	fs.StringVar(&flags.wordnet, "wordnet", "", "rephrase: WordNet dict folder for synonyms (default $LEAKHOUND_WORDNET, else /usr/share/wordnet from Debian's wordnet-base; \"none\" turns it off)")
	fs.StringVar(&flags.weights, "rephrase-weights", "", "rephrase: scorer weights file from 'leakhound eval train' (default: the embedded weights)")
	fs.Float64Var(&flags.minProb, "rephrase-min-prob", 0, "rephrase: flag only pairs whose scorer probability is at least this (raises the trained thresholds; see doc/detection-quality.md for the trade-off)")
	fs.StringVar(&flags.embed, "embed", "", "rephrase: `URL` of an OpenAI-compatible server whose /v1/embeddings checks candidate pairs (vLLM, TEI, Ollama: http://localhost:11434)")
	fs.StringVar(&flags.embedModel, "embed-model", "", "rephrase: embedding model name for --embed")
	fs.Float64Var(&flags.embedThreshold, "embed-threshold", 0.85, "rephrase: cosine at or above which --embed flags a candidate pair the scorer left gray")
	fs.StringVar(&flags.judgeURL, "judge", "", "rephrase: `URL` of an OpenAI-compatible server whose /v1/chat/completions judges candidate pairs (LMSYS-style prompts, temperature 0)")
	fs.StringVar(&flags.judgeModel, "judge-model", "", "rephrase: chat model name for --judge")
	fs.StringVar(&flags.judgeCache, "judge-cache", judge.DefaultCacheDir(), "rephrase: folder of the judge's verdict cache (\"\" turns it off)")
	fs.IntVar(&flags.judgeConcurrency, "judge-concurrency", 4, "rephrase: most requests in flight to --judge and --embed")
	fs.Float64Var(&flags.gray, "judge-gray", 0.2, "rephrase: smallest scorer probability of a pair sent to --judge or --embed")
}

// flagPlugins returns the plug-ins the flags ask for, or nil.
func flagPlugins() (*Plugins, error) {
	if flags.embed == "" && flags.judgeURL == "" {
		return nil, nil
	}
	p := &Plugins{EmbedThreshold: flags.embedThreshold, Gray: flags.gray}
	if flags.embed != "" {
		if flags.embedModel == "" {
			return nil, fmt.Errorf("--embed needs --embed-model")
		}
		p.Embedder = judge.NewEmbedder(flags.embed, flags.embedModel, flags.judgeConcurrency)
	}
	if flags.judgeURL != "" {
		if flags.judgeModel == "" {
			return nil, fmt.Errorf("--judge needs --judge-model")
		}
		p.Judge = judge.New(flags.judgeURL, flags.judgeModel, flags.judgeConcurrency)
		p.Judge.CacheDir = flags.judgeCache
	}
	return p, nil
}

// benchDir returns the --bench-dir value of the command, if it has one.
func benchDir() string {
	if flags.fs == nil {
		return os.Getenv("LEAKHOUND_BENCH_DIR")
	}
	if f := flags.fs.Lookup("bench-dir"); f != nil && f.Value.String() != "" {
		return f.Value.String()
	}
	return os.Getenv("LEAKHOUND_BENCH_DIR")
}

// FlagConfig returns the model configuration that the method's flags
// (--lexicon, --wordnet, --rephrase-weights, and --bench-dir for the
// lexicon's default place) describe, for commands that use the model
// directly.
func FlagConfig() (Config, error) {
	cfg := Config{MinProb: flags.minProb, Lexicon: flags.lexicon, WordNet: flags.wordnet, LexiconDirs: []string{benchDir()}, Warnf: func(format string, args ...any) {
		fmt.Fprintf(os.Stderr, "leakhound: rephrase: "+format+"\n", args...)
	}}
	if flags.weights != "" {
		b, err := os.ReadFile(flags.weights)
		if err != nil {
			return cfg, err
		}
		w, err := ParseWeights(b)
		if err != nil {
			return cfg, err
		}
		cfg.Weights = w
	}
	return cfg, nil
}

func build(items []leakhound.Item, opts match.Options) (match.Detector, error) {
	cfg, err := FlagConfig()
	if err != nil {
		return nil, err
	}
	if opts.Warnf != nil {
		cfg.Warnf = opts.Warnf
	}
	pl, err := flagPlugins()
	if err != nil {
		return nil, err
	}
	m, err := NewModel(cfg)
	if err != nil {
		return nil, err
	}
	d := NewDetector(m, items)
	d.SetPlugins(pl)
	return matchDetector{d}, nil
}

// matchDetector adapts Detector to the match registry.
type matchDetector struct{ d *Detector }

func (m matchDetector) NewWorker() match.Worker { return m.d.NewWorker() }
