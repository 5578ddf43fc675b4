package match

import (
	"bytes"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/leakhound/leakhound"
	"github.com/leakhound/leakhound/ngram"
)

// substringDetector flags an item whose whole text occurs byte for byte.
type substringDetector struct{ items []leakhound.Item }

func (d substringDetector) NewWorker() Worker { return d }

func (d substringDetector) Detect(dst []leakhound.Finding, text []byte) ([]leakhound.Finding, error) {
	for _, it := range d.items {
		if i := bytes.Index(text, []byte(it.Text)); i >= 0 {
			dst = append(dst, leakhound.Finding{Item: it.ID, Benchmark: it.Benchmark, Method: "test-substring", Score: 1,
				Spans: []leakhound.SpanPair{{Doc: leakhound.Span{Start: i, End: i + len(it.Text)}, Item: leakhound.Span{End: len(it.Text)}}}})
		}
	}
	return dst, nil
}

// The registry is global and refuses a name twice, so the test methods
// are registered once per process (go test -count=N runs a test N times);
// the token test's state is reset by each run.
var (
	registerTestMethods sync.Once
	tokenT              *testing.T
	tokenCalls          int
)

func registerTestDetectors() {
	registerTestMethods.Do(func() {
		Register(Registration{Name: "test-substring", Build: func(items []leakhound.Item, _ Options) (Detector, error) {
			return substringDetector{items}, nil
		}})
		Register(Registration{Name: "test-tokens", Build: func(items []leakhound.Item, _ Options) (Detector, error) {
			return tokenCounter{tokenT, items, &tokenCalls}, nil
		}})
	})
}

func TestRegisteredDetector(t *testing.T) {
	registerTestDetectors()
	methods, err := ParseMethods([]string{"gpt3", "test-substring"})
	if err != nil {
		t.Fatal(err)
	}
	if all, _ := ParseMethods([]string{"all"}); len(all) != len(Methods) {
		t.Errorf("all = %v: a detector without InAll must not be in it", all)
	}
	items := testItems(8, 10)
	o := DefaultOptions()
	o.Methods = methods
	s, err := NewSet(items, o)
	if err != nil {
		t.Fatal(err)
	}
	m := s.NewMatcher()
	fs, err := m.Match(nil, []byte("x "+items[6].Text+" y"))
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 2 || fs[1].Method != "test-substring" || fs[1].Item != items[6].ID {
		t.Fatalf("findings = %+v, want gpt3 and test-substring on item 6", fs)
	}
	rows := s.Summarize([]*Tally{m.Tally()})
	if rows[1].Method != "test-substring" || rows[1].Found != 1 || rows[1].DocsFlagged != 1 {
		t.Errorf("summary row = %+v, want 1 found, 1 doc", rows[1])
	}
}

// tokenCounter is a TokenWorker that checks the tokens it is given and
// flags every item whose first token hash is among them.
type tokenCounter struct {
	t     *testing.T
	items []leakhound.Item
	calls *int
}

func (d tokenCounter) NewWorker() Worker { return d }

func (d tokenCounter) Detect(dst []leakhound.Finding, text []byte) ([]leakhound.Finding, error) {
	d.t.Error("Detect called on a TokenWorker")
	return dst, nil
}

func (d tokenCounter) DetectTokens(dst []leakhound.Finding, text []byte, toks []ngram.Token) ([]leakhound.Finding, error) {
	*d.calls++
	if want := ngram.AppendTokens(nil, text); !slices.Equal(toks, want) {
		d.t.Errorf("DetectTokens got %d tokens, want the %d of ngram.AppendTokens", len(toks), len(want))
	}
	for _, it := range d.items {
		first := ngram.AppendTokens(nil, []byte(it.Text))[0].Hash
		if slices.ContainsFunc(toks, func(t ngram.Token) bool { return t.Hash == first }) {
			dst = append(dst, leakhound.Finding{Item: it.ID, Benchmark: it.Benchmark, Method: "test-tokens", Score: 1})
		}
	}
	return dst, nil
}

// TestTokenWorker checks that a registered TokenWorker gets the record's
// tokens, with and without the exact methods (which tokenize first).
func TestTokenWorker(t *testing.T) {
	tokenT, tokenCalls = t, 0
	registerTestDetectors()
	items := testItems(8, 10)
	sets := [][]string{{"gpt3", "test-tokens"}, {"test-tokens"}, {"gpt4", "test-tokens"}, {"gpt3", "palm", "gpt4", "llama2", "test-tokens"}}
	// One matcher reads several records: its token buffer is reused,
	// and an empty record has no tokens.
	records := []string{"x " + items[3].Text + " y", "", "Short, ÉCOLE 12", items[5].Text + " " + items[6].Text, "  "}
	for _, names := range sets {
		methods, err := ParseMethods(names)
		if err != nil {
			t.Fatal(err)
		}
		o := DefaultOptions()
		o.Methods = methods
		s, err := NewSet(items, o)
		if err != nil {
			t.Fatal(err)
		}
		m := s.NewMatcher()
		for r, rec := range records {
			fs, err := m.Match(nil, []byte(rec))
			if err != nil {
				t.Fatal(err)
			}
			if r == 0 && !slices.ContainsFunc(fs, func(f leakhound.Finding) bool { return f.Method == "test-tokens" && f.Item == items[3].ID }) {
				t.Errorf("%v: findings %+v lack test-tokens on item 3", names, fs)
			}
		}
	}
	if want := len(sets) * len(records); tokenCalls != want {
		t.Errorf("DetectTokens called %d times, want %d", tokenCalls, want)
	}
}

var registerFailing sync.Once

// TestBuildFailures checks how NewSet reports registered methods that
// fail to build: the first error in method order (as before the builders
// ran at the same time), and a builder's panic in the caller's goroutine,
// where the caller can recover it.
func TestBuildFailures(t *testing.T) {
	registerFailing.Do(func() {
		for _, name := range []string{"test-fail-a", "test-fail-b"} {
			Register(Registration{Name: name, Build: func([]leakhound.Item, Options) (Detector, error) {
				return nil, errors.New("no " + name)
			}})
		}
		Register(Registration{Name: "test-panic", Build: func([]leakhound.Item, Options) (Detector, error) {
			panic("test-panic builder")
		}})
	})
	build := func(names ...string) (recovered any, err error) {
		defer func() { recovered = recover() }()
		methods, err := ParseMethods(names)
		if err != nil {
			t.Fatal(err)
		}
		o := DefaultOptions()
		o.Methods = methods
		_, err = NewSet(testItems(4, 10), o)
		return nil, err
	}
	for _, c := range []struct {
		names []string
		want  string
	}{
		{[]string{"gpt3", "test-fail-b", "test-fail-a"}, "test-fail-b: no test-fail-b"},
		{[]string{"test-fail-a", "test-fail-b"}, "test-fail-a: no test-fail-a"},
	} {
		if p, err := build(c.names...); p != nil || err == nil || err.Error() != c.want {
			t.Errorf("%v: error %v, panic %v; want the error %q", c.names, err, p, c.want)
		}
	}
	if p, err := build("gpt3", "test-panic"); p != "test-panic builder" {
		t.Errorf("a builder's panic: error %v, recovered %v; want the panic in NewSet's goroutine", err, p)
	}
}
