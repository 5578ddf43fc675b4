package cli

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// progressLine draws a one-line progress display on a terminal, redrawn
// in place with a carriage return. It is only used when stderr is a TTY.
type progressLine struct {
	w     io.Writer
	width int // length of the last line drawn, to blank it out
}

// draw replaces the current line with s.
func (p *progressLine) draw(s string) {
	pad := ""
	if n := p.width - len(s); n > 0 {
		pad = strings.Repeat(" ", n)
	}
	fmt.Fprintf(p.w, "\r%s%s", s, pad)
	p.width = len(s)
}

// clear removes the line, so that the next output starts clean.
func (p *progressLine) clear() {
	if p.width > 0 {
		fmt.Fprintf(p.w, "\r%s\r", strings.Repeat(" ", p.width))
		p.width = 0
	}
}

// bar renders done/total as a 20-cell bar with a percentage.
func bar(done, total int64) string {
	if total <= 0 {
		return ""
	}
	frac := min(1, float64(done)/float64(total))
	cells := int(frac * 20)
	return fmt.Sprintf("[%s%s] %5.1f%%", strings.Repeat("#", cells), strings.Repeat(".", 20-cells), 100*frac)
}

// eta estimates the time left from the rate so far.
func eta(done, total int64, elapsed time.Duration) string {
	if total <= 0 || done <= 0 || done >= total {
		return ""
	}
	left := time.Duration(float64(elapsed) * float64(total-done) / float64(done))
	return "ETA " + left.Round(time.Second).String()
}

// humanBytes formats n bytes with a binary unit.
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
