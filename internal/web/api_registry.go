// The household registry's JSON API.

package web

import (
	"net/http"

	"onepool/internal/errs"
	"onepool/internal/registry"
)

func toHouseholdJSON(h registry.Household) householdJSON {
	members := []memberJSON{}
	for _, m := range h.Members {
		members = append(members, memberJSON{Seq: m.Seq, Name: m.Name, ResidentID: m.IDMasked, Relation: m.Relation, BirthYear: m.BirthYear, Alive: m.Alive})
	}
	return householdJSON{Code: h.Code, Village: string(h.Village), Head: h.Head, Members: members,
		Card: cardJSON{Holder: h.Card.Holder, Bank: h.Card.Bank, Number: h.Card.Masked}}
}

func (s *Server) apiHouseholds(w http.ResponseWriter, c *call) error {
	f, err := s.householdFilter(c)
	if err != nil {
		return err
	}
	if f.Offset, f.Limit, err = offsetLimit(c.r, 100, 1000); err != nil {
		return err
	}
	hs, total, err := s.d.Registry.List(c.r.Context(), c.p.County, f)
	if err != nil {
		return err
	}
	out := []householdJSON{}
	for _, h := range hs {
		out = append(out, toHouseholdJSON(h))
	}
	writeJSON(w, http.StatusOK, householdsAnswer{Households: out, pageOf: pageOf{Total: total, Offset: f.Offset, Limit: f.Limit}})
	return nil
}

func (s *Server) apiHousehold(w http.ResponseWriter, c *call) error {
	h, err := c.household(c.r.PathValue("code"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, householdAnswer{Household: toHouseholdJSON(h)})
	return nil
}

func (s *Server) apiRegistryImport(w http.ResponseWriter, c *call) error {
	body, done := importBody(w, c)
	defer done()
	var n int
	var err error
	switch c.r.URL.Query().Get("kind") {
	case "households":
		n, err = s.d.Registry.Import(c.r.Context(), c.p, body)
	case "years":
		n, err = s.d.Registry.ImportYears(c.r.Context(), c.p, body)
	default:
		return errs.F(errs.Invalid, "invalid_import", "kind", "kind must be households or years")
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, importedAnswer{Imported: n})
	return nil
}

func (s *Server) apiLeads(w http.ResponseWriter, c *call) error {
	ls, err := s.d.Registry.Leads(c.r.Context(), c.p.County, c.p.Prefix(), c.r.URL.Query().Get("open") == "1")
	if err != nil {
		return err
	}
	out := []leadJSON{}
	for _, l := range ls {
		out = append(out, leadJSON{ID: l.ID, Kind: l.Kind, Households: l.Households, Status: l.Status, Reason: l.Reason})
	}
	writeJSON(w, http.StatusOK, leadsAnswer{Leads: out})
	return nil
}
