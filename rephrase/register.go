package rephrase

import (
	"flag"
	"fmt"
	"os"

	"github.com/leakhound/leakhound"
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
	cfg := Config{Lexicon: flags.lexicon, WordNet: flags.wordnet, LexiconDirs: []string{benchDir()}, Warnf: func(format string, args ...any) {
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

func build(items []leakhound.Item, _ match.Options) (match.Detector, error) {
	cfg, err := FlagConfig()
	if err != nil {
		return nil, err
	}
	m, err := NewModel(cfg)
	if err != nil {
		return nil, err
	}
	return matchDetector{NewDetector(m, items)}, nil
}

// matchDetector adapts Detector to the match registry.
type matchDetector struct{ d *Detector }

func (m matchDetector) NewWorker() match.Worker { return m.d.NewWorker() }
