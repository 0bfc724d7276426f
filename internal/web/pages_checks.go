package web

import (
	"fmt"
	"net/http"

	"onepool/internal/auth"
	"onepool/internal/errs"
	"onepool/internal/funds"
	"onepool/internal/money"
	"onepool/internal/place"
)

type villageChecksView struct {
	Page
	Villages  []placeOption
	Village   string
	PlaceName string
	Year      int
	Years     []int
	Checks    []funds.Check
	Assets    []assetRow // the village's assets (the register)
	Income    money.Fen  // their income of the year
}

// villageChecksPage shows a village's rule checks of a year (M-07).
func (s *Server) villageChecksPage(w http.ResponseWriter, c *call) error {
	year, err := c.reportYear()
	if err != nil {
		return err
	}
	ctx := c.r.Context()
	v := villageChecksView{Page: c.page(translate(c.lang, "checks.title"), "funds"), Year: year, Village: c.r.URL.Query().Get("village")}
	now := s.d.Clock().Year()
	for y := now + 1; y >= now-4; y-- {
		v.Years = append(v.Years, y)
	}
	if t, err := s.d.Auth.Places(ctx, c.p.County); err == nil {
		for _, n := range auth.Subtree(t, c.p.Place) {
			if n.Code.Level() == place.Village {
				v.Villages = append(v.Villages, placeOption{Code: string(n.Code), Label: n.Name, Selected: string(n.Code) == v.Village})
			}
		}
	}
	if v.Village == "" && len(v.Villages) > 0 {
		v.Village = v.Villages[0].Code
		v.Villages[0].Selected = true
	}
	if v.Village != "" {
		pl := place.Code(v.Village)
		if err := c.authorize(auth.ViewFunds, pl); err != nil {
			return errs.F(errs.NotFound, "not_found", "village", "no village %s", v.Village)
		}
		v.PlaceName = s.d.Auth.PlaceName(ctx, pl)
		if v.Checks, err = s.d.Funds.VillageChecks(ctx, c.p.County, pl, year); err != nil {
			return err
		}
		if auth.Allowed(c.p.Role, auth.ViewAssets) {
			v.Assets, v.Income = s.villageAssets(c, pl, year)
		}
	}
	return c.render(w, http.StatusOK, "village_checks", v)
}

type channelReportView struct {
	Page
	Report funds.ChannelReport
}

// channelReportPage follows one channel to its projects and recipients (各记其功).
func (s *Server) channelReportPage(w http.ResponseWriter, c *call) error {
	rep, err := s.d.Funds.ChannelReport(c.r.Context(), c.p.County, c.r.PathValue("code"))
	if err != nil {
		return err
	}
	// Projects outside the caller's place are summed, not named.
	if c.p.Place.Level() != place.County {
		var kept []funds.ChannelProject
		for _, p := range rep.Projects {
			if a, err := s.d.Ledger.Account(c.r.Context(), c.p.County, p.Project); err == nil && c.p.Sees(a.Place) {
				kept = append(kept, p)
			}
		}
		rep.Projects = kept
	}
	return c.render(w, http.StatusOK, "channel_report", channelReportView{Page: c.page(rep.Channel.Name, "funds"), Report: rep})
}

func (s *Server) apiVillageChecks(w http.ResponseWriter, c *call) error {
	year, err := c.reportYear()
	if err != nil {
		return err
	}
	pl := place.Code(c.r.PathValue("village"))
	if err := c.authorize(auth.ViewFunds, pl); err != nil {
		return errs.F(errs.NotFound, "not_found", "village", "no village %s", pl)
	}
	checks, err := s.d.Funds.VillageChecks(c.r.Context(), c.r.PathValue("county"), pl, year)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, villageChecksAnswer{Village: string(pl), Year: year, Checks: toChecksJSON(checks)})
	return nil
}

type checkJSON struct {
	Rule      string `json:"rule"`
	Required  Amount `json:"required"`
	Actual    Amount `json:"actual"`
	Short     Amount `json:"short"`
	Met       bool   `json:"met"`
	Checkable bool   `json:"checkable"`
	Note      string `json:"note,omitempty"`
	Reason    string `json:"reason,omitempty"`
}

func toChecksJSON(checks []funds.Check) []checkJSON {
	out := make([]checkJSON, len(checks))
	for i, ch := range checks {
		out[i] = checkJSON{ch.Rule, Amount(ch.Required), Amount(ch.Actual), Amount(ch.Short), ch.Met, ch.Checkable, ch.Note, ch.Reason}
	}
	return out
}

func (s *Server) apiChannelReport(w http.ResponseWriter, c *call) error {
	if c.p.Place.Level() != place.County {
		return auth.NotFound() // the county-wide view of a channel is for county users
	}
	rep, err := s.d.Funds.ChannelReport(c.r.Context(), c.r.PathValue("county"), c.r.PathValue("code"))
	if err != nil {
		return err
	}
	type projJSON = channelProjectJSON
	var ps []projJSON
	for _, p := range rep.Projects {
		ps = append(ps, projJSON{p.Project, p.Name, Amount(p.Allocated), Amount(p.Paid), p.Households, Amount(p.ToHouses)})
	}
	writeJSON(w, http.StatusOK, channelReportAnswer{Channel: toFundChannelJSON(rep.Channel), Arrived: Amount(rep.Arrived), Integrated: Amount(rep.Integrated),
		InPool: Amount(rep.InPool), Projects: ps})
	return nil
}

// villageChecksExport writes a village's rule checks as xlsx.
func (s *Server) villageChecksExport(w http.ResponseWriter, c *call) error {
	year, err := c.reportYear()
	if err != nil {
		return err
	}
	pl := place.Code(c.r.URL.Query().Get("village"))
	if err := c.authorize(auth.ViewFunds, pl); err != nil {
		return errs.F(errs.NotFound, "not_found", "village", "no village %s", pl)
	}
	checks, err := s.d.Funds.VillageChecks(c.r.Context(), c.p.County, pl, year)
	if err != nil {
		return err
	}
	t := func(k string) string { return translate(c.lang, k) }
	rows := [][]any{{t("checks.rule"), t("checks.required"), t("checks.actual"), t("checks.result"), t("col.memo")}}
	for _, ch := range checks {
		res := t("funds.met")
		switch {
		case !ch.Checkable:
			res = t("checks.unknown")
		case !ch.Met:
			res = t("checks.short") + " " + ch.Short.Plain()
		}
		note := ch.Note
		if ch.Reason != "" {
			note = t("checks.reason." + ch.Reason)
		}
		rows = append(rows, []any{ch.Rule, ch.Required, ch.Actual, res, note})
	}
	return writeXLSX(w, fmt.Sprintf("checks-%s-%d.xlsx", pl, year), rows)
}

// channelReportExport writes where a channel went as xlsx.
func (s *Server) channelReportExport(w http.ResponseWriter, c *call) error {
	if c.p.Place.Level() != place.County {
		return auth.NotFound()
	}
	rep, err := s.d.Funds.ChannelReport(c.r.Context(), c.p.County, c.r.PathValue("code"))
	if err != nil {
		return err
	}
	t := func(k string) string { return translate(c.lang, k) }
	rows := [][]any{{t("projects.project"), t("col.name"), t("projects.allocated"), t("projects.paid"), t("checks.households"), t("col.households"), t("checks.others")}}
	for _, p := range rep.Projects {
		var others string
		for _, o := range p.Others {
			others += o.ToName + " " + o.Amount.Plain() + "; "
		}
		rows = append(rows, []any{p.Project, p.Name, p.Allocated, p.Paid, p.Households, p.ToHouses, others})
	}
	return writeXLSX(w, "channel-"+rep.Channel.Code+".xlsx", rows)
}

// projectReportExport writes a project's 分头报账 as xlsx.
func (s *Server) projectReportExport(w http.ResponseWriter, c *call) error {
	p, err := c.project(c.r.PathValue("code"))
	if err != nil {
		return err
	}
	rep, err := s.d.Funds.ProjectReport(c.r.Context(), c.p.County, p.Code)
	if err != nil {
		return err
	}
	t := func(k string) string { return translate(c.lang, k) }
	rows := [][]any{{t("col.channel"), t("projects.allocated"), t("projects.paid"), t("projects.held"), t("projects.crossed_mark")}}
	for _, l := range rep.Lines {
		rows = append(rows, []any{l.Channel, l.Allocated, l.Paid, l.Held, l.Crossed})
	}
	rows = append(rows, []any{t("col.total"), rep.Total.Allocated, rep.Total.Paid, rep.Total.Held, ""}, []any{}, []any{t("col.to"), t("col.channel"), t("col.amount"), t("col.count")})
	for _, f := range rep.Payments {
		rows = append(rows, []any{f.ToName + " " + f.To, f.Channel, f.Amount, f.Count})
	}
	return writeXLSX(w, "project-"+p.Code+".xlsx", rows)
}
