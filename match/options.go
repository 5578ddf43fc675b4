package match

import (
	"flag"
	"fmt"
	"slices"
	"strings"
)

// Method names.
const (
	GPT3   = "gpt3"
	PaLM   = "palm"
	GPT4   = "gpt4"
	Llama2 = "llama2"
)

// Methods lists the methods this package implements, in report order.
var Methods = []string{GPT3, PaLM, GPT4, Llama2}

// Options holds every method's thresholds. The zero value is not useful;
// start from DefaultOptions.
type Options struct {
	Methods []string

	GPT3N    int // fixed N; 0 applies GPT-3's rule per benchmark
	GPT3MinN int // lower clip of the rule (8)
	GPT3MaxN int // upper clip of the rule (13)

	PaLMN         int     // n-gram length (8)
	PaLMThreshold float64 // share of an item's n-grams that must be seen (0.70)

	Llama2MinLen int     // spans must be longer than this many tokens (10)
	Llama2Skip   int     // mismatched tokens allowed per span (4)
	Llama2Clean  float64 // below: clean (0.20)
	Llama2Dirty  float64 // at or above: dirty (0.80)

	// MaxSeedItems: a seed n-gram found in more distinct items than this
	// is a template (MMLU's moral-scenarios stem is shared by 1,000 items)
	// and never starts a match, whatever the other methods chosen; 0
	// disables the rule. Matches still extend through templates from the
	// item's own text.
	MaxSeedItems int

	// Warnf, when set, receives notes from registered detectors (a missing
	// lexicon, say) for the command to print; nil means they print nothing.
	Warnf func(format string, args ...any)

	GPT4Chars   int    // substring length in characters (50)
	GPT4Samples int    // substrings drawn per item (3)
	GPT4Seed    uint64 // seed of the draw
}

// DefaultOptions returns the published settings of every method, with
// gpt3 as the only method.
func DefaultOptions() Options {
	return Options{
		Methods:  []string{GPT3},
		GPT3MinN: 8, GPT3MaxN: 13,
		PaLMN: 8, PaLMThreshold: 0.70,
		Llama2MinLen: 10, Llama2Skip: 4, Llama2Clean: 0.20, Llama2Dirty: 0.80,
		GPT4Chars: 50, GPT4Samples: 3,
		MaxSeedItems: 100,
	}
}

// AddFlags registers the threshold flags on fs. The --method flag is the
// caller's, since its syntax (lists, "all") belongs to the command.
func (o *Options) AddFlags(fs *flag.FlagSet) {
	fs.IntVar(&o.GPT3N, "gpt3-n", o.GPT3N, "gpt3: fixed n-gram length in words; 0 applies GPT-3's rule N = clip(P5 item length, gpt3-min-n, gpt3-max-n) per benchmark")
	fs.IntVar(&o.GPT3MinN, "gpt3-min-n", o.GPT3MinN, "gpt3: lower clip of the N rule")
	fs.IntVar(&o.GPT3MaxN, "gpt3-max-n", o.GPT3MaxN, "gpt3: upper clip of the N rule")
	fs.IntVar(&o.PaLMN, "palm-n", o.PaLMN, "palm: n-gram length in words")
	fs.Float64Var(&o.PaLMThreshold, "palm-threshold", o.PaLMThreshold, "palm: share of an item's n-grams that must occur for it to count as contaminated")
	fs.IntVar(&o.Llama2MinLen, "llama2-min-len", o.Llama2MinLen, "llama2: matched spans must be longer than this many tokens (the paper sweeps 10..50)")
	fs.IntVar(&o.Llama2Skip, "llama2-skip", o.Llama2Skip, "llama2: skip-gram budget, mismatched tokens allowed inside one span")
	fs.Float64Var(&o.Llama2Clean, "llama2-clean", o.Llama2Clean, "llama2: an item with a smaller share of contaminated tokens is clean")
	fs.Float64Var(&o.Llama2Dirty, "llama2-dirty", o.Llama2Dirty, "llama2: an item with at least this share of contaminated tokens is dirty")
	fs.IntVar(&o.MaxSeedItems, "max-seed-items", o.MaxSeedItems, "token methods: an 8-gram shared by more benchmark items than this is a template and never starts a match (0: no limit)")
	fs.IntVar(&o.GPT4Chars, "gpt4-chars", o.GPT4Chars, "gpt4: substring length in characters after deleting non-alphanumerics")
	fs.IntVar(&o.GPT4Samples, "gpt4-samples", o.GPT4Samples, "gpt4: substrings drawn per item")
	fs.Uint64Var(&o.GPT4Seed, "gpt4-seed", o.GPT4Seed, "gpt4: seed of the substring draw (the same seed gives the same substrings)")
	for _, r := range Registered() {
		if r.AddFlags != nil {
			r.AddFlags(fs)
		}
	}
}

// AllMethods returns the names of this package's methods followed by the
// registered ones.
func AllMethods() []string {
	names := slices.Clone(Methods)
	for _, r := range Registered() {
		names = append(names, r.Name)
	}
	return names
}

// ParseMethods turns a --method value list into method names. "all"
// selects every built-in method and the registered ones marked InAll.
func ParseMethods(list []string) ([]string, error) {
	var out []string
	add := func(m string) {
		if !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	for _, m := range list {
		m = strings.ToLower(strings.TrimSpace(m))
		if m == "all" {
			for _, name := range Methods {
				add(name)
			}
			for _, r := range Registered() {
				if r.InAll {
					add(r.Name)
				}
			}
			continue
		}
		if !slices.Contains(AllMethods(), m) {
			return nil, fmt.Errorf("unknown method %q (methods: %s, all)", m, strings.Join(AllMethods(), ", "))
		}
		add(m)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no method given")
	}
	return out, nil
}

// Validate checks the thresholds.
func (o *Options) Validate() error {
	switch {
	case o.GPT3N < 0 || o.GPT3MinN < 1 || o.GPT3MaxN < o.GPT3MinN:
		return fmt.Errorf("gpt3: want gpt3-n >= 0 and 1 <= gpt3-min-n <= gpt3-max-n")
	case o.PaLMN < 1 || o.PaLMThreshold <= 0 || o.PaLMThreshold > 1:
		return fmt.Errorf("palm: want palm-n >= 1 and 0 < palm-threshold <= 1")
	case o.Llama2MinLen < 1 || o.Llama2Skip < 0 || o.Llama2Clean < 0 || o.Llama2Dirty > 1 || o.Llama2Clean > o.Llama2Dirty:
		return fmt.Errorf("llama2: want llama2-min-len >= 1, llama2-skip >= 0, 0 <= llama2-clean <= llama2-dirty <= 1")
	case o.MaxSeedItems < 0:
		return fmt.Errorf("want max-seed-items >= 0")
	case o.GPT4Chars < 16 || o.GPT4Samples < 1:
		return fmt.Errorf("gpt4: want gpt4-chars >= 16 and gpt4-samples >= 1")
	}
	return nil
}

func (o *Options) has(method string) bool { return slices.Contains(o.Methods, method) }
