package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"onepool/internal/assets"
	"onepool/internal/instruct"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"onepool/internal/auth"
	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/flowchart"
	"onepool/internal/ident"
	"onepool/internal/ledger"
	"onepool/internal/money"
	"onepool/internal/place"
)

type accountRow struct {
	ledger.AccountWithTotal
	PlaceName string
}

type accountsView struct {
	Page
	Kinds     []ledger.AccountKind
	Kind      string
	Q         string
	PlaceCode string
	Places    []placeOption
	Rows      []accountRow
	NextAfter int64
	ExportURL string
}

type placeOption struct {
	Code, Label string
	Selected    bool
}

// accountFilter reads the list filter from the query, narrowed to the
// caller's subtree.
func (c *call) accountFilter(limit int) (ledger.AccountFilter, error) {
	q := c.r.URL.Query()
	f := ledger.AccountFilter{Kind: ledger.AccountKind(q.Get("kind")), Search: strings.TrimSpace(q.Get("q")), Limit: limit}
	if f.Kind != "" && !validKind(f.Kind) {
		return f, errs.F(errs.Invalid, "invalid_kind", "kind", "unknown account kind %q", f.Kind)
	}
	var req place.Code
	if p := q.Get("place"); p != "" {
		pc, err := parsePlace("place", p)
		if err != nil {
			return f, err
		}
		req = pc
	}
	f.PlacePrefix = c.scopePrefix(req)
	if v := q.Get("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return f, errs.F(errs.Invalid, "invalid_query", "after", "after must be a non-negative integer")
		}
		f.AfterID = n
	}
	return f, nil
}

func validKind(k ledger.AccountKind) bool {
	for _, x := range ledger.Kinds {
		if x == k {
			return true
		}
	}
	return false
}

// placeOptions lists the caller's subtree (county and townships, and the
// villages of a township user) for a filter.
func (c *call) placeOptions(selected string) []placeOption {
	t, err := c.s.d.Auth.Places(c.r.Context(), c.p.County)
	if err != nil {
		return nil
	}
	var out []placeOption
	for _, n := range auth.Subtree(t, c.p.Place) {
		if n.Code.Level() == place.Village && c.p.Place.Level() == place.County {
			continue
		}
		label := n.Name
		if n.Code.Level() == place.Village {
			label = "　" + label
		}
		out = append(out, placeOption{Code: string(n.Code), Label: label, Selected: string(n.Code) == selected})
	}
	return out
}

func (s *Server) accountsPage(w http.ResponseWriter, c *call) error {
	f, err := c.accountFilter(100)
	if err != nil {
		return err
	}
	as, err := s.d.Ledger.Accounts(c.r.Context(), c.p.County, f)
	if err != nil {
		return err
	}
	q := c.r.URL.Query()
	v := accountsView{Page: c.page(translate(c.lang, "ledger.accounts"), "funds"), Kinds: ledger.Kinds, Kind: string(f.Kind), Q: f.Search,
		PlaceCode: q.Get("place"), Places: c.placeOptions(q.Get("place"))}
	for _, a := range as {
		v.Rows = append(v.Rows, accountRow{AccountWithTotal: a, PlaceName: s.d.Auth.PlaceName(c.r.Context(), a.Place)})
	}
	if len(as) == f.Limit {
		v.NextAfter = as[len(as)-1].ID
	}
	q.Del("after")
	v.ExportURL = "/ledger/accounts.xlsx?" + q.Encode()
	return c.render(w, http.StatusOK, "accounts", v)
}

// accountsExport writes the filtered account list (the caller's subtree
// only) as xlsx. Free text is scrubbed of personal numbers.
func (s *Server) accountsExport(w http.ResponseWriter, c *call) error {
	f, err := c.accountFilter(1000)
	if err != nil {
		return err
	}
	x := excelize.NewFile()
	defer x.Close()
	head := []any{translate(c.lang, "col.code"), translate(c.lang, "col.name"), translate(c.lang, "col.kind"), translate(c.lang, "col.place"), translate(c.lang, "col.balance")}
	es := newExportSheet(x)
	if err := es.row(1, head); err != nil {
		return err
	}
	row := 2
	for {
		as, err := s.d.Ledger.Accounts(c.r.Context(), c.p.County, f)
		if err != nil {
			return err
		}
		for _, a := range as {
			cells := []any{ident.Scrub(a.Code), ident.Scrub(a.Name), translate(c.lang, "kind."+string(a.Kind)), s.d.Auth.PlaceName(c.r.Context(), a.Place), a.Total}
			if err := es.row(row, cells); err != nil {
				return err
			}
			row++
		}
		if len(as) < f.Limit || row > 200001 {
			break
		}
		f.AfterID = as[len(as)-1].ID
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="accounts.xlsx"`)
	return x.Write(w)
}

type accountView struct {
	Page
	Account   ledger.Account
	PlaceName string
	Balances  []ledger.Balance
	Total     money.Fen
	AsOf      string
	Lines     []stmtRow
	Before    int64
	// AssetHref: an asset's income account leads to the asset it belongs
	// to (a trace from a channel reaches the asset, then its households).
	AssetHref string
}

type stmtRow struct {
	ledger.StatementLine
	Other string // the other side's name
}

func (s *Server) accountPage(w http.ResponseWriter, c *call) error {
	county := c.p.County
	a, err := c.account(county, c.r.PathValue("code"))
	if err != nil {
		return err
	}
	ctx := c.r.Context()
	v := accountView{Page: c.page(a.Name, "funds"), Account: a, PlaceName: s.d.Auth.PlaceName(ctx, a.Place)}
	if id, ok := strings.CutPrefix(a.Code, "ast:"); ok && a.Kind == ledger.Asset && auth.Allowed(c.p.Role, auth.ViewAssets) {
		v.AssetHref = "/assets/" + id
	}
	if asOf := c.r.URL.Query().Get("as_of"); asOf != "" {
		day, err := parseDay(asOf)
		if err != nil {
			return err
		}
		v.AsOf = asOf
		v.Balances, err = s.d.Ledger.BalancesAsOf(ctx, county, a.Code, day)
		if err != nil {
			return err
		}
	} else if v.Balances, err = s.d.Ledger.Balances(ctx, county, a.Code); err != nil {
		return err
	}
	for _, b := range v.Balances {
		v.Total += b.Amount
	}
	var before int64
	if b := c.r.URL.Query().Get("before"); b != "" {
		if before, err = strconv.ParseInt(b, 10, 64); err != nil || before < 0 {
			return errs.F(errs.Invalid, "invalid_query", "before", "before must be a non-negative integer")
		}
	}
	lines, err := s.d.Ledger.Statement(ctx, county, a.Code, before, 50)
	if err != nil {
		return err
	}
	ts := make([]ledger.Transfer, len(lines))
	for i, l := range lines {
		ts[i] = l.Transfer
	}
	rows, err := c.transferRows(county, ts)
	if err != nil {
		return err
	}
	for i, l := range lines {
		other := rows[i].FromName
		if !l.In {
			other = rows[i].ToName
		}
		v.Lines = append(v.Lines, stmtRow{StatementLine: l, Other: other})
	}
	if len(lines) == 50 {
		v.Before = lines[len(lines)-1].ID
	}
	return c.render(w, http.StatusOK, "account", v)
}

type transfersView struct {
	Page
	Rows []transferRow
	// The filters as typed, the choices and the pager.
	Kind, Channel, From, To, DocNo string
	Kinds                          []string
	Channels                       []ledger.Channel
	Pager                          Pager
}

// transferKinds are the kinds a transfer list filters by.
var transferKinds = []string{"arrival", "integration", "allocation", "payment", "refund", "reclaim", "reversal", "donation", "topup", "dividend",
	"disbursement", "repayment", "interest_subsidy", "relief_payout", "adjustment", "transfer", "opening", "subsidy_payout", "asset_income", "asset_payout", "asset_proceeds", "dividend_in", "principal_return"}

// transferFilter reads the transfers list's filters (page and API alike):
// kind, channel (code), from/to (local days, inclusive) and doc_no (part
// of the 文号). The list stays inside the viewer's subtree.
func (c *call) transferFilter(channels []ledger.Channel) (ledger.TransferFilter, error) {
	q := c.r.URL.Query()
	f := ledger.TransferFilter{Prefix: c.p.Prefix(), Kind: q.Get("kind"), DocNo: strings.TrimSpace(q.Get("doc_no"))}
	if f.Kind != "" && !slices.Contains(transferKinds, f.Kind) {
		return f, errs.F(errs.Invalid, "invalid_query", "kind", "no such kind of transfer")
	}
	if len([]rune(f.DocNo)) > 50 {
		return f, errs.F(errs.Invalid, "invalid_query", "doc_no", "the document number is at most 50 characters")
	}
	if code := q.Get("channel"); code != "" {
		f.Channel = -1 // an unknown channel matches nothing
		for _, ch := range channels {
			if ch.Code == code {
				f.Channel = ch.ID
			}
		}
		if f.Channel < 0 {
			return f, errs.F(errs.Invalid, "invalid_query", "channel", "no such channel")
		}
	}
	for _, d := range []struct {
		name string
		at   *time.Time
		next bool
	}{{"from", &f.From, false}, {"to", &f.To, true}} {
		v := q.Get(d.name)
		if v == "" {
			continue
		}
		day, err := time.ParseInLocation("2006-01-02", v, clock.Zone)
		if err != nil {
			return f, errs.F(errs.Invalid, "invalid_date", d.name, "%s must be a date YYYY-MM-DD", d.name)
		}
		if d.next {
			day = day.AddDate(0, 0, 1)
		}
		*d.at = day
	}
	return f, nil
}

func (s *Server) transfersPage(w http.ResponseWriter, c *call) error {
	channels, err := s.d.Ledger.Channels(c.r.Context(), c.p.County)
	if err != nil {
		return err
	}
	f, err := c.transferFilter(channels)
	if err != nil {
		return err
	}
	q := c.r.URL.Query()
	v := transfersView{Page: c.page(translate(c.lang, "ledger.transfers"), "funds"), Kinds: transferKinds, Channels: channels,
		Kind: f.Kind, Channel: q.Get("channel"), From: q.Get("from"), To: q.Get("to"), DocNo: f.DocNo}
	page, err := pageNumber(c.r)
	if err != nil {
		return err
	}
	f.Limit, f.Offset = listSize, (page-1)*listSize
	ts, total, err := s.d.Ledger.ListTransfers(c.r.Context(), c.p.County, f)
	if err != nil {
		return err
	}
	if v.Pager = pagerCapped(c.r, total, page, listSize, ledger.CountCap); v.Pager.Page != page && total > 0 {
		f.Offset = v.Pager.Offset()
		if ts, _, err = s.d.Ledger.ListTransfers(c.r.Context(), c.p.County, f); err != nil {
			return err
		}
	}
	if v.Rows, err = c.transferRows(c.p.County, ts); err != nil {
		return err
	}
	return c.render(w, http.StatusOK, "transfers", v)
}

type legRow struct {
	Channel, ChannelName string
	Amount               money.Fen
}

type transferView struct {
	Page
	Transfer         ledger.Transfer
	FromName, ToName string
	FromSees, ToSees bool
	Legs             []legRow
	ReversedBy       int64
	Upper            string
	// Reversible: the viewer may enter its reversal (two people on money).
	Reversible bool
	Error      string
}

func (s *Server) transferPage(w http.ResponseWriter, c *call) error {
	return s.renderTransfer(w, c, http.StatusOK, c.r.URL.Query().Get("error"))
}

// renderTransfer renders a transfer's page, with a refused reversal's
// message (and what was typed) when there is one.
func (s *Server) renderTransfer(w http.ResponseWriter, c *call, status int, msg string) error {
	id, err := strconv.ParseInt(c.r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return errs.F(errs.Invalid, "invalid_id", "id", "transfer id must be a positive integer")
	}
	county := c.p.County
	t, err := c.transfer(county, id)
	if err != nil {
		return err
	}
	ctx := c.r.Context()
	v := transferView{Page: c.page(fmt.Sprintf("%s #%d", translate(c.lang, "ledger.transfer"), t.ID), "funds"), Transfer: t, Upper: upper(t.Total)}
	for _, side := range []struct {
		code string
		name *string
		sees *bool
	}{{t.From, &v.FromName, &v.FromSees}, {t.To, &v.ToName, &v.ToSees}} {
		a, err := s.d.Ledger.Account(ctx, county, side.code)
		if err != nil {
			return err
		}
		*side.sees = c.p.Sees(a.Place)
		*side.name = a.Name
		if !*side.sees {
			*side.name = translate(c.lang, "scope.outside")
		}
	}
	chs, err := s.d.Ledger.Channels(ctx, county)
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, ch := range chs {
		names[ch.Code] = ch.Name
	}
	for _, l := range t.Legs {
		v.Legs = append(v.Legs, legRow{l.Channel, names[l.Channel], l.Amount})
	}
	if v.ReversedBy, err = s.d.Ledger.ReversedBy(ctx, county, id); err != nil {
		return err
	}
	v.Reversible = v.ReversedBy == 0 && t.Reverses == 0 && reversibleKinds[t.Kind] && auth.Allowed(c.p.Role, auth.WriteFunds) && c.p.Place.Level() == place.County
	v.Error = msg
	return c.render(w, status, "transfer", v)
}

// reversibleKinds are the transfers a page may enter the reversal of:
// the funds' own (arrival, integration, allocation: corrected through the
// funds capability) and what no capability keeps books of.
var reversibleKinds = map[string]bool{"arrival": true, "integration": true, "allocation": true, "payment": true, "adjustment": true}

// reverseTransfer enters the reversal of a wrong transfer for approval.
func (s *Server) reverseTransfer(w http.ResponseWriter, c *call) error {
	id, err := strconv.ParseInt(c.r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return errs.F(errs.NotFound, "unknown_transfer", "id", "no such transfer")
	}
	t, err := c.transfer(c.p.County, id)
	if err != nil {
		return err
	}
	key, reason := strings.TrimSpace(c.r.PostFormValue("key")), strings.TrimSpace(c.r.PostFormValue("reason"))
	var in instruct.Instruction
	switch t.Kind {
	case "arrival", "integration", "allocation":
		in, err = s.d.Funds.ProposeCorrection(c.r.Context(), c.p, id, key, reason)
	default:
		if reason == "" {
			err = errs.F(errs.Invalid, "opinion_required", "reason", "say why the transfer is reversed")
		} else {
			in, err = s.d.Instructions.ProposeReversal(c.r.Context(), c.p, id, key, reason)
		}
	}
	next := ""
	if err == nil {
		next = instructionPath(in)
	}
	return afterForm(w, c, err, next, func(msg string, status int) error {
		return s.renderTransfer(w, c, status, msg)
	})
}

type traceView struct {
	Page
	Channels  []ledger.Channel
	Channel   string
	Account   string
	Subject   string
	SVG       template.HTML
	Edges     []traceEdgeRow
	Truncated bool
	// A channel's diagram narrowed to a place or to what flowed on from
	// an account (see pages_diagram.go).
	PlaceName, FromName     string
	WholeURL, RecipientsURL string
	// Assets: drilled into a project, the assets it built and the part
	// of each one's value this channel paid (its leg).
	Assets []traceAsset
}

type traceAsset struct {
	ID          int64
	Code, Name  string
	Value, Part money.Fen
}

type traceEdgeRow struct {
	From, To, Channel string
	Amount            money.Fen
	Count             int64
}

// projectAssets are the assets a project built (those of the viewer's
// area, disposed ones too: their history is kept) with the part of each
// one's value the channel paid — where a channel's trace through a
// project meets the register.
func (s *Server) projectAssets(c *call, project, channel string) []traceAsset {
	as, _, err := s.d.Assets.List(c.r.Context(), c.p, assets.Filter{Project: project, Limit: 100})
	if err != nil {
		return nil
	}
	disposed, _, _ := s.d.Assets.List(c.r.Context(), c.p, assets.Filter{Project: project, Status: assets.Disposed, Limit: 100})
	var out []traceAsset
	for _, a := range append(as, disposed...) {
		full, err := s.d.Assets.Get(c.r.Context(), c.p, a.ID)
		if err != nil {
			continue
		}
		for _, l := range full.Legs {
			if l.Channel == channel {
				out = append(out, traceAsset{ID: a.ID, Code: a.Code, Name: a.Name, Value: a.Value, Part: l.Amount})
			}
		}
	}
	return out
}

// kindColumn places account kinds left to right: where money comes from,
// through the pool, to where it ends.
var kindColumn = map[ledger.AccountKind]int{
	ledger.External: 0, ledger.ChannelAcc: 1, ledger.Pool: 2, ledger.Relief: 2, ledger.Loan: 2, ledger.Suspense: 2,
	ledger.Project: 3, ledger.Household: 4, ledger.Entity: 4, ledger.Collective: 4, ledger.Asset: 4,
}

func (s *Server) tracePage(w http.ResponseWriter, c *call) error {
	ctx := c.r.Context()
	county := c.p.County
	q := c.r.URL.Query()
	chs, err := s.d.Ledger.Channels(ctx, county)
	if err != nil {
		return err
	}
	v := traceView{Page: c.page(translate(c.lang, "ledger.trace"), "funds"), Channels: chs, Channel: q.Get("channel"), Account: q.Get("account")}
	if v.Channel == "" && v.Account == "" && len(chs) > 0 {
		v.Channel = chs[0].Code
	}
	var t ledger.Trace
	switch {
	case v.Account != "":
		a, err := c.account(county, v.Account)
		if err != nil {
			return err
		}
		v.Subject = a.Name
		if t, err = s.d.Ledger.TraceAccount(ctx, county, a.Code, c.tracePrefix()); err != nil {
			return err
		}
	case v.Channel != "":
		v.Subject = v.Channel
		for _, ch := range chs {
			if ch.Code == v.Channel {
				v.Subject = ch.Name
			}
		}
		d := &drill{Channel: v.Channel, From: q.Get("from")}
		if d.Place, err = c.drillPlace(); err != nil {
			return err
		}
		if d.Place != "" {
			v.PlaceName = s.d.Auth.PlaceName(ctx, d.Place)
		}
		if d.From != "" {
			a, err := c.account(county, d.From)
			if err != nil {
				return err
			}
			v.FromName = a.Name
		}
		if d.Place != "" || d.From != "" {
			v.WholeURL = drill{Channel: v.Channel}.link(false)
		}
		v.RecipientsURL = d.link(true)
		if t, err = s.d.Ledger.TraceChannelIn(ctx, county, v.Channel, c.drillScope(*d)); err != nil {
			return err
		}
		v.Truncated = t.Truncated
		v.SVG, v.Edges = c.flowChart(t, d)
		if code, ok := strings.CutPrefix(d.From, "prj:"); ok && auth.Allowed(c.p.Role, auth.ViewAssets) {
			v.Assets = s.projectAssets(c, code, v.Channel)
		}
		return c.render(w, http.StatusOK, "trace", v)
	default:
		return c.render(w, http.StatusOK, "trace", v)
	}
	v.Truncated = t.Truncated
	v.SVG, v.Edges = c.flowChart(t, nil)
	return c.render(w, http.StatusOK, "trace", v)
}

// flowChart draws a trace as a Sankey diagram and lists its edges; d is
// where a channel's diagram stands (nil for an account's trace).
func (c *call) flowChart(t ledger.Trace, d *drill) (template.HTML, []traceEdgeRow) {
	label := func(n ledger.TraceNode) string {
		switch {
		case n.ID == ledger.OutsideNode:
			return fmt.Sprintf(translate(c.lang, "trace.outside"), n.Group)
		case n.Group > 0 && n.Place != "":
			return c.s.d.Auth.PlaceName(c.r.Context(), n.Place) + " · " + fmt.Sprintf(translate(c.lang, "trace.group"), n.Group, translate(c.lang, "kind."+string(n.Kind)))
		case n.Group > 0:
			return fmt.Sprintf(translate(c.lang, "trace.group"), n.Group, translate(c.lang, "kind."+string(n.Kind)))
		}
		return n.Name
	}
	in, out := map[int64]money.Fen{}, map[int64]money.Fen{}
	for _, e := range t.Edges {
		out[e.From] += e.Amount
		in[e.To] += e.Amount
	}
	ids := make([]int64, 0, len(t.Nodes))
	for id := range t.Nodes {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	var ch flowchart.Chart
	used := map[int64]bool{}
	for _, e := range t.Edges {
		used[e.From], used[e.To] = true, true
	}
	for _, id := range ids {
		if !used[id] {
			continue // a leaf folded into a group
		}
		n := t.Nodes[id]
		col, ok := kindColumn[n.Kind]
		if !ok {
			col = 2
		}
		fn := flowchart.Node{ID: id, Label: label(n), Sub: c.wan(max(in[id], out[id])), Column: col, Href: c.nodeHref(d, n)}
		ch.Nodes = append(ch.Nodes, fn)
	}
	var rows []traceEdgeRow
	for _, e := range t.Edges {
		from, to := label(t.Nodes[e.From]), label(t.Nodes[e.To])
		ch.Links = append(ch.Links, flowchart.Link{From: e.From, To: e.To, Value: int64(e.Amount), Group: e.Channel,
			Title: fmt.Sprintf("%s → %s · %s · %s", from, to, e.Channel, e.Amount)})
		rows = append(rows, traceEdgeRow{From: from, To: to, Channel: e.Channel, Amount: e.Amount, Count: e.Count})
	}
	// The SVG is built from escaped text by flowchart.Render.
	return template.HTML(flowchart.Render(ch)), rows
}

func pathEscape(s string) string { return url.PathEscape(s) }

// parseDay reads a local date YYYY-MM-DD.
func parseDay(s string) (time.Time, error) {
	day, err := time.ParseInLocation("2006-01-02", s, clock.Zone)
	if err != nil {
		return time.Time{}, errs.F(errs.Invalid, "invalid_date", "as_of", "as_of must be a date YYYY-MM-DD, got %q", s)
	}
	return day, nil
}

// transferRows adds account names to transfers.
func (c *call) transferRows(county string, ts []ledger.Transfer) ([]transferRow, error) {
	names := map[string]string{}
	out := make([]transferRow, len(ts))
	for i, t := range ts {
		for _, code := range []string{t.From, t.To} {
			if _, ok := names[code]; ok {
				continue
			}
			a, err := c.s.d.Ledger.Account(c.r.Context(), county, code)
			if err != nil {
				return nil, err
			}
			names[code] = a.Name
			if !c.p.Sees(a.Place) {
				names[code] = translate(c.lang, "scope.outside")
			}
		}
		out[i] = transferRow{Transfer: t, FromName: names[t.From], ToName: names[t.To]}
	}
	return out, nil
}
