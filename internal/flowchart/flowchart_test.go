package flowchart

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"
)

// elem is a minimal parsed XML tree used to inspect the output.
type elem struct {
	Name string
	Attr map[string]string
	Kids []*elem
	Text string
}

// parse checks that s is well-formed XML with a single <svg> root, free of
// scripts, style attributes and NaN/Inf, and returns the tree.
func parse(t *testing.T, s string) *elem {
	t.Helper()
	for _, bad := range []string{"style=", "<script", "NaN", "Inf"} {
		if strings.Contains(s, bad) {
			t.Fatalf("output contains %q:\n%s", bad, s)
		}
	}
	d := xml.NewDecoder(strings.NewReader(s))
	root := &elem{}
	stack := []*elem{root}
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("malformed XML: %v\n%s", err, s)
		}
		top := stack[len(stack)-1]
		switch tok := tok.(type) {
		case xml.StartElement:
			e := &elem{Name: tok.Name.Local, Attr: map[string]string{}}
			for _, a := range tok.Attr {
				e.Attr[a.Name.Local] = a.Value
			}
			top.Kids = append(top.Kids, e)
			stack = append(stack, e)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			top.Text += string(tok)
		}
	}
	if len(root.Kids) != 1 || root.Kids[0].Name != "svg" {
		t.Fatalf("want a single <svg> root, got %d elements", len(root.Kids))
	}
	svg := root.Kids[0]
	want := map[string]string{"width": "100%", "role": "img", "aria-label": "flow diagram"}
	for k, v := range want {
		if svg.Attr[k] != v {
			t.Errorf("svg %s = %q, want %q", k, svg.Attr[k], v)
		}
	}
	if len(strings.Fields(svg.Attr["viewBox"])) != 4 {
		t.Errorf("bad viewBox %q", svg.Attr["viewBox"])
	}
	return svg
}

// all returns every descendant element named name, in document order.
func (e *elem) all(name string) []*elem {
	var out []*elem
	for _, k := range e.Kids {
		if k.Name == name {
			out = append(out, k)
		}
		out = append(out, k.all(name)...)
	}
	return out
}

// title returns the text of e's <title> child.
func (e *elem) title() string {
	for _, k := range e.Kids {
		if k.Name == "title" {
			return k.Text
		}
	}
	return ""
}

const nasty = `<script>&"'`

// realistic builds channel → pool → 3 projects → 20 households.
func realistic() Chart {
	c := Chart{Nodes: []Node{
		{ID: 1, Label: "微信支付", Sub: "1,234.56", Column: 0, Href: "/channels/wx"},
		{ID: 2, Label: nasty, Column: 0, Href: "javascript:alert(1)"},
		{ID: 10, Label: "资金池 " + nasty, Sub: nasty, Column: 1, Href: "/pool"},
	}}
	c.Links = append(c.Links,
		Link{From: 1, To: 10, Value: 600_000, Group: "wx", Title: "微信 → 池"},
		Link{From: 2, To: 10, Value: 400_000, Group: nasty, Title: nasty})
	for p := int64(0); p < 3; p++ {
		c.Nodes = append(c.Nodes, Node{ID: 100 + p, Label: fmt.Sprintf("项目 %d", p), Column: 2, Href: fmt.Sprintf("/projects/%d", p)})
		c.Links = append(c.Links, Link{From: 10, To: 100 + p, Value: 300_000 + p*10_000, Group: "pool"})
	}
	for h := int64(0); h < 20; h++ {
		c.Nodes = append(c.Nodes, Node{ID: 1000 + h, Label: fmt.Sprintf("农户%02d", h), Sub: "¥" + strconv.FormatInt(h*100, 10), Column: 3})
		c.Links = append(c.Links, Link{From: 100 + h%3, To: 1000 + h, Value: 10_000 + h*1000, Group: fmt.Sprintf("g%d", h%3), Title: "t"})
	}
	return c
}

func TestRealisticChartWellFormedAndEscaped(t *testing.T) {
	out := Render(realistic())
	svg := parse(t, out)
	if got := len(svg.all("path")); got != 25 {
		t.Errorf("paths = %d, want 25", got)
	}
	if got := len(svg.all("rect")) - 6; got != 26 { // minus 6 legend swatches
		t.Errorf("node rects = %d, want 26", got)
	}
	if !strings.Contains(out, "&lt;script&gt;&amp;&#34;&#39;") {
		t.Errorf("nasty label not escaped as expected")
	}
	var texts []string
	for _, e := range append(svg.all("text"), svg.all("tspan")...) {
		texts = append(texts, e.Text)
	}
	joined := strings.Join(texts, "\n")
	for _, want := range []string{nasty, "资金池 " + nasty, "微信支付", "1,234.56", "农户19", "¥1900", "wx", "g2"} {
		if !strings.Contains(joined, want) {
			t.Errorf("text %q not rendered", want)
		}
	}
	if out != Render(realistic()) {
		t.Error("output not deterministic")
	}
}

func TestHref(t *testing.T) {
	tests := []struct {
		href string
		want string
	}{
		{"/projects/7?tab=a&b=c", "/projects/7?tab=a&b=c"},
		{"javascript:alert(1)", ""},
		{"https://evil.example/", ""},
		{"//evil.example/", ""},
		{`/\evil.example/`, ""},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.href, func(t *testing.T) {
			c := Chart{
				Nodes: []Node{{ID: 1, Label: "a", Href: tt.href}, {ID: 2, Label: "b", Column: 1}},
				Links: []Link{{From: 1, To: 2, Value: 5, Group: "x"}},
			}
			as := parse(t, Render(c)).all("a")
			if tt.want == "" {
				if len(as) != 0 {
					t.Fatalf("href %q should be dropped, got %d <a>", tt.href, len(as))
				}
				return
			}
			if len(as) != 1 || as[0].Attr["href"] != tt.want {
				t.Fatalf("want one <a href=%q>, got %+v", tt.want, as)
			}
			if len(as[0].all("rect")) != 1 || len(as[0].all("text")) != 1 {
				t.Errorf("<a> should wrap box and label")
			}
		})
	}
}

func TestGroupColours(t *testing.T) {
	c := Chart{Nodes: []Node{{ID: 1}, {ID: 2}, {ID: 3, Column: 1}}}
	groups := []string{"A", "B", "A", "C", "B", "D"}
	for i, g := range groups {
		c.Links = append(c.Links, Link{From: int64(1 + i%2), To: 3, Value: 10, Group: g, Title: strconv.Itoa(i)})
	}
	fill := map[string]string{} // group → colour
	used := map[string]string{} // colour → group
	for _, p := range parse(t, Render(c)).all("path") {
		i, _ := strconv.Atoi(p.title())
		g, col := groups[i], p.Attr["fill"]
		if p.Attr["fill-opacity"] != "0.45" {
			t.Errorf("fill-opacity = %q", p.Attr["fill-opacity"])
		}
		if prev, ok := fill[g]; ok && prev != col {
			t.Errorf("group %s has colours %s and %s", g, prev, col)
		}
		if other, ok := used[col]; ok && other != g {
			t.Errorf("groups %s and %s share colour %s", g, other, col)
		}
		fill[g], used[col] = col, g
	}
	if len(fill) != 4 {
		t.Errorf("got %d groups, want 4", len(fill))
	}
}

func TestNodeHeightsProportional(t *testing.T) {
	c := Chart{
		Nodes: []Node{{ID: 1, Label: "small"}, {ID: 2, Label: "big"}, {ID: 3, Label: "sink", Column: 1}},
		Links: []Link{{From: 1, To: 3, Value: 1000}, {From: 2, To: 3, Value: 2000}},
	}
	h := map[string]float64{}
	for _, r := range parse(t, Render(c)).all("rect") {
		v, err := strconv.ParseFloat(r.Attr["height"], 64)
		if err != nil {
			t.Fatal(err)
		}
		h[r.title()] = v
	}
	if r := h["big"] / h["small"]; math.Abs(r-2) > 0.05 {
		t.Errorf("big/small height ratio = %.3f, want ~2 (%v)", r, h)
	}
	if r := h["sink"] / (h["big"] + h["small"]); math.Abs(r-1) > 0.02 {
		t.Errorf("sink/(big+small) = %.3f, want ~1", r)
	}
}

func TestDegenerateCharts(t *testing.T) {
	two := []Node{{ID: 1, Label: "a"}, {ID: 2, Label: "b", Column: 1}}
	tests := []struct {
		name  string
		c     Chart
		empty bool
	}{
		{"zero", Chart{}, true},
		{"nodes only", Chart{Nodes: two}, true},
		{"links only", Chart{Links: []Link{{From: 1, To: 2, Value: 1}}}, true},
		{"dangling", Chart{Nodes: two, Links: []Link{{From: 1, To: 9, Value: 5}, {From: 9, To: 2, Value: 5}}}, true},
		{"non-positive", Chart{Nodes: two, Links: []Link{{From: 1, To: 2}, {From: 1, To: 2, Value: -3}}}, true},
		{"backwards and self", Chart{Nodes: two, Links: []Link{{From: 2, To: 1, Value: 5}, {From: 1, To: 1, Value: 5}}}, true},
		{"dangling mixed", Chart{Nodes: two, Links: []Link{{From: 1, To: 9, Value: 5}, {From: 1, To: 2, Value: 5}, {From: 2, To: 1, Value: 7}}}, false},
		{"tiny width negative column dup id", Chart{Width: 50, Nodes: append([]Node{{ID: 1, Column: -4}}, two...), Links: []Link{{From: 1, To: 2, Value: 1}}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svg := parse(t, Render(tt.c))
			paths := svg.all("path")
			if tt.empty {
				if len(paths) != 0 || len(svg.all("text")) != 1 || svg.all("text")[0].Text != "—" {
					t.Errorf("want placeholder with a single \"—\"")
				}
			} else if len(paths) != 1 {
				t.Errorf("paths = %d, want 1", len(paths))
			}
		})
	}
}

func TestHugeValues(t *testing.T) {
	c := Chart{Nodes: []Node{{ID: 1}, {ID: 2}, {ID: 3, Column: 1}, {ID: 4, Column: 2}}}
	for i := 0; i < 50; i++ {
		c.Links = append(c.Links, Link{From: int64(1 + i%2), To: 3, Value: 1e15, Group: "g"})
	}
	c.Links = append(c.Links,
		Link{From: 3, To: 4, Value: math.MaxInt64},
		Link{From: 3, To: 4, Value: math.MaxInt64},
		Link{From: 3, To: 4, Value: 1})
	svg := parse(t, Render(c)) // parse rejects NaN/Inf
	for _, r := range svg.all("rect") {
		if r.Attr["fill-opacity"] != "" {
			continue // a legend swatch
		}
		if v, err := strconv.ParseFloat(r.Attr["height"], 64); err != nil || v < minNodeH || v > 1000 {
			t.Errorf("bad rect height %q", r.Attr["height"])
		}
	}
}
