package neardup

import (
	"reflect"
	"testing"

	"github.com/leakhound/leakhound"
	"github.com/leakhound/leakhound/match"
)

// TestThroughMatcher checks that the registered method finds in a scan
// what the worker finds alone: with the exact methods (the matcher hands
// over its tokens) and without them.
func TestThroughMatcher(t *testing.T) {
	items := pinItems()
	recs := pinRecords(items, 71, 80)
	alone := New(items, threshold).NewWorker()
	for _, names := range [][]string{{"gpt3", Method}, {Method}} {
		methods, err := match.ParseMethods(names)
		if err != nil {
			t.Fatal(err)
		}
		o := match.DefaultOptions()
		o.Methods = methods
		s, err := match.NewSet(items, o)
		if err != nil {
			t.Fatal(err)
		}
		m := s.NewMatcher()
		found := 0
		for i, rec := range recs {
			want, err := alone.Detect(nil, []byte(rec))
			if err != nil {
				t.Fatal(err)
			}
			fs, err := m.Match(nil, []byte(rec))
			if err != nil {
				t.Fatal(err)
			}
			var got []leakhound.Finding
			for _, f := range fs {
				if f.Method == Method {
					got = append(got, f)
				}
			}
			found += len(got)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%v, record %d: the matcher gives %v, the worker alone %v", names, i, got, want)
			}
		}
		if found == 0 {
			t.Errorf("%v: no findings on the planted records", names)
		}
	}
}
