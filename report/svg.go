package report

import (
	"fmt"
	"math"
)

// Charts are drawn here as geometry that the page template renders as
// inline SVG: no script or library is needed to see them, and every bar
// carries its number as text and as data attributes.

// barChart is one benchmark's bars by method.
type barChart struct {
	Bench         string
	Width, Height int
	Bars          []bar
	// Scale says what a full bar stands for, e.g. "full bar = 2% of items".
	Scale string
}

type bar struct {
	Method       string
	Y, W         int
	Found        int
	Percent      string // "12.50", or "" when the item count is unknown
	Label        string // shown after the bar
	LabelX, TxtY int
}

const (
	barLeft   = 84  // room for the method name
	barSpan   = 260 // pixels for 100%
	barRow    = 24
	barHeight = 16
)

// benchChart lays out the bars of bm: length is the percentage of items
// found, on a scale whose full bar is the smallest of 1, 2, 5, 10, 20,
// 50 or 100% that holds the largest bar (leaks are often a few percent);
// or the count relative to the largest when items are unknown.
func benchChart(bm Benchmark) barChart {
	c := barChart{Bench: bm.Name, Width: barLeft + barSpan + 110, Height: len(bm.Methods)*barRow + 8}
	maxFound, maxPct := 1, 0.0
	for _, st := range bm.Methods {
		maxFound = max(maxFound, st.Found)
		maxPct = max(maxPct, st.Percent)
	}
	full := 100.0
	for _, s := range []float64{1, 2, 5, 10, 20, 50} {
		if maxPct <= s {
			full = s
			break
		}
	}
	c.Scale = fmt.Sprintf("full bar = %d found", maxFound)
	if bm.Items > 0 {
		c.Scale = fmt.Sprintf("full bar = %g%% of %d items", full, bm.Items)
	}
	for i, st := range bm.Methods {
		b := bar{Method: st.Method, Y: 4 + i*barRow, Found: st.Found}
		frac := float64(st.Found) / float64(maxFound)
		b.Label = fmt.Sprint(st.Found)
		if bm.Items > 0 {
			frac = st.Percent / full
			b.Percent = fmt.Sprintf("%.2f", st.Percent)
			b.Label = fmt.Sprintf("%d (%s%%)", st.Found, b.Percent)
		}
		b.W = int(math.Round(frac * barSpan))
		if st.Found > 0 {
			b.W = max(b.W, 2) // a leak is never invisible
		}
		b.LabelX, b.TxtY = barLeft+b.W+6, b.Y+barHeight-3
		c.Bars = append(c.Bars, b)
	}
	return c
}

// histChart is one method's score histogram.
type histChart struct {
	Method        string
	Width, Height int
	Bars          []hbar
	Ticks         []tick
	Total         int64
}

type hbar struct {
	Bin            int
	Label          string
	Count          int64
	X, Y, W, H     int
	CountX, CountY int
}

type tick struct {
	X    int
	Text string
}

const (
	histW     = 28
	histGap   = 4
	histPlot  = 110
	histLeft  = 8
	histTop   = 16
	histTicks = 14
)

func scoreChart(h Histogram) histChart {
	c := histChart{Method: h.Method, Width: histLeft*3 + Bins*(histW+histGap) + 8, Height: histTop + histPlot + histTicks + 6}
	var most int64 = 1
	for _, n := range h.Counts {
		most = max(most, n)
		c.Total += n
	}
	for i, n := range h.Counts {
		ht := int(math.Round(float64(n) / float64(most) * histPlot))
		if n > 0 {
			ht = max(ht, 2)
		}
		x := histLeft + i*(histW+histGap)
		c.Bars = append(c.Bars, hbar{Bin: i, Label: binLabel(i), Count: n, X: x, W: histW, H: ht, Y: histTop + histPlot - ht,
			CountX: x + histW/2, CountY: histTop + histPlot - ht - 3})
	}
	for i := 0; i <= Bins; i += 2 {
		c.Ticks = append(c.Ticks, tick{X: histLeft + i*(histW+histGap), Text: fmt.Sprintf("%.1f", float64(i)/Bins)})
	}
	return c
}
