package web

import (
	"onepool/internal/auth"
	"onepool/internal/errs"
	"onepool/internal/ledger"
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
	return place.None
}

// tracePrefix is the place prefix a trace is limited to: none for a
// county-level user, the subtree otherwise (see ledger.OutsideNode).
func (c *call) tracePrefix() string {
	if c.p.Place.Level() == place.County {
		return ""
	}
	return c.p.Prefix()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// subtreePlaces lists the places under the caller at or below level.
func (s *Server) subtreePlaces(c *call, min place.Level) []placeOption {
	var out []placeOption
	if t, err := s.d.Auth.Places(c.r.Context(), c.p.County); err == nil {
		for _, n := range auth.Subtree(t, c.p.Place) {
			if n.Code.Level() >= min {
				out = append(out, placeOption{Code: string(n.Code), Label: n.Name})
			}
		}
	}
	return out
}
