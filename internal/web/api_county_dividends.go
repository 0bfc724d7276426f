// The county-wide dividend runs' JSON API (see docs/API.md).

package web

import (
	"net/http"

	"onepool/internal/agreements"
)

type countyRunItemJSON struct {
	Agreement  int64  `json:"agreement"`
	Period     int    `json:"period"`
	Township   string `json:"township"`
	Form       string `json:"form"`
	Amount     Amount `json:"amount"`
	Households int    `json:"households"`
	Digest     string `json:"digest"`
	Run        int64  `json:"run"` // the agreement's run once approved (0 before)
}

type countyLeftOutJSON struct {
	Agreement int64  `json:"agreement"`
	Period    int    `json:"period"`
	Township  string `json:"township"`
	Code      string `json:"code"`
	Reason    string `json:"reason"`
}

type countyPlanAnswer struct {
	Year       int                 `json:"year"`
	Township   string              `json:"township"`
	Agreements []countyRunItemJSON `json:"agreements"`
	Households int                 `json:"households"`
	Total      Amount              `json:"total"`
	LeftOut    []countyLeftOutJSON `json:"left_out"`
}

type countyRunAnswer struct {
	ID         int64               `json:"id"` // the instruction
	State      string              `json:"state"`
	Year       int                 `json:"year"`
	Township   string              `json:"township"`
	Agreements []countyRunItemJSON `json:"agreements"`
	Households int                 `json:"households"`
	Total      Amount              `json:"total"`
	Maker      string              `json:"maker"`
	Approver   string              `json:"approver"`
}

func countyItems(its []agreements.CountyRunItem, runs map[int64]int64) []countyRunItemJSON {
	out := []countyRunItemJSON{}
	for _, it := range its {
		out = append(out, countyRunItemJSON{Agreement: it.Agreement, Period: it.Period, Township: string(it.Township), Form: it.Form, Amount: Amount(it.Amount),
			Households: it.Households, Digest: it.Digest, Run: runs[it.Agreement]})
	}
	return out
}

// apiCountyDividendPlan is what a county run of ?year= (&township=)
// would cover now, with the agreements left out.
func (s *Server) apiCountyDividendPlan(w http.ResponseWriter, c *call) error {
	n, err := countyYear(c.r.URL.Query().Get("year"))
	if err != nil {
		return err
	}
	p, err := s.d.Agreements.PlanCountyRun(c.r.Context(), c.p, n, c.r.URL.Query().Get("township"))
	if err != nil {
		return err
	}
	ans := countyPlanAnswer{Year: p.Year, Township: p.Township, Agreements: countyItems(p.Agreements, nil), Households: p.Households, Total: Amount(p.Total), LeftOut: []countyLeftOutJSON{}}
	for _, l := range p.LeftOut {
		ans.LeftOut = append(ans.LeftOut, countyLeftOutJSON{Agreement: l.Agreement, Period: l.Period, Township: string(l.Township), Code: l.Code, Reason: l.Reason})
	}
	writeJSON(w, http.StatusOK, ans)
	return nil
}

// apiCountyDividendRun enters a county run for approval: 202 with the
// instruction (a replayed key: 200, Idempotent-Replayed: true).
func (s *Server) apiCountyDividendRun(w http.ResponseWriter, c *call) error {
	var b struct {
		Key      string `json:"key"`
		Year     int    `json:"year"`
		Township string `json:"township"`
	}
	if err := decodeJSON(c.r, &b); err != nil {
		return err
	}
	in, err := s.d.Agreements.ProposeCountyRun(c.r.Context(), c.p, b.Year, b.Township, b.Key)
	if err != nil {
		return err
	}
	return writeInstruction(w, in)
}

func (s *Server) apiCountyDividendRunGet(w http.ResponseWriter, c *call) error {
	r, _, err := s.countyRun(c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, countyRunAnswer{ID: r.Instruction.ID, State: r.Instruction.State, Year: r.Order.Year, Township: r.Order.Township,
		Agreements: countyItems(r.Order.Agreements, r.Runs), Households: r.Order.Households, Total: Amount(r.Order.Total), Maker: r.Instruction.Maker, Approver: r.Instruction.Approver})
	return nil
}
