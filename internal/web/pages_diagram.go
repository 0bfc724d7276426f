package web

import (
	"fmt"
	"net/http"
	"net/url"

	"onepool/internal/auth"
	"onepool/internal/errs"
	"onepool/internal/ident"
	"onepool/internal/ledger"
	"onepool/internal/money"
	"onepool/internal/place"
)

// The money-flow diagram's drill-down and a channel's recipients: every
// node of a channel's diagram that stands for a group (a township or a
// village of households, a project, a fold of households, the outside)
// links to its own diagram — the channel's trace narrowed to that place
// (?place=) or to what flowed on from that account (?from=) — or, at the
// last level, to the table of the households and entities with what each
// received (/ledger/recipients). Places outside the viewer's subtree are
// not found, and their nodes are not links.

// drill is where a channel's diagram stands: the channel and the
// narrowing asked for ("" = none).
type drill struct {
	Channel string
	Place   place.Code
	From    string
}

// drillPlace reads ?place= for a diagram or the recipients table: a place
// in the viewer's subtree; above it, the viewer's own area (""); a place
// elsewhere is not found, as a missing one.
func (c *call) drillPlace() (place.Code, error) {
	v := c.r.URL.Query().Get("place")
	if v == "" {
		return "", nil
	}
	pc, err := parsePlace("place", v)
	if err != nil {
		return "", err
	}
	switch {
	case c.p.Sees(pc):
		if pc.Prefix() == c.p.Prefix() {
			return "", nil
		}
		return pc, nil
	case pc.Contains(c.p.Place):
		return "", nil
	}
	return "", errs.F(errs.NotFound, "unknown_place", "place", "no such place")
}

// drillScope is the ledger's scope of a channel's diagram at d.
func (c *call) drillScope(d drill) ledger.TraceScope {
	s := ledger.TraceScope{Prefix: c.tracePrefix(), From: d.From}
	if d.Place != "" {
		s.Prefix = d.Place.Prefix()
	}
	return s
}

// link is the diagram (or, with table, the recipients table) at d.
func (d drill) link(table bool) string {
	q := url.Values{"channel": {d.Channel}}
	if d.Place != "" {
		q.Set("place", string(d.Place))
	}
	if d.From != "" && !table {
		q.Set("from", d.From)
	}
	if table {
		return "/ledger/recipients?" + q.Encode()
	}
	return "/ledger/trace?" + q.Encode()
}

// narrower: p lies strictly inside the area the diagram at d shows.
func (c *call) narrower(d drill, p place.Code) bool {
	area := d.Place
	if area == "" {
		area = c.p.Place
	}
	return p.Valid() && area.Contains(p) && p.Prefix() != area.Prefix()
}

// nodeHref is where a node of the diagram at d leads ("" = no link).
func (c *call) nodeHref(d *drill, n ledger.TraceNode) string {
	if d == nil { // an account's trace: accounts link to their page
		if n.Group == 0 && n.Code != "" {
			return "/ledger/accounts/" + pathEscape(n.Code)
		}
		return ""
	}
	switch {
	case n.ID == ledger.OutsideNode:
		if d.Place != "" || d.From != "" {
			return drill{Channel: d.Channel}.link(false) // the viewer's whole diagram
		}
		return "" // outside the viewer's subtree: nothing to open
	case n.Group > 0:
		if !c.p.Sees(n.Place) {
			return ""
		}
		next := *d
		next.Place = n.Place
		if c.narrower(*d, n.Place) {
			return next.link(false)
		}
		return next.link(true) // the households of the fold, one by one
	case n.Code == "" || !c.p.Sees(n.Place):
		return ""
	case n.Kind == ledger.Project && n.Code != d.From:
		next := *d
		next.From = n.Code
		return next.link(false)
	}
	return "/ledger/accounts/" + pathEscape(n.Code)
}

// wan writes a large amount in 万元 (two decimals), a small one in yuan.
func (c *call) wan(f money.Fen) string {
	if f >= 1_000_000 || f <= -1_000_000 {
		return fmt.Sprintf(translate(c.lang, "unit.wan"), money.Fen((int64(f)+sign(f)*5000)/10000).String())
	}
	return fmt.Sprintf(translate(c.lang, "unit.yuan"), f.String())
}

func sign(f money.Fen) int64 {
	if f < 0 {
		return -1
	}
	return 1
}

type recipientRow struct {
	Code, Name, Kind, PlaceName string
	Received, PaidOut, Holds    money.Fen
	Transfers                   int64
}

type recipientsView struct {
	Page
	Channels                 []ledger.Channel
	Channel, ChannelName     string
	PlaceCode                string
	Places                   []placeOption
	Rows                     []recipientRow
	Pager                    Pager
	Received, PaidOut, Holds money.Fen
	ExportURL, TraceURL      string
}

// recipientsQuery reads the table's filters: the channel (default the
// first) and the place.
func (c *call) recipientsQuery() ([]ledger.Channel, ledger.Channel, place.Code, error) {
	chs, err := c.s.d.Ledger.Channels(c.r.Context(), c.p.County)
	if err != nil {
		return nil, ledger.Channel{}, "", err
	}
	pl, err := c.drillPlace()
	if err != nil {
		return nil, ledger.Channel{}, "", err
	}
	code := c.r.URL.Query().Get("channel")
	for _, ch := range chs {
		if ch.Code == code || (code == "" && ch.Code == chs[0].Code) {
			return chs, ch, pl, nil
		}
	}
	return nil, ledger.Channel{}, "", errs.F(errs.NotFound, "unknown_channel", "channel", "no such channel")
}

func (c *call) recipientFilter(ch ledger.Channel, pl place.Code) ledger.RecipientFilter {
	f := ledger.RecipientFilter{Channel: ch.Code, Prefix: c.tracePrefix()}
	if pl != "" {
		f.Prefix = pl.Prefix()
	}
	return f
}

// recipientRowOf is a recipient as the pages and exports show it: the
// name and the code scrubbed of personal numbers, as the households list.
func (c *call) recipientRowOf(r ledger.Recipient) recipientRow {
	return recipientRow{Code: ident.Scrub(r.Code), Name: ident.Scrub(r.Name), Kind: translate(c.lang, "kind."+string(r.Kind)),
		PlaceName: c.s.d.Auth.PlaceName(c.r.Context(), r.Place), Received: r.Received, PaidOut: r.PaidOut, Holds: r.Holds(), Transfers: r.Transfers}
}

// villageOptions lists every place of the viewer's subtree, villages too.
func (c *call) villageOptions(selected string) []placeOption {
	t, err := c.s.d.Auth.Places(c.r.Context(), c.p.County)
	if err != nil {
		return nil
	}
	var out []placeOption
	for _, n := range auth.Subtree(t, c.p.Place) {
		label := n.Name
		if n.Code.Level() == place.Village {
			label = "　" + label
		}
		out = append(out, placeOption{Code: string(n.Code), Label: label, Selected: string(n.Code) == selected})
	}
	return out
}

func (s *Server) recipientsPage(w http.ResponseWriter, c *call) error {
	chs, ch, pl, err := c.recipientsQuery()
	if err != nil {
		return err
	}
	page, err := pageNumber(c.r)
	if err != nil {
		return err
	}
	f := c.recipientFilter(ch, pl)
	f.Limit, f.Offset = listSize, (page-1)*listSize
	p, err := s.d.Ledger.ChannelRecipients(c.r.Context(), c.p.County, f)
	if err != nil {
		return err
	}
	v := recipientsView{Page: c.page(translate(c.lang, "recipients.title")+" · "+ch.Name, "funds"), Channels: chs, Channel: ch.Code, ChannelName: ch.Name,
		PlaceCode: string(pl), Places: c.villageOptions(string(pl)), Received: p.Received, PaidOut: p.PaidOut, Holds: p.Received - p.PaidOut}
	if v.Pager = pagerFor(c.r, p.Total, page, listSize); v.Pager.Page != page && p.Total > 0 {
		f.Offset = v.Pager.Offset()
		if p, err = s.d.Ledger.ChannelRecipients(c.r.Context(), c.p.County, f); err != nil {
			return err
		}
	}
	for _, r := range p.Rows {
		v.Rows = append(v.Rows, c.recipientRowOf(r))
	}
	d := drill{Channel: ch.Code, Place: pl}
	v.TraceURL = d.link(false)
	v.ExportURL = "/ledger/recipients.xlsx?" + url.Values{"channel": {ch.Code}, "place": {string(pl)}}.Encode()
	return c.render(w, http.StatusOK, "recipients", v)
}

// recipientsMax bounds one export's rows.
const recipientsMax = 200_000
