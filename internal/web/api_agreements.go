// The agreements' JSON API (see docs/API.md).

package web

import (
	"net/http"
	"time"

	"onepool/internal/agreements"
	"onepool/internal/money"
	"onepool/internal/place"
	"onepool/internal/policy"
)

type agreementLegJSON struct {
	Channel string `json:"channel"`
	Amount  Amount `json:"amount"`
}

type agreementPartyJSON struct {
	Household string `json:"household"`
	Head      string `json:"head"`
	Shares    int64  `json:"shares"`
}

type agreementScheduleJSON struct {
	Year     int    `json:"year"`
	Rate     string `json:"rate"`
	Dividend Amount `json:"dividend"`
}

type agreementStepJSON struct {
	Step     int    `json:"step"`
	StepName string `json:"step_name"`
	Actor    string `json:"actor"`
	Decision string `json:"decision"`
	Opinion  string `json:"opinion"`
	At       string `json:"at"`
}

type agreementJSON struct {
	ID              int64                   `json:"id"`
	Kind            string                  `json:"kind"`
	Form            string                  `json:"form"`
	Place           string                  `json:"place"`
	Township        string                  `json:"township"`
	Entity          string                  `json:"entity"`
	Project         string                  `json:"project"`
	Lender          string                  `json:"lender"`
	Purpose         string                  `json:"purpose"`
	Amount          Amount                  `json:"amount"`
	Legs            []agreementLegJSON      `json:"legs"`
	Start           string                  `json:"start"`
	End             string                  `json:"end"`
	TermYears       int                     `json:"term_years"`
	Rates           []string                `json:"rates"`
	CollateralKind  string                  `json:"collateral_kind"`
	Collateral      Amount                  `json:"collateral"`
	HouseholdsShare string                  `json:"households_share"`
	Manager         string                  `json:"manager"`
	Witnesses       string                  `json:"witnesses"`
	Households      []agreementPartyJSON    `json:"households"`
	Schedule        []agreementScheduleJSON `json:"schedule"`
	State           string                  `json:"state"`
	Renews          int64                   `json:"renews"`
	RenewedBy       int64                   `json:"renewed_by"`
	AcceptedBy      string                  `json:"accepted_by"`
	PayStatus       string                  `json:"pay_status"` // subsidy: "", waiting, sending, paid, failed
	CreatedBy       string                  `json:"created_by"`
}

func toAgreementJSON(a agreements.Agreement) agreementJSON {
	j := agreementJSON{ID: a.ID, Kind: a.Kind, Form: a.Form, Place: string(a.Place), Township: string(a.Township), Entity: a.Entity, Project: a.Project,
		Lender: a.Lender, Purpose: a.Purpose, Amount: Amount(a.Amount), Legs: []agreementLegJSON{}, Start: a.Start, End: a.End(), TermYears: a.TermYears,
		Rates: []string{}, CollateralKind: a.CollateralKind, Collateral: Amount(a.Collateral), Manager: a.Manager, Witnesses: a.Witnesses,
		Households: []agreementPartyJSON{}, Schedule: []agreementScheduleJSON{}, State: a.State, Renews: a.Renews, RenewedBy: a.RenewedBy,
		AcceptedBy: a.AcceptedBy, PayStatus: a.PayStatus, CreatedBy: a.CreatedBy}
	if a.HouseholdsShare != 0 {
		j.HouseholdsShare = a.HouseholdsShare.String()
	}
	for _, l := range a.Legs {
		j.Legs = append(j.Legs, agreementLegJSON{Channel: l.Channel, Amount: Amount(l.Amount)})
	}
	for _, r := range a.Rates {
		j.Rates = append(j.Rates, r.String())
	}
	for _, p := range a.Parties {
		j.Households = append(j.Households, agreementPartyJSON{Household: p.Household, Head: p.Head, Shares: p.Shares})
	}
	for _, s := range a.Schedule() {
		j.Schedule = append(j.Schedule, agreementScheduleJSON{Year: s.Year, Rate: s.Rate.String(), Dividend: Amount(s.Dividend)})
	}
	return j
}

type agreementsAnswer struct {
	Agreements []agreementJSON `json:"agreements"`
	pageOf
}

type agreementAnswer struct {
	Agreement agreementJSON       `json:"agreement"`
	Steps     []agreementStepJSON `json:"steps"`
}

// agreementIn is the body of a create; rates and households_share are
// percentages written "5%".
type agreementIn struct {
	Kind            string   `json:"kind"`
	Form            string   `json:"form"`
	Township        string   `json:"township"`
	Entity          string   `json:"entity"`
	Project         string   `json:"project"`
	Lender          string   `json:"lender"`
	Purpose         string   `json:"purpose"`
	Amount          Amount   `json:"amount"`
	Start           string   `json:"start"`
	TermYears       int      `json:"term_years"`
	Rates           []string `json:"rates"`
	CollateralKind  string   `json:"collateral_kind"`
	Collateral      Amount   `json:"collateral"`
	HouseholdsShare string   `json:"households_share"`
	Manager         string   `json:"manager"`
	Households      []struct {
		Household string `json:"household"`
		Shares    int64  `json:"shares"`
	} `json:"households"`
}

func (s *Server) apiAgreements(w http.ResponseWriter, c *call) error {
	f, err := agreementFilter(c)
	if err != nil {
		return err
	}
	f.Household, f.Entity = c.r.URL.Query().Get("household"), c.r.URL.Query().Get("entity")
	if f.Offset, f.Limit, err = offsetLimit(c.r, 100, 1000); err != nil {
		return err
	}
	as, total, err := s.d.Agreements.List(c.r.Context(), c.p, f)
	if err != nil {
		return err
	}
	out := []agreementJSON{}
	for _, a := range as {
		out = append(out, toAgreementJSON(a))
	}
	writeJSON(w, http.StatusOK, agreementsAnswer{Agreements: out, pageOf: pageOf{Total: total, Offset: f.Offset, Limit: f.Limit}})
	return nil
}

func (s *Server) apiAgreementAnswer(w http.ResponseWriter, c *call, status int, a agreements.Agreement) error {
	_, hist, err := s.d.Agreements.History(c.r.Context(), c.p, a)
	if err != nil {
		return err
	}
	ans := agreementAnswer{Agreement: toAgreementJSON(a), Steps: []agreementStepJSON{}}
	for _, h := range hist {
		ans.Steps = append(ans.Steps, agreementStepJSON{Step: h.Step, StepName: h.StepName, Actor: h.Actor, Decision: h.Decision, Opinion: h.Opinion, At: h.At.Format(time.RFC3339)})
	}
	writeJSON(w, status, ans)
	return nil
}

func (s *Server) apiAgreement(w http.ResponseWriter, c *call) error {
	id, err := agreementID(c)
	if err != nil {
		return err
	}
	a, err := s.d.Agreements.Get(c.r.Context(), c.p, id)
	if err != nil {
		return err
	}
	return s.apiAgreementAnswer(w, c, http.StatusOK, a)
}

// apiCreateAgreement drafts an agreement: 201 with it. Drafting is not
// idempotent: each POST drafts a new agreement.
func (s *Server) apiCreateAgreement(w http.ResponseWriter, c *call) error {
	var b agreementIn
	if err := decodeJSON(c.r, &b); err != nil {
		return err
	}
	a := agreements.Agreement{Kind: b.Kind, Form: b.Form, Township: place.Code(b.Township), Entity: b.Entity, Project: b.Project, Lender: b.Lender,
		Purpose: b.Purpose, Amount: money.Fen(b.Amount), Start: b.Start, TermYears: b.TermYears, CollateralKind: b.CollateralKind,
		Collateral: money.Fen(b.Collateral), Manager: b.Manager, Parties: []agreements.Party{}}
	for _, h := range b.Households {
		a.Parties = append(a.Parties, agreements.Party{Household: h.Household, Shares: h.Shares})
	}
	for _, r := range b.Rates {
		rs, err := agreements.ParseRates(r)
		if err != nil || len(rs) != 1 {
			return agreementsRateErr()
		}
		a.Rates = append(a.Rates, rs[0])
	}
	if b.HouseholdsShare != "" {
		rs, err := agreements.ParseRates(b.HouseholdsShare)
		if err != nil || len(rs) != 1 {
			return agreementsRateErr()
		}
		a.HouseholdsShare = policy.Percent(rs[0])
	}
	a, err := s.d.Agreements.Create(c.r.Context(), c.p, a)
	if err != nil {
		return err
	}
	return s.apiAgreementAnswer(w, c, http.StatusCreated, a)
}

func agreementsRateErr() error {
	_, err := agreements.ParseRates("x")
	return err
}

// apiAgreementStep takes a step (the body's do: negotiate, approve,
// return, reject, resubmit, activate, accept, end, terminate, note) and
// answers the agreement after it.
func (s *Server) apiAgreementStep(w http.ResponseWriter, c *call) error {
	id, err := agreementID(c)
	if err != nil {
		return err
	}
	// The agreement first: one outside the caller's area is not found,
	// whatever the body says.
	if _, err := s.d.Agreements.Get(c.r.Context(), c.p, id); err != nil {
		return err
	}
	var b stepIn
	if err := decodeJSON(c.r, &b); err != nil {
		return err
	}
	if err := s.stepAgreement(c, id, b); err != nil {
		return err
	}
	a, err := s.d.Agreements.Get(c.r.Context(), c.p, id)
	if err != nil {
		return err
	}
	return s.apiAgreementAnswer(w, c, http.StatusOK, a)
}
