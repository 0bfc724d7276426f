package web

import (
	"net/http"
	"strconv"
	"time"

	"onepool/internal/clock"
	"onepool/internal/errs"
	"onepool/internal/funds"
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
	writeJSON(w, http.StatusOK, map[string]any{"channels": out})
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
	writeJSON(w, http.StatusCreated, map[string]any{"channels": out})
	return nil
}

func (s *Server) apiSetPlan(w http.ResponseWriter, c *call) error {
	var body struct {
		Channel string `json:"channel"`
		Year    int    `json:"year"`
		Amount  Amount `json:"amount"`
	}
	if err := decodeJSON(c.r, &body); err != nil {
		return err
	}
	if err := s.d.Funds.SetPlan(c.r.Context(), c.p.Username, c.r.PathValue("county"), body.Channel, body.Year, body.Amount.Fen()); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"channel": body.Channel, "year": body.Year, "amount": body.Amount})
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
	out := make([]transferOut, len(ts))
	for i, t := range ts {
		out[i] = toTransferOut(t)
	}
	writeJSON(w, http.StatusCreated, map[string]any{"transfers": out})
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
	type planJSON struct {
		Name     string   `json:"name"`
		Measure  string   `json:"measure"`
		Planned  *Amount  `json:"planned"` // null for an open line
		Actual   Amount   `json:"actual"`
		Short    Amount   `json:"short"`
		Met      bool     `json:"met"`
		Channels []string `json:"channels"`
	}
	plan := []planJSON{}
	for _, l := range rep.InputPlan {
		pj := planJSON{Name: l.Line.Name, Measure: l.Line.Measure, Actual: Amount(l.Actual), Short: Amount(l.Short), Met: l.Met, Channels: l.Channels}
		if l.Line.Amount > 0 {
			a := Amount(l.Line.Amount)
			pj.Planned = &a
		}
		plan = append(plan, pj)
	}
	writeJSON(w, http.StatusOK, map[string]any{"year": year, "channels": rows, "departments": depts, "categories": cats, "total": toRateJSON(rep.Total),
		"min_integration_ratio": rep.MinRatio.String(), "integration_ratio_met": rep.RatioMet, "input_plan": plan, "shares": toChecksJSON(rep.Shares)})
	return nil
}
