package web

import (
	"onepool/internal/auth"
	"onepool/internal/errs"
	"onepool/internal/ledger"
	"onepool/internal/money"
	"onepool/internal/place"
)

// The helpers here read ledger records through the policy: a record
// outside the caller's subtree is NotFound, exactly like a missing one.

// account returns an account the caller may see.
func (c *call) account(county, code string) (ledger.Account, error) {
	a, err := c.s.d.Ledger.Account(c.r.Context(), county, code)
	if err != nil {
		return a, err
	}
	if err := c.authorize(auth.ViewLedger, a.Place); err != nil {
		return ledger.Account{}, unknownAccount(code)
	}
	return a, nil
}

func unknownAccount(code string) error {
	// Exactly what the ledger says of an account that does not exist.
	return errs.F(errs.NotFound, "unknown_account", "account", "account %q does not exist", code)
}

func unknownTransfer(id int64) error {
	return errs.E(errs.NotFound, "unknown_transfer", "transfer %d does not exist", id)
}

// transfer returns a transfer whose source or destination the caller sees.
func (c *call) transfer(county string, id int64) (ledger.Transfer, error) {
	t, err := c.s.d.Ledger.Transfer(c.r.Context(), county, id)
	if err != nil {
		return t, err
	}
	if c.p.Place.Level() == place.County && c.p.County == county {
		return t, nil
	}
	for _, code := range []string{t.From, t.To} {
		a, err := c.s.d.Ledger.Account(c.r.Context(), county, code)
		if err != nil {
			return ledger.Transfer{}, err
		}
		if c.p.Sees(a.Place) {
			return t, nil
		}
	}
	c.s.denied(c.r.Context(), c.p, c.r, auth.ViewLedger, auth.NotFound())
	return ledger.Transfer{}, unknownTransfer(id)
}

// checkTransferPlaces refuses transfers between accounts outside the
// caller's subtree (a county-level caller sees the whole county).
func (c *call) checkTransferPlaces(county string, reqs []ledger.TransferRequest) error {
	if c.p.Place.Level() == place.County {
		return nil
	}
	seen := map[string]bool{}
	for _, r := range reqs {
		for _, code := range []string{r.From, r.To} {
			if code == "" || seen[code] {
				continue
			}
			seen[code] = true
			if _, err := c.account(county, code); err != nil {
				return err
			}
		}
	}
	return nil
}

// scopePrefix narrows a requested place filter to the caller's subtree:
// the requested subtree when it lies inside the caller's, the caller's
// when the request is wider, and nothing otherwise.
func (c *call) scopePrefix(requested place.Code) string {
	switch {
	case requested == "":
		return c.p.Prefix()
	case c.p.Sees(requested):
		return requested.Prefix()
	case requested.Contains(c.p.Place):
		return c.p.Prefix()
	}
	return "\x00"
}

// outsideNode is the id of the one node that stands for every account
// outside the caller's subtree in a trace.
const outsideNode = int64(-1 << 40)

// scopeTrace folds the nodes the caller may not see into one anonymous
// node, so a trace keeps its totals without naming other places' accounts.
func (c *call) scopeTrace(t ledger.Trace) ledger.Trace {
	if c.p.Place.Level() == place.County {
		return t
	}
	hidden := map[int64]bool{}
	for id, n := range t.Nodes {
		if !c.p.Sees(n.Place) {
			hidden[id] = true
		}
	}
	if len(hidden) == 0 {
		return t
	}
	nodes := map[int64]ledger.TraceNode{}
	for id, n := range t.Nodes {
		if !hidden[id] {
			nodes[id] = n
		}
	}
	nodes[outsideNode] = ledger.TraceNode{ID: outsideNode, Name: "", Kind: "", Group: len(hidden)}
	type key struct {
		from, to int64
		ch       string
	}
	sum := map[key]*ledger.TraceEdge{}
	var order []key
	for _, e := range t.Edges {
		if hidden[e.From] {
			e.From = outsideNode
		}
		if hidden[e.To] {
			e.To = outsideNode
		}
		if e.From == outsideNode && e.To == outsideNode {
			continue
		}
		k := key{e.From, e.To, e.Channel}
		if x := sum[k]; x != nil {
			x.Amount += e.Amount
			x.Count += e.Count
			continue
		}
		e2 := e
		sum[k] = &e2
		order = append(order, k)
	}
	edges := make([]ledger.TraceEdge, 0, len(order))
	for _, k := range order {
		edges = append(edges, *sum[k])
	}
	var holdings []ledger.Holding
	out := map[string]money.Fen{}
	for _, h := range t.Holdings {
		if hidden[h.Node] {
			out[h.Channel] += h.Amount
			continue
		}
		holdings = append(holdings, h)
	}
	for ch, amt := range out {
		holdings = append(holdings, ledger.Holding{Node: outsideNode, Channel: ch, Amount: amt})
	}
	t.Nodes, t.Edges, t.Holdings = nodes, edges, holdings
	return t
}
