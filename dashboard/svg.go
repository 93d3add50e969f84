package dashboard

import (
	"fmt"
	"html"
	"math"
	"strings"
)

// Series is one colour of a chart: a single bar value, or one segment of
// a stacked bar.
type Series struct {
	Name  string
	Color string // a CSS colour the service chooses, never user text
}

// Bar is one row of a chart: its label and one value per series.
type Bar struct {
	Label  string
	Values []float64
}

// Chart is a horizontal bar chart; with more than one series the bars are
// stacked. Each bar's label is written whole above it, on as many lines as
// it needs, so that long labels (plan titles in any language) are read in
// full and the bars keep the whole width of a phone.
type Chart struct {
	ID     string // element id; also names the title and description
	Title  string
	Series []Series
	Bars   []Bar
	// Max is the value of a full bar; 0 means the largest bar total.
	Max float64
	// Percent shows values (0..1) as percentages.
	Percent bool
	// Empty is what the chart says when it has no bars, in the page's
	// language ("Nothing to show yet" when unset).
	Empty string
}

// Geometry of the drawing, in viewBox units. The SVG scales to the width
// of its container, up to its own width (the page's style sheet), so that
// a unit stays about a pixel: the charts' 14-unit text is never much
// smaller than 13 px on a 390 px phone, nor large on a desktop.
const (
	chartWidth = 340
	valueWidth = 52 // the value written after the bar
	barHeight  = 20
	barGap     = 14 // between one bar and the next label
	lineHeight = 18 // of a label's line
	legendRow  = 24
	charWidth  = 8 // a generous average glyph width at the charts' 14px
	// lineLen is how many characters of a label fit on one line.
	lineLen = chartWidth / charWidth
)

// SVG draws the chart as an inline <svg> element. Every piece of text is
// escaped, the drawing uses presentation attributes only (no style
// attributes, no script), so it passes a strict Content-Security-Policy.
func (c Chart) SVG() string {
	var b strings.Builder
	plot := float64(chartWidth - valueWidth)
	legend := c.legend()
	top := 0
	if len(legend) > 0 {
		top = legend[len(legend)-1].row*legendRow + legendRow + 6
	}
	labels := make([][]string, len(c.Bars))
	height := top
	for i, bar := range c.Bars {
		labels[i] = wrap(bar.Label, lineLen)
		height += len(labels[i])*lineHeight + 4 + barHeight + barGap
	}
	if len(c.Bars) == 0 {
		height += barHeight + barGap
	}
	full := c.Max
	if full <= 0 {
		for _, bar := range c.Bars {
			full = max(full, sum(bar.Values))
		}
	}
	id := attr(c.ID)
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="%s" viewBox="0 0 %d %d" role="img" aria-labelledby="%s-title %s-desc" preserveAspectRatio="xMinYMin meet">`,
		id, chartWidth, height, id, id)
	fmt.Fprintf(&b, `<title id="%s-title">%s</title>`, id, text(c.Title))
	fmt.Fprintf(&b, `<desc id="%s-desc">%s</desc>`, id, text(c.describe()))
	for _, l := range legend {
		y := l.row * legendRow
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="14" height="14" fill="%s" class="swatch"/><text x="%d" y="%d" class="legend">%s</text>`,
			l.x, y+4, attr(l.Color), l.x+18, y+16, text(l.Name))
	}
	if len(c.Bars) == 0 {
		fmt.Fprintf(&b, `<text x="0" y="%d" class="empty">%s</text>`, top+barHeight-4, text(c.empty()))
	}
	y := top
	for i, bar := range c.Bars {
		fmt.Fprintf(&b, `<g class="bar"><title>%s</title>`, text(bar.Label+": "+c.valueText(bar.Values)))
		b.WriteString(`<text class="label">`)
		for j, line := range labels[i] {
			fmt.Fprintf(&b, `<tspan x="0" y="%d">%s</tspan>`, y+(j+1)*lineHeight-4, text(line))
		}
		b.WriteString(`</text>`)
		y += len(labels[i])*lineHeight + 4
		fmt.Fprintf(&b, `<rect x="0" y="%d" width="%g" height="%d" class="track"/>`, y, plot, barHeight)
		x := 0.0
		for j, v := range bar.Values {
			if v <= 0 || full <= 0 || j >= len(c.Series) {
				continue
			}
			w := math.Min(v/full, 1) * plot
			w = math.Min(w, plot-x)
			fmt.Fprintf(&b, `<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s"/>`, x, y, w, barHeight, attr(c.Series[j].Color))
			x += w
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" class="value">%s</text>`, int(plot)+6, y+barHeight-5, text(c.total(bar.Values)))
		b.WriteString(`</g>`)
		y += barHeight + barGap
	}
	b.WriteString(`</svg>`)
	return b.String()
}

func (c Chart) empty() string {
	if c.Empty != "" {
		return c.Empty
	}
	return "Nothing to show yet"
}

// wrap breaks s into lines of at most n characters, at spaces where it
// can; a word longer than a line is cut. Nothing is left out: the label
// is read whole.
func wrap(s string, n int) []string {
	var lines []string
	var cur []rune
	for _, word := range strings.Fields(s) {
		w := []rune(word)
		for len(w) > n { // a word that fills lines of its own
			if len(cur) > 0 {
				lines, cur = append(lines, string(cur)), nil
			}
			lines, w = append(lines, string(w[:n])), w[n:]
		}
		switch {
		case len(cur) == 0:
			cur = w
		case len(cur)+1+len(w) <= n:
			cur = append(append(cur, ' '), w...)
		default:
			lines, cur = append(lines, string(cur)), w
		}
	}
	if len(cur) > 0 || len(lines) == 0 {
		lines = append(lines, string(cur))
	}
	return lines
}

// legendItem is a series placed in the legend.
type legendItem struct {
	Series
	x, row int
}

// legend places the series' names in rows that fit the width; a single
// series needs no legend.
func (c Chart) legend() []legendItem {
	if len(c.Series) < 2 {
		return nil
	}
	var out []legendItem
	x, row := 0, 0
	for _, s := range c.Series {
		w := 18 + charWidth*len([]rune(s.Name)) + 16
		if x > 0 && x+w > chartWidth {
			x, row = 0, row+1
		}
		out = append(out, legendItem{Series: s, x: x, row: row})
		x += w
	}
	return out
}

// describe is the chart in words, for screen readers.
func (c Chart) describe() string {
	parts := make([]string, 0, len(c.Bars))
	for _, bar := range c.Bars {
		parts = append(parts, bar.Label+": "+c.valueText(bar.Values))
	}
	if len(parts) == 0 {
		return c.empty() + "."
	}
	return strings.Join(parts, "; ") + "."
}

func (c Chart) valueText(vs []float64) string {
	if len(c.Series) <= 1 {
		return c.format(sum(vs))
	}
	parts := make([]string, 0, len(vs))
	for j, v := range vs {
		if j < len(c.Series) {
			parts = append(parts, fmt.Sprintf("%s %s", c.Series[j].Name, c.format(v)))
		}
	}
	return strings.Join(parts, ", ")
}

func (c Chart) total(vs []float64) string { return c.format(sum(vs)) }

func (c Chart) format(v float64) string {
	if c.Percent {
		return fmt.Sprintf("%.0f%%", v*100)
	}
	if v == math.Trunc(v) {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.2f", v)
}

func sum(vs []float64) float64 {
	t := 0.0
	for _, v := range vs {
		t += v
	}
	return t
}

// text escapes character data; attr escapes an attribute value. Both
// escape quotes too, so one function would do; two names say where.
func text(s string) string { return html.EscapeString(s) }
func attr(s string) string { return html.EscapeString(s) }
