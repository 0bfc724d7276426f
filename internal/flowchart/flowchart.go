// Package flowchart renders Sankey-style flow diagrams as self-contained,
// server-side SVG markup using only the standard library.
//
// The output contains no scripts and no style attributes (only SVG
// presentation attributes), so it is safe to embed in pages served with a
// strict Content-Security-Policy such as `style-src 'self'`.
package flowchart

import (
	"encoding/xml"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Node is a box in the diagram.
type Node struct {
	ID     int64
	Label  string // shown next to the box; XML-escaped
	Sub    string // optional second line (e.g. an amount); XML-escaped
	Column int    // 0 = leftmost (sources) ... n = rightmost (recipients); negative is treated as 0
	Href   string // optional site-local link ("/..."); anything else is ignored
}

// Link is a flow of Value (a positive integer, e.g. fen) from one node to
// another, drawn in the colour of its Group (e.g. a fund channel code).
type Link struct {
	From, To int64
	Value    int64
	Group    string
	Title    string // tooltip text, rendered as <title> inside the band
}

// Chart is a whole diagram: nodes, the links between them and the nominal
// width in pixels (0 means 960).
type Chart struct {
	Nodes []Node
	Links []Link
	Width int
}

// PageWidth is the width, in CSS pixels, of the content column a chart
// is drawn for: the viewBox is this wide, so that one unit is one pixel
// there and every font size below is the size a reader sees.
const PageWidth = 1000

// MinFontPx is the smallest font size used, in viewBox units (= pixels
// at PageWidth).
const MinFontPx = 12

const (
	defaultWidth = PageWidth
	nodeW        = 12.0
	nodeGap      = 8.0
	minNodeH     = 18.0  // a node is at least one line of text tall
	flowH        = 480.0 // pixels for the tallest column's total flow
	minTotalH    = 200.0
	marginTop    = 16.0
	marginLeft   = 10.0
	marginRight  = 6.0
	labelReserve = 210.0 // room right of the last column for labels
	labelPad     = 6.0
	labelSize    = 14.0
	subSize      = MinFontPx
	twoLineH     = 34.0 // nodes at least this tall get Label and Sub on two lines
	nodeFill     = "#455a64"
)

// palette holds print-friendly group colours (Tableau 10), assigned to groups
// in order of first appearance; with more than len(palette) groups the
// colours repeat.
var palette = [...]string{
	"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
	"#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
}

// placed is a node with its computed geometry and stacking cursors.
type placed struct {
	Node
	in, out       float64 // total inflow/outflow (float64: sums of int64 may overflow)
	x, y, h       float64
	outOff, inOff float64 // next free y offset for outgoing/incoming bands
}

// Render returns the SVG markup for c: a single <svg> element (viewBox,
// width="100%", role="img", aria-label="flow diagram") with the bands, the
// node boxes and labels, and a legend of groups at the bottom.
//
// Links whose endpoints are missing, whose Value is <= 0, or which do not go
// strictly rightwards (target column <= source column) are skipped and do
// not count towards node sizes. Duplicate node IDs keep the first node. A
// chart with no nodes or no drawable links renders as a small SVG with a
// centred "—". Output is deterministic for the same input.
func Render(c Chart) string {
	width := float64(c.Width)
	if c.Width <= 0 {
		width = defaultWidth
	}
	byID := make(map[int64]*placed, len(c.Nodes))
	nodes := make([]*placed, 0, len(c.Nodes))
	for _, n := range c.Nodes {
		if _, dup := byID[n.ID]; dup {
			continue
		}
		n.Column = max(n.Column, 0)
		p := &placed{Node: n}
		byID[n.ID] = p
		nodes = append(nodes, p)
	}
	links := make([]Link, 0, len(c.Links))
	for _, l := range c.Links {
		f, t := byID[l.From], byID[l.To]
		if f == nil || t == nil || l.Value <= 0 || t.Column <= f.Column {
			continue
		}
		links = append(links, l)
		f.out += float64(l.Value)
		t.in += float64(l.Value)
	}
	if len(nodes) == 0 || len(links) == 0 {
		return empty(width)
	}

	// Vertical scale: tallest column's flow maps to flowH pixels.
	ncols := 0
	for _, n := range nodes {
		ncols = max(ncols, n.Column+1)
	}
	colFlow := make([]float64, ncols)
	for _, n := range nodes {
		colFlow[n.Column] += max(n.in, n.out)
	}
	maxFlow := 0.0
	for _, f := range colFlow {
		maxFlow = max(maxFlow, f)
	}
	scale := flowH / maxFlow // maxFlow > 0: at least one link with Value > 0

	colPix := make([]float64, ncols)
	for _, n := range nodes {
		n.h = max(minNodeH, max(n.in, n.out)*scale)
		if colPix[n.Column] > 0 {
			colPix[n.Column] += nodeGap
		}
		colPix[n.Column] += n.h
	}
	areaH := 0.0
	for _, p := range colPix {
		areaH = max(areaH, p)
	}

	// Horizontal layout: even column steps within the width, never wider
	// (a wider viewBox would shrink every label); labels that do not fit
	// their column are cut, the full text in their <title>.
	totalW := width
	step := (width - marginLeft - labelReserve - nodeW) / float64(ncols-1)
	room := func(col int) float64 {
		if col == ncols-1 {
			return labelReserve - labelPad - marginRight
		}
		return step - nodeW - 2*labelPad
	}

	cursor := make([]float64, ncols)
	for i := range cursor {
		cursor[i] = marginTop + (areaH-colPix[i])/2
	}
	for _, n := range nodes {
		n.x = marginLeft + float64(n.Column)*step
		n.y = cursor[n.Column]
		cursor[n.Column] += n.h + nodeGap
	}

	var b strings.Builder
	colours := map[string]string{}
	var groups []string
	for _, l := range links {
		col, ok := colours[l.Group]
		if !ok {
			col = palette[len(groups)%len(palette)]
			colours[l.Group] = col
			groups = append(groups, l.Group)
		}
		f, t := byID[l.From], byID[l.To]
		th := float64(l.Value) * scale
		x0, x1 := f.x+nodeW, t.x
		y0, y1 := f.y+f.outOff, t.y+t.inOff
		f.outOff += th
		t.inOff += th
		mx := (x0 + x1) / 2
		fmt.Fprintf(&b, `<path d="M%s %sC%s %s,%s %s,%s %sL%s %sC%s %s,%s %s,%s %sZ" fill="%s" fill-opacity="0.45">`,
			num(x0), num(y0), num(mx), num(y0), num(mx), num(y1), num(x1), num(y1),
			num(x1), num(y1+th), num(mx), num(y1+th), num(mx), num(y0+th), num(x0), num(y0+th), col)
		if l.Title != "" {
			b.WriteString("<title>" + esc(l.Title) + "</title>")
		}
		b.WriteString("</path>")
	}

	for _, n := range nodes {
		href := safeHref(n.Href)
		if href != "" {
			b.WriteString(`<a href="` + esc(href) + `">`)
		}
		title := n.Label
		if n.Sub != "" {
			title += " " + n.Sub
		}
		fmt.Fprintf(&b, `<rect x="%s" y="%s" width="%s" height="%s" fill="%s"><title>%s</title></rect>`,
			num(n.x), num(n.y), num(nodeW), num(n.h), nodeFill, esc(title))
		tx, cy := n.x+nodeW+labelPad, n.y+n.h/2
		w := room(n.Column)
		switch {
		case n.Sub == "":
			label(&b, tx, cy+5, labelSize, "#263238", fit(n.Label, w, labelSize), "", title)
		case n.h < twoLineH: // too thin for two lines: "Label  Sub" on one line
			subW := textWidth(n.Sub, subSize) + 8
			label(&b, tx, cy+5, labelSize, "#263238", fit(n.Label, w-subW, labelSize), fit(n.Sub, w, subSize), title)
		default:
			label(&b, tx, cy-3, labelSize, "#263238", fit(n.Label, w, labelSize), "", title)
			label(&b, tx, cy+13, subSize, "#546e7a", fit(n.Sub, w, subSize), "", title)
		}
		if href != "" {
			b.WriteString("</a>")
		}
	}

	// Legend: swatch + group name, wrapping into rows.
	lx, ly := marginLeft, marginTop+areaH+24
	for _, g := range groups {
		name := g
		if name == "" {
			name = "—"
		}
		adv := 18 + textWidth(name, subSize) + 20
		if lx > marginLeft && lx+adv > totalW-marginLeft {
			lx, ly = marginLeft, ly+20
		}
		fmt.Fprintf(&b, `<rect x="%s" y="%s" width="12" height="12" fill="%s" fill-opacity="0.8"/>`, num(lx), num(ly), colours[g])
		label(&b, lx+18, ly+11, subSize, "#263238", name, "", "")
		lx += adv
	}
	totalH := max(minTotalH, ly+12+12)

	return fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %s %s" width="100%%" role="img" aria-label="flow diagram" font-family="sans-serif">`,
		num(totalW), num(totalH)) + b.String() + "</svg>"
}

// label writes a text element with a white halo so it stays legible over
// bands; a non-empty sub is appended on the same line in a lighter colour;
// a non-empty title (the full text) is its tooltip.
func label(b *strings.Builder, x, y, size float64, fill, s, sub, title string) {
	fmt.Fprintf(b, `<text x="%s" y="%s" font-size="%s" fill="%s" stroke="#fff" stroke-width="3" stroke-opacity="0.8" paint-order="stroke">`,
		num(x), num(y), num(size), fill)
	if title != "" {
		b.WriteString("<title>" + esc(title) + "</title>")
	}
	b.WriteString(esc(s))
	if sub != "" {
		fmt.Fprintf(b, `<tspan dx="8" font-size="%s" fill="#546e7a">%s</tspan>`, num(subSize), esc(sub))
	}
	b.WriteString("</text>")
}

// fit cuts s, with an ellipsis, to what fits in w pixels at size.
func fit(s string, w, size float64) string {
	if textWidth(s, size) <= w {
		return s
	}
	rs := []rune(s)
	for len(rs) > 0 && textWidth(string(rs)+"…", size) > w {
		rs = rs[:len(rs)-1]
	}
	return string(rs) + "…"
}

// empty is the placeholder rendered when there is nothing to draw.
func empty(width float64) string {
	return fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %s 60" width="100%%" role="img" aria-label="flow diagram" font-family="sans-serif"><text x="%s" y="36" text-anchor="middle" font-size="16" fill="#78909c">—</text></svg>`,
		num(width), num(width/2))
}

// textWidth estimates the rendered width at font size: ~0.6 em per ASCII
// character and 1 em per other (typically CJK) character.
func textWidth(s string, size float64) float64 {
	w := 0.0
	for _, r := range s {
		if r < 0x80 {
			w += 0.6 * size
		} else {
			w += size
		}
	}
	return w
}

// safeHref returns h if it is a site-local path ("/..."), else "". Scheme-
// relative forms ("//host", "/\host") are rejected too.
func safeHref(h string) string {
	if !strings.HasPrefix(h, "/") || strings.HasPrefix(h, "//") || strings.HasPrefix(h, `/\`) {
		return ""
	}
	return h
}

// num formats a coordinate with one decimal; NaN/Inf (never expected) become 0.
func num(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "0"
	}
	r := math.Round(f*10) / 10
	if r == 0 {
		r = 0 // normalise -0
	}
	return strconv.FormatFloat(r, 'f', -1, 64)
}

// esc escapes s for use in XML text and attribute values.
func esc(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s)) // strings.Builder never fails
	return b.String()
}
