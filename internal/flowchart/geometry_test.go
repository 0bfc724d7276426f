package flowchart

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// countyChart is a county's diagram as the trace page draws it: five
// columns, long Chinese names, a fan of groups at the end.
func countyChart() Chart {
	c := Chart{Nodes: []Node{
		{ID: 1, Label: "中央财政衔接推进乡村振兴补助资金（国库集中支付）", Sub: "1,234.57万元", Column: 0},
		{ID: 2, Label: "中央专项扶贫资金渠道账户", Sub: "1,234.57万元", Column: 1},
		{ID: 3, Label: "青禾县统筹整合涉农资金池", Sub: "1,234.57万元", Column: 2},
	}}
	c.Links = append(c.Links, Link{From: 1, To: 2, Value: 12345678900, Group: "ZX"}, Link{From: 2, To: 3, Value: 12345678900, Group: "ZX"})
	for i := 0; i < 12; i++ {
		p := int64(10 + i)
		c.Nodes = append(c.Nodes, Node{ID: p, Label: fmt.Sprintf("2026年第%d批青禾县桃园村产业路硬化及配套设施建设项目", i), Sub: "98.77万元", Column: 3, Href: "/ledger/trace?channel=ZX&from=p"})
		c.Links = append(c.Links, Link{From: 3, To: p, Value: 987654321, Group: "ZX"})
		g := int64(100 + i)
		c.Nodes = append(c.Nodes, Node{ID: g, Label: fmt.Sprintf("%d 户 · 青禾县石门镇第%d村民委员会", 300+i, i), Sub: "98.77万元", Column: 4})
		c.Links = append(c.Links, Link{From: p, To: g, Value: 987654321, Group: "ZX"})
	}
	return c
}

// TestLabelsReadableAtPageWidth: drawn in a content column PageWidth
// pixels wide (width="100%"), no text is smaller than 12 px: the viewBox
// is never wider than the page, whatever the labels; labels that do not
// fit are cut with "…" and keep their full text in <title>.
func TestLabelsReadableAtPageWidth(t *testing.T) {
	for name, c := range map[string]Chart{"county": countyChart(), "default width": {Nodes: countyChart().Nodes, Links: countyChart().Links, Width: 0}} {
		svg := parse(t, Render(c))
		vb := strings.Fields(svg.Attr["viewBox"])
		vbW, _ := strconv.ParseFloat(vb[2], 64)
		scale := PageWidth / vbW // CSS px per viewBox unit at the page width
		if vbW > PageWidth {
			t.Errorf("%s: viewBox %g wide: labels shrink to %.0f%%", name, vbW, 100*scale)
		}
		texts := append(svg.all("text"), svg.all("tspan")...)
		if len(texts) < 27 {
			t.Fatalf("%s: %d texts", name, len(texts))
		}
		cut := 0
		for _, e := range texts {
			size, err := strconv.ParseFloat(e.Attr["font-size"], 64)
			if err != nil || size*scale < 12 {
				t.Errorf("%s: text %q at %s × %.2f px", name, e.Text, e.Attr["font-size"], scale)
			}
			if e.Name != "text" {
				continue
			}
			x, _ := strconv.ParseFloat(e.Attr["x"], 64)
			if right := x + textWidth(e.Text, size); right > vbW+0.5 {
				t.Errorf("%s: %q runs to %.0f, past the width %g", name, e.Text, right, vbW)
			}
			if strings.HasSuffix(e.Text, "…") {
				cut++
				if full := e.title(); !strings.HasPrefix(full, strings.TrimSuffix(e.Text, "…")) || len(full) <= len(e.Text) {
					t.Errorf("%s: cut label %q has title %q", name, e.Text, full)
				}
			}
		}
		if cut == 0 {
			t.Errorf("%s: no long label was cut", name)
		}
		for _, r := range svg.all("rect") {
			if h, _ := strconv.ParseFloat(r.Attr["height"], 64); r.Attr["fill-opacity"] == "" && h*scale < 18 {
				t.Errorf("%s: node %q only %g tall", name, r.title(), h)
			}
		}
	}
}
