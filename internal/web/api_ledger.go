package web

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"time"

	"onepool/internal/auth"
	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/ledger"
	"onepool/internal/money"
	"onepool/internal/place"
)

type legJSON struct {
	Channel   string `json:"channel"`
	Amount    Amount `json:"amount"`
	AmountFen int64  `json:"amount_fen"`
}

type transferIn struct {
	Key      string    `json:"key"`
	Kind     string    `json:"kind"`
	From     string    `json:"from"`
	To       string    `json:"to"`
	Legs     []legJSON `json:"legs"`
	Memo     string    `json:"memo"`
	DocNo    string    `json:"doc_no"`
	Reverses int64     `json:"reverses"`
}

type transferOut struct {
	County   string    `json:"county"`
	ID       int64     `json:"id"`
	Key      string    `json:"key"`
	Kind     string    `json:"kind"`
	From     string    `json:"from"`
	To       string    `json:"to"`
	Legs     []legJSON `json:"legs"`
	Total    Amount    `json:"total"`
	TotalFen int64     `json:"total_fen"`
	Memo     string    `json:"memo"`
	DocNo    string    `json:"doc_no"`
	Reverses int64     `json:"reverses,omitempty"`
	PostedAt string    `json:"posted_at"`
	Actor    string    `json:"actor"`
	Hash     string    `json:"hash"`
}

// The answers of the ledger API, one struct each.
type (
	// pageOf is the paging of a list: the rows matching the filters, and
	// the window answered.
	pageOf struct {
		Total  int `json:"total"`
		Offset int `json:"offset"`
		Limit  int `json:"limit"`
	}
	transferAnswer struct {
		Transfer   transferOut `json:"transfer"`
		ReversedBy int64       `json:"reversed_by"`
	}
	transfersAnswer struct {
		Transfers []transferOut `json:"transfers"`
	}
	transferPage struct {
		Transfers []transferOut `json:"transfers"`
		TotalMore bool          `json:"total_more"` // more than total (a count capped at ledger.CountCap)
		pageOf
	}
	balancesAnswer struct {
		Account  string       `json:"account"`
		AsOf     string       `json:"as_of"`
		Balances []balanceOut `json:"balances"`
		Total    Amount       `json:"total"`
		TotalFen int64        `json:"total_fen"`
	}
	accountAnswer struct {
		Account accountJSON `json:"account"`
	}
	accountsAnswer struct {
		Accounts []accountJSON `json:"accounts"`
	}
	statementLine struct {
		transferOut
		Direction string `json:"direction"`
	}
	statementAnswer struct {
		Account string          `json:"account"`
		Lines   []statementLine `json:"lines"`
	}
	channelsAnswer struct {
		Channels []channelJSON `json:"channels"`
	}
	traceAnswer struct {
		Channels  []channelJSON  `json:"channels"`
		Nodes     []traceNodeOut `json:"nodes"`
		Edges     []traceEdgeOut `json:"edges"`
		Holdings  []holdingOut   `json:"holdings"`
		Truncated bool           `json:"truncated"`
	}
)

func toTransferOut(t ledger.Transfer) transferOut {
	o := transferOut{County: t.County, ID: t.ID, Key: t.Key, Kind: t.Kind, From: t.From, To: t.To, Total: Amount(t.Total), TotalFen: int64(t.Total),
		Memo: t.Memo, DocNo: t.DocNo, Reverses: t.Reverses, PostedAt: t.PostedAt.In(clock.Zone).Format(time.RFC3339Nano), Actor: t.Actor, Hash: t.Hash,
		Legs: []legJSON{}}
	for _, l := range t.Legs {
		o.Legs = append(o.Legs, legJSON{Channel: l.Channel, Amount: Amount(l.Amount), AmountFen: int64(l.Amount)})
	}
	return o
}

func (in transferIn) request(field string) (ledger.TransferRequest, error) {
	r := ledger.TransferRequest{Key: in.Key, Kind: in.Kind, From: in.From, To: in.To, Memo: in.Memo, DocNo: in.DocNo, Reverses: in.Reverses}
	for j, l := range in.Legs {
		amt := money.Fen(l.Amount)
		if l.AmountFen != 0 {
			if amt != 0 && amt != money.Fen(l.AmountFen) {
				return r, errs.F(errs.Invalid, "invalid_amount", fmt.Sprintf("%slegs[%d].amount_fen", field, j),
					"amount %s and amount_fen %d disagree; give one", amt.Plain(), l.AmountFen)
			}
			amt = money.Fen(l.AmountFen)
		}
		r.Legs = append(r.Legs, ledger.Leg{Channel: l.Channel, Amount: amt})
	}
	return r, nil
}

func county(r *http.Request) (string, error) {
	c := r.PathValue("county")
	return c, ledger.ValidCounty(c)
}

// apiPostTransfers enters one adjustment ({…}) or an atomic batch
// ({"transfers":[…]}) for approval by another person (202 with the
// instruction); it posts when approved. A replayed key answers with the
// instruction already entered and the header Idempotent-Replayed: true.
func (s *Server) apiPostTransfers(w http.ResponseWriter, c *call) error {
	r := c.r
	cty, err := county(r)
	if err != nil {
		return err
	}
	var body struct {
		transferIn
		Transfers []transferIn `json:"transfers"`
	}
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	batch := body.Transfers != nil
	var reqs []ledger.TransferRequest
	if batch {
		for i, t := range body.Transfers {
			req, err := t.request(fmt.Sprintf("transfers[%d].", i))
			if err != nil {
				return err
			}
			reqs = append(reqs, req)
		}
	} else {
		req, err := body.transferIn.request("")
		if err != nil {
			return err
		}
		reqs = []ledger.TransferRequest{req}
	}
	if err := c.checkTransferPlaces(cty, reqs); err != nil {
		return err
	}
	_ = batch
	// One way in: the generic API enters adjustments only, for approval
	// by another person; a capability's kind is refused (capability_kind).
	in, err := s.d.Instructions.ProposeAdjustment(r.Context(), c.p, reqs)
	if err != nil {
		return err
	}
	return writeInstruction(w, in)
}

func (s *Server) apiTransfer(w http.ResponseWriter, c *call) error {
	r := c.r
	cty, err := county(r)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return errs.F(errs.Invalid, "invalid_id", "id", "transfer id must be a positive integer")
	}
	t, err := c.transfer(cty, id)
	if err != nil {
		return err
	}
	by, err := s.d.Ledger.ReversedBy(r.Context(), cty, id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, transferAnswer{Transfer: toTransferOut(t), ReversedBy: by})
	return nil
}

func (s *Server) apiListTransfers(w http.ResponseWriter, c *call) error {
	r := c.r
	cty, err := county(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	if q.Has("before") && !q.Has("offset") && !q.Has("kind") && !q.Has("channel") && !q.Has("from") && !q.Has("to") && !q.Has("doc_no") {
		// The older keyset form (?before=id), kept for existing clients.
		before, limit, err := paging(r, "before")
		if err != nil {
			return err
		}
		ts, err := s.d.Ledger.RecentTransfersIn(r.Context(), cty, c.p.Prefix(), before, limit)
		if err != nil {
			return err
		}
		out := make([]transferOut, len(ts))
		for i, t := range ts {
			out[i] = toTransferOut(t)
		}
		writeJSON(w, http.StatusOK, transfersAnswer{Transfers: out})
		return nil
	}
	channels, err := s.d.Ledger.Channels(r.Context(), cty)
	if err != nil {
		return err
	}
	f, err := c.transferFilter(channels)
	if err != nil {
		return err
	}
	if f.Offset, f.Limit, err = offsetLimit(r, 50, 500); err != nil {
		return err
	}
	ts, total, err := s.d.Ledger.ListTransfers(r.Context(), cty, f)
	if err != nil {
		return err
	}
	out := make([]transferOut, len(ts))
	for i, t := range ts {
		out[i] = toTransferOut(t)
	}
	// A count past ledger.CountCap says "more than": total_more.
	writeJSON(w, http.StatusOK, transferPage{Transfers: out, TotalMore: total > ledger.CountCap, pageOf: pageOf{Total: min(total, ledger.CountCap), Offset: f.Offset, Limit: f.Limit}})
	return nil
}

func (s *Server) apiReverse(w http.ResponseWriter, c *call) error {
	r := c.r
	cty, err := county(r)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return errs.F(errs.Invalid, "invalid_id", "id", "transfer id must be a positive integer")
	}
	var body struct {
		Key  string `json:"key"`
		Memo string `json:"memo"`
	}
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	if _, err := c.transfer(cty, id); err != nil {
		return err
	}
	in, err := s.d.Instructions.ProposeReversal(r.Context(), c.p, id, body.Key, body.Memo)
	if err != nil {
		return err
	}
	return writeInstruction(w, in)
}

type balanceOut struct {
	Channel     string `json:"channel"`
	ChannelName string `json:"channel_name"`
	Amount      Amount `json:"amount"`
	AmountFen   int64  `json:"amount_fen"`
}

func (s *Server) apiBalances(w http.ResponseWriter, c *call) error {
	r := c.r
	cty, err := county(r)
	if err != nil {
		return err
	}
	code := r.PathValue("code")
	if _, err := c.account(cty, code); err != nil {
		return err
	}
	var bs []ledger.Balance
	asOf := r.URL.Query().Get("as_of")
	if asOf != "" {
		day, perr := time.ParseInLocation("2006-01-02", asOf, clock.Zone)
		if perr != nil {
			return errs.F(errs.Invalid, "invalid_date", "as_of", "as_of must be a date YYYY-MM-DD, got %q", asOf)
		}
		bs, err = s.d.Ledger.BalancesAsOf(r.Context(), cty, code, day)
	} else {
		bs, err = s.d.Ledger.Balances(r.Context(), cty, code)
	}
	if err != nil {
		return err
	}
	out := make([]balanceOut, 0, len(bs))
	var total money.Fen
	for _, b := range bs {
		out = append(out, balanceOut{b.Channel, b.ChannelName, Amount(b.Amount), int64(b.Amount)})
		total += b.Amount
	}
	writeJSON(w, http.StatusOK, balancesAnswer{Account: code, AsOf: asOf, Balances: out, Total: Amount(total), TotalFen: int64(total)})
	return nil
}

type accountJSON struct {
	Code        string  `json:"code"`
	Kind        string  `json:"kind"`
	Name        string  `json:"name"`
	Owner       string  `json:"owner"`
	Place       string  `json:"place"`
	NoOverdraft bool    `json:"no_overdraft"`
	ID          int64   `json:"id,omitempty"`
	CreatedAt   string  `json:"created_at,omitempty"`
	Total       *Amount `json:"total,omitempty"`
}

func toAccountJSON(a ledger.Account) accountJSON {
	return accountJSON{Code: a.Code, Kind: string(a.Kind), Name: a.Name, Owner: a.Owner, Place: string(a.Place), NoOverdraft: a.NoOverdraft,
		ID: a.ID, CreatedAt: a.CreatedAt.In(clock.Zone).Format(time.RFC3339)}
}

func (s *Server) apiAccount(w http.ResponseWriter, c *call) error {
	r := c.r
	cty, err := county(r)
	if err != nil {
		return err
	}
	a, err := c.account(cty, r.PathValue("code"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, accountAnswer{Account: toAccountJSON(a)})
	return nil
}

func (s *Server) apiListAccounts(w http.ResponseWriter, c *call) error {
	r := c.r
	cty, err := county(r)
	if err != nil {
		return err
	}
	after, limit, err := paging(r, "after")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := ledger.AccountFilter{Kind: ledger.AccountKind(q.Get("kind")), Search: q.Get("q"), AfterID: after, Limit: limit}
	if p := q.Get("place"); p != "" {
		pc, err := parsePlace("place", p)
		if err != nil {
			return err
		}
		f.PlacePrefix = c.scopePrefix(pc)
	} else {
		f.PlacePrefix = c.scopePrefix("")
	}
	as, err := s.d.Ledger.Accounts(r.Context(), cty, f)
	if err != nil {
		return err
	}
	out := make([]accountJSON, len(as))
	for i, a := range as {
		out[i] = toAccountJSON(a.Account)
		t := Amount(a.Total)
		out[i].Total = &t
	}
	writeJSON(w, http.StatusOK, accountsAnswer{Accounts: out})
	return nil
}

func (s *Server) apiOpenAccounts(w http.ResponseWriter, c *call) error {
	r := c.r
	cty, err := county(r)
	if err != nil {
		return err
	}
	var body struct {
		accountJSON
		Accounts []accountJSON `json:"accounts"`
	}
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	in := body.Accounts
	if in == nil {
		in = []accountJSON{body.accountJSON}
	}
	var na []ledger.NewAccount
	for _, a := range in {
		na = append(na, ledger.NewAccount{Code: a.Code, Kind: ledger.AccountKind(a.Kind), Name: a.Name, Owner: a.Owner, Place: place.Code(a.Place), NoOverdraft: a.NoOverdraft})
	}
	for _, a := range na {
		if a.Place.Valid() {
			if err := c.authorize(auth.WriteLedger, a.Place); err != nil {
				return err
			}
		}
	}
	as, err := s.d.Ledger.OpenAccounts(r.Context(), c.p.Username, cty, na)
	if err != nil {
		return err
	}
	out := make([]accountJSON, len(as))
	replayed := len(as) > 0
	for i, a := range as {
		out[i] = toAccountJSON(a)
		replayed = replayed && a.Replayed
	}
	writeJSON(w, createdOrReplayed(w, replayed), accountsAnswer{Accounts: out})
	return nil
}

func (s *Server) apiStatement(w http.ResponseWriter, c *call) error {
	r := c.r
	cty, err := county(r)
	if err != nil {
		return err
	}
	before, limit, err := paging(r, "before")
	if err != nil {
		return err
	}
	if _, err := c.account(cty, r.PathValue("code")); err != nil {
		return err
	}
	lines, err := s.d.Ledger.Statement(r.Context(), cty, r.PathValue("code"), before, limit)
	if err != nil {
		return err
	}
	out := make([]statementLine, len(lines))
	for i, l := range lines {
		out[i] = statementLine{toTransferOut(l.Transfer), map[bool]string{true: "in", false: "out"}[l.In]}
	}
	writeJSON(w, http.StatusOK, statementAnswer{Account: r.PathValue("code"), Lines: out})
	return nil
}

type channelJSON struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

func (s *Server) apiListChannels(w http.ResponseWriter, c *call) error {
	r := c.r
	cty, err := county(r)
	if err != nil {
		return err
	}
	cs, err := s.d.Ledger.Channels(r.Context(), cty)
	if err != nil {
		return err
	}
	out := make([]channelJSON, len(cs))
	for i, ch := range cs {
		out[i] = channelJSON{ch.Code, ch.Name}
	}
	writeJSON(w, http.StatusOK, channelsAnswer{Channels: out})
	return nil
}

// createdOrReplayed is the status of an idempotent create: 201, or —
// when everything asked for existed already, exactly as asked — 200 with
// the header Idempotent-Replayed: true.
func createdOrReplayed(w http.ResponseWriter, replayed bool) int {
	if replayed {
		w.Header().Set("Idempotent-Replayed", "true")
		return http.StatusOK
	}
	return http.StatusCreated
}

func (s *Server) apiCreateChannels(w http.ResponseWriter, c *call) error {
	r := c.r
	cty, err := county(r)
	if err != nil {
		return err
	}
	var body struct {
		channelJSON
		Channels []channelJSON `json:"channels"`
	}
	if err := decodeJSON(r, &body); err != nil {
		return err
	}
	in := body.Channels
	if in == nil {
		in = []channelJSON{body.channelJSON}
	}
	var nc []ledger.NewChannel
	for _, ch := range in {
		nc = append(nc, ledger.NewChannel{Code: ch.Code, Name: ch.Name})
	}
	cs, err := s.d.Ledger.CreateChannels(r.Context(), c.p.Username, cty, nc)
	if err != nil {
		return err
	}
	out := make([]channelJSON, len(cs))
	replayed := len(cs) > 0
	for i, ch := range cs {
		out[i] = channelJSON{ch.Code, ch.Name}
		replayed = replayed && ch.Replayed
	}
	writeJSON(w, createdOrReplayed(w, replayed), channelsAnswer{Channels: out})
	return nil
}

type traceNodeOut struct {
	ID    int64  `json:"id"`
	Code  string `json:"code,omitempty"`
	Name  string `json:"name"`
	Kind  string `json:"kind"`
	Place string `json:"place,omitempty"`
	Group int    `json:"group,omitempty"`
}

type traceEdgeOut struct {
	From      int64  `json:"from"`
	To        int64  `json:"to"`
	Channel   string `json:"channel"`
	Amount    Amount `json:"amount"`
	AmountFen int64  `json:"amount_fen"`
	Count     int64  `json:"transfers"`
}

type holdingOut struct {
	Node      int64  `json:"node"`
	Channel   string `json:"channel"`
	Amount    Amount `json:"amount"`
	AmountFen int64  `json:"amount_fen"`
}

// apiTrace answers ?channel=CODE (where the channel's money went) or
// ?account=CODE (where the account's money came from).
func (s *Server) apiTrace(w http.ResponseWriter, c *call) error {
	r := c.r
	cty, err := county(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	var t ledger.Trace
	switch {
	case q.Get("channel") != "":
		t, err = s.d.Ledger.TraceChannel(r.Context(), cty, q.Get("channel"), c.tracePrefix())
	case q.Get("account") != "":
		if _, err = c.account(cty, q.Get("account")); err == nil {
			t, err = s.d.Ledger.TraceAccount(r.Context(), cty, q.Get("account"), c.tracePrefix())
		}
	default:
		return errs.F(errs.Invalid, "invalid_query", "channel", "give ?channel=CODE or ?account=CODE")
	}
	if err != nil {
		return err
	}
	nodes := make([]traceNodeOut, 0, len(t.Nodes))
	for _, n := range t.Nodes {
		nodes = append(nodes, traceNodeOut{n.ID, n.Code, n.Name, string(n.Kind), string(n.Place), n.Group})
	}
	sortNodes(nodes)
	edges := make([]traceEdgeOut, len(t.Edges))
	for i, e := range t.Edges {
		edges[i] = traceEdgeOut{e.From, e.To, e.Channel, Amount(e.Amount), int64(e.Amount), e.Count}
	}
	holdings := make([]holdingOut, len(t.Holdings))
	for i, h := range t.Holdings {
		holdings[i] = holdingOut{h.Node, h.Channel, Amount(h.Amount), int64(h.Amount)}
	}
	chans := make([]channelJSON, len(t.Channels))
	for i, ch := range t.Channels {
		chans[i] = channelJSON{ch.Code, ch.Name}
	}
	writeJSON(w, http.StatusOK, traceAnswer{Channels: chans, Nodes: nodes, Edges: edges, Holdings: holdings, Truncated: t.Truncated})
	return nil
}

func sortNodes(n []traceNodeOut) {
	sort.Slice(n, func(i, j int) bool { return n[i].ID < n[j].ID })
}

func (s *Server) apiNotFound(w http.ResponseWriter, c *call) error {
	return errs.F(errs.NotFound, "not_found", routeField, "no such API route: %s %s", c.r.Method, c.r.URL.Path)
}

func paging(r *http.Request, cursor string) (int64, int, error) {
	q := r.URL.Query()
	var cur int64
	limit := 50
	if v := q.Get(cursor); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return 0, 0, errs.F(errs.Invalid, "invalid_query", cursor, "%s must be a non-negative integer", cursor)
		}
		cur = n
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 || n > 500 {
			return 0, 0, errs.F(errs.Invalid, "invalid_query", "limit", "limit must be 1–500")
		}
		limit = n
	}
	return cur, limit, nil
}

// fen is the leg's amount, given as yuan or as fen (not both differently).
func (l legJSON) fen() (money.Fen, error) {
	amt := money.Fen(l.Amount)
	if l.AmountFen != 0 {
		if amt != 0 && amt != money.Fen(l.AmountFen) {
			return 0, errs.F(errs.Invalid, "invalid_amount", "legs.amount_fen", "amount %s and amount_fen %d disagree; give one", amt.Plain(), l.AmountFen)
		}
		amt = money.Fen(l.AmountFen)
	}
	return amt, nil
}
