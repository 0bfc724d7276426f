package web

import (
	"net/http"
	"strconv"
	"time"

	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/funds"
	"onepool/internal/ledger"
)

type fundChannelJSON struct {
	Code          string   `json:"code"`
	Name          string   `json:"name"`
	Level         string   `json:"level"`
	Category      string   `json:"category"`
	Department    string   `json:"department"`
	Purposes      []string `json:"purposes,omitempty"`
	Year          int      `json:"year"`
	Integrable    bool     `json:"integrable"`
	NotIntegrable bool     `json:"not_integrable,omitempty"`
}

type fundChannelsAnswer struct {
	Channels []fundChannelJSON `json:"channels"`
}

// planJSON is a channel's plan for a year, asked and answered.
type planJSON struct {
	Channel string `json:"channel"`
	Year    int    `json:"year"`
	Amount  Amount `json:"amount"`
}

// planLineJSON is a line of the standing input plan.
type planLineJSON struct {
	Name     string   `json:"name"`
	Measure  string   `json:"measure"`
	Planned  *Amount  `json:"planned"` // null for an open line
	Actual   Amount   `json:"actual"`
	Short    Amount   `json:"short"`
	Met      bool     `json:"met"`
	Channels []string `json:"channels"`
}

type fundsReportAnswer struct {
	Year                int            `json:"year"`
	Channels            []rateJSON     `json:"channels"`
	Departments         []rateJSON     `json:"departments"`
	Categories          []rateJSON     `json:"categories"`
	Total               rateJSON       `json:"total"`
	MinIntegrationRatio string         `json:"min_integration_ratio"`
	IntegrationRatioMet bool           `json:"integration_ratio_met"`
	InputPlan           []planLineJSON `json:"input_plan"`
	Shares              []checkJSON    `json:"shares"`
}

// writeTransfers answers the transfers an idempotent write posted: 201,
// or — when every key had been posted before and the same transfers come
// back — 200 with the header Idempotent-Replayed: true and the same body.
func writeTransfers(w http.ResponseWriter, ts []ledger.Transfer) {
	out := make([]transferOut, len(ts))
	replayed := len(ts) > 0
	for i, t := range ts {
		out[i] = toTransferOut(t)
		replayed = replayed && t.Replayed
	}
	status := http.StatusCreated
	if replayed {
		w.Header().Set("Idempotent-Replayed", "true")
		status = http.StatusOK
	}
	writeJSON(w, status, transfersAnswer{Transfers: out})
}

func toFundChannelJSON(c funds.Channel) fundChannelJSON {
	return fundChannelJSON{Code: c.Code, Name: c.Name, Level: c.Level, Category: c.Category, Department: c.Department, Purposes: c.Purposes, Year: c.Year, Integrable: c.Integrable}
}

func (s *Server) apiFundChannels(w http.ResponseWriter, c *call) error {
	cs, err := s.d.Funds.Channels(c.r.Context(), c.r.PathValue("county"))
	if err != nil {
		return err
	}
	out := make([]fundChannelJSON, len(cs))
	for i, ch := range cs {
		out[i] = toFundChannelJSON(ch)
	}
	writeJSON(w, http.StatusOK, fundChannelsAnswer{Channels: out})
	return nil
}

func (s *Server) apiRegisterChannels(w http.ResponseWriter, c *call) error {
	var body struct {
		Channels []fundChannelJSON `json:"channels"`
	}
	if err := decodeJSON(c.r, &body); err != nil {
		return err
	}
	var in []funds.NewChannel
	for _, ch := range body.Channels {
		in = append(in, funds.NewChannel{Code: ch.Code, Name: ch.Name, Level: ch.Level, Category: ch.Category, Department: ch.Department, Purposes: ch.Purposes, Year: ch.Year, NotIntegrable: ch.NotIntegrable})
	}
	cs, err := s.d.Funds.Register(c.r.Context(), c.p.Username, c.r.PathValue("county"), in)
	if err != nil {
		return err
	}
	out := make([]fundChannelJSON, len(cs))
	for i, ch := range cs {
		out[i] = toFundChannelJSON(ch)
	}
	writeJSON(w, http.StatusCreated, fundChannelsAnswer{Channels: out})
	return nil
}

func (s *Server) apiSetPlan(w http.ResponseWriter, c *call) error {
	var body planJSON
	if err := decodeJSON(c.r, &body); err != nil {
		return err
	}
	if err := s.d.Funds.SetPlan(c.r.Context(), c.p.Username, c.r.PathValue("county"), body.Channel, body.Year, body.Amount.Fen()); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, body)
	return nil
}

type movementJSON struct {
	Key     string `json:"key"`
	Channel string `json:"channel"`
	Amount  Amount `json:"amount"`
	Day     string `json:"day"`
	DocNo   string `json:"doc_no"`
	Memo    string `json:"memo"`
}

func (s *Server) apiMovements(w http.ResponseWriter, c *call, integrate bool) error {
	var body struct {
		Movements []movementJSON `json:"movements"`
	}
	if err := decodeJSON(c.r, &body); err != nil {
		return err
	}
	var in []funds.Movement
	for i, m := range body.Movements {
		day, err := time.ParseInLocation("2006-01-02", m.Day, clock.Zone)
		if err != nil {
			return errs.F(errs.Invalid, "invalid_date", "movements["+strconv.Itoa(i)+"].day", "day must be a date YYYY-MM-DD, got %q", m.Day)
		}
		in = append(in, funds.Movement{Key: m.Key, Channel: m.Channel, Amount: m.Amount.Fen(), Day: day, DocNo: m.DocNo, Memo: m.Memo})
	}
	move := s.d.Funds.Arrive
	if integrate {
		move = s.d.Funds.Integrate
	}
	ts, err := move(c.r.Context(), c.p.Username, c.r.PathValue("county"), in)
	if err != nil {
		return err
	}
	writeTransfers(w, ts)
	return nil
}

func (s *Server) apiArrivals(w http.ResponseWriter, c *call) error {
	return s.apiMovements(w, c, false)
}
func (s *Server) apiIntegrations(w http.ResponseWriter, c *call) error {
	return s.apiMovements(w, c, true)
}

type rateJSON struct {
	Channel          string `json:"channel,omitempty"`
	Department       string `json:"department,omitempty"`
	Category         string `json:"category,omitempty"`
	Planned          Amount `json:"planned"`
	Arrived          Amount `json:"arrived"`
	Integrated       Amount `json:"integrated"`
	ArrivalRate      string `json:"arrival_rate"`
	IntegrationRatio string `json:"integration_ratio"`
}

func toRateJSON(r funds.RateRow) rateJSON {
	return rateJSON{Channel: r.Channel.Code, Department: r.Channel.Department, Planned: Amount(r.Planned), Arrived: Amount(r.Arrived), Integrated: Amount(r.Integrated),
		ArrivalRate: r.ArrivalRate(), IntegrationRatio: r.IntegrationRatio()}
}

func (s *Server) apiFundsReport(w http.ResponseWriter, c *call) error {
	year, err := c.reportYear()
	if err != nil {
		return err
	}
	rep, err := s.d.Funds.YearReport(c.r.Context(), c.r.PathValue("county"), year)
	if err != nil {
		return err
	}
	var rows, depts, cats []rateJSON
	for _, r := range rep.ByCategory {
		g := toRateJSON(r)
		g.Channel, g.Department = "", ""
		g.Category = r.Channel.Category
		cats = append(cats, g)
	}
	for _, r := range rep.Rows {
		rows = append(rows, toRateJSON(r))
	}
	for _, r := range rep.ByDepartment {
		d := toRateJSON(r)
		d.Channel = ""
		depts = append(depts, d)
	}
	plan := []planLineJSON{}
	for _, l := range rep.InputPlan {
		pj := planLineJSON{Name: l.Line.Name, Measure: l.Line.Measure, Actual: Amount(l.Actual), Short: Amount(l.Short), Met: l.Met, Channels: l.Channels}
		if l.Line.Amount > 0 {
			a := Amount(l.Line.Amount)
			pj.Planned = &a
		}
		plan = append(plan, pj)
	}
	writeJSON(w, http.StatusOK, fundsReportAnswer{Year: year, Channels: rows, Departments: depts, Categories: cats, Total: toRateJSON(rep.Total),
		MinIntegrationRatio: rep.MinRatio.String(), IntegrationRatioMet: rep.RatioMet, InputPlan: plan, Shares: toChecksJSON(rep.Shares)})
	return nil
}

type projectJSON struct {
	Code       string `json:"code"`
	Name       string `json:"name"`
	Place      string `json:"place"`
	Purpose    string `json:"purpose"`
	Department string `json:"department"`
	Collective bool   `json:"collective"` // run by the village collective (co-funded)
}

func toProjectJSON(p funds.Project) projectJSON {
	return projectJSON{p.Code, p.Name, string(p.Place), p.Purpose, p.Department, p.Collective}
}

func (s *Server) apiFundProjects(w http.ResponseWriter, c *call) error {
	ps, err := s.d.Funds.Projects(c.r.Context(), c.p.County, c.p.Prefix())
	if err != nil {
		return err
	}
	out := make([]projectJSON, len(ps))
	for i, p := range ps {
		out[i] = toProjectJSON(p)
	}
	writeJSON(w, http.StatusOK, fundProjectsAnswer{Projects: out})
	return nil
}

func (s *Server) apiAllocate(w http.ResponseWriter, c *call) error {
	var b struct {
		Key     string    `json:"key"`
		Project string    `json:"project"`
		Amount  Amount    `json:"amount"`
		Rule    string    `json:"rule"`
		Legs    []legJSON `json:"legs"`
		DocNo   string    `json:"doc_no"`
		Day     string    `json:"day"` // 凭证日期, YYYY-MM-DD; empty: the day it is approved
		Memo    string    `json:"memo"`
	}
	if err := decodeJSON(c.r, &b); err != nil {
		return err
	}
	if _, err := c.project(b.Project); err != nil {
		return err
	}
	legs, err := toLegs(b.Legs)
	if err != nil {
		return err
	}
	day, err := formDay(b.Day)
	if err != nil {
		return err
	}
	in, err := s.d.Funds.ProposeAllocation(c.r.Context(), c.p, funds.Allocation{Key: b.Key, Project: b.Project, Amount: b.Amount.Fen(), Rule: b.Rule, Legs: legs, DocNo: b.DocNo, Day: day, Memo: b.Memo})
	if err != nil {
		return err
	}
	return writeInstruction(w, in)
}

func (s *Server) apiPay(w http.ResponseWriter, c *call) error {
	var b struct {
		Key     string    `json:"key"`
		Project string    `json:"project"`
		To      string    `json:"to"`
		Amount  Amount    `json:"amount"`
		Legs    []legJSON `json:"legs"`
		DocNo   string    `json:"doc_no"`
		Memo    string    `json:"memo"`
	}
	if err := decodeJSON(c.r, &b); err != nil {
		return err
	}
	if _, err := c.project(b.Project); err != nil {
		return err
	}
	legs, err := toLegs(b.Legs)
	if err != nil {
		return err
	}
	in, err := s.d.Funds.ProposePayment(c.r.Context(), c.p, funds.Payment{Key: b.Key, Project: b.Project, To: b.To, Amount: b.Amount.Fen(), Legs: legs, DocNo: b.DocNo, Memo: b.Memo})
	if err != nil {
		return err
	}
	return writeInstruction(w, in)
}

func toLegs(in []legJSON) ([]ledger.Leg, error) {
	var out []ledger.Leg
	for _, l := range in {
		amt, err := l.fen()
		if err != nil {
			return nil, err
		}
		out = append(out, ledger.Leg{Channel: l.Channel, Amount: amt})
	}
	return out, nil
}

func (s *Server) apiProjectReport(w http.ResponseWriter, c *call) error {
	p, err := c.project(c.r.PathValue("code"))
	if err != nil {
		return err
	}
	rep, err := s.d.Funds.ProjectReport(c.r.Context(), c.p.County, p.Code)
	if err != nil {
		return err
	}
	type line = reportLineJSON
	type payment = reportPaymentJSON
	var lines []line
	for _, l := range rep.Lines {
		lines = append(lines, line{l.Channel, Amount(l.Allocated), Amount(l.Paid), Amount(l.Held), l.Crossed})
	}
	var pays []payment
	for _, f := range rep.Payments {
		pays = append(pays, payment{f.Channel, f.To, Amount(f.Amount), f.Count})
	}
	writeJSON(w, http.StatusOK, projectReportAnswer{Project: toProjectJSON(p), Channels: lines, Payments: pays,
		Total: line{"", Amount(rep.Total.Allocated), Amount(rep.Total.Paid), Amount(rep.Total.Held), false}})
	return nil
}
