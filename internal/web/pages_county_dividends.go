package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"onepool/internal/agreements"
	"onepool/internal/errs"
	"onepool/internal/instruct"
	"onepool/internal/place"
)

// The county-wide dividend run (录入年度分红（全县）): the form takes a
// year and an optional township and shows what a run would cover —
// agreements, households, total, and the agreements left out with their
// reason — before it is entered; the run's page lists its agreements
// with their amounts and links to each agreement's lines.

type countyDividendsView struct {
	Page
	Year      string
	Township  string
	Townships []placeOption
	Plan      *agreements.CountyPlan
	Error     string
}

func (s *Server) countyDividendsView(c *call, year, township string) countyDividendsView {
	v := countyDividendsView{Page: c.page(translate(c.lang, "divcounty.title"), "agreements"), Year: year, Township: township}
	for _, o := range s.subtreePlaces(c, place.County) {
		if place.Code(o.Code).Level() == place.Township {
			v.Townships = append(v.Townships, o)
		}
	}
	return v
}

func countyYear(text string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(text))
	if err != nil {
		return 0, errs.F(errs.Invalid, "invalid_year", "year", "the year is a calendar year such as 2026")
	}
	return n, nil
}

func (s *Server) countyDividendsPage(w http.ResponseWriter, c *call) error {
	q := c.r.URL.Query()
	v := s.countyDividendsView(c, strings.TrimSpace(q.Get("year")), strings.TrimSpace(q.Get("township")))
	if v.Year != "" {
		n, err := countyYear(v.Year)
		if err == nil {
			var plan agreements.CountyPlan
			if plan, err = s.d.Agreements.PlanCountyRun(c.r.Context(), c.p, n, v.Township); err == nil {
				v.Plan = &plan
			}
		}
		if err != nil {
			if errs.KindOf(err) != errs.Invalid {
				return err
			}
			v.Error = formMessage(c.lang, err)
			return c.render(w, http.StatusUnprocessableEntity, "county_dividends", v)
		}
	}
	return c.render(w, http.StatusOK, "county_dividends", v)
}

func (s *Server) countyDividendsForm(w http.ResponseWriter, c *call) error {
	year, township := strings.TrimSpace(c.r.PostFormValue("year")), strings.TrimSpace(c.r.PostFormValue("township"))
	n, err := countyYear(year)
	var in instruct.Instruction
	if err == nil {
		in, err = s.d.Agreements.ProposeCountyRun(c.r.Context(), c.p, n, township, c.r.PostFormValue("key"))
	}
	c.done = translate(c.lang, "done.divcounty")
	return afterForm(w, c, err, instructionPath(in), func(msg string, status int) error {
		v := s.countyDividendsView(c, year, township)
		v.Error = msg
		if n != 0 {
			if plan, perr := s.d.Agreements.PlanCountyRun(c.r.Context(), c.p, n, township); perr == nil {
				v.Plan = &plan
			}
		}
		return c.render(w, status, "county_dividends", v)
	})
}

type countyRunView struct {
	Page
	R     agreements.CountyRun
	Items []countyRunRow
}

type countyRunRow struct {
	agreements.CountyRunItem
	Run int64
}

func countyRunID(c *call) (int64, error) {
	id, err := strconv.ParseInt(c.r.PathValue("run"), 10, 64)
	if err != nil {
		return 0, errs.F(errs.NotFound, "unknown_run", "run", "no such dividend run")
	}
	return id, nil
}

func (s *Server) countyRun(c *call) (agreements.CountyRun, []countyRunRow, error) {
	id, err := countyRunID(c)
	if err != nil {
		return agreements.CountyRun{}, nil, err
	}
	r, err := s.d.Agreements.CountyRun(c.r.Context(), c.p, id)
	if err != nil {
		return r, nil, err
	}
	rows := []countyRunRow{}
	for _, it := range r.Order.Agreements {
		rows = append(rows, countyRunRow{CountyRunItem: it, Run: r.Runs[it.Agreement]})
	}
	return r, rows, nil
}

func (s *Server) countyRunPage(w http.ResponseWriter, c *call) error {
	r, rows, err := s.countyRun(c)
	if err != nil {
		return err
	}
	v := countyRunView{Page: c.page(fmt.Sprintf("%s #%d", translate(c.lang, "divcounty.run"), r.Instruction.ID), "agreements"), R: r, Items: rows}
	return c.render(w, http.StatusOK, "county_dividend_run", v)
}
