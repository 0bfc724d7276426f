// The business entities' JSON API (see docs/API.md).

package web

import (
	"net/http"

	"onepool/internal/entities"
	"onepool/internal/money"
	"onepool/internal/place"
)

type entityBankJSON struct {
	Holder string `json:"holder"`
	Bank   string `json:"bank"`
	Number string `json:"number"` // masked on every answer
}

type entityJSON struct {
	USCC       string         `json:"uscc"`
	Kind       string         `json:"kind"`
	Name       string         `json:"name"`
	Place      string         `json:"place"`
	Account    string         `json:"account"`
	LegalRep   string         `json:"legal_rep"`
	RepID      string         `json:"rep_id"` // masked
	Bank       entityBankJSON `json:"bank_account"`
	Households int            `json:"households"`
}

type investmentJSON struct {
	Project string `json:"project"`
	From    string `json:"from"`
	Channel string `json:"channel"`
	Amount  Amount `json:"amount"`
}

type effectJSON struct {
	Year   int    `json:"year"`
	Income Amount `json:"income"`
}

type entityLinkJSON struct {
	Household string       `json:"household"`
	Head      string       `json:"head"`
	Village   string       `json:"village"`
	LinkType  string       `json:"link_type"`
	Since     string       `json:"since"`
	Ended     string       `json:"ended"`      // YYYY-MM-DD; "" while the link is live
	EndReason string       `json:"end_reason"` // why it ended
	Effects   []effectJSON `json:"effects"`
}

type entitiesAnswer struct {
	Entities []entityJSON `json:"entities"`
	pageOf
}

type entityAnswer struct {
	Entity   entityJSON       `json:"entity"`
	Invested []investmentJSON `json:"invested"`
	Total    Amount           `json:"invested_total"`
	Links    []entityLinkJSON `json:"links"`
}

type entityLinksAnswer struct {
	Links      []entityLinkJSON `json:"links"`
	Households int              `json:"households"` // driven in all; links lists those in the caller's area
}

// entityIn is the body of a create.
type entityIn struct {
	USCC     string `json:"uscc"`
	Kind     string `json:"kind"`
	Name     string `json:"name"`
	Place    string `json:"place"`
	Account  string `json:"account"`
	LegalRep string `json:"legal_rep"`
	RepID    string `json:"rep_id"`
	Bank     struct {
		Holder string `json:"holder"`
		Bank   string `json:"bank"`
		Number string `json:"number"`
	} `json:"bank_account"`
}

// linkIn is the body of a link: the household, the way, since when, and
// optionally the income effect of a year.
type linkIn struct {
	Household string  `json:"household"`
	LinkType  string  `json:"link_type"`
	Since     string  `json:"since"`
	Year      int     `json:"year"`
	Income    *Amount `json:"income"`
}

func toEntityJSON(e entities.Entity) entityJSON {
	return entityJSON{USCC: e.USCC, Kind: e.Kind, Name: e.Name, Place: string(e.Place), Account: e.Account, LegalRep: e.LegalRep, RepID: e.RepIDMasked,
		Bank: entityBankJSON{Holder: e.Bank.Holder, Bank: e.Bank.Bank, Number: e.Bank.Masked}, Households: e.Households}
}

func toLinksJSON(ls []entities.Link) []entityLinkJSON {
	out := []entityLinkJSON{}
	for _, l := range ls {
		j := entityLinkJSON{Household: l.Household, Head: l.Head, Village: string(l.Village), LinkType: l.Type, Since: l.Since, Ended: l.Ended, EndReason: l.EndReason, Effects: []effectJSON{}}
		for _, e := range l.Effects {
			j.Effects = append(j.Effects, effectJSON{Year: e.Year, Income: Amount(e.Income)})
		}
		out = append(out, j)
	}
	return out
}

func (s *Server) apiEntities(w http.ResponseWriter, c *call) error {
	f, err := entityFilter(c)
	if err != nil {
		return err
	}
	if f.Offset, f.Limit, err = offsetLimit(c.r, 100, 1000); err != nil {
		return err
	}
	es, total, err := s.d.Entities.List(c.r.Context(), c.p, f)
	if err != nil {
		return err
	}
	out := []entityJSON{}
	for _, e := range es {
		out = append(out, toEntityJSON(e))
	}
	writeJSON(w, http.StatusOK, entitiesAnswer{Entities: out, pageOf: pageOf{Total: total, Offset: f.Offset, Limit: f.Limit}})
	return nil
}

func (s *Server) apiEntity(w http.ResponseWriter, c *call) error {
	ctx := c.r.Context()
	e, err := s.d.Entities.Get(ctx, c.p, c.r.PathValue("code"))
	if err != nil {
		return err
	}
	inv, err := s.d.Entities.Invested(ctx, c.p, e.USCC)
	if err != nil {
		return err
	}
	ls, _, err := s.d.Entities.Links(ctx, c.p, e.USCC)
	if err != nil {
		return err
	}
	a := entityAnswer{Entity: toEntityJSON(e), Invested: []investmentJSON{}, Links: toLinksJSON(ls)}
	for _, i := range inv {
		a.Invested = append(a.Invested, investmentJSON{Project: i.Project, From: i.From, Channel: i.Channel, Amount: Amount(i.Amount)})
		a.Total += Amount(i.Amount)
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

// apiCreateEntity: 201 with the entity; the same body again is a replay
// (200, Idempotent-Replayed: true); other content under the same USCC is
// 409 entity_exists.
func (s *Server) apiCreateEntity(w http.ResponseWriter, c *call) error {
	var b entityIn
	if err := decodeJSON(c.r, &b); err != nil {
		return err
	}
	e, replayed, err := s.d.Entities.Create(c.r.Context(), c.p, entities.Entity{County: c.p.County, USCC: b.USCC, Kind: b.Kind, Name: b.Name, Place: place.Code(b.Place),
		Account: b.Account, LegalRep: b.LegalRep, RepID: b.RepID, Bank: entities.Bank{Holder: b.Bank.Holder, Bank: b.Bank.Bank, Number: b.Bank.Number}})
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if replayed {
		w.Header().Set("Idempotent-Replayed", "true")
		status = http.StatusOK
	}
	writeJSON(w, status, struct {
		Entity entityJSON `json:"entity"`
	}{toEntityJSON(e)})
	return nil
}

func (s *Server) apiEntityLinks(w http.ResponseWriter, c *call) error {
	ls, n, err := s.d.Entities.Links(c.r.Context(), c.p, c.r.PathValue("code"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, entityLinksAnswer{Links: toLinksJSON(ls), Households: n})
	return nil
}

// apiAddEntityLink: 201 with the entity's links after it; the same link
// again is a replay (200, Idempotent-Replayed: true).
func (s *Server) apiAddEntityLink(w http.ResponseWriter, c *call) error {
	ctx := c.r.Context()
	// The entity first: one outside the caller's area is not found,
	// whatever the body says.
	e, err := s.d.Entities.Get(ctx, c.p, c.r.PathValue("code"))
	if err != nil {
		return err
	}
	code := e.USCC
	var b linkIn
	if err := decodeJSON(c.r, &b); err != nil {
		return err
	}
	var eff *entities.Effect
	if b.Income != nil {
		eff = &entities.Effect{Year: b.Year, Income: money.Fen(*b.Income)}
	}
	replayed, err := s.d.Entities.AddLink(ctx, c.p, code, entities.Link{Household: b.Household, Type: b.LinkType, Since: b.Since}, eff)
	if err != nil {
		return err
	}
	ls, n, err := s.d.Entities.Links(ctx, c.p, code)
	if err != nil {
		return err
	}
	status := http.StatusCreated
	if replayed {
		w.Header().Set("Idempotent-Replayed", "true")
		status = http.StatusOK
	}
	writeJSON(w, status, entityLinksAnswer{Links: toLinksJSON(ls), Households: n})
	return nil
}
