package match

import (
	"bytes"
	"testing"

	"github.com/leakhound/leakhound"
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

func TestRegisteredDetector(t *testing.T) {
	Register(Registration{Name: "test-substring", Build: func(items []leakhound.Item, _ Options) (Detector, error) {
		return substringDetector{items}, nil
	}})
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
