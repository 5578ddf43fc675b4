package neardup

import (
	"fmt"
	"strings"
	"testing"

	"github.com/leakhound/leakhound"
	"github.com/leakhound/leakhound/internal/textgen"
)

func testItems(n int) []leakhound.Item {
	g := textgen.New(3, 20000)
	items := make([]leakhound.Item, n)
	for i := range items {
		items[i] = leakhound.Item{ID: fmt.Sprint("t/", i), Benchmark: "t", Text: g.Paragraph(300)}
	}
	return items
}

// edit replaces every k-th word with "zzz".
func edit(s string, k int) string {
	ws := strings.Fields(s)
	for i := k - 1; i < len(ws); i += k {
		ws[i] = "zzz"
	}
	return strings.Join(ws, " ")
}

func TestDetect(t *testing.T) {
	items := testItems(200)
	d := New(items, 0.4)
	g := textgen.New(99, 20000)
	for _, c := range []struct {
		name string
		text string
		want string
	}{
		{"exact inside", g.Paragraph(1500) + " " + items[7].Text + " " + g.Paragraph(1500), "t/7"},
		{"one word in ten edited", g.Paragraph(800) + " " + edit(items[42].Text, 10), "t/42"},
		{"one in five edited", edit(items[99].Text, 5) + " " + g.Paragraph(800), "t/99"},
		{"unrelated", g.Paragraph(3000), ""},
		{"every other word edited", edit(items[5].Text, 2), ""},
		{"empty", "", ""},
	} {
		fs, err := d.NewWorker().Detect(nil, []byte(c.text))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range fs {
			got = append(got, f.Item)
			if f.Method != Method || f.Score < 0.4 || len(f.Spans) == 0 {
				t.Errorf("%s: finding %+v lacks method, score or spans", c.name, f)
			}
			for _, s := range f.Spans {
				if s.Doc.End > len(c.text) || s.Item.End > len(items[0].Text)+len(items[199].Text)*10 {
					t.Errorf("%s: span %+v out of range", c.name, s)
				}
			}
		}
		if want := c.want; (want == "") != (len(got) == 0) || want != "" && got[0] != want {
			t.Errorf("%s: found %v, want %q", c.name, got, want)
		}
	}
}

func TestUnmix(t *testing.T) {
	for _, x := range []uint64{0, 1, 42, 1 << 63, ^uint64(0), 0x243f6a8885a308d3} {
		if got := unmix(mix(x)); got != x {
			t.Errorf("unmix(mix(%#x)) = %#x", x, got)
		}
	}
}
