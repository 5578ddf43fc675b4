package match

import (
	"flag"
	"fmt"
	"slices"
	"sync"

	"github.com/leakhound/leakhound"
	"github.com/leakhound/leakhound/ngram"
)

// A Detector is a method built outside this package (for example the
// rephrase and near-duplicate detectors) and registered by name. It is
// built once per scan from the benchmark items and shared by all workers.
type Detector interface {
	// NewWorker returns one worker's detector state.
	NewWorker() Worker
}

// A Worker is one worker's state of a Detector. Detect appends the
// findings for one record's text to dst. Each finding's Item must be the
// id of one of the items the Detector was built from, and its Method the
// registered name; Doc is left for the caller.
type Worker interface {
	Detect(dst []leakhound.Finding, text []byte) ([]leakhound.Finding, error)
}

// A TokenWorker is a Worker that can take the record's tokens from the
// Matcher, which tokenizes each record once (ngram.AppendTokens of the
// text) for the exact methods: a method that reads the same tokens saves
// its own tokenizer. toks is valid only during the call.
type TokenWorker interface {
	Worker
	DetectTokens(dst []leakhound.Finding, text []byte, toks []ngram.Token) ([]leakhound.Finding, error)
}

// Registration describes a registered method.
type Registration struct {
	Name string
	// Build prepares the detector for items. opts are the match options,
	// for detectors that reuse the thresholds of others.
	Build func(items []leakhound.Item, opts Options) (Detector, error)
	// AddFlags registers the method's threshold flags, or is nil.
	AddFlags func(fs *flag.FlagSet)
	// InAll reports whether --method all includes the method.
	InAll bool
	// Usage is one line for the method list in help texts.
	Usage string
}

var (
	registryMu sync.Mutex
	registry   []Registration
)

// Register adds a method. It panics when the name is taken, since that is
// a programming error found at start-up.
func Register(r Registration) {
	registryMu.Lock()
	defer registryMu.Unlock()
	if slices.Contains(Methods, r.Name) || slices.ContainsFunc(registry, func(q Registration) bool { return q.Name == r.Name }) {
		panic(fmt.Sprintf("match: method %q registered twice", r.Name))
	}
	registry = append(registry, r)
}

// Registered returns the registered methods in registration order.
func Registered() []Registration {
	registryMu.Lock()
	defer registryMu.Unlock()
	return slices.Clone(registry)
}

func lookupRegistered(name string) (Registration, bool) {
	for _, r := range Registered() {
		if r.Name == name {
			return r, true
		}
	}
	return Registration{}, false
}

// external is a registered detector in use by a Set.
type external struct {
	name     string
	detector Detector
}

// registeredInUse returns the registered methods among the Set's
// methods, in their order.
func (s *Set) registeredInUse() []Registration {
	var out []Registration
	for _, name := range s.opts.Methods {
		if r, ok := lookupRegistered(name); ok {
			out = append(out, r)
		}
	}
	return out
}

func (s *Set) indexItems() {
	s.itemIndex = make(map[string]int, len(s.Items))
	for i, it := range s.Items {
		s.itemIndex[it.ID] = i
	}
}
